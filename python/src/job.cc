// python/src/job.cc — see job.h.
#include "python/src/job.h"

#include <nanobind/stl/string.h>

#include <chrono>
#include <utility>

#include "python/src/status_error.h"

namespace nb = nanobind;

namespace rwkvkit::python {

Job::Job(Work work) {
  thread_ = std::thread([this, work = std::move(work)] {
    absl::StatusOr<MakeResult> r = work(*this);
    {
      std::lock_guard<std::mutex> lock(mu_);
      result_ = std::move(r);
      done_ = true;
    }
    cv_.notify_all();
  });
}

Job::~Job() {
  Cancel();
  if (!thread_.joinable()) return;
#ifdef Py_LIMITED_API
  // The stable ABI cannot ask whether this thread holds the GIL: join without releasing it
  // (the task never takes the GIL, and it was just cancelled).
  thread_.join();
#else
  if (PyGILState_Check()) {
    nb::gil_scoped_release release;
    thread_.join();
  } else {
    thread_.join();
  }
#endif
}

bool Job::Wait(double seconds) {
  nb::gil_scoped_release release;
  std::unique_lock<std::mutex> lock(mu_);
  return cv_.wait_for(lock, std::chrono::duration<double>(seconds < 0 ? 0 : seconds), [this] { return done_; });
}

void Job::SetProgress(const JobProgress& p) {
  std::lock_guard<std::mutex> lock(mu_);
  progress_ = p;
}

JobProgress Job::progress() const {
  std::lock_guard<std::mutex> lock(mu_);
  return progress_;
}

nb::object Job::Result() {
  std::optional<absl::StatusOr<MakeResult>> r;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!done_) throw nb::value_error("the job is still running (wait() until it returns True)");
    r = result_;
  }
  if (!r->ok()) ThrowStatus(r->status());
  return (**r)();
}

void BindJob(nb::module_& m) {
  nb::class_<Job>(m, "Job", "A build, stats or evaluation running on its own thread (rwkvkit.build & co. drive it).")
      .def("wait", &Job::Wait, nb::arg("seconds"), "Waits up to `seconds`; True when the job has finished.")
      .def("cancel", &Job::Cancel, "Asks the job to stop at its next safe point (it then fails with CANCELLED).")
      .def("result", &Job::Result, "The finished job's summary; raises its error.")
      .def("progress", [](const Job& j) {
        const JobProgress p = j.progress();
        nb::dict d;
        d["phase"] = p.phase;
        d["done"] = p.done;
        d["total"] = p.total;
        d["unit"] = p.unit;
        d["documents"] = p.documents;
        return d;
      }, "Where the job is: {'phase', 'done', 'total', 'unit', 'documents'}.");
}

}  // namespace rwkvkit::python

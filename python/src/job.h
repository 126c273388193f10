// python/src/job.h — a long C++ task (build, stats, evaluate) on its own thread, which Python
// polls, so that the calling thread stays in Python: Ctrl-C reaches it (KeyboardInterrupt),
// and the progress callback and tqdm run on it, between waits.
//
// The task never touches Python objects; it reports progress through SetProgress() and
// checks cancelled(). Its result is a function that makes the Python value, called with the
// GIL held by Result(). Thread-safe.
#ifndef RWKVKIT_PYTHON_SRC_JOB_H_
#define RWKVKIT_PYTHON_SRC_JOB_H_

#include <nanobind/nanobind.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "absl/status/statusor.h"

namespace rwkvkit::python {

struct JobProgress {
  std::string phase;  // what the job is doing ("read", "write", "stats", "eval", ...)
  uint64_t done = 0, total = 0;  // in `unit`
  std::string unit;              // "bytes", "documents", "tokens"
  uint64_t documents = 0;
};

class Job {
 public:
  using MakeResult = std::function<nanobind::object()>;
  using Work = std::function<absl::StatusOr<MakeResult>(Job&)>;

  // Starts `work` on a new thread.
  explicit Job(Work work);
  Job(const Job&) = delete;
  Job& operator=(const Job&) = delete;
  // Cancels and joins (with the GIL released).
  ~Job();

  // Waits up to `seconds` (GIL released); true when the job has finished.
  bool Wait(double seconds);
  void Cancel() { cancel_.store(true); }
  bool cancelled() const { return cancel_.load(std::memory_order_relaxed); }
  const std::atomic<bool>* cancel_flag() const { return &cancel_; }
  void SetProgress(const JobProgress& p);
  JobProgress progress() const;
  // The finished job's value; raises its error (rwkvkit.errors, CANCELLED included).
  nanobind::object Result();

 private:
  std::atomic<bool> cancel_{false};
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;
  std::optional<absl::StatusOr<MakeResult>> result_;
  JobProgress progress_;
  std::thread thread_;
};

// Registers the Job class (its Python methods) in the module.
void BindJob(nanobind::module_& m);

}  // namespace rwkvkit::python

#endif  // RWKVKIT_PYTHON_SRC_JOB_H_

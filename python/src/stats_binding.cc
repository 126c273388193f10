// python/src/stats_binding.cc — rwkvkit.stats(): corpus::stats::RunStats on a Job (job.h); and
// which languages are written without spaces (corpus/filters/language_id.h), for the Python bench.
#include <nanobind/nanobind.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>
#include <tbb/task_arena.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "corpus/filters/language_id.h"
#include "corpus/stats/stats_run.h"
#include "python/src/bindings.h"
#include "python/src/job.h"
#include "python/src/status_error.h"
#include "tokenizer/tokenizer.h"

namespace nb = nanobind;

namespace rwkvkit::python {
namespace {

namespace st = corpus::stats;

Job* StartStats(const std::string& build_dir, const std::string& out_dir, const std::string& vocab,
                const std::string& language, size_t top_tokens, size_t top_lines, size_t examples, int threads) {
  st::StatsRunOptions o;
  o.collect.language = ValueOrThrow(st::ParseLanguageSource(language));
  o.collect.top_lines = top_lines;
  o.collect.examples_per_source = examples;
  o.top_tokens = top_tokens;
  o.tool_version = RWKVKIT_VERSION;
  if (threads < 0) throw nb::value_error("threads must be >= 0 (0: every core)");
  return new Job([=](Job& job) mutable -> absl::StatusOr<Job::MakeResult> {
    absl::StatusOr<tokenizer::Tokenizer> tok = tokenizer::Tokenizer::Load(vocab);
    if (!tok.ok()) return tok.status();
    o.cancel = job.cancel_flag();
    uint64_t total = 0;
    if (absl::StatusOr<corpus::build::BuildJson> info = corpus::build::ReadBuildJson(build_dir); info.ok()) total = st::ShardBytes(*info);
    o.collect.progress = [&job, total](uint64_t docs, uint64_t bytes) {
      job.SetProgress(JobProgress{"stats", bytes, total, "bytes", docs});
    };
    absl::StatusOr<std::unique_ptr<st::StatsRun>> run;
    if (threads > 0) {
      tbb::task_arena arena(threads);
      arena.execute([&] { run = st::RunStats(build_dir, out_dir, *tok, o); });
    } else {
      run = st::RunStats(build_dir, out_dir, *tok, o);
    }
    if (!run.ok()) return run.status();
    const std::vector<std::string> errors = (*run)->stats.shard_errors;
    return Job::MakeResult([errors] {
      nb::dict d;
      d["shard_errors"] = errors;
      return nb::object(d);
    });
  });
}

}  // namespace

void BindStats(nb::module_& m) {
  m.def("start_stats", &StartStats, nb::arg("build_dir"), nb::arg("out"), nb::arg("vocab"), nb::arg("language"),
        nb::arg("top_tokens"), nb::arg("top_lines"), nb::arg("examples"), nb::arg("threads"),
        "Starts corpus::stats::RunStats on its own thread; rwkvkit.stats() drives the returned Job.");
  m.def(
      "written_without_spaces", [](const std::string& code) { return corpus::filters::WrittenWithoutSpaces(code); },
      nb::arg("code"),
      "Whether the language ``code`` (its primary subtag) is written without spaces between words\n"
      "(zh, ja, th, lo, km, my, bo): no word counts for it, as in ``rwkvkit bench tokenizer``.");
}

}  // namespace rwkvkit::python

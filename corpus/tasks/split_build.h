// corpus/tasks/split_build.h — setting up a split build: its plan and work directory.
//
// Used by `rwkvkit build` both to run one task (--stage) and before an executor starts the
// tasks: checks the options as the one-process build does, lists the inputs, computes the
// fingerprint, and creates the work directory or checks that it was made for this very build
// (work_dir.h PrepareWorkDir). Not thread-safe (one per process).
#ifndef RWKVKIT_CORPUS_TASKS_SPLIT_BUILD_H_
#define RWKVKIT_CORPUS_TASKS_SPLIT_BUILD_H_

#include <cstdint>
#include <filesystem>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "corpus/build/build_options.h"
#include "corpus/tasks/stage_tasks.h"

namespace rwkvkit::corpus::tasks {

struct SplitOptions {
  std::filesystem::path work;
  uint32_t read_tasks = 1;
  uint32_t partitions = 1;
  uint32_t write_tasks = 1;
  uint64_t sort_bytes = kDefaultSortBytes;  // not part of the plan: any value gives the same build
};

// OpenSplitBuild()
// The context of the tasks of `opt` split as `split` (`tok`: null but for read tasks). kInvalidArgument for bad options or
// counts, kFailedPrecondition when the work directory serves another build.
absl::StatusOr<TaskContext> OpenSplitBuild(const build::BuildOptions& opt, const tokenizer::Tokenizer* tok,
                                           const SplitOptions& split);

// CheckOutputNow()
// The output-directory checks the one-process build makes before it starts (under the
// directory's lock, released on return), so an executor fails before any task runs.
absl::Status CheckOutputNow(const TaskContext& ctx);

// StatusReport()
// `rwkvkit build|eval --status DIR`: each stage's tasks as done / running / failed (with the
// message) / pending, from the markers and task locks (sizes checked, not checksums).
absl::StatusOr<std::string> StatusReport(const std::filesystem::path& work);

}  // namespace rwkvkit::corpus::tasks

#endif  // RWKVKIT_CORPUS_TASKS_SPLIT_BUILD_H_

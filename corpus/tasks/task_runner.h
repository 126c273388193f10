// corpus/tasks/task_runner.h — runs one task of a work directory (work_dir.h) around its body.
//
// The one home of a task's life, for the build's stages (stage_tasks.h RunTask) and the
// evaluation's (evaluation/eval_tasks.h): take the task's lock, skip it when its done marker
// checks out, check the done markers of every task of the stages before it (the marker chain
// and every file's size; the checksums of the files the task reads whole), clear its
// directory, run the body, record its time and memory (task_usage.h), write its done marker
// last (or the failed marker with the message). Thread-safe for different tasks (disjoint
// files); one process per task.
#ifndef RWKVKIT_CORPUS_TASKS_TASK_RUNNER_H_
#define RWKVKIT_CORPUS_TASKS_TASK_RUNNER_H_

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "corpus/build/stage_times.h"
#include "corpus/tasks/work_dir.h"

namespace rwkvkit::corpus::tasks {

// The task's work; it may append files it wrote outside its task directory (absolute paths)
// for the done marker.
using TaskBody = std::function<absl::Status(std::vector<std::filesystem::path>& extra)>;
// Whether the task reads the whole of file `name` of task `t` of the earlier stage `up`: those it
// hashes before it runs (the others only by size).
using UpstreamReads = std::function<bool(Stage up, uint32_t t, const std::filesystem::path& name)>;

// RunTaskWith()
// false when the task was already done. kInvalidArgument for a task index outside the stage,
// kFailedPrecondition when another process runs it (`owner` is written into the lock: the
// command line) or an earlier stage is not finished (naming the task and the damaged file),
// or the body's error. `hashes` (may be empty: sizes only) says which upstream files it
// checksums. `body_stages`, when given, is what the body filled in of its stages' times: it
// goes into the task's usage record with the task's own time.
absl::StatusOr<bool> RunTaskWith(const std::filesystem::path& work, const TaskPlan& plan, Stage stage, uint32_t task,
                                 const std::string& owner, const TaskBody& body, const UpstreamReads& hashes = {},
                                 const build::StageTimes* body_stages = nullptr);

}  // namespace rwkvkit::corpus::tasks

#endif  // RWKVKIT_CORPUS_TASKS_TASK_RUNNER_H_

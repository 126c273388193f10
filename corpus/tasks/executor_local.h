// corpus/tasks/executor_local.h — runs a split build's (or evaluation's) tasks as processes here.
//
// Stage after stage of the plan's chain, every task whose done marker does not check out
// (work_dir.h) is started as `command --stage S --task I` (a child process, stdout and stderr
// to its log under logs/; its time and memory are in its usage file, task_usage.h), at
// most `parallel` at a time; a stage starts only when every task of the stage before it has
// finished. With `slot_env` (one "NAME=VALUE" per slot, e.g. CUDA_VISIBLE_DEVICES=k for GPU k),
// at most that many run at once and each task gets the variable of a slot no running task
// holds. The first failure stops the run after the running tasks end, with the task, its exit
// status and the last line of its log. Nothing runs when the last stage is already done. Not
// thread-safe: one run per work directory (the caller holds its lock).
#ifndef RWKVKIT_CORPUS_TASKS_EXECUTOR_LOCAL_H_
#define RWKVKIT_CORPUS_TASKS_EXECUTOR_LOCAL_H_

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "corpus/tasks/work_dir.h"

namespace rwkvkit::corpus::tasks {

struct ExecutorResult {
  int tasks_run = 0;      // tasks started by this run
  int tasks_skipped = 0;  // tasks already finished
};

// kAborted naming the failed task; kUnavailable when a process cannot be started.
absl::StatusOr<ExecutorResult> RunLocalExecutor(const std::filesystem::path& work, const TaskPlan& plan,
                                                const std::vector<std::string>& command, int parallel,
                                                const std::vector<std::string>& slot_env = {});

// "rwkvkit build" or "rwkvkit eval": the task command's name, for messages.
std::string CommandName(const std::vector<std::string>& command);

// PendingTasks()
// The tasks of `stage` whose done markers do not check out, in order; counts the others in
// result.tasks_skipped and says on stderr (as `who`) why a task with a damaged marker is redone.
// `earlier_pending`: an earlier stage has tasks to run, whose new markers will make every task
// of this one stale (work_dir.h WriteDoneMarker): all of them, for an executor that submits
// every stage at once.
std::vector<uint32_t> PendingTasks(const std::filesystem::path& work, const TaskPlan& plan, Stage stage,
                                   const std::string& who, ExecutorResult& result, bool earlier_pending = false);

// The last non-empty line of a task's log ("" when none), for messages.
std::string LastLogLine(const std::filesystem::path& log);

}  // namespace rwkvkit::corpus::tasks

#endif  // RWKVKIT_CORPUS_TASKS_EXECUTOR_LOCAL_H_

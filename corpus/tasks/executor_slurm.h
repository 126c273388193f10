// corpus/tasks/executor_slurm.h — runs a split build's (or evaluation's) tasks on Slurm (docs/scale_out.md).
//
// One `sbatch --array` job per stage that has unfinished tasks (only those task ids), each
// array task running `command --stage S --task $SLURM_ARRAY_TASK_ID` from a script written to
// slurm/<stage>.sh in the work directory, its output in logs/<stage>-<task>.log. A stage's
// array depends on the tasks of the arrays submitted before it, task by task
// (afterok:A_0:A_1:..., which a task requeued by hand can still satisfy, unlike afterok:A
// once a task of A has failed), with --kill-on-invalid-dep=yes so that a failure cancels the
// stages after it instead of leaving them pending forever. The partition, account, time and
// memory options and any further sbatch options are passed through. It then waits (polling
// squeue) until the last stage is done, or until no job of the run is left in the queue:
// the first failed task is reported with its message and log. Rerunning submits only what is
// unfinished. Not thread-safe: one run per work directory (the caller holds its lock).
#ifndef RWKVKIT_CORPUS_TASKS_EXECUTOR_SLURM_H_
#define RWKVKIT_CORPUS_TASKS_EXECUTOR_SLURM_H_

#include <filesystem>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "corpus/tasks/executor_local.h"
#include "corpus/tasks/work_dir.h"

namespace rwkvkit::corpus::tasks {

struct SlurmOptions {
  std::string partition;  // sbatch --partition
  std::string account;    // --account
  std::string time;       // --time, per task
  std::string mem;        // --mem, per task
  int cpus_per_task = 0;  // --cpus-per-task (0: Slurm's default)
  int gpus_per_task = 0;  // --gres=gpu:N (0: none); Slurm then sets CUDA_VISIBLE_DEVICES for the task
  std::vector<std::string> sbatch_options;  // passed through as they are
  double poll_seconds = 1.0;
};

// kUnavailable when sbatch fails (its message), kAborted naming the first failed task.
absl::StatusOr<ExecutorResult> RunSlurmExecutor(const std::filesystem::path& work, const TaskPlan& plan,
                                                const std::vector<std::string>& command, const SlurmOptions& slurm);

// `s` quoted for a POSIX shell.
std::string ShellQuote(const std::string& s);

}  // namespace rwkvkit::corpus::tasks

#endif  // RWKVKIT_CORPUS_TASKS_EXECUTOR_SLURM_H_

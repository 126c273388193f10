// tools/cli/task_flags.h — the flags of a command split into tasks (`build` and `eval` with
// --executor / --stage): the Slurm pass-through flags, the task command the executors run, and
// the Slurm options read from the flags. One home for both commands.
#ifndef RWKVKIT_TOOLS_CLI_TASK_FLAGS_H_
#define RWKVKIT_TOOLS_CLI_TASK_FLAGS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "corpus/tasks/executor_slurm.h"
#include "tools/cli/flags.h"

namespace rwkvkit::cli {

// --slurm-partition, --slurm-account, --slurm-time, --slurm-mem, --slurm-cpus, --sbatch-option.
std::vector<Flag> SlurmFlags();

// `flags` followed by `more`, for a CommandSpec's table.
std::vector<Flag> WithFlags(std::vector<Flag> flags, const std::vector<Flag>& more);

// TaskCommand()
// The command every task runs (the executor adds --stage and --task): this binary, the
// command's name and every flag given but those that only steer the executor (--executor,
// --parallel, --status, --stage, --task, --gpus, the Slurm flags), then --no-progress.
std::vector<std::string> TaskCommand(const CommandSpec& spec, const ParsedFlags& f);

// The Slurm flags as executor options (kInvalidArgument for a bad --slurm-cpus).
absl::StatusOr<corpus::tasks::SlurmOptions> SlurmOptionsFromFlags(const ParsedFlags& f);

}  // namespace rwkvkit::cli

#endif  // RWKVKIT_TOOLS_CLI_TASK_FLAGS_H_

// tools/cli/task_flags.h — the flags of a command split into tasks (`build` and `eval` with
// --executor / --stage / --status): the Slurm pass-through flags, the task command the
// executors run, the one task a --stage call names, and the executor run of every task. One
// home for both commands; what a task does is the command's library.
#ifndef RWKVKIT_TOOLS_CLI_TASK_FLAGS_H_
#define RWKVKIT_TOOLS_CLI_TASK_FLAGS_H_

#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "corpus/tasks/executor_local.h"
#include "corpus/tasks/executor_slurm.h"
#include "corpus/tasks/work_dir.h"
#include "tools/cli/flags.h"

namespace rwkvkit::cli {

// --slurm-partition, --slurm-account, --slurm-time, --slurm-mem, --slurm-cpus, --sbatch-option.
std::vector<Flag> SlurmFlags();

// --work DIR and --status DIR of a split `what` ("build", "evaluation").
Flag WorkFlag(std::string_view what);
Flag StatusFlag(std::string_view what);

// `flags` followed by `more`, for a CommandSpec's table.
std::vector<Flag> WithFlags(std::vector<Flag> flags, const std::vector<Flag>& more);

// "rwkvkit" and every argument (argv[0] is the subcommand): the command line a run records.
std::string CommandLineText(int argc, char** argv);

// --status DIR: prints the task table of the split run in DIR (stdout) and returns the exit
// status; nullopt without --status.
std::optional<int> RunStatusFlag(std::string_view command, const ParsedFlags& f);

// kInvalidArgument "--<flag> needs --executor (<what>)" for the first of `flags` given.
absl::Status CheckNoSplitFlags(const ParsedFlags& f, std::initializer_list<const char*> flags, std::string_view what);

// kInvalidArgument when --stage and --executor are both given.
absl::Status CheckStageOrExecutor(const ParsedFlags& f);

// --stage S --task I: a stage of `plan` and a task index (kInvalidArgument otherwise).
struct StageTask {
  corpus::tasks::Stage stage = corpus::tasks::Stage::kRead;
  uint32_t task = 0;
};
absl::StatusOr<StageTask> StageTaskFromFlags(const ParsedFlags& f, const corpus::tasks::TaskPlan& plan);

// "rwkvkit <command>: task <stage> <i>: done" (or already done) on stderr.
void PrintTaskDone(std::string_view command, const StageTask& t, bool ran);

// --executor: "local" or "slurm" (kInvalidArgument otherwise).
absl::StatusOr<std::string> ExecutorFromFlags(const ParsedFlags& f);

// TaskCommand()
// The command every task runs (the executor adds --stage and --task): this binary, the
// command's name and every flag given but those that only steer the executor (--executor,
// --parallel, --status, --stage, --task, --gpus, the Slurm flags), then --no-progress.
std::vector<std::string> TaskCommand(const CommandSpec& spec, const ParsedFlags& f);

// The Slurm flags as executor options (kInvalidArgument for a bad --slurm-cpus).
absl::StatusOr<corpus::tasks::SlurmOptions> SlurmOptionsFromFlags(const ParsedFlags& f);

// How a command's tasks run besides the flags: --executor local runs --parallel tasks at once
// (default `parallel`, 0: every core) and gives slot k the environment slot_env[k]; --executor
// slurm asks for `gpus_per_task` GPUs per task.
struct ExecutorSetup {
  long parallel = 0;
  std::vector<std::string> slot_env;
  int gpus_per_task = 0;
};

// Every task of `plan` run as `command` by `executor` (ExecutorFromFlags).
absl::StatusOr<corpus::tasks::ExecutorResult> RunExecutorFromFlags(const ParsedFlags& f, const std::string& executor,
                                                                   const std::filesystem::path& work,
                                                                   const corpus::tasks::TaskPlan& plan,
                                                                   const std::vector<std::string>& command,
                                                                   const ExecutorSetup& setup);

}  // namespace rwkvkit::cli

#endif  // RWKVKIT_TOOLS_CLI_TASK_FLAGS_H_

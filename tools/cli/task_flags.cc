// tools/cli/task_flags.cc — see task_flags.h.
#include "tools/cli/task_flags.h"

#include <unistd.h>

#include <cstdio>

#include "absl/strings/str_cat.h"
#include "corpus/tasks/split_build.h"
#include "tools/commands.h"

namespace rwkvkit::cli {
namespace {

bool ExecutorOnlyFlag(const std::string& name) {
  return name == "executor" || name == "parallel" || name == "status" || name == "stage" || name == "task" ||
         name == "gpus" || name.starts_with("slurm-") || name == "sbatch-option";
}

}  // namespace

std::vector<Flag> SlurmFlags() {
  return {
      {"slurm-partition", FlagKind::kValue, "NAME", "--executor slurm: sbatch --partition"},
      {"slurm-account", FlagKind::kValue, "NAME", "--executor slurm: sbatch --account"},
      {"slurm-time", FlagKind::kValue, "TIME", "--executor slurm: sbatch --time, per task"},
      {"slurm-mem", FlagKind::kValue, "SIZE", "--executor slurm: sbatch --mem, per task"},
      {"slurm-cpus", FlagKind::kValue, "N", "--executor slurm: sbatch --cpus-per-task"},
      {"sbatch-option", FlagKind::kRepeated, "OPT", "--executor slurm: one more sbatch option, passed as it is"},
  };
}

Flag WorkFlag(std::string_view what) {
  return {"work", FlagKind::kValue, "DIR",
          absl::StrCat("work directory of a split ", std::string(what), " (on a filesystem every task sees)")};
}

Flag StatusFlag(std::string_view what) {
  return {"status", FlagKind::kValue, "DIR",
          absl::StrCat("show the tasks of the split ", std::string(what), " in work directory DIR and exit")};
}

std::vector<Flag> WithFlags(std::vector<Flag> flags, const std::vector<Flag>& more) {
  flags.insert(flags.end(), more.begin(), more.end());
  return flags;
}

std::string CommandLineText(int argc, char** argv) {
  std::string line = "rwkvkit";
  for (int i = 0; i < argc; ++i) absl::StrAppend(&line, " ", argv[i]);
  return line;
}

std::optional<int> RunStatusFlag(std::string_view command, const ParsedFlags& f) {
  if (!f.Has("status")) return std::nullopt;
  absl::StatusOr<std::string> report = corpus::tasks::StatusReport(*f.Get("status"));
  if (!report.ok()) return ReportError(command, report.status());
  std::fputs(report->c_str(), stdout);
  return 0;
}

absl::Status CheckNoSplitFlags(const ParsedFlags& f, std::initializer_list<const char*> flags,
                               std::string_view what) {
  for (const char* flag : flags)
    if (f.Has(flag)) return absl::InvalidArgumentError(absl::StrCat("--", flag, " needs --executor (", std::string(what), ")"));
  return absl::OkStatus();
}

absl::Status CheckStageOrExecutor(const ParsedFlags& f) {
  if (f.Has("stage") && f.Has("executor")) return absl::InvalidArgumentError("give --stage or --executor, not both");
  return absl::OkStatus();
}

absl::StatusOr<StageTask> StageTaskFromFlags(const ParsedFlags& f, const corpus::tasks::TaskPlan& plan) {
  StageTask t;
  absl::StatusOr<corpus::tasks::Stage> stage = corpus::tasks::ParseStage(plan, f.Get("stage").value_or(""));
  if (!stage.ok()) return stage.status();
  t.stage = *stage;
  if (!f.Has("task")) return absl::InvalidArgumentError("--stage needs --task I");
  absl::StatusOr<long> task = f.GetInt("task", 0, 0, (1 << 20) - 1);
  if (!task.ok()) return task.status();
  t.task = static_cast<uint32_t>(*task);
  return t;
}

void PrintTaskDone(std::string_view command, const StageTask& t, bool ran) {
  std::fprintf(stderr, "rwkvkit %.*s: task %s %u: %s\n", static_cast<int>(command.size()), command.data(),
               corpus::tasks::StageName(t.stage).c_str(), t.task,
               ran ? "done" : "already done (its outputs match its done marker)");
}

absl::StatusOr<std::string> ExecutorFromFlags(const ParsedFlags& f) {
  const std::string executor = f.Get("executor").value_or("");
  if (executor != "local" && executor != "slurm")
    return absl::InvalidArgumentError(absl::StrCat("--executor wants local or slurm (saw \"", executor, "\")"));
  return executor;
}

std::vector<std::string> TaskCommand(const CommandSpec& spec, const ParsedFlags& f) {
  std::vector<std::string> cmd;
  char exe[4096];
  const ssize_t n = ::readlink("/proc/self/exe", exe, sizeof exe - 1);
  cmd.push_back(n > 0 ? std::string(exe, static_cast<size_t>(n)) : std::string("rwkvkit"));
  cmd.push_back(spec.name);
  for (const Flag& flag : spec.flags) {
    if (!flag.alias_of.empty() || ExecutorOnlyFlag(flag.name) || !f.Has(flag.name)) continue;
    if (flag.kind == FlagKind::kBool) cmd.push_back("--" + flag.name);
    for (const std::string& v : flag.kind == FlagKind::kBool ? std::vector<std::string>() : f.GetAll(flag.name))
      cmd.push_back(absl::StrCat("--", flag.name, "=", v));
  }
  cmd.push_back("--no-progress");
  return cmd;
}

absl::StatusOr<corpus::tasks::SlurmOptions> SlurmOptionsFromFlags(const ParsedFlags& f) {
  corpus::tasks::SlurmOptions so;
  so.partition = f.Get("slurm-partition").value_or("");
  so.account = f.Get("slurm-account").value_or("");
  so.time = f.Get("slurm-time").value_or("");
  so.mem = f.Get("slurm-mem").value_or("");
  absl::StatusOr<long> cpus = f.GetInt("slurm-cpus", 0, 0, 4096);
  if (!cpus.ok()) return cpus.status();
  so.cpus_per_task = static_cast<int>(*cpus);
  so.sbatch_options = f.GetAll("sbatch-option");
  return so;
}

absl::StatusOr<corpus::tasks::ExecutorResult> RunExecutorFromFlags(const ParsedFlags& f, const std::string& executor,
                                                                   const std::filesystem::path& work,
                                                                   const corpus::tasks::TaskPlan& plan,
                                                                   const std::vector<std::string>& command,
                                                                   const ExecutorSetup& setup) {
  if (executor == "local") {
    absl::StatusOr<long> parallel = f.GetInt("parallel", 0, 0, 4096);
    if (!parallel.ok()) return parallel.status();
    const long k = *parallel > 0 ? *parallel : setup.parallel > 0 ? setup.parallel : ::sysconf(_SC_NPROCESSORS_ONLN);
    return corpus::tasks::RunLocalExecutor(work, plan, command, static_cast<int>(k), setup.slot_env);
  }
  absl::StatusOr<corpus::tasks::SlurmOptions> so = SlurmOptionsFromFlags(f);
  if (!so.ok()) return so.status();
  so->gpus_per_task = setup.gpus_per_task;
  return corpus::tasks::RunSlurmExecutor(work, plan, command, *so);
}

}  // namespace rwkvkit::cli

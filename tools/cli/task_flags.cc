// tools/cli/task_flags.cc — see task_flags.h.
#include "tools/cli/task_flags.h"

#include <unistd.h>

#include "absl/strings/str_cat.h"

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

std::vector<Flag> WithFlags(std::vector<Flag> flags, const std::vector<Flag>& more) {
  flags.insert(flags.end(), more.begin(), more.end());
  return flags;
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

}  // namespace rwkvkit::cli

// corpus/tasks/split_build.cc — see split_build.h.
#include "corpus/tasks/split_build.h"

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "corpus/build/build_checks.h"
#include "corpus/build/build_report.h"
#include "corpus/build/output_lock.h"
#include "corpus/tasks/executor_local.h"

namespace rwkvkit::corpus::tasks {

absl::StatusOr<TaskContext> OpenSplitBuild(const build::BuildOptions& opt, const tokenizer::Tokenizer* tok,
                                           const SplitOptions& split) {
  RWKVKIT_RETURN_IF_ERROR(build::CheckBuildOptions(opt));
  constexpr uint32_t kMaxTasks = 1u << 20;
  if (split.read_tasks < 1 || split.read_tasks > kMaxTasks || split.partitions < 1 || split.partitions > kMaxTasks ||
      split.write_tasks < 1 || split.write_tasks > kMaxTasks)
    return absl::InvalidArgumentError(absl::StrCat("--tasks, --partitions and --write-tasks must be in 1..", kMaxTasks));
  if (split.work.empty()) return absl::InvalidArgumentError("a split build needs --work DIR");
  uint64_t total_bytes = 0;
  RWKVKIT_ASSIGN_OR_RETURN(std::vector<build::InputFile> files, build::ListInputs(opt, total_bytes));
  TaskContext ctx{opt, tok, std::move(files), TaskPlan{}, split.work, split.sort_bytes};
  ctx.plan.read_tasks = split.read_tasks;
  ctx.plan.partitions = split.partitions;
  ctx.plan.write_tasks = split.write_tasks;
  ctx.plan.fingerprint = build::BuildFingerprint(opt, ctx.files);
  RWKVKIT_RETURN_IF_ERROR(PrepareWorkDir(split.work, ctx.plan));
  return ctx;
}

absl::Status CheckOutputNow(const TaskContext& ctx) {
  const std::filesystem::path& out = ctx.opt.out_dir;
  RWKVKIT_ASSIGN_OR_RETURN(const build::OutputLock lock, build::CreateAndLock(out, ctx.opt.command_line));
  return build::CheckOutputBeforeBuild(ctx.opt, ctx.files).status();
}

absl::StatusOr<std::string> StatusReport(const std::filesystem::path& work) {
  RWKVKIT_ASSIGN_OR_RETURN(const TaskPlan plan, LoadPlan(work));
  const bool finished = Finished(work, plan, true);
  const Stage last = StagesOf(plan).back();
  std::string out =
      plan.eval_tasks > 0
          ? absl::StrCat(work.string(), ": an evaluation in ", plan.eval_tasks, " tasks; ",
                         finished ? "complete (every slice evaluated)" : "not complete", "\n")
          : absl::StrCat(work.string(), ": ", plan.read_tasks, " read tasks, ", plan.partitions, " partitions, ",
                         plan.write_tasks, " write tasks; ", finished ? "complete (published)" : "not complete", "\n");
  for (Stage s : StagesOf(plan)) {
    int done = 0, running = 0, failed = 0, pending = 0;
    std::string lines;
    const std::string upstream = UpstreamHash(work, plan, s);
    for (uint32_t t = 0; t < TaskCount(plan, s); ++t) {
      const absl::Status d = CheckDone(work, plan, s, t, Verify::kSizes, &upstream);
      std::string state;
      if (TaskRunning(work, s, t)) {
        ++running;
        state = "running";
      } else if (d.ok() || (finished && s != last)) {
        ++done;
        continue;
      } else if (std::error_code ec; std::filesystem::exists(FailedMarkerPath(work, s, t), ec)) {
        ++failed;
        state = absl::StrCat("failed: ", LastLogLine(FailedMarkerPath(work, s, t)));
      } else {
        ++pending;
        state = absl::IsNotFound(d) ? "pending" : absl::StrCat("to redo: ", d.message());
      }
      absl::StrAppend(&lines, "  ", StageName(s), " ", t, ": ", state, " (log: ", LogPath(work, s, t).string(), ")\n");
    }
    absl::StrAppend(&out, StageName(s), ": ", TaskCount(plan, s), " tasks: ", done, " done, ", running, " running, ",
                    failed, " failed, ", pending, " pending\n", lines);
  }
  return out;
}

}  // namespace rwkvkit::corpus::tasks

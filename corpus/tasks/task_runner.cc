// corpus/tasks/task_runner.cc — see task_runner.h; also RunTask (stage_tasks.h), the build's stages on it.
#include <unistd.h>

#include <chrono>
#include <optional>
#include <span>
#include <thread>

#include "absl/strings/str_cat.h"
#include "base/file_io.h"
#include "base/status_macros.h"
#include "corpus/build/build_report.h"
#include "corpus/build/output_lock.h"
#include "corpus/build/work_files.h"
#include "corpus/tasks/intermediate.h"
#include "corpus/tasks/stage_tasks.h"
#include "corpus/tasks/task_runner.h"
#include "corpus/tasks/task_usage.h"

namespace rwkvkit::corpus::tasks {
namespace {

absl::Status Dispatch(const TaskContext& ctx, Stage stage, uint32_t task, std::vector<std::filesystem::path>& extra,
                      build::StageTimes& times) {
  switch (stage) {
    case Stage::kLines: return RunLinesTask(ctx, task);
    case Stage::kRead: return RunReadTask(ctx, task, &times);
    case Stage::kDedup: return RunDedupTask(ctx, task);
    case Stage::kCluster: return RunClusterTask(ctx);
    case Stage::kWrite: return RunWriteTask(ctx, task, extra);
    case Stage::kPublish: return RunPublishTask(ctx, extra);
    case Stage::kEval: break;
  }
  return absl::InternalError("unknown stage");
}

// Whether task `task` of `stage` reads the whole of file `name` of task `t` of the earlier stage
// `up`, and so hashes it before it runs: each intermediate file is hashed by the tasks that read
// it, once per stage. Files read in parts (by index or by range: the keyed records, near-dedup
// numbers and signatures by the cluster task, the layout and the tokens by the write tasks, the
// staged shards by publish) are checked by size: hashing them whole would read them again for
// every reader. The executors hash every finished task's files once per run.
bool BuildTaskReads(Stage stage, uint32_t task, Stage up, uint32_t t, const std::filesystem::path& name) {
  const std::string f = name.string();
  switch (stage) {
    case Stage::kRead: return up == Stage::kLines && t < task;  // the newline counts of the slices before it
    case Stage::kDedup:
      return up == Stage::kRead && (f == PartFileName(kKeysStem, task) || f == PartFileName(kBandsStem, task));
    case Stage::kCluster:
      return up == Stage::kDedup ||
             (up == Stage::kRead && (f == build::kCheckpointFile || f == build::kSpillDoneFile ||
                                     f == build::kDocsFile || f == build::kDocsMetaFile || f == kRowGroupsFile));
    case Stage::kWrite: return up == Stage::kCluster && f == kShardStartsFile;
    case Stage::kPublish:
      return (up == Stage::kWrite && !name.is_absolute()) ||
             (up == Stage::kCluster && (f == build::kPhase1JsonFile || f == build::kDedupReportFile)) ||
             (up == Stage::kRead && f == build::kDropReportFile);
    case Stage::kLines:
    case Stage::kEval: break;
  }
  return false;
}

}  // namespace

absl::StatusOr<bool> RunTaskWith(const std::filesystem::path& work, const TaskPlan& plan, Stage stage, uint32_t task,
                                 const std::string& owner, const TaskBody& body, const UpstreamReads& hashes,
                                 const build::StageTimes* body_stages) {
  const uint32_t n = TaskCount(plan, stage);
  if (n == 0) return absl::InvalidArgumentError(absl::StrCat("--stage ", StageName(stage), ": not a stage of this work"));
  if (task >= n)
    return absl::InvalidArgumentError(
        absl::StrCat("--task ", task, ": stage ", StageName(stage), " has tasks 0 to ", n - 1));
  const std::filesystem::path dir = TaskDir(work, stage, task);
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return absl::UnavailableError(absl::StrCat(dir.string(), ": cannot create (", ec.message(), ")"));
  // A status probe (TaskRunning) holds the lock for a moment: try again before giving up.
  std::optional<absl::StatusOr<build::OutputLock>> lock;
  lock.emplace(build::OutputLock::Acquire(dir, owner));
  for (int attempt = 0; attempt < 5 && !lock->ok() && absl::IsFailedPrecondition(lock->status()); ++attempt) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    lock.emplace(build::OutputLock::Acquire(dir, owner));
  }
  if (!lock->ok())
    return absl::Status(lock->status().code(), absl::StrCat("task ", StageName(stage), " ", task, ": ",
                                                            lock->status().message()));
  const UsageClock clock;  // from the lock on: checking the earlier stages' outputs is the task's work
  if (CheckDone(work, plan, stage, task).ok()) return false;
  // Every earlier task: its marker, the marker chain and its files' sizes; the checksums of the
  // files this task reads whole (`hashes`), just before it reads them.
  const std::span<const Stage> stages = StagesOf(plan);
  for (size_t k = 0; k < stages.size() && stages[k] != stage; ++k) {
    const Stage up = stages[k];
    const std::string upstream = UpstreamHash(work, plan, up);
    for (uint32_t t = 0; t < TaskCount(plan, up); ++t)
      if (absl::Status s = CheckDone(
              work, plan, up, t,
              [&](const std::filesystem::path& name) { return hashes != nullptr && hashes(up, t, name); }, &upstream);
          !s.ok())
        return absl::FailedPreconditionError(absl::StrCat("task ", StageName(stage), " ", task, " needs task ",
                                                          StageName(up), " ", t, " finished: ", s.message(),
                                                          " (run the command again: it redoes that task)"));
  }
  RWKVKIT_RETURN_IF_ERROR(ClearTaskDir(work, stage, task));
  std::vector<std::filesystem::path> extra;
  absl::Status s = body(extra);
  if (s.ok()) {
    TaskUsage usage = clock.Stop();
    if (body_stages != nullptr) usage.stages = *body_stages;
    s = WriteTaskUsage(UsagePath(work, stage, task), usage);
  }
  if (s.ok()) s = WriteDoneMarker(work, stage, task, extra);
  if (!s.ok()) {
    (void)base::WriteFileAtomically(FailedMarkerPath(work, stage, task), std::string(s.message()) + "\n");
    return s;
  }
  return true;
}

absl::StatusOr<bool> RunTask(const TaskContext& ctx, Stage stage, uint32_t task) {
  build::StageTimes times;  // the read task's pipeline stages
  return RunTaskWith(
      ctx.work, ctx.plan, stage, task, ctx.opt.command_line,
      [&](std::vector<std::filesystem::path>& extra) { return Dispatch(ctx, stage, task, extra, times); },
      [&](Stage up, uint32_t t, const std::filesystem::path& name) { return BuildTaskReads(stage, task, up, t, name); },
      stage == Stage::kRead ? &times : nullptr);
}

}  // namespace rwkvkit::corpus::tasks

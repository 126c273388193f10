// corpus/tasks/work_dir.cc — see work_dir.h.
#include "corpus/tasks/work_dir.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/match.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "base/file_io.h"
#include "corpus/build/build_checks.h"
#include "corpus/build/build_report.h"
#include "corpus/build/output_lock.h"
#include "corpus/build/work_files.h"

namespace rwkvkit::corpus::tasks {
namespace {

constexpr char kPlanFile[] = "plan.txt";                // written last: the directory is made
constexpr char kLogsDir[] = "logs";                     // one log per task (LogPath)
constexpr char kPlanMagic[] = "rwkvkit task plan 1";
// The intermediate files' format: raise the number whenever a stage's outputs change, so that a
// task finished by an older binary is redone instead of read (format 1 wrote firsts.bin), or the
// marker's lines (format 3 added "run", which format 2 would stop at).
constexpr char kDoneMagic[] = "rwkvkit done 3";
constexpr char kDonePrefix[] = "rwkvkit done ";


std::string PlanText(const TaskPlan& plan) {
  const std::string counts = plan.eval_tasks > 0 ? absl::StrCat("\neval_tasks ", plan.eval_tasks)
                                                 : absl::StrCat("\nread_tasks ", plan.read_tasks, "\npartitions ",
                                                                plan.partitions, "\nwrite_tasks ", plan.write_tasks);
  return absl::StrCat(kPlanMagic, counts, "\nfingerprint ",
                      build::Hash128Hex(plan.fingerprint), "\n");
}

// The task counts as the command line gives them, for messages.
std::string CountsText(const TaskPlan& plan) {
  if (plan.eval_tasks > 0) return absl::StrCat("an evaluation in --tasks ", plan.eval_tasks);
  return absl::StrCat("a build in --tasks ", plan.read_tasks, " --partitions ", plan.partitions, " --write-tasks ",
                      plan.write_tasks);
}

// The first line where two fingerprints differ, for the message.
std::string FirstDifference(const std::string& was, const std::string& now) {
  std::vector<std::string> a = absl::StrSplit(was, '\n'), b = absl::StrSplit(now, '\n');
  for (size_t i = 0; i < std::max(a.size(), b.size()); ++i) {
    const std::string x = i < a.size() ? a[i] : "(nothing)", y = i < b.size() ? b[i] : "(nothing)";
    if (x != y) {
      auto cut = [](std::string s) { return s.size() > 300 ? s.substr(0, 300) + "..." : s; };
      return absl::StrCat("was: ", cut(x), "; now: ", cut(y));
    }
  }
  return "the fingerprint differs";
}

// <work>/logs/<stage>-<task, 5 digits>.log, with the task written by the caller.
std::filesystem::path LogFile(const std::filesystem::path& work, Stage s, const std::string& task) {
  return work / kLogsDir / absl::StrCat(StageName(s), "-", task, ".log");
}

}  // namespace

std::string StageName(Stage s) {
  switch (s) {
    case Stage::kLines: return "lines";
    case Stage::kRead: return "read";
    case Stage::kDedup: return "dedup";
    case Stage::kCluster: return "cluster";
    case Stage::kWrite: return "write";
    case Stage::kPublish: return "publish";
    case Stage::kEval: return "eval";
  }
  return "?";
}

std::span<const Stage> StagesOf(const TaskPlan& plan) {
  if (plan.eval_tasks > 0) return kEvalStages;
  return kStages;
}

absl::StatusOr<Stage> ParseStage(const TaskPlan& plan, std::string_view name) {
  std::string names;
  for (Stage s : StagesOf(plan)) {
    if (StageName(s) == name) return s;
    absl::StrAppend(&names, names.empty() ? "" : ", ", StageName(s));
  }
  return absl::InvalidArgumentError(
      absl::StrCat("--stage: unknown stage \"", std::string(name), "\" (stages: ", names, ")"));
}

uint32_t TaskCount(const TaskPlan& plan, Stage s) {
  if ((plan.eval_tasks > 0) != (s == Stage::kEval)) return 0;  // not a stage of this plan's chain
  switch (s) {
    case Stage::kEval: return plan.eval_tasks;
    case Stage::kLines:
    case Stage::kRead: return plan.read_tasks;
    case Stage::kDedup: return plan.partitions;
    case Stage::kWrite: return plan.write_tasks;
    case Stage::kCluster:
    case Stage::kPublish: return 1;
  }
  return 1;
}

std::filesystem::path TaskDir(const std::filesystem::path& work, Stage s, uint32_t task) {
  return work / std::string(StageName(s)) / absl::StrFormat("%05d", task);
}
std::filesystem::path DoneMarkerPath(const std::filesystem::path& work, Stage s, uint32_t task) {
  return work / std::string(StageName(s)) / absl::StrFormat("%05d.done", task);
}
std::filesystem::path FailedMarkerPath(const std::filesystem::path& work, Stage s, uint32_t task) {
  return work / std::string(StageName(s)) / absl::StrFormat("%05d.failed", task);
}
std::filesystem::path UsagePath(const std::filesystem::path& work, Stage s, uint32_t task) {
  return work / std::string(StageName(s)) / absl::StrFormat("%05d.usage.json", task);
}
std::filesystem::path LogPath(const std::filesystem::path& work, Stage s, uint32_t task) {
  return LogFile(work, s, absl::StrFormat("%05d", task));
}
std::string SlurmLogPattern(const std::filesystem::path& work, Stage s) { return LogFile(work, s, "%5a").string(); }

absl::StatusOr<TaskPlan> LoadPlan(const std::filesystem::path& work) {
  std::error_code ec;
  if (!std::filesystem::exists(work / kPlanFile, ec))
    return absl::NotFoundError(absl::StrCat(work.string(), ": not a work directory of a split build (no plan.txt)"));
  const std::string text = base::ReadFile(work / kPlanFile).value_or("");
  TaskPlan plan;
  plan.fingerprint = base::ReadFile(work / build::kFingerprintFile).value_or("");
  bool magic = false;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    std::pair<std::string, std::string> kv = absl::StrSplit(line, absl::MaxSplits(' ', 1));
    if (line == kPlanMagic) magic = true;
    if (kv.first == "read_tasks" && !absl::SimpleAtoi(kv.second, &plan.read_tasks)) magic = false;
    if (kv.first == "partitions" && !absl::SimpleAtoi(kv.second, &plan.partitions)) magic = false;
    if (kv.first == "write_tasks" && !absl::SimpleAtoi(kv.second, &plan.write_tasks)) magic = false;
    if (kv.first == "eval_tasks" && !absl::SimpleAtoi(kv.second, &plan.eval_tasks)) magic = false;
  }
  if (!magic || plan.read_tasks == 0 || plan.partitions == 0 || plan.write_tasks == 0 || PlanText(plan) != text)
    return absl::DataLossError(absl::StrCat((work / kPlanFile).string(), ": damaged (or fingerprint.txt changed)"));
  return plan;
}

absl::Status PrepareWorkDir(const std::filesystem::path& work, const TaskPlan& plan) {
  std::error_code ec;
  if (std::filesystem::exists(work / kPlanFile, ec)) {
    absl::StatusOr<TaskPlan> was = LoadPlan(work);
    if (!was.ok()) return was.status();
    const std::string fix =
        " (a work directory serves one build or evaluation: use another --work, or remove this one to start over)";
    if (CountsText(*was) != CountsText(plan))
      return absl::FailedPreconditionError(
          absl::StrCat(work.string(), ": was made for ", CountsText(*was), ", not ", CountsText(plan), fix));
    if (was->fingerprint != plan.fingerprint)
      return absl::FailedPreconditionError(absl::StrCat(work.string(),
                                                        ": was made for other inputs or options (the manifest, an "
                                                        "input file or a setting changed; first difference: ",
                                                        FirstDifference(was->fingerprint, plan.fingerprint), ")", fix));
    return absl::OkStatus();
  }
  std::filesystem::create_directories(work / kLogsDir, ec);
  if (ec) return absl::UnavailableError(absl::StrCat(work.string(), ": cannot create (", ec.message(), ")"));
  if (absl::Status s = base::WriteFileAtomically(work / build::kFingerprintFile, plan.fingerprint); !s.ok()) return s;
  return base::WriteFileAtomically(work / kPlanFile, PlanText(plan));  // last: the directory is now made
}

std::string UpstreamHash(const std::filesystem::path& work, const TaskPlan& plan, Stage s) {
  std::string all;
  for (Stage up : StagesOf(plan)) {
    if (up == s) break;
    for (uint32_t t = 0; t < TaskCount(plan, up); ++t)
      absl::StrAppend(&all, StageName(up), " ", t, "\n", base::ReadFile(DoneMarkerPath(work, up, t)).value_or(""));
  }
  return build::Hash128Hex(all);
}

absl::Status WriteDoneMarker(const std::filesystem::path& work, Stage s, uint32_t task,
                             const std::vector<std::filesystem::path>& extra) {
  absl::StatusOr<TaskPlan> plan = LoadPlan(work);
  if (!plan.ok()) return plan.status();
  std::vector<std::filesystem::path> files;
  const std::filesystem::path dir = TaskDir(work, s, task);
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec))
    if (e.is_regular_file() && e.path().filename() != build::kLockFileName) files.push_back(e.path().filename());
  std::sort(files.begin(), files.end());
  files.insert(files.end(), extra.begin(), extra.end());
  std::string text = absl::StrCat(kDoneMagic, "\nupstream ", UpstreamHash(work, *plan, s), "\nrun ", ::getpid(), " ",
                                  std::chrono::system_clock::now().time_since_epoch().count(), "\n");
  for (const std::filesystem::path& f : files) {
    const std::filesystem::path full = f.is_absolute() ? f : dir / f;
    const uint64_t size = std::filesystem::file_size(full, ec);
    if (ec) return absl::UnavailableError(absl::StrCat(full.string(), ": cannot stat (", ec.message(), ")"));
    absl::StatusOr<std::string> h = build::FileHash128Hex(full);
    if (!h.ok()) return h.status();
    absl::StrAppend(&text, size, " ", *h, " ", f.string(), "\n");
  }
  return base::WriteFileAtomically(DoneMarkerPath(work, s, task), text);
}

absl::Status CheckDone(const std::filesystem::path& work, const TaskPlan& plan, Stage s, uint32_t task,
                       Verify verify, const std::string* upstream) {
  return CheckDone(
      work, plan, s, task,
      [verify](const std::filesystem::path& name) {
        return verify == Verify::kChecksums || (verify == Verify::kChecksumsInWork && !name.is_absolute());
      },
      upstream);
}

absl::Status CheckDone(const std::filesystem::path& work, const TaskPlan& plan, Stage s, uint32_t task,
                       const HashFilter& hash, const std::string* upstream) {
  const std::filesystem::path marker = DoneMarkerPath(work, s, task);
  std::error_code ec;
  if (!std::filesystem::exists(marker, ec)) return absl::NotFoundError(absl::StrCat(marker.string(), ": no done marker"));
  const std::string text = base::ReadFile(marker).value_or("");
  const std::filesystem::path dir = TaskDir(work, s, task);
  bool magic = false;
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
    if (line == kDoneMagic) {
      magic = true;
      continue;
    }
    if (!magic && absl::StartsWith(line, kDonePrefix))
      return absl::DataLossError(absl::StrCat(marker.string(), ": written by an rwkvkit whose intermediate files differ (\"",
                                              line, "\", this one writes \"", kDoneMagic, "\"); the task is redone"));
    std::vector<std::string> f = absl::StrSplit(line, absl::MaxSplits(' ', 2));
    if (!magic || f.size() < 2) break;
    if (f[0] == "upstream") {
      if (f[1] != (upstream != nullptr ? *upstream : UpstreamHash(work, plan, s)))
        return absl::DataLossError(absl::StrCat(marker.string(), ": an earlier stage was redone since this task ran"));
      continue;
    }
    if (f[0] == "run") continue;  // which run wrote it: only for the marker chain
    uint64_t size = 0;
    if (f.size() != 3 || !absl::SimpleAtoi(f[0], &size)) break;
    const std::filesystem::path p(f[2]);
    const std::filesystem::path full = p.is_absolute() ? p : dir / p;
    const uint64_t have = std::filesystem::file_size(full, ec);
    if (ec) return absl::DataLossError(absl::StrCat(full.string(), ": missing (listed in ", marker.string(), ")"));
    if (have != size)
      return absl::DataLossError(absl::StrCat(full.string(), ": ", have, " bytes, its done marker says ", size));
    if (!hash(p)) continue;
    absl::StatusOr<std::string> h = build::FileHash128Hex(full);
    if (!h.ok()) return absl::DataLossError(h.status().message());
    if (*h != f[1]) return absl::DataLossError(absl::StrCat(full.string(), ": checksum differs from its done marker"));
  }
  if (!magic || text.empty() || text.back() != '\n')
    return absl::DataLossError(absl::StrCat(marker.string(), ": damaged done marker"));
  return absl::OkStatus();
}

absl::Status ClearTaskDir(const std::filesystem::path& work, Stage s, uint32_t task) {
  std::error_code ec;
  std::filesystem::remove(DoneMarkerPath(work, s, task), ec);
  std::filesystem::remove(FailedMarkerPath(work, s, task), ec);
  std::filesystem::remove(UsagePath(work, s, task), ec);
  const std::filesystem::path dir = TaskDir(work, s, task);
  std::filesystem::create_directories(dir, ec);
  if (ec) return absl::UnavailableError(absl::StrCat(dir.string(), ": cannot create (", ec.message(), ")"));
  for (const auto& e : std::filesystem::directory_iterator(dir, ec))
    if (e.path().filename() != build::kLockFileName) std::filesystem::remove_all(e.path(), ec);
  if (ec) return absl::UnavailableError(absl::StrCat(dir.string(), ": cannot clear (", ec.message(), ")"));
  return absl::OkStatus();
}

bool TaskRunning(const std::filesystem::path& work, Stage s, uint32_t task) {
  const std::filesystem::path lock = TaskDir(work, s, task) / build::kLockFileName;
  const int fd = ::open(lock.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  const bool held = ::flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK;
  ::close(fd);
  return held;
}

bool Finished(const std::filesystem::path& work, const TaskPlan& plan, bool sizes_only) {
  const Stage last = StagesOf(plan).back();
  const std::string upstream = UpstreamHash(work, plan, last);
  for (uint32_t t = 0; t < TaskCount(plan, last); ++t)
    if (!CheckDone(work, plan, last, t, sizes_only ? Verify::kSizes : Verify::kChecksums, &upstream).ok()) return false;
  return true;
}

}  // namespace rwkvkit::corpus::tasks

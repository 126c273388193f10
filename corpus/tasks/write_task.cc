// corpus/tasks/write_task.cc — the write and publish stages of a split build (stage_tasks.h).
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <set>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "base/file_io.h"
#include "base/status_macros.h"
#include "corpus/binidx/shard_writer.h"
#include "corpus/build/build_checks.h"
#include "corpus/build/build_json.h"
#include "corpus/build/build_report.h"
#include "corpus/build/output_dir.h"
#include "corpus/build/output_lock.h"
#include "corpus/build/shard_stage.h"
#include "corpus/build/spill_store.h"
#include "corpus/build/work_files.h"
#include "corpus/tasks/intermediate.h"
#include "corpus/tasks/stage_tasks.h"
#include "corpus/tasks/task_usage.h"

namespace rwkvkit::corpus::tasks {
namespace {

// shards.txt: "<index> <name> <documents> <tokens> <bin bytes> <idx bytes> <xxh3> <source>:<count>,..."
std::string ShardLine(uint64_t s, const build::ShardRecord& r) {
  std::string runs;
  for (const auto& [src, n] : r.source_runs) absl::StrAppend(&runs, runs.empty() ? "" : ",", src, ":", n);
  return absl::StrCat(s, " ", r.name, " ", r.documents, " ", r.tokens, " ", r.bin_bytes, " ", r.idx_bytes, " ",
                      r.xxh3_128, " ", runs, "\n");
}

bool ParseShardLine(absl::string_view line, uint64_t& s, build::ShardRecord& r) {
  std::vector<std::string> f = absl::StrSplit(line, ' ');
  if (f.size() != 8 || !absl::SimpleAtoi(f[0], &s) || !absl::SimpleAtoi(f[2], &r.documents) ||
      !absl::SimpleAtoi(f[3], &r.tokens) || !absl::SimpleAtoi(f[4], &r.bin_bytes) || !absl::SimpleAtoi(f[5], &r.idx_bytes))
    return false;
  r.name = f[1];
  r.xxh3_128 = f[6];
  for (absl::string_view run : absl::StrSplit(f[7], ',', absl::SkipEmpty())) {
    std::pair<absl::string_view, absl::string_view> kv = absl::StrSplit(run, ':');
    uint32_t src = 0;
    uint64_t n = 0;
    if (!absl::SimpleAtoi(kv.first, &src) || !absl::SimpleAtoi(kv.second, &n)) return false;
    r.source_runs.emplace_back(src, n);
  }
  return true;
}

std::vector<std::filesystem::path> ReadStores(const TaskContext& ctx) {
  std::vector<std::filesystem::path> dirs;
  for (uint32_t t = 0; t < ctx.plan.read_tasks; ++t) dirs.push_back(TaskDir(ctx.work, Stage::kRead, t));
  return dirs;
}

// Writes `parts` one after the other to `staged`, atomically (base/file_io.h): the reports a
// task kept, staged for publication. kDataLoss naming the part that is missing.
absl::Status StageConcatenation(const std::vector<std::filesystem::path>& parts, const std::filesystem::path& staged) {
  RWKVKIT_ASSIGN_OR_RETURN(base::AtomicFileWriter out, base::AtomicFileWriter::Create(staged));
  std::vector<char> buf(1 << 20);
  for (const std::filesystem::path& part : parts) {
    std::FILE* f = std::fopen(part.c_str(), "rb");
    if (f == nullptr) return absl::DataLossError(absl::StrCat(part.string(), ": cannot read (the task kept no report)"));
    size_t n;
    absl::Status s;
    while (s.ok() && (n = std::fread(buf.data(), 1, buf.size(), f)) > 0) s = out.Append(std::string_view(buf.data(), n));
    const bool failed = std::ferror(f) != 0;
    std::fclose(f);
    RWKVKIT_RETURN_IF_ERROR(s);
    if (failed) return absl::DataLossError(absl::StrCat(part.string(), ": read failed"));
  }
  return out.Commit();
}

}  // namespace

absl::Status RunWriteTask(const TaskContext& ctx, uint32_t task, std::vector<std::filesystem::path>& shard_files) {
  const build::BuildOptions& opt = ctx.opt;
  const std::filesystem::path cluster = TaskDir(ctx.work, Stage::kCluster, 0);
  RWKVKIT_ASSIGN_OR_RETURN(const std::vector<uint64_t> starts, ReadRecords<uint64_t>(cluster / kShardStartsFile));
  std::error_code ec;
  const uint64_t layout_bytes = std::filesystem::file_size(cluster / kLayoutFile, ec);
  if (starts.empty() || ec || layout_bytes != starts.back() * sizeof(LayoutRecord))
    return absl::DataLossError(absl::StrCat(cluster.string(), ": the shard plan does not add up"));
  RWKVKIT_ASSIGN_OR_RETURN(const build::SpillReader store, build::SpillReader::OpenTokensOnly(ReadStores(ctx)));
  const std::filesystem::path staging = build::StagingDir(opt.out_dir);
  std::filesystem::create_directories(staging, ec);
  if (ec) return absl::UnavailableError(absl::StrCat(staging.string(), ": cannot create (", ec.message(), ")"));
  std::ifstream layout(cluster / kLayoutFile, std::ios::binary);
  std::string lines;
  std::vector<LayoutRecord> recs;
  const uint64_t shards = starts.size() - 1;
  build::SpillReader::Window window;
  for (uint64_t s = task; s < shards; s += ctx.plan.write_tasks) {
    // Only this shard's part of the plan is read: memory per shard, not per corpus.
    recs.resize(starts[s + 1] - starts[s]);
    layout.seekg(static_cast<std::streamoff>(starts[s] * sizeof(LayoutRecord)));
    if (!layout.read(reinterpret_cast<char*>(recs.data()), static_cast<std::streamsize>(recs.size() * sizeof(LayoutRecord))))
      return absl::DataLossError(absl::StrCat((cluster / kLayoutFile).string(), ": short read"));
    const build::ShardDocs docs{starts[s], starts[s + 1], starts.back(),
                         [&](uint64_t k, uint32_t& source) -> absl::StatusOr<std::span<const uint16_t>> {
                           const LayoutRecord& r = recs[k - starts[s]];
                           if (r.part >= ctx.plan.read_tasks) return absl::DataLossError("layout.bin: bad part");
                           source = r.source;
                           return store.ReadTokens(r.part, r.offset, r.tokens, window);
                         }};
    build::ShardRecord r;
    bool reused = false;
    RWKVKIT_RETURN_IF_ERROR(build::WriteShardDocs(opt, s, docs, staging, false, r, reused));
    absl::StrAppend(&lines, ShardLine(s, r));
    shard_files.push_back(std::filesystem::absolute(binidx::BinPath(staging / r.name)));
    shard_files.push_back(std::filesystem::absolute(binidx::IdxPath(staging / r.name)));
  }
  absl::StrAppend(&lines, "total ", shards, "\n");
  return base::WriteFileAtomically(TaskDir(ctx.work, Stage::kWrite, task) / "shards.txt", lines);
}

absl::Status RunPublishTask(const TaskContext& ctx, std::vector<std::filesystem::path>& published) {
  const build::BuildOptions& opt = ctx.opt;
  std::vector<std::pair<uint64_t, build::ShardRecord>> shards;
  uint64_t total = 0;
  for (uint32_t w = 0; w < ctx.plan.write_tasks; ++w) {
    const std::filesystem::path p = TaskDir(ctx.work, Stage::kWrite, w) / "shards.txt";
    for (absl::string_view line : absl::StrSplit(base::ReadFile(p).value_or(""), '\n', absl::SkipEmpty())) {
      if (absl::StartsWith(line, "total ")) {
        if (!absl::SimpleAtoi(line.substr(6), &total)) return absl::DataLossError(absl::StrCat(p.string(), ": damaged"));
        continue;
      }
      uint64_t s = 0;
      build::ShardRecord r;
      if (!ParseShardLine(line, s, r)) return absl::DataLossError(absl::StrCat(p.string(), ": damaged line"));
      shards.emplace_back(s, std::move(r));
    }
  }
  std::sort(shards.begin(), shards.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<build::ShardRecord> records;
  for (size_t k = 0; k < shards.size(); ++k) {
    if (shards[k].first != k) return absl::DataLossError(absl::StrCat("write tasks: shard ", k, " is missing"));
    records.push_back(std::move(shards[k].second));
  }
  if (records.size() != total) return absl::DataLossError("write tasks: not all shards were written");
  const std::filesystem::path& out = opt.out_dir;
  RWKVKIT_ASSIGN_OR_RETURN(const build::OutputLock lock, build::OutputLock::Acquire(out, opt.command_line));
  if (build::PublishPending(out)) RWKVKIT_RETURN_IF_ERROR(build::FinishPendingPublish(out));
  RWKVKIT_ASSIGN_OR_RETURN(const build::Ownership own, build::CheckOutputBeforeBuild(opt, ctx.files));
  {  // the staging directory holds exactly this build (nothing an earlier, other build left)
    std::set<std::string> keep;
    for (const build::ShardRecord& r : records) {
      keep.insert(binidx::BinPath(r.name).string());
      keep.insert(binidx::IdxPath(r.name).string());
    }
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(build::StagingDir(out), ec))
      if (!keep.contains(e.path().filename().string())) std::filesystem::remove_all(e.path(), ec);
  }
  RWKVKIT_RETURN_IF_ERROR(build::WriteBuildJson(build::StagingDir(out),
                                         base::ReadFile(TaskDir(ctx.work, Stage::kCluster, 0) / build::kPhase1JsonFile).value_or(""), records,
                                         opt.ctx_len, SplitTimingJson(ctx.work, ctx.plan)));
  if (!opt.dedup_report.empty())
    RWKVKIT_RETURN_IF_ERROR(StageConcatenation({TaskDir(ctx.work, Stage::kCluster, 0) / build::kDedupReportFile},
                                               build::StagedDedupReport(out)));
  if (!opt.drop_report.empty()) {  // the read tasks' lines in task order: the one-process order
    std::vector<std::filesystem::path> parts;
    for (uint32_t t = 0; t < ctx.plan.read_tasks; ++t) parts.push_back(TaskDir(ctx.work, Stage::kRead, t) / build::kDropReportFile);
    RWKVKIT_RETURN_IF_ERROR(StageConcatenation(parts, build::StagedDropReport(out)));
  }
  RWKVKIT_ASSIGN_OR_RETURN(const build::PublishPlan plan,
                           build::PlanPublish(out, opt.manifest.name, build::Hash128Hex(build::BuildFingerprint(opt, ctx.files)),
                                       build::BuildReports(opt), own));
  RWKVKIT_RETURN_IF_ERROR(build::Publish(out, plan));
  std::error_code ec;
  std::filesystem::remove_all(build::WorkDir(out), ec);
  published.push_back(std::filesystem::absolute(out / build::kBuildJsonName));
  return absl::OkStatus();
}

}  // namespace rwkvkit::corpus::tasks

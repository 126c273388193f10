// corpus/tasks/cluster_task.cc — the cluster stage of a split build (stage_tasks.h).
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <optional>

#include "absl/strings/str_cat.h"
#include "base/file_io.h"
#include "base/status_macros.h"
#include "corpus/build/bad_input.h"
#include "corpus/build/build_json.h"
#include "corpus/build/build_report.h"
#include "corpus/dedup/lsh_index.h"
#include "corpus/dedup/exact_dedup.h"
#include "corpus/build/near_dedup_stage.h"
#include "corpus/build/phase1_checkpoint.h"
#include "corpus/build/shard_stage.h"
#include "corpus/build/source_check.h"
#include "corpus/build/spill_store.h"
#include "corpus/tasks/intermediate.h"
#include "corpus/tasks/stage_tasks.h"

namespace rwkvkit::corpus::tasks {
namespace {

// One read task's signature file, read one signature at a time (pread), so the task's memory
// does not grow with the signatures it compares; the page cache does the caching.
class SignatureFile {
 public:
  SignatureFile() = default;
  SignatureFile(const SignatureFile&) = delete;
  SignatureFile& operator=(const SignatureFile&) = delete;
  ~SignatureFile() {
    if (fd_ >= 0) ::close(fd_);
  }
  absl::Status Open(const std::filesystem::path& path, size_t values) {
    path_ = path;
    buf_.resize(values);
    fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) return absl::DataLossError(absl::StrCat(path.string(), ": cannot open (", std::strerror(errno), ")"));
    return absl::OkStatus();
  }
  // Signature `doc`; valid until the next call. A failed read (the file was checked against
  // its done marker, so only an I/O error) leaves the values all-empty: never a match.
  const uint64_t* Get(uint64_t doc) {
    const size_t bytes = buf_.size() * sizeof(uint64_t);
    size_t done = 0;
    while (done < bytes) {
      const ssize_t r = ::pread(fd_, reinterpret_cast<char*>(buf_.data()) + done, bytes - done,
                                static_cast<off_t>(doc * bytes + done));
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0) {
        failed_ = true;
        std::fill(buf_.begin(), buf_.end(), dedup::kEmptySignatureValue);
        break;
      }
      done += static_cast<size_t>(r);
    }
    return buf_.data();
  }
  absl::Status status() const {
    return failed_ ? absl::DataLossError(absl::StrCat(path_.string(), ": read failed")) : absl::OkStatus();
  }

 private:
  std::filesystem::path path_;
  int fd_ = -1;
  std::vector<uint64_t> buf_;
  bool failed_ = false;
};

// Reads a dedup task's buckets.u64 one bucket at a time.
class BucketStream {
 public:
  explicit BucketStream(const std::filesystem::path& path) : path_(path), in_(path, std::ios::binary) { Advance(); }
  bool has() const { return has_; }
  uint64_t band() const { return head_[0]; }
  // The current bucket's members; then moves to the next bucket.
  absl::Status Take(std::vector<uint64_t>& members) {
    members.resize(head_[1]);
    if (!in_.read(reinterpret_cast<char*>(members.data()), static_cast<std::streamsize>(members.size() * 8)))
      return absl::DataLossError(absl::StrCat(path_.string(), ": ends inside a bucket"));
    Advance();
    return absl::OkStatus();
  }

 private:
  void Advance() { has_ = static_cast<bool>(in_.read(reinterpret_cast<char*>(head_), sizeof head_)); }
  std::filesystem::path path_;
  std::ifstream in_;
  uint64_t head_[2] = {0, 0};
  bool has_ = false;
};

void MergeBad(const std::map<std::string, build::BadInputSink::Entry>& part, std::map<std::string, build::BadInputSink::Entry>& all) {
  for (const auto& [reason, e] : part) {
    build::BadInputSink::Entry& to = all[reason];
    to.count += e.count;
    for (const std::string& x : e.examples)
      if (to.examples.size() < build::BadInputSink::kExamplesPerReason) to.examples.push_back(x);
  }
}

// A document that a read task kept but an earlier task also had: what the one-process build
// counted for it becomes a duplicate.
void CountAsDuplicate(const KeyedRecord& r, build::SourceCounts& c) {
  ++c.dropped["duplicate"];
  if (r.copies == 0) {
    if (--c.dropped["sampled_out"] == 0) c.dropped.erase("sampled_out");
    return;
  }
  c.documents_kept -= 1;
  c.documents_written -= r.copies;
  c.bytes_out -= r.bytes_out;
  c.tokens -= r.tokens * r.copies;
}

// The one-process shard plan over the read tasks' stores: layout.bin and shard_starts.u64,
// so that a write task reads only its shards' part of it.
absl::Status WriteShardPlan(const TaskContext& ctx, const std::vector<build::DocMeta>& meta, const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> parts;
  for (uint32_t t = 0; t < ctx.plan.read_tasks; ++t) parts.push_back(TaskDir(ctx.work, Stage::kRead, t));
  RWKVKIT_ASSIGN_OR_RETURN(const build::SpillReader store, build::SpillReader::OpenParts(parts));
  if (store.documents() != meta.size()) return absl::DataLossError("the read tasks' token stores do not match");
  const build::ShardPlan plan = build::PlanShards(ctx.opt, meta, store);
  RWKVKIT_ASSIGN_OR_RETURN(RecordWriter layout, RecordWriter::Create(dir / "layout.bin"));
  for (const uint64_t doc : plan.order) {
    const auto [part, offset] = store.Location(doc);
    const LayoutRecord r{static_cast<uint32_t>(part), meta[doc].source, offset, store.DocumentTokens(doc)};
    RWKVKIT_RETURN_IF_ERROR(layout.Write(&r, sizeof r));
  }
  RWKVKIT_RETURN_IF_ERROR(layout.Close());
  std::vector<uint64_t> starts = plan.starts;
  if (starts.empty()) starts.push_back(0);  // no shard: just the end
  return base::WriteFileAtomically(dir / "shard_starts.u64",
                             std::string(reinterpret_cast<const char*>(starts.data()), starts.size() * 8));
}

}  // namespace

absl::Status RunClusterTask(const TaskContext& ctx) {
  const build::BuildOptions& opt = ctx.opt;
  const uint32_t n_tasks = ctx.plan.read_tasks;
  const std::filesystem::path dir = TaskDir(ctx.work, Stage::kCluster, 0);
  const size_t sources = opt.manifest.sources.size();
  std::vector<build::SourceCounts> counts(sources);
  std::map<std::string, build::BadInputSink::Entry> bad_all;
  std::vector<uint64_t> stored(n_tasks), base(n_tasks + 1, 0);
  uint64_t distinct = 0;
  for (uint32_t t = 0; t < n_tasks; ++t) {
    RWKVKIT_ASSIGN_OR_RETURN(const build::Phase1Checkpoint cp, build::LoadCheckpoint(TaskDir(ctx.work, Stage::kRead, t), sources));
    for (size_t s = 0; s < sources; ++s) counts[s].Add(cp.counts[s]);
    MergeBad(cp.bad, bad_all);
    stored[t] = cp.stored;
    base[t + 1] = base[t] + cp.stored;
    distinct += cp.dedup_keys;
  }
  // Exact duplicates across tasks.
  std::vector<std::vector<uint64_t>> losers(n_tasks);
  for (uint32_t p = 0; p < ctx.plan.partitions; ++p) {
    RWKVKIT_ASSIGN_OR_RETURN(const std::vector<uint64_t> l,
                             ReadRecords<uint64_t>(TaskDir(ctx.work, Stage::kDedup, p) / "losers.u64"));
    for (uint64_t x : l) {
      if ((x >> kTaskShift) >= n_tasks) return absl::DataLossError("losers.u64: task out of range");
      losers[x >> kTaskShift].push_back(x & kIndexMask);
    }
  }
  std::vector<build::DocMeta> meta;
  meta.reserve(base[n_tasks]);
  std::vector<std::vector<uint8_t>> removed(n_tasks);
  for (uint32_t t = 0; t < n_tasks; ++t) {
    const std::filesystem::path rd = TaskDir(ctx.work, Stage::kRead, t);
    RWKVKIT_ASSIGN_OR_RETURN(const std::vector<build::DocMeta> m, build::ReadDocsMeta(rd / "docs_meta.u32", stored[t]));
    meta.insert(meta.end(), m.begin(), m.end());
    removed[t].assign(stored[t], 0);
    std::sort(losers[t].begin(), losers[t].end());
    std::ifstream firsts(rd / "keyed.bin", std::ios::binary);
    for (uint64_t f : losers[t]) {
      KeyedRecord r{};
      firsts.seekg(static_cast<std::streamoff>(f * sizeof r));
      if (!firsts.read(reinterpret_cast<char*>(&r), sizeof r) || r.source >= sources ||
          (r.stored != build::ExactKeyLog::kNotStored && r.stored >= stored[t]))
        return absl::DataLossError(absl::StrCat((rd / "keyed.bin").string(), ": no valid record ", f));
      CountAsDuplicate(r, counts[r.source]);
      --distinct;
      if (r.stored != build::ExactKeyLog::kNotStored) {
        removed[t][r.stored] = 1;
        meta[base[t] + r.stored].copies = 0;
      }
    }
  }
  std::optional<dedup::LshStats> near_stats;
  if (opt.near_dedup) {
    // The documents the one-process build would have stored, in its order.
    std::vector<uint64_t> global_of(base[n_tasks], UINT64_MAX), numbers, member_of;
    std::vector<build::DocMeta> near_meta;
    std::vector<SignatureFile> sigs(n_tasks);
    const size_t h = static_cast<size_t>(opt.minhash.num_hashes());
    for (uint32_t t = 0; t < n_tasks; ++t) {
      const std::filesystem::path rd = TaskDir(ctx.work, Stage::kRead, t);
      RWKVKIT_ASSIGN_OR_RETURN(const std::vector<uint64_t> nums, ReadRecords<uint64_t>(rd / "near_docs.u64"));
      std::error_code ec;
      if (nums.size() != stored[t] * 4 || std::filesystem::file_size(rd / "signatures.u64", ec) != stored[t] * h * 8)
        return absl::DataLossError(absl::StrCat(rd.string(), ": near-dedup files do not match its token store"));
      RWKVKIT_RETURN_IF_ERROR(sigs[t].Open(rd / "signatures.u64", h));
      for (uint64_t d = 0; d < stored[t]; ++d) {
        if (removed[t][d]) continue;
        global_of[base[t] + d] = member_of.size();
        member_of.push_back(uint64_t{t} << kTaskShift | d);
        numbers.insert(numbers.end(), nums.begin() + 4 * d, nums.begin() + 4 * d + 4);
        near_meta.push_back(meta[base[t] + d]);
      }
    }
    const dedup::SignatureSource source = [&](uint64_t g) {
      const uint64_t m = member_of[g];
      return sigs[m >> kTaskShift].Get(m & kIndexMask);
    };
    RWKVKIT_ASSIGN_OR_RETURN(dedup::LshClusterer clusterer, dedup::LshClusterer::Create(opt.minhash, member_of.size(), source));
    std::vector<BucketStream> streams;
    for (uint32_t p = 0; p < ctx.plan.partitions; ++p)
      streams.emplace_back(TaskDir(ctx.work, Stage::kDedup, p) / "buckets.u64");
    std::vector<uint64_t> members, docs;
    for (int band = 0; band < opt.minhash.bands; ++band) {
      for (BucketStream& s : streams) {  // partitions are key ranges: key order within the band
        while (s.has() && s.band() == static_cast<uint64_t>(band)) {
          RWKVKIT_RETURN_IF_ERROR(s.Take(members));
          docs.clear();
          for (uint64_t m : members) {
            const uint64_t t = m >> kTaskShift, d = m & kIndexMask;
            if (t >= n_tasks || d >= stored[t]) return absl::DataLossError("buckets.u64: member out of range");
            if (global_of[base[t] + d] != UINT64_MAX) docs.push_back(global_of[base[t] + d]);
          }
          if (docs.size() >= 2) clusterer.Bucket(docs);
        }
      }
    }
    for (const BucketStream& s : streams)
      if (s.has()) return absl::DataLossError("buckets.u64: bands out of order");
    const dedup::LshResult r = clusterer.Finish();
    build::NearDedupStage near = build::NearDedupStage::FromNumbers(
        opt.minhash, opt.dedup_report.empty() ? std::filesystem::path() : dir / "dedup_report.jsonl", numbers);
    for (uint32_t t = 0; t < n_tasks; ++t) {  // Parquet row groups, for the report
      RWKVKIT_ASSIGN_OR_RETURN(const std::vector<uint64_t> groups,
                               ReadRecords<uint64_t>(TaskDir(ctx.work, Stage::kRead, t) / "row_groups.u64"));
      for (size_t k = 0; k + 2 < groups.size(); k += 3)
        near.NoteRowGroup(static_cast<uint32_t>(groups[k]), static_cast<int64_t>(groups[k + 1]), groups[k + 2]);
    }
    RWKVKIT_RETURN_IF_ERROR(near.ApplyClusters(r, source, near_meta, counts, ctx.files, opt.manifest));
    for (const SignatureFile& f : sigs) RWKVKIT_RETURN_IF_ERROR(f.status());
    for (uint64_t g = 0; g < member_of.size(); ++g)
      if (r.representative[g] != g) meta[base[member_of[g] >> kTaskShift] + (member_of[g] & kIndexMask)].copies = 0;
    near_stats = r.stats;
  }
  build::BadInputSink bad;
  bad.Restore(std::move(bad_all));
  RWKVKIT_RETURN_IF_ERROR(build::CheckSourceYields(opt, counts, bad));
  RWKVKIT_RETURN_IF_ERROR(WriteShardPlan(ctx, meta, dir));
  return base::WriteFileAtomically(dir / "phase1.json",
                             build::Phase1Json(opt, counts, bad, dedup::ExactDedup::MemoryBytesFor(distinct), near_stats));
}

}  // namespace rwkvkit::corpus::tasks

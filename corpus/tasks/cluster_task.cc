// corpus/tasks/cluster_task.cc — the cluster stage of a split build (stage_tasks.h).
//
// Its memory grows with the duplicates, not with the corpus (docs/scale_out.md, "Memory per
// task"): the exact losers (8 bytes each), the union-find over the documents of confirmed
// near-duplicate pairs (dedup::LshOptions::sparse) and the near duplicates removed (16 bytes
// each); every per-document file is streamed, or read by index where one document is needed.
// With --shuffle, the one-process permutation of the output (8 bytes per output copy) too.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <numeric>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
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
#include "corpus/build/work_files.h"
#include "corpus/tasks/external_sort.h"
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

// A document that a read task kept but an earlier one in input order had the key of: what the
// read task counted for it becomes a duplicate, as one process counts it.
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

// The read tasks' token stores as one: document g of the whole is document g - base[t] of
// read task t.
struct Stores {
  std::vector<uint64_t> stored;  // per read task
  std::vector<uint64_t> base;    // one more: the documents before each task
  uint32_t TaskOf(uint64_t g) const {
    return static_cast<uint32_t>(std::upper_bound(base.begin(), base.end(), g) - base.begin() - 1);
  }
  uint64_t total() const { return base.back(); }
};

// The exact losers (losers.u64 of every partition): their counts become a duplicate's
// (`distinct` loses one each); returns those that were stored, as documents of the whole,
// ascending.
absl::StatusOr<std::vector<uint64_t>> ExactLosers(const TaskContext& ctx, const Stores& st,
                                                  std::vector<build::SourceCounts>& counts, uint64_t& distinct) {
  const uint32_t n_tasks = ctx.plan.read_tasks;
  std::vector<std::vector<uint64_t>> losers(n_tasks);
  for (uint32_t p = 0; p < ctx.plan.partitions; ++p) {
    const std::filesystem::path path = TaskDir(ctx.work, Stage::kDedup, p) / kLosersFile;
    RWKVKIT_ASSIGN_OR_RETURN(RecordReader<uint64_t> in, RecordReader<uint64_t>::Open(path));
    for (uint64_t x = 0;;) {
      RWKVKIT_ASSIGN_OR_RETURN(const bool more, in.Next(x));
      if (!more) break;
      if ((x >> kTaskShift) >= n_tasks) return absl::DataLossError(path.string() + ": task out of range");
      losers[x >> kTaskShift].push_back(x & kIndexMask);
    }
  }
  std::vector<uint64_t> dropped;
  for (uint32_t t = 0; t < n_tasks; ++t) {
    std::vector<uint64_t>& l = losers[t];
    std::sort(l.begin(), l.end());
    const std::filesystem::path path = TaskDir(ctx.work, Stage::kRead, t) / kKeyedFile;
    RWKVKIT_ASSIGN_OR_RETURN(const RecordsAt<KeyedRecord> keyed, RecordsAt<KeyedRecord>::Open(path));
    for (size_t k = 0; k < l.size(); ++k) {
      RWKVKIT_ASSIGN_OR_RETURN(const KeyedRecord r, keyed.Get(l[k]));
      if ((k > 0 && l[k] == l[k - 1]) || r.source >= counts.size() ||
          (r.stored != build::ExactKeyLog::kNotStored && r.stored >= st.stored[t]))
        return absl::DataLossError(absl::StrCat(path.string(), ": no valid record ", l[k]));
      CountAsDuplicate(r, counts[r.source]);
      --distinct;
      if (r.stored != build::ExactKeyLog::kNotStored) dropped.push_back(st.base[t] + r.stored);
    }
    std::vector<uint64_t>().swap(l);
  }
  return dropped;  // a task's keyed order is its store order: ascending
}

// near_docs.u64: a stored document's numbers (near_dedup_stage.h).
struct NearDocRecord {
  uint64_t tokens, bytes, file, line;
};

// Near duplicates: the buckets of every partition, band by band, replayed through the
// one-process rule over the documents of the whole that one process stores (all but the exact
// losers `exact`); their counts move to near_duplicate, the report is written. Returns the
// removed documents, ascending.
absl::StatusOr<std::vector<uint64_t>> NearDuplicates(const TaskContext& ctx, const Stores& st,
                                                     const std::vector<uint64_t>& exact,
                                                     std::vector<build::SourceCounts>& counts,
                                                     std::optional<dedup::LshStats>& stats) {
  const build::BuildOptions& opt = ctx.opt;
  const uint32_t n_tasks = ctx.plan.read_tasks;
  const size_t h = static_cast<size_t>(opt.minhash.num_hashes());
  std::vector<SignatureFile> sigs(n_tasks);
  std::vector<RecordsAt<NearDocRecord>> numbers;
  std::vector<RecordsAt<build::DocMeta>> metas;
  for (uint32_t t = 0; t < n_tasks; ++t) {
    const std::filesystem::path rd = TaskDir(ctx.work, Stage::kRead, t);
    RWKVKIT_ASSIGN_OR_RETURN(RecordsAt<NearDocRecord> n, RecordsAt<NearDocRecord>::Open(rd / build::kNearDocsFile));
    RWKVKIT_ASSIGN_OR_RETURN(RecordsAt<build::DocMeta> m, RecordsAt<build::DocMeta>::Open(rd / build::kDocsMetaFile));
    std::error_code ec;
    if (n.size() != st.stored[t] || m.size() != st.stored[t] ||
        std::filesystem::file_size(rd / build::kSignaturesFile, ec) != st.stored[t] * h * 8)
      return absl::DataLossError(absl::StrCat(rd.string(), ": near-dedup files do not match its token store"));
    RWKVKIT_RETURN_IF_ERROR(sigs[t].Open(rd / build::kSignaturesFile, h));
    numbers.push_back(std::move(n));
    metas.push_back(std::move(m));
  }
  const dedup::SignatureSource source = [&](uint64_t g) {
    const uint32_t t = st.TaskOf(g);
    return sigs[t].Get(g - st.base[t]);
  };
  // Document numbers are the whole's store indexes, which one process's numbers are with the
  // exact losers left out: the same order, so the same clusters and representatives.
  dedup::LshOptions sparse;
  sparse.sparse = true;
  RWKVKIT_ASSIGN_OR_RETURN(dedup::LshClusterer clusterer,
                           dedup::LshClusterer::Create(opt.minhash, st.total(), source, sparse));
  std::vector<BucketStream> streams;
  for (uint32_t p = 0; p < ctx.plan.partitions; ++p)
    streams.emplace_back(TaskDir(ctx.work, Stage::kDedup, p) / kBucketsFile);
  std::vector<uint64_t> members, docs;
  for (int band = 0; band < opt.minhash.bands; ++band) {
    for (BucketStream& s : streams) {  // partitions are key ranges: key order within the band
      while (s.has() && s.band() == static_cast<uint64_t>(band)) {
        RWKVKIT_RETURN_IF_ERROR(s.Take(members));
        docs.clear();
        for (uint64_t m : members) {
          const uint64_t t = m >> kTaskShift, d = m & kIndexMask;
          if (t >= n_tasks || d >= st.stored[t]) return absl::DataLossError("buckets.u64: member out of range");
          const uint64_t g = st.base[t] + d;
          if (!std::binary_search(exact.begin(), exact.end(), g)) docs.push_back(g);
        }
        if (docs.size() >= 2) clusterer.Bucket(docs);
      }
    }
  }
  for (const BucketStream& s : streams)
    if (s.has()) return absl::DataLossError("buckets.u64: bands out of order");
  const dedup::LshResult r = clusterer.Finish();
  build::NearDedupStage near = build::NearDedupStage::ForTasks(
      opt.minhash, opt.dedup_report.empty() ? std::filesystem::path()
                                            : TaskDir(ctx.work, Stage::kCluster, 0) / build::kDedupReportFile);
  for (uint32_t t = 0; t < n_tasks; ++t) {  // Parquet row groups, for the report
    RWKVKIT_ASSIGN_OR_RETURN(const std::vector<uint64_t> groups,
                             ReadRecords<uint64_t>(TaskDir(ctx.work, Stage::kRead, t) / kRowGroupsFile));
    for (size_t k = 0; k + 2 < groups.size(); k += 3)
      near.NoteRowGroup(static_cast<uint32_t>(groups[k]), static_cast<int64_t>(groups[k + 1]), groups[k + 2]);
  }
  const build::NearDedupStage::StoredDocSource doc =
      [&](uint64_t g) -> absl::StatusOr<build::NearDedupStage::StoredDoc> {
    const uint32_t t = st.TaskOf(g);
    RWKVKIT_ASSIGN_OR_RETURN(const NearDocRecord n, numbers[t].Get(g - st.base[t]));
    RWKVKIT_ASSIGN_OR_RETURN(const build::DocMeta m, metas[t].Get(g - st.base[t]));
    return build::NearDedupStage::StoredDoc{n.tokens, n.bytes, static_cast<uint32_t>(n.file), n.line, m};
  };
  RWKVKIT_RETURN_IF_ERROR(near.ApplyRemoved(r.removed, source, doc, counts, ctx.files, opt.manifest));
  for (const SignatureFile& f : sigs) RWKVKIT_RETURN_IF_ERROR(f.status());
  stats = r.stats;
  std::vector<uint64_t> removed;
  removed.reserve(r.removed.size());
  for (const dedup::RemovedDoc& x : r.removed) removed.push_back(x.doc);
  return removed;
}

// Calls each(task, meta, first token, tokens) for every document of the read tasks' stores, in
// store order, but those in `drop` (ascending), streaming docs_meta.u32 and docs.u64.
template <typename Each>
absl::Status ForEachKept(const TaskContext& ctx, const Stores& st, const std::vector<uint64_t>& drop, Each each) {
  size_t next = 0;
  for (uint32_t t = 0; t < ctx.plan.read_tasks; ++t) {
    const std::filesystem::path rd = TaskDir(ctx.work, Stage::kRead, t);
    RWKVKIT_ASSIGN_OR_RETURN(const uint64_t n_meta, RecordCount(rd / build::kDocsMetaFile, sizeof(build::DocMeta)));
    RWKVKIT_ASSIGN_OR_RETURN(const uint64_t n_ends, RecordCount(rd / build::kDocsFile, sizeof(uint64_t)));
    if (!build::SpillComplete(rd) || n_meta != st.stored[t] || n_ends != st.stored[t])
      return absl::DataLossError(absl::StrCat(rd.string(), ": the token store does not match its documents"));
    RWKVKIT_ASSIGN_OR_RETURN(RecordReader<build::DocMeta> metas, RecordReader<build::DocMeta>::Open(rd / build::kDocsMetaFile));
    RWKVKIT_ASSIGN_OR_RETURN(RecordReader<uint64_t> ends, RecordReader<uint64_t>::Open(rd / build::kDocsFile));
    uint64_t begin = 0;
    for (uint64_t d = 0; d < st.stored[t]; ++d) {
      build::DocMeta m{};
      uint64_t end = 0;
      RWKVKIT_ASSIGN_OR_RETURN(const bool more_meta, metas.Next(m));
      RWKVKIT_ASSIGN_OR_RETURN(const bool more_ends, ends.Next(end));
      if (!more_meta || !more_ends || end < begin)
        return absl::DataLossError(absl::StrCat(rd.string(), ": ", build::kDocsFile, " is not a token store's index"));
      const uint64_t g = st.base[t] + d;
      if (next < drop.size() && drop[next] == g) {
        ++next;
      } else {
        RWKVKIT_RETURN_IF_ERROR(each(t, m, begin, end - begin));
      }
      begin = end;
    }
    std::error_code ec;
    if (std::filesystem::file_size(rd / build::kTokensFile, ec) != begin * sizeof(uint16_t))
      return absl::DataLossError(absl::StrCat(rd.string(), ": ", build::kTokensFile, " does not match ", build::kDocsFile));
  }
  return absl::OkStatus();
}

// A layout record and its place in the shuffled output (sorted by place).
struct Placed {
  uint64_t place;
  LayoutRecord r;
  bool operator<(const Placed& o) const { return place < o.place; }
};
static_assert(sizeof(Placed) == 32);

// The one-process shard plan (build::PlanShards) over the read tasks' stores, streamed:
// layout.bin (the output order: passes over the kept documents in store order, each document
// once per copy; with --shuffle, that order shuffled as one process does) and shard_starts.u64.
absl::Status WriteShardPlan(const TaskContext& ctx, const Stores& st, const std::vector<uint64_t>& drop,
                            const std::filesystem::path& dir) {
  const build::BuildOptions& opt = ctx.opt;
  uint16_t passes = 0;
  RWKVKIT_RETURN_IF_ERROR(ForEachKept(ctx, st, drop, [&](uint32_t, const build::DocMeta& m, uint64_t, uint64_t) {
    passes = std::max(passes, m.copies);
    return absl::OkStatus();
  }));
  const std::filesystem::path in_order = dir / (opt.shuffle ? "layout.unshuffled" : kLayoutFile);
  build::ShardCuts cuts(opt.shard_tokens);
  uint64_t copies = 0;
  {
    RWKVKIT_ASSIGN_OR_RETURN(RecordWriter out, RecordWriter::Create(in_order));
    for (uint16_t pass = 0; pass < passes; ++pass)
      RWKVKIT_RETURN_IF_ERROR(ForEachKept(ctx, st, drop, [&](uint32_t t, const build::DocMeta& m, uint64_t offset,
                                                             uint64_t tokens) {
        if (m.copies <= pass) return absl::OkStatus();
        const LayoutRecord r{t, m.source, offset, tokens};
        if (!opt.shuffle) cuts.Add(tokens);
        ++copies;
        return out.Write(&r, sizeof r);
      }));
    RWKVKIT_RETURN_IF_ERROR(out.Close(/*sync=*/!opt.shuffle));
  }
  if (opt.shuffle) {
    // order[k]: the unshuffled index of output place k (build::ShuffleOrder); turned in place
    // into its inverse (the place of each unshuffled index) by following its cycles, the
    // top bit marking the entries done.
    std::vector<uint64_t> order(copies);
    std::iota(order.begin(), order.end(), uint64_t{0});
    build::ShuffleOrder(order, opt.manifest.seed);
    constexpr uint64_t kDone = uint64_t{1} << 63;
    for (uint64_t i = 0; i < copies; ++i) {
      if (order[i] & kDone) continue;
      uint64_t prev = i, cur = order[i];
      while (cur != i) {
        const uint64_t next = order[cur];
        order[cur] = prev | kDone;
        prev = cur;
        cur = next;
      }
      order[i] = prev | kDone;
    }
    ExternalSorter<Placed> sorter(dir, "layout", ctx.sort_bytes);
    {
      RWKVKIT_ASSIGN_OR_RETURN(RecordReader<LayoutRecord> in, RecordReader<LayoutRecord>::Open(in_order));
      LayoutRecord r{};
      for (uint64_t j = 0; j < copies; ++j) {
        RWKVKIT_ASSIGN_OR_RETURN(const bool more, in.Next(r));
        if (!more) return absl::DataLossError(in_order.string() + ": short");
        RWKVKIT_RETURN_IF_ERROR(sorter.Add(Placed{order[j] & ~kDone, r}));
      }
    }
    std::vector<uint64_t>().swap(order);
    std::error_code ec;
    std::filesystem::remove(in_order, ec);
    RWKVKIT_RETURN_IF_ERROR(sorter.Finish());
    RWKVKIT_ASSIGN_OR_RETURN(RecordWriter layout, RecordWriter::Create(dir / kLayoutFile));
    for (Placed x{};;) {
      RWKVKIT_ASSIGN_OR_RETURN(const bool more, sorter.Next(x));
      if (!more) break;
      cuts.Add(x.r.tokens);
      RWKVKIT_RETURN_IF_ERROR(layout.Write(&x.r, sizeof x.r));
    }
    RWKVKIT_RETURN_IF_ERROR(layout.Close());
  }
  std::vector<uint64_t> starts = cuts.Finish();
  if (starts.empty()) starts.push_back(0);  // no shard: just the end
  return base::WriteFileAtomically(dir / kShardStartsFile,
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
  Stores st;
  st.base.push_back(0);
  uint64_t distinct = 0;
  for (uint32_t t = 0; t < n_tasks; ++t) {
    RWKVKIT_ASSIGN_OR_RETURN(const build::Phase1Checkpoint cp, build::LoadCheckpoint(TaskDir(ctx.work, Stage::kRead, t), sources));
    for (size_t s = 0; s < sources; ++s) counts[s].Add(cp.counts[s]);
    MergeBad(cp.bad, bad_all);
    st.stored.push_back(cp.stored);
    st.base.push_back(st.base.back() + cp.stored);
    distinct += cp.dedup_keys;
  }
  RWKVKIT_ASSIGN_OR_RETURN(std::vector<uint64_t> drop, ExactLosers(ctx, st, counts, distinct));
  std::optional<dedup::LshStats> near_stats;
  if (opt.near_dedup) {
    RWKVKIT_ASSIGN_OR_RETURN(const std::vector<uint64_t> near, NearDuplicates(ctx, st, drop, counts, near_stats));
    std::vector<uint64_t> both(drop.size() + near.size());
    std::merge(drop.begin(), drop.end(), near.begin(), near.end(), both.begin());
    drop = std::move(both);
  }
  build::BadInputSink bad;
  bad.Restore(std::move(bad_all));
  RWKVKIT_RETURN_IF_ERROR(build::CheckSourceYields(opt, counts, bad));
  RWKVKIT_RETURN_IF_ERROR(WriteShardPlan(ctx, st, drop, dir));
  return base::WriteFileAtomically(dir / build::kPhase1JsonFile,
                             build::Phase1Json(opt, counts, bad, dedup::ExactDedup::MemoryBytesFor(distinct), near_stats));
}

}  // namespace rwkvkit::corpus::tasks

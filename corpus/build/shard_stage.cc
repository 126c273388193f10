// corpus/build/shard_stage.cc — see shard_stage.h.
#include "corpus/build/shard_stage.h"

#include <xxhash.h>

#include <tbb/parallel_for.h>

#include <algorithm>
#include <cstring>
#include <mutex>
#include <optional>
#include <random>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/file_io.h"
#include "base/status_macros.h"
#include "corpus/binidx/shard_writer.h"
#include "corpus/build/build_stages.h"
#include "corpus/build/spill_store.h"
#include "corpus/build/work_files.h"

namespace rwkvkit::corpus::build {
namespace {

// The output order: indexes into the token store, repeats included.
std::vector<uint64_t> OutputOrder(const std::vector<DocMeta>& meta, bool shuffle, uint64_t seed) {
  std::vector<uint64_t> order;
  uint16_t passes = 0;
  for (const DocMeta& m : meta) passes = std::max(passes, m.copies);
  for (uint16_t pass = 0; pass < passes; ++pass)
    for (uint64_t i = 0; i < meta.size(); ++i)
      if (meta[i].copies > pass) order.push_back(i);
  if (shuffle) ShuffleOrder(order, seed);
  return order;
}

std::string Hex128(const XXH128_hash_t& h) { return absl::StrFormat("%016x%016x", h.high64, h.low64); }

}  // namespace

absl::StatusOr<std::vector<DocMeta>> ReadDocsMeta(const std::filesystem::path& path, uint64_t documents) {
  const std::string raw = base::ReadFile(path).value_or("");
  std::vector<DocMeta> meta(raw.size() / sizeof(DocMeta));
  if (!meta.empty()) std::memcpy(meta.data(), raw.data(), meta.size() * sizeof(DocMeta));  // memcpy(null, ..., 0) is UB
  if (meta.size() != documents)
    return absl::DataLossError(absl::StrCat(path.string(), ": ", meta.size(), " entries for ", documents, " documents"));
  return meta;
}

void ShuffleOrder(std::vector<uint64_t>& order, uint64_t seed) {
  if (order.size() < 2) return;
  // Fisher–Yates with mt19937_64 (its output is fixed by the standard) and our own bounded
  // draw (std::uniform_int_distribution differs between standard libraries).
  std::mt19937_64 rng(seed);
  for (uint64_t i = order.size() - 1; i > 0; --i) {
    const uint64_t bound = i + 1;
    const uint64_t limit = UINT64_MAX - UINT64_MAX % bound;
    uint64_t x;
    do x = rng();
    while (x >= limit);
    std::swap(order[i], order[x % bound]);
  }
}

ShardPlan PlanShards(const BuildOptions& opt, const std::vector<DocMeta>& meta, const SpillReader& store) {
  ShardPlan plan;
  plan.order = OutputOrder(meta, opt.shuffle, opt.manifest.seed);
  ShardCuts cuts(opt.shard_tokens);
  for (const uint64_t doc : plan.order) cuts.Add(store.DocumentTokens(doc));
  plan.starts = cuts.Finish();
  return plan;
}

absl::Status WriteShardDocs(const BuildOptions& opt, uint64_t s, const ShardDocs& docs,
                            const std::filesystem::path& shard_dir, bool reuse, ShardRecord& cur, bool& reused) {
  cur = ShardRecord{};
  cur.name = absl::StrFormat("%s_%05d", opt.manifest.name, s);
  const std::filesystem::path prefix = shard_dir / cur.name;
  std::error_code ec;
  // A shard exists under its final name only once complete (written, fsynced, renamed).
  reused = reuse && std::filesystem::exists(binidx::BinPath(prefix), ec) &&
           std::filesystem::exists(binidx::IdxPath(prefix), ec);
  std::optional<binidx::ShardWriter> writer;
  if (!reused) {
    absl::StatusOr<binidx::ShardWriter> w = binidx::ShardWriter::Create(prefix);
    if (!w.ok()) return w.status();
    writer.emplace(*std::move(w));
  }
  XXH3_state_t* hash = XXH3_createState();
  XXH3_128bits_reset(hash);
  absl::Status status;
  for (uint64_t k = docs.first; k < docs.end && status.ok(); ++k) {
    if (k % 1024 == 0) {
      if (BuildCancelled(opt)) {  // the shard being written never gets its final name
        status = absl::CancelledError("build interrupted; --resume continues it");
        break;
      }
      if (opt.on_progress) opt.on_progress(BuildProgress{2, k, docs.total, k, s});
    }
    uint32_t src = 0;
    const absl::StatusOr<std::span<const uint16_t>> doc = docs.read(k, src);
    if (!doc.ok()) {
      status = doc.status();
      break;
    }
    if (!reused) status = writer->AddDocument(*doc);
    XXH3_128bits_update(hash, doc->data(), doc->size() * sizeof(uint16_t));
    if (cur.source_runs.empty() || cur.source_runs.back().first != src) cur.source_runs.emplace_back(src, 0);
    ++cur.source_runs.back().second;
    cur.documents += 1;
    cur.tokens += doc->size();
  }
  cur.xxh3_128 = Hex128(XXH3_128bits_digest(hash));
  XXH3_freeState(hash);
  if (!status.ok()) return status;
  if (reused) {
    cur.bin_bytes = std::filesystem::file_size(binidx::BinPath(prefix), ec);
    cur.idx_bytes = std::filesystem::file_size(binidx::IdxPath(prefix), ec);
    return absl::OkStatus();
  }
  absl::StatusOr<binidx::ShardSummary> sum = writer->Finish();
  if (!sum.ok()) return sum.status();
  cur.bin_bytes = sum->bin_bytes;
  cur.idx_bytes = sum->idx_bytes;
  return absl::OkStatus();
}

absl::Status WriteShards(const BuildOptions& opt, const std::filesystem::path& work, const std::filesystem::path& shard_dir,
                         std::vector<ShardRecord>& shards, BuildSummary& summary) {
  RWKVKIT_ASSIGN_OR_RETURN(SpillReader spill, SpillReader::Open(work));
  RWKVKIT_ASSIGN_OR_RETURN(const std::vector<DocMeta> meta, ReadDocsMeta(work / kDocsMetaFile, spill.documents()));
  const ShardPlan plan = PlanShards(opt, meta, spill);
  const uint64_t n = plan.shards();
  // The shards are separate files: written side by side on the build's threads, each with its own
  // window on the token store and its own writer; the records stay in shard order. The caller's
  // progress callback hears the documents written over all shards, one call at a time.
  std::vector<ShardRecord> records(n);
  std::vector<absl::Status> statuses(n);
  std::vector<char> reused(n, 0);
  std::mutex progress_mu;
  std::vector<uint64_t> shard_done(n, 0);
  uint64_t all_done = 0, shards_done = 0;
  BuildOptions shard_opt = opt;
  if (opt.on_progress && n > 1)
    shard_opt.on_progress = [&](const BuildProgress& p) {
      const std::lock_guard<std::mutex> lock(progress_mu);
      const uint64_t done = p.done - plan.starts[p.shards];  // WriteShardDocs: done = k, shards = s
      all_done += done - shard_done[p.shards];
      shard_done[p.shards] = done;
      opt.on_progress(BuildProgress{2, all_done, p.total, all_done, shards_done});
    };
  tbb::parallel_for(uint64_t{0}, n, [&](uint64_t s) {
    SpillReader::Window window;
    bool shard_reused = false;
    const ShardDocs docs{plan.starts[s], plan.starts[s + 1], plan.order.size(),
                         [&](uint64_t k, uint32_t& source) {
                           source = meta[plan.order[k]].source;
                           return spill.Read(plan.order[k], window);
                         }};
    statuses[s] = WriteShardDocs(shard_opt, s, docs, shard_dir, opt.resume, records[s], shard_reused);
    reused[s] = shard_reused;
    if (opt.on_progress && n > 1 && statuses[s].ok()) {
      const std::lock_guard<std::mutex> lock(progress_mu);
      all_done += (plan.starts[s + 1] - plan.starts[s]) - shard_done[s];
      shard_done[s] = plan.starts[s + 1] - plan.starts[s];
      ++shards_done;
    }
  });
  absl::Status status;
  for (uint64_t s = 0; s < n; ++s) {
    if (!statuses[s].ok()) {
      status = statuses[s];  // the first failed shard's error, as one after the other would give
      break;
    }
    if (reused[s]) ++summary.shards_reused;
    shards.push_back(std::move(records[s]));
  }
  if (status.ok() && opt.on_progress)
    opt.on_progress(BuildProgress{2, plan.order.size(), plan.order.size(), plan.order.size(), shards.size()});
  for (const ShardRecord& s : shards) {
    summary.tokens += s.tokens;
    summary.documents_written += s.documents;
  }
  summary.shards = shards.size();
  return status;
}

}  // namespace rwkvkit::corpus::build

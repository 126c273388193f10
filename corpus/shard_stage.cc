// corpus/shard_stage.cc — see shard_stage.h.
#include "corpus/shard_stage.h"

#include <xxhash.h>

#include <algorithm>
#include <cstring>
#include <optional>
#include <random>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/status_macros.h"
#include "corpus/binidx/shard_writer.h"
#include "corpus/build_stages.h"
#include "corpus/spill_store.h"

namespace rwkvkit::corpus {
namespace {

// The output order: indexes into the token store, repeats included.
std::vector<uint64_t> OutputOrder(const std::vector<DocMeta>& meta, bool shuffle, uint64_t seed) {
  std::vector<uint64_t> order;
  uint16_t passes = 0;
  for (const DocMeta& m : meta) passes = std::max(passes, m.copies);
  for (uint16_t pass = 0; pass < passes; ++pass)
    for (uint64_t i = 0; i < meta.size(); ++i)
      if (meta[i].copies > pass) order.push_back(i);
  if (shuffle && order.size() > 1) {
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
  return order;
}

std::string Hex128(const XXH128_hash_t& h) { return absl::StrFormat("%016x%016x", h.high64, h.low64); }

}  // namespace

absl::Status WriteShards(const BuildOptions& opt, const std::filesystem::path& work, const std::filesystem::path& shard_dir,
                         std::vector<ShardRecord>& shards, BuildSummary& summary) {
  RWKVKIT_ASSIGN_OR_RETURN(SpillReader spill, SpillReader::Open(work));
  const std::string raw = ReadSmallFile(work / "docs_meta.u32");
  std::vector<DocMeta> meta(raw.size() / sizeof(DocMeta));
  if (!meta.empty()) std::memcpy(meta.data(), raw.data(), meta.size() * sizeof(DocMeta));  // memcpy(null, ..., 0) is UB
  if (meta.size() != spill.documents())
    return absl::DataLossError(absl::StrCat((work / "docs_meta.u32").string(), ": ", meta.size(),
                                            " entries for ", spill.documents(), " documents"));
  const std::vector<uint64_t> order = OutputOrder(meta, opt.shuffle, opt.manifest.seed);
  std::vector<uint16_t> doc;
  std::optional<binidx::ShardWriter> writer;
  XXH3_state_t* hash = XXH3_createState();
  ShardRecord cur;
  bool reuse = false;
  auto finish_shard = [&]() -> absl::Status {
    cur.xxh3_128 = Hex128(XXH3_128bits_digest(hash));
    const std::filesystem::path prefix = shard_dir / cur.name;
    if (reuse) {
      std::error_code ec;
      cur.bin_bytes = std::filesystem::file_size(binidx::BinPath(prefix), ec);
      cur.idx_bytes = std::filesystem::file_size(binidx::IdxPath(prefix), ec);
      ++summary.shards_reused;
    } else {
      absl::StatusOr<binidx::ShardSummary> s = writer->Finish();
      if (!s.ok()) return s.status();
      cur.bin_bytes = s->bin_bytes;
      cur.idx_bytes = s->idx_bytes;
    }
    writer.reset();
    shards.push_back(cur);
    return absl::OkStatus();
  };
  auto start_shard = [&]() -> absl::Status {
    cur = ShardRecord{};
    cur.name = absl::StrFormat("%s_%05d", opt.manifest.name, shards.size());
    XXH3_128bits_reset(hash);
    const std::filesystem::path prefix = shard_dir / cur.name;
    std::error_code ec;
    // A shard exists under its final name only once complete (written, fsynced, renamed).
    reuse = opt.resume && std::filesystem::exists(binidx::BinPath(prefix), ec) &&
            std::filesystem::exists(binidx::IdxPath(prefix), ec);
    if (reuse) return absl::OkStatus();
    absl::StatusOr<binidx::ShardWriter> w = binidx::ShardWriter::Create(prefix);
    if (!w.ok()) return w.status();
    writer.emplace(*std::move(w));
    return absl::OkStatus();
  };
  absl::Status status;
  for (uint64_t k = 0; k < order.size() && status.ok(); ++k) {
    if (k % 1024 == 0) {
      if (BuildCancelled(opt)) {  // the shard being written never gets its final name
        status = absl::CancelledError("build interrupted; --resume continues it");
        break;
      }
      if (opt.on_progress) opt.on_progress(BuildProgress{2, k, order.size(), k, shards.size()});
    }
    status = spill.Read(order[k], doc);
    if (!status.ok()) break;
    if (cur.name.empty() || (cur.tokens > 0 && cur.tokens + doc.size() > opt.shard_tokens)) {
      if (!cur.name.empty()) status = finish_shard();
      if (status.ok()) status = start_shard();
      if (!status.ok()) break;
    }
    if (!reuse) status = writer->AddDocument(doc);
    XXH3_128bits_update(hash, doc.data(), doc.size() * sizeof(uint16_t));
    const uint32_t src = meta[order[k]].source;
    if (cur.source_runs.empty() || cur.source_runs.back().first != src) cur.source_runs.emplace_back(src, 0);
    ++cur.source_runs.back().second;
    cur.documents += 1;
    cur.tokens += doc.size();
  }
  if (status.ok() && !cur.name.empty()) status = finish_shard();
  XXH3_freeState(hash);
  for (const ShardRecord& s : shards) {
    summary.tokens += s.tokens;
    summary.documents_written += s.documents;
  }
  summary.shards = shards.size();
  return status;
}


}  // namespace rwkvkit::corpus

// corpus/build/shard_stage.h — phase 2 of a build: the token store → binidx shards.
//
// Reads the finished token store (spill_store.h) and its per-document metadata, lays out the
// output order (input order with repeats as further passes, or a Fisher–Yates shuffle driven by
// mt19937_64(seed) and an unbiased bounded draw of our own, so any C++ standard library gives the
// same order; 8 bytes per output document), and writes shards of about shard_tokens tokens
// without splitting documents. Each shard is published atomically (binidx/shard_writer.h); its
// XXH3-128 and per-document sources are recorded for build.json. With `resume`, shards that
// already exist under their final names in `shard_dir` are kept (a shard only gets its final name once
// complete). Not thread-safe: one call per build.
#ifndef RWKVKIT_CORPUS_BUILD_SHARD_STAGE_H_
#define RWKVKIT_CORPUS_BUILD_SHARD_STAGE_H_

#include <filesystem>
#include <functional>
#include <span>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "corpus/build/build_options.h"
#include "corpus/build/build_report.h"
#include "corpus/build/build_stages.h"
#include "corpus/build/pipeline.h"
#include "corpus/build/spill_store.h"

namespace rwkvkit::corpus::build {

// WriteShards()
// `work` is the build's work directory (token store, docs_meta.u32); the shards go to
// `shard_dir` (the staging directory, output_dir.h). Appends the shards to `shards` and their
// totals to `summary`. kCancelled when opt.cancel is set (checked every 1024 documents).
absl::Status WriteShards(const BuildOptions& opt, const std::filesystem::path& work,
                         const std::filesystem::path& shard_dir, std::vector<ShardRecord>& shards,
                         BuildSummary& summary);

// The shards of a build before they are written: the output order (indexes into the token
// store) and where each shard starts in it. Shard s holds order[starts[s] .. starts[s+1]).
struct ShardPlan {
  std::vector<uint64_t> order;
  std::vector<uint64_t> starts;  // one more entry than shards
  uint64_t shards() const { return starts.empty() ? 0 : starts.size() - 1; }
};

// The shuffle of the output order (Fisher–Yates, above), in place.
void ShuffleOrder(std::vector<uint64_t>& order, uint64_t seed);

// ShardCuts
// Where shards start in an output order, fed the documents' token counts in that order: a
// shard ends before the document that would take it past shard_tokens (never empty).
class ShardCuts {
 public:
  explicit ShardCuts(uint64_t shard_tokens) : shard_tokens_(shard_tokens) {}
  void Add(uint64_t tokens) {
    if (starts_.empty() || (tokens_ > 0 && tokens_ + tokens > shard_tokens_)) {
      starts_.push_back(documents_);
      tokens_ = 0;
    }
    tokens_ += tokens;
    ++documents_;
  }
  // ShardPlan::starts: the shards' starts, then the end (empty without documents).
  std::vector<uint64_t> Finish() {
    if (!starts_.empty()) starts_.push_back(documents_);
    return std::move(starts_);
  }

 private:
  uint64_t shard_tokens_;
  uint64_t tokens_ = 0, documents_ = 0;
  std::vector<uint64_t> starts_;
};

// PlanShards()
// The plan WriteShards follows for `meta` (one entry per stored document) over `store`;
// needs only the documents' lengths, so a build split into tasks computes it in every task.
ShardPlan PlanShards(const BuildOptions& opt, const std::vector<DocMeta>& meta, const SpillReader& store);

// The documents of one shard: positions [first, end) of the output order (of `total`),
// `read` gives the k-th one's tokens (a view valid until the next call) and fills its source.
struct ShardDocs {
  uint64_t first = 0, end = 0, total = 0;
  std::function<absl::StatusOr<std::span<const uint16_t>>(uint64_t k, uint32_t& source)> read;
};

// WriteShardDocs()
// Shard number `s` from `docs` into `shard_dir` (kept as it is when `reuse` and it exists
// there complete, `reused` then); fills `record`. Stops with kCancelled on
// BuildOptions::cancel (the shard never gets its final name).
absl::Status WriteShardDocs(const BuildOptions& opt, uint64_t s, const ShardDocs& docs,
                            const std::filesystem::path& shard_dir, bool reuse, ShardRecord& record, bool& reused);

// Reads docs_meta.u32 (one DocMeta per stored document); kDataLoss unless it has `documents`.
absl::StatusOr<std::vector<DocMeta>> ReadDocsMeta(const std::filesystem::path& path, uint64_t documents);

}  // namespace rwkvkit::corpus::build

#endif  // RWKVKIT_CORPUS_BUILD_SHARD_STAGE_H_

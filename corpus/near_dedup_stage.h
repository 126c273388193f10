// corpus/near_dedup_stage.h — near-duplicate removal inside a build (docs/near_dedup.md).
//
// During phase 1 the serial output stage hands every stored document's MinHash signature
// (computed in the parallel stage from the normalized text) to Add(), in store order; they go
// to `signatures.u64` in the work directory (bands x rows x 8 bytes per document on disk, 16
// bytes per document in memory for its token and byte counts). After phase 1, Apply() maps
// the file, clusters the documents (dedup/lsh_index.h: LSH candidates, confirmed by estimated
// Jaccard, union-find; the first document in input order is kept), gives every other member of
// a cluster zero copies, and moves its counts to `dropped.near_duplicate`. The result does not
// depend on the thread count. Not thread-safe: serial stage only.
#ifndef RWKVKIT_CORPUS_NEAR_DEDUP_STAGE_H_
#define RWKVKIT_CORPUS_NEAR_DEDUP_STAGE_H_

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <span>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "corpus/build_report.h"
#include "corpus/build_stages.h"
#include "corpus/dedup/lsh_index.h"

namespace rwkvkit::corpus {

class NearDedupStage {
 public:
  static absl::StatusOr<NearDedupStage> Create(const std::filesystem::path& work, const MinHashConfig& config);
  NearDedupStage(NearDedupStage&& o) noexcept;
  NearDedupStage& operator=(NearDedupStage&&) = delete;
  ~NearDedupStage();

  // One stored document, in store order: its signature, tokens (per copy) and text bytes.
  absl::Status Add(std::span<const uint64_t> signature, uint64_t tokens, uint64_t bytes_out);

  // Clusters the stored documents and removes the near duplicates from `meta` and `counts`.
  absl::StatusOr<LshStats> Apply(std::vector<DocMeta>& meta, std::vector<SourceCounts>& counts);

 private:
  NearDedupStage(std::filesystem::path path, std::FILE* f, const MinHashConfig& config)
      : path_(std::move(path)), file_(f), config_(config) {}
  std::filesystem::path path_;
  std::FILE* file_ = nullptr;
  MinHashConfig config_;
  std::vector<uint64_t> tokens_, bytes_;
};

}  // namespace rwkvkit::corpus

#endif  // RWKVKIT_CORPUS_NEAR_DEDUP_STAGE_H_

// corpus/dedup/lsh_index.h — near-duplicate clusters from MinHash signatures (LSH banding,
// docs/near_dedup.md, "Algorithm" step 5, "Memory per document" and "Determinism").
//
// Documents are 0..n-1 in input order. Per band, documents with equal band keys (XXH3-64 of the
// band's `rows` values) form a bucket; candidate pairs in a bucket are confirmed when
// EstimateJaccard over all bands*rows values is >= threshold and merged with union-find. At most
// `max_compares_per_doc` candidates are compared per document per bucket.
// Output: representative[i] = the smallest index in i's cluster, so the first document in
// input order is kept and the others are removed. Empty documents (kEmptySignatureValue,
// minhash.h) are never candidates.
// Deterministic for any thread count ((key, doc) orders a band's entries totally). Memory:
// 20-24 bytes per document (LshOptions::sparse: about 40 per document of a confirmed pair, none
// per other); signatures are read through the caller's SignatureSource (a file-backed mmap can
// do). Thread-safety: ClusterNearDuplicates is pure and calls `source` from the calling thread
// only; the array overload computes and sorts band keys on the calling arena's threads (TBB).
#ifndef RWKVKIT_CORPUS_DEDUP_LSH_INDEX_H_
#define RWKVKIT_CORPUS_DEDUP_LSH_INDEX_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <vector>

#include "absl/status/statusor.h"
#include "corpus/dedup/minhash.h"

namespace rwkvkit::corpus::dedup {

// Returns a pointer to document `doc`'s config.num_hashes() signature values. The pointer
// must stay valid until the next call (a mmap'd array always is).
using SignatureSource = std::function<const uint64_t*(uint64_t doc)>;

struct LshOptions {
  size_t max_compares_per_doc = 64;
  // For tests and reports: compare every pair in every bucket, even pairs already in one
  // cluster (quadratic in bucket size); `candidate_pairs` then counts pairs once per band.
  bool exhaustive_pairs = false;
  // If set, called for each confirmed pair (i < j) with its estimated Jaccard; with
  // exhaustive_pairs a pair found in several bands is reported once per band.
  std::function<void(uint64_t i, uint64_t j, double jaccard)> on_confirmed_pair;
  // Union-find in a hash map over the documents of confirmed pairs only, so memory grows with
  // them, not with num_docs (a build split into tasks); the result then has no
  // `representative`, only `removed`.
  bool sparse = false;
};

struct LshStats {
  uint64_t candidate_pairs = 0;  // pairs whose Jaccard estimate was computed
  uint64_t confirmed_pairs = 0;  // of those, estimate >= threshold
  uint64_t clusters = 0;         // clusters with >= 2 documents
  uint64_t removed = 0;          // documents whose representative is not themselves
};

// A document that is not its cluster's representative, and the one that is.
struct RemovedDoc {
  uint64_t doc, keep;
  bool operator==(const RemovedDoc&) const = default;
};

struct LshResult {
  std::vector<uint64_t> representative;  // per document (empty with LshOptions::sparse)
  std::vector<RemovedDoc> removed;       // ascending by doc
  LshStats stats;
};

// kInvalidArgument for a bad config (MinHashConfig::Validate).
absl::StatusOr<LshResult> ClusterNearDuplicates(const MinHashConfig& config, uint64_t num_docs,
                                                const SignatureSource& source,
                                                const LshOptions& options = {});

// Signatures as one row-major array [num_docs, config.num_hashes()].
absl::StatusOr<LshResult> ClusterNearDuplicates(const MinHashConfig& config, uint64_t num_docs,
                                                const uint64_t* signatures,
                                                const LshOptions& options = {});

// The band key of `band` of a signature (as above; meaningless for an empty document).
uint64_t LshBandKey(const MinHashConfig& config, const uint64_t* signature, int band);

// LshClusterer
// The rule above, bucket by bucket, for buckets computed elsewhere (a build split into tasks,
// corpus/tasks/): given every bucket of at least two documents, band by band and within a band
// in ascending key order, each bucket's documents ascending, Finish() returns exactly what
// ClusterNearDuplicates returns for the same signatures. ClusterNearDuplicates runs on it.
class LshClusterer {
 public:
  // kInvalidArgument for a bad config. `source` and `options` are copied.
  static absl::StatusOr<LshClusterer> Create(const MinHashConfig& config, uint64_t num_docs, SignatureSource source,
                                             LshOptions options = {});
  LshClusterer(LshClusterer&&) noexcept;
  ~LshClusterer();
  // One bucket: ascending document indexes (< num_docs).
  void Bucket(std::span<const uint64_t> docs);
  LshResult Finish();

 private:
  struct State;
  explicit LshClusterer(std::unique_ptr<State> s);
  std::unique_ptr<State> s_;
};

}  // namespace rwkvkit::corpus::dedup

#endif  // RWKVKIT_CORPUS_DEDUP_LSH_INDEX_H_

// corpus/dedup/minhash.h — MinHash signatures of word shingles (docs/near_dedup.md).
//
// A signature has bands * rows values. Value k is min over the document's shingle hashes h of
//   (a_k * (h mod p) + b_k) mod p,   p = 2^61 - 1 (a Mersenne prime),
// with (a_k, b_k) drawn from splitmix64 seeded with MinHashConfig::seed; the draw and how it
// differs from datatrove: docs/near_dedup.md. Shingles and their XXH3-64 hashes: shingles.h.
// A document without words gets kEmptySignatureValue in every slot: it is never a real value
// (those are < p), and lsh_index.h never matches such documents.
//
// Does not: cluster (lsh_index.h), store signatures, or read documents.
// Thread-safety: a MinHasher is immutable after Create; Signature may be called from many
// threads at once (the ICU word iterator is a thread_local clone, see shingles.h).
// Heavy dependency: ICU and xxHash, through shingles.h.
#ifndef RWKVKIT_CORPUS_DEDUP_MINHASH_H_
#define RWKVKIT_CORPUS_DEDUP_MINHASH_H_

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace rwkvkit::corpus::dedup {

inline constexpr uint64_t kMersenne61 = (uint64_t{1} << 61) - 1;
inline constexpr uint64_t kEmptySignatureValue = ~uint64_t{0};

struct MinHashConfig {
  int ngram = 5;           // words per shingle
  int bands = 14;          // LSH bands
  int rows = 8;            // signature values per band
  double threshold = 0.8;  // estimated Jaccard that confirms a candidate pair
  uint64_t seed = 1;       // seeds the permutations

  int num_hashes() const { return bands * rows; }
  // kInvalidArgument unless 1 <= ngram <= 64, 1 <= bands, 1 <= rows, bands * rows <= 4096,
  // 0 < threshold <= 1.
  absl::Status Validate() const;
};

// (a * x + b) mod p for a, x, b < p, via a 128-bit product and two Mersenne folds.
inline uint64_t MersenneAffine(uint64_t a, uint64_t x, uint64_t b) {
  const unsigned __int128 v = static_cast<unsigned __int128>(a) * x + b;
  uint64_t r = (static_cast<uint64_t>(v) & kMersenne61) + static_cast<uint64_t>(v >> 61);
  r = (r & kMersenne61) + (r >> 61);
  return r >= kMersenne61 ? r - kMersenne61 : r;
}

// Fraction of equal positions among n signature values (the MinHash Jaccard estimate). 0 when
// either signature is an empty document's.
double EstimateJaccard(const uint64_t* a, const uint64_t* b, size_t n);

class MinHasher {
 public:
  static absl::StatusOr<MinHasher> Create(const MinHashConfig& config);

  const MinHashConfig& config() const { return config_; }
  // sig gets config().num_hashes() values (resized).
  void Signature(std::string_view utf8_text, std::vector<uint64_t>& sig) const;
  // Same, from shingle hashes already computed (shingles.h::ShingleHashes).
  void SignatureOfHashes(const std::vector<uint64_t>& shingle_hashes,
                         std::vector<uint64_t>& sig) const;
  // Same, with one kernel of the min loop; every supported kernel gives identical values (tests,
  // benchmarks). kBest (what SignatureOfHashes uses): the best instruction set the CPU runs
  // (SSE4, NEON and SVE too); kAvx2, kAvx512: that one's vector kernel.
  enum class Kernel { kScalar, kAvx2, kAvx512, kBest };
  static bool KernelSupported(Kernel kernel);
  void SignatureOfHashes(const std::vector<uint64_t>& shingle_hashes, std::vector<uint64_t>& sig,
                         Kernel kernel) const;
  uint64_t a(int k) const { return a_[k]; }
  uint64_t b(int k) const { return b_[k]; }

 private:
  explicit MinHasher(const MinHashConfig& config);
  MinHashConfig config_;
  std::vector<uint64_t> a_, b_;
};

}  // namespace rwkvkit::corpus::dedup

#endif  // RWKVKIT_CORPUS_DEDUP_MINHASH_H_

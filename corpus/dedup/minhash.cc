// corpus/dedup/minhash.cc — see minhash.h.
//
// Performance notes: the inner loop is bands*rows independent 128-bit multiply + fold + min
// per shingle; it runs permutation-major over a block of shingle hashes so the running minima
// stay in registers/L1 and the compiler can unroll.
#include "corpus/dedup/minhash.h"

#include <algorithm>

#include "absl/strings/str_format.h"
#include "corpus/dedup/shingles.h"

namespace rwkvkit::corpus {
namespace {

uint64_t SplitMix64(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

}  // namespace

absl::Status MinHashConfig::Validate() const {
  if (ngram < 1 || ngram > 64) {
    return absl::InvalidArgumentError(
        absl::StrFormat("near-dedup ngram out of range (saw %d, expected 1..64)", ngram));
  }
  if (bands < 1 || rows < 1 || bands * int64_t{rows} > 4096) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "near-dedup bands x rows out of range (saw %d x %d, expected >= 1 each and <= 4096 "
        "hashes)",
        bands, rows));
  }
  if (!(threshold > 0.0 && threshold <= 1.0)) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "near-dedup threshold out of range (saw %g, expected 0 < threshold <= 1)", threshold));
  }
  return absl::OkStatus();
}

double EstimateJaccard(const uint64_t* a, const uint64_t* b, size_t n) {
  if (n == 0 || a[0] == kEmptySignatureValue || b[0] == kEmptySignatureValue) return 0.0;
  size_t equal = 0;
  for (size_t k = 0; k < n; ++k) equal += a[k] == b[k];
  return static_cast<double>(equal) / static_cast<double>(n);
}

absl::StatusOr<MinHasher> MinHasher::Create(const MinHashConfig& config) {
  absl::Status st = config.Validate();
  if (!st.ok()) return st;
  return MinHasher(config);
}

MinHasher::MinHasher(const MinHashConfig& config) : config_(config) {
  const int n = config.num_hashes();
  a_.resize(n);
  b_.resize(n);
  uint64_t state = config.seed;
  for (int k = 0; k < n; ++k) {
    a_[k] = 1 + SplitMix64(state) % (kMersenne61 - 1);
    b_[k] = SplitMix64(state) % kMersenne61;
  }
}

void MinHasher::SignatureOfHashes(const std::vector<uint64_t>& shingle_hashes,
                                  std::vector<uint64_t>& sig) const {
  const size_t n = a_.size();
  sig.assign(n, shingle_hashes.empty() ? kEmptySignatureValue : kMersenne61);
  if (shingle_hashes.empty()) return;
  constexpr size_t kBlock = 64;
  uint64_t x[kBlock];
  for (size_t start = 0; start < shingle_hashes.size(); start += kBlock) {
    const size_t m = std::min(kBlock, shingle_hashes.size() - start);
    for (size_t i = 0; i < m; ++i) x[i] = shingle_hashes[start + i] % kMersenne61;
    for (size_t k = 0; k < n; ++k) {
      const uint64_t a = a_[k], b = b_[k];
      uint64_t lo = sig[k];
      for (size_t i = 0; i < m; ++i) lo = std::min(lo, MersenneAffine(a, x[i], b));
      sig[k] = lo;
    }
  }
}

void MinHasher::Signature(std::string_view utf8_text, std::vector<uint64_t>& sig) const {
  thread_local WordSpans words;
  thread_local std::vector<uint64_t> hashes;
  SplitWords(utf8_text, words);
  ShingleHashes(words, config_.ngram, hashes);
  SignatureOfHashes(hashes, sig);
}

}  // namespace rwkvkit::corpus

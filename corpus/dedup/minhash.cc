// corpus/dedup/minhash.cc — see minhash.h.
//
// Performance notes: the min loop (bands*rows multiply-fold-min per shingle) dominates. The
// vector kernels keep 8 (AVX-512) or 4 (AVX2) permutations per register and loop over all of a
// document's shingles, with the 61x61-bit product split into 32-bit partial products
// (vpmuludq) that are folded exactly modulo p (MulModAvx512 below): the same value as
// MersenneAffine, so every kernel gives identical signatures. Chosen once at run time
// (__builtin_cpu_supports); the build stays portable (no -march flags needed).
#include "corpus/dedup/minhash.h"

#include <algorithm>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include "absl/strings/str_format.h"
#include "corpus/dedup/shingles.h"

namespace rwkvkit::corpus::dedup {
namespace {

uint64_t SplitMix64(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// The vector kernels compute (a*x + b) mod p per 64-bit lane from 32-bit partial products. a, x, b < p. With a = ah*2^32 + al, x = xh*2^32 + xl (ah, xh < 2^29):
//   a*x = ah*xh*2^64 + (ah*xl + al*xh)*2^32 + al*xl,  2^64 = 8 (mod p),  2^61 = 1 (mod p);
//   mid = ah*xl + al*xh < 2^62:  mid*2^32 = (mid >> 29)*2^61 + (mid mod 2^29)*2^32
//                                          = (mid >> 29) + (mid mod 2^29)*2^32  (mod p);
//   ll = al*xl < 2^64:           ll = (ll >> 61) + (ll & p)  (mod p).
// The six terms sum to < 2^63 + 2^34; one fold leaves r < p + 5, and one conditional subtract
// gives the canonical residue.

// sig[k] = min(sig[k], min over i < m of (a[k]*x[i] + b[k]) mod p) for k in [k0, n).
void MinScalar(const uint64_t* x, size_t m, const uint64_t* a, const uint64_t* b, size_t k0,
               size_t n, uint64_t* sig) {
  for (size_t k = k0; k < n; ++k) {
    uint64_t lo = sig[k];
    for (size_t i = 0; i < m; ++i) lo = std::min(lo, MersenneAffine(a[k], x[i], b[k]));
    sig[k] = lo;
  }
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define RWKVKIT_MINHASH_X86 1
// GCC 12's avx512fintrin.h self-initializes "undefined" vectors (GCC bug 105593), which
// -Wmaybe-uninitialized (and, inlined into a template, -Wuninitialized) reports.
#if !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif

__attribute__((target("avx512f"))) inline __m512i MulModAvx512(__m512i a, __m512i ah, __m512i b,
                                                                __m512i x, __m512i xh) {
  const __m512i p = _mm512_set1_epi64(static_cast<long long>(kMersenne61));
  const __m512i lo29 = _mm512_set1_epi64((1ll << 29) - 1);
  const __m512i ll = _mm512_mul_epu32(a, x);  // vpmuludq: low 32 bits of each lane
  const __m512i mid = _mm512_add_epi64(_mm512_mul_epu32(ah, x), _mm512_mul_epu32(a, xh));
  const __m512i hh = _mm512_mul_epu32(ah, xh);
  __m512i s = _mm512_add_epi64(_mm512_slli_epi64(hh, 3), _mm512_srli_epi64(mid, 29));
  s = _mm512_add_epi64(s, _mm512_slli_epi64(_mm512_and_si512(mid, lo29), 32));
  s = _mm512_add_epi64(s, _mm512_and_si512(ll, p));
  s = _mm512_add_epi64(s, _mm512_srli_epi64(ll, 61));
  s = _mm512_add_epi64(s, b);
  const __m512i r = _mm512_add_epi64(_mm512_and_si512(s, p), _mm512_srli_epi64(s, 61));
  return _mm512_min_epu64(r, _mm512_sub_epi64(r, p));  // r - p wraps above r when r < p
}

// sig[k..k+8J) = min with the values of all m shingles, J vectors of 8 permutations at once.
template <int J>
__attribute__((target("avx512f"))) inline void MinAvx512Lanes(const uint64_t* x, size_t m, const uint64_t* a,
                                                              const uint64_t* b, size_t k, uint64_t* sig) {
  __m512i av[J], ahv[J], bv[J], acc[J];
  for (int j = 0; j < J; ++j) {
    av[j] = _mm512_loadu_si512(a + k + 8 * j);
    ahv[j] = _mm512_srli_epi64(av[j], 32);
    bv[j] = _mm512_loadu_si512(b + k + 8 * j);
    acc[j] = _mm512_loadu_si512(sig + k + 8 * j);
  }
  for (size_t i = 0; i < m; ++i) {
    const __m512i xv = _mm512_set1_epi64(static_cast<long long>(x[i]));
    const __m512i xh = _mm512_srli_epi64(xv, 32);
    for (int j = 0; j < J; ++j) acc[j] = _mm512_min_epu64(acc[j], MulModAvx512(av[j], ahv[j], bv[j], xv, xh));
  }
  for (int j = 0; j < J; ++j) _mm512_storeu_si512(sig + k + 8 * j, acc[j]);
}

// 32 permutations per pass, then 16 and 8 (the 14 x 8 default ends with 16 after three of 32).
__attribute__((target("avx512f"))) void MinAvx512(const uint64_t* x, size_t m, const uint64_t* a,
                                                  const uint64_t* b, size_t n, uint64_t* sig) {
  size_t k = 0;
  for (; k + 32 <= n; k += 32) MinAvx512Lanes<4>(x, m, a, b, k, sig);
  for (; k + 16 <= n; k += 16) MinAvx512Lanes<2>(x, m, a, b, k, sig);
  for (; k + 8 <= n; k += 8) MinAvx512Lanes<1>(x, m, a, b, k, sig);
  MinScalar(x, m, a, b, k, n, sig);
}

__attribute__((target("avx2"))) inline __m256i MulModAvx2(__m256i a, __m256i ah, __m256i b,
                                                          __m256i x, __m256i xh) {
  const __m256i p = _mm256_set1_epi64x(static_cast<long long>(kMersenne61));
  const __m256i lo29 = _mm256_set1_epi64x((1ll << 29) - 1);
  const __m256i ll = _mm256_mul_epu32(a, x);
  const __m256i mid = _mm256_add_epi64(_mm256_mul_epu32(ah, x), _mm256_mul_epu32(a, xh));
  const __m256i hh = _mm256_mul_epu32(ah, xh);
  __m256i s = _mm256_add_epi64(_mm256_slli_epi64(hh, 3), _mm256_srli_epi64(mid, 29));
  s = _mm256_add_epi64(s, _mm256_slli_epi64(_mm256_and_si256(mid, lo29), 32));
  s = _mm256_add_epi64(s, _mm256_and_si256(ll, p));
  s = _mm256_add_epi64(s, _mm256_srli_epi64(ll, 61));
  s = _mm256_add_epi64(s, b);
  const __m256i r = _mm256_add_epi64(_mm256_and_si256(s, p), _mm256_srli_epi64(s, 61));
  // r < p + 5 < 2^62, so the signed compare is exact.
  const __m256i ge = _mm256_cmpgt_epi64(r, _mm256_set1_epi64x(static_cast<long long>(kMersenne61 - 1)));
  return _mm256_sub_epi64(r, _mm256_and_si256(ge, p));
}

// Values < 2^61: the signed 64-bit compare orders them as unsigned.
__attribute__((target("avx2"))) inline __m256i MinAvx2Epi64(__m256i u, __m256i v) {
  return _mm256_blendv_epi8(u, v, _mm256_cmpgt_epi64(u, v));
}

__attribute__((target("avx2"))) inline __m256i Load256(const uint64_t* q) {
  return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(q));
}

// sig[k..k+4J) = min with the values of all m shingles, J vectors of 4 permutations at once.
template <int J>
__attribute__((target("avx2"))) inline void MinAvx2Lanes(const uint64_t* x, size_t m, const uint64_t* a,
                                                        const uint64_t* b, size_t k, uint64_t* sig) {
  __m256i av[J], ahv[J], bv[J], acc[J];
  for (int j = 0; j < J; ++j) {
    av[j] = Load256(a + k + 4 * j);
    ahv[j] = _mm256_srli_epi64(av[j], 32);
    bv[j] = Load256(b + k + 4 * j);
    acc[j] = Load256(sig + k + 4 * j);
  }
  for (size_t i = 0; i < m; ++i) {
    const __m256i xv = _mm256_set1_epi64x(static_cast<long long>(x[i]));
    const __m256i xh = _mm256_srli_epi64(xv, 32);
    for (int j = 0; j < J; ++j) acc[j] = MinAvx2Epi64(acc[j], MulModAvx2(av[j], ahv[j], bv[j], xv, xh));
  }
  for (int j = 0; j < J; ++j) _mm256_storeu_si256(reinterpret_cast<__m256i*>(sig + k + 4 * j), acc[j]);
}

// 8 permutations per pass (two vectors, so one's multiplies overlap the other's), then 4.
__attribute__((target("avx2"))) void MinAvx2(const uint64_t* x, size_t m, const uint64_t* a,
                                             const uint64_t* b, size_t n, uint64_t* sig) {
  size_t k = 0;
  for (; k + 8 <= n; k += 8) MinAvx2Lanes<2>(x, m, a, b, k, sig);
  for (; k + 4 <= n; k += 4) MinAvx2Lanes<1>(x, m, a, b, k, sig);
  MinScalar(x, m, a, b, k, n, sig);
}
#if !defined(__clang__)
#pragma GCC diagnostic pop
#endif
#endif

using MinKernelFn = void (*)(const uint64_t* x, size_t m, const uint64_t* a, const uint64_t* b,
                             size_t n, uint64_t* sig);

void MinScalarAll(const uint64_t* x, size_t m, const uint64_t* a, const uint64_t* b, size_t n,
                  uint64_t* sig) {
  MinScalar(x, m, a, b, 0, n, sig);
}

MinKernelFn KernelFn(MinHasher::Kernel kernel) {
#ifdef RWKVKIT_MINHASH_X86
  if (kernel == MinHasher::Kernel::kAvx512) return MinAvx512;
  if (kernel == MinHasher::Kernel::kAvx2) return MinAvx2;
#endif
  (void)kernel;
  return MinScalarAll;
}

MinHasher::Kernel BestKernel() {
  static const MinHasher::Kernel best = [] {
    if (MinHasher::KernelSupported(MinHasher::Kernel::kAvx512)) return MinHasher::Kernel::kAvx512;
    if (MinHasher::KernelSupported(MinHasher::Kernel::kAvx2)) return MinHasher::Kernel::kAvx2;
    return MinHasher::Kernel::kScalar;
  }();
  return best;
}

}  // namespace

bool MinHasher::KernelSupported(Kernel kernel) {
  switch (kernel) {
    case Kernel::kScalar:
      return true;
#ifdef RWKVKIT_MINHASH_X86
    case Kernel::kAvx2:
      return __builtin_cpu_supports("avx2");
    case Kernel::kAvx512:
      return __builtin_cpu_supports("avx512f");
#endif
    default:
      return false;
  }
}

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
  SignatureOfHashes(shingle_hashes, sig, BestKernel());
}

void MinHasher::SignatureOfHashes(const std::vector<uint64_t>& shingle_hashes,
                                  std::vector<uint64_t>& sig, Kernel kernel) const {
  const size_t n = a_.size();
  sig.assign(n, shingle_hashes.empty() ? kEmptySignatureValue : kMersenne61);
  if (shingle_hashes.empty()) return;
  if (!KernelSupported(kernel)) kernel = Kernel::kScalar;
  thread_local std::vector<uint64_t> x;
  x.resize(shingle_hashes.size());
  for (size_t i = 0; i < x.size(); ++i) x[i] = shingle_hashes[i] % kMersenne61;
  KernelFn(kernel)(x.data(), x.size(), a_.data(), b_.data(), n, sig.data());
}

void MinHasher::Signature(std::string_view utf8_text, std::vector<uint64_t>& sig) const {
  thread_local WordSpans words;
  thread_local std::vector<uint64_t> hashes;
  SplitWords(utf8_text, words);
  ShingleHashes(words, config_.ngram, hashes);
  SignatureOfHashes(hashes, sig);
}

}  // namespace rwkvkit::corpus::dedup

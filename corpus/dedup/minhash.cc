// corpus/dedup/minhash.cc — see minhash.h. Compiled once per instruction set by
// hwy/foreach_target.h (this file includes itself through it), as the tokenizer's walk is.
//
// Performance notes: the min loop (bands*rows multiply-fold-min per shingle) dominates. The
// vector kernel keeps one permutation per 64-bit lane (8 with AVX-512, 4 with AVX2, 2 with
// SSE4 and NEON, SVE as wide as the CPU) and loops over all of a document's shingles, with the
// 61x61-bit product split into 32-bit partial products (MulEven: vpmuludq on x86) that are
// folded exactly modulo p (MulMod below): the same value as MersenneAffine, so every kernel
// gives identical signatures. Chosen once at run time (base/hwy_cpu.h); the build stays
// portable (no -march flags needed).
#ifndef HWY_DISABLED_TARGETS
#define HWY_DISABLED_TARGETS (HWY_SSSE3 | HWY_SVE_256 | HWY_SVE2_128)
#endif
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "corpus/dedup/minhash.cc"
#include "hwy/foreach_target.h"  // IWYU pragma: keep
// (foreach_target.h must come first: it re-includes this file once per target.)
#include <algorithm>
#include <iterator>

#include "absl/strings/str_format.h"
#include "base/hash_mix.h"
#include "base/hwy_cpu.h"
#include "corpus/dedup/minhash.h"
#include "corpus/dedup/shingles.h"
#include "hwy/highway.h"

// The scalar min loop, once (not per target).
#ifndef RWKVKIT_CORPUS_DEDUP_MINHASH_SCALAR_
#define RWKVKIT_CORPUS_DEDUP_MINHASH_SCALAR_
namespace rwkvkit::corpus::dedup {
namespace {
// sig[k] = min(sig[k], min over i < m of (a[k]*x[i] + b[k]) mod p) for k in [k0, n).
void MinScalar(const uint64_t* x, size_t m, const uint64_t* a, const uint64_t* b, size_t k0,
               size_t n, uint64_t* sig) {
  for (size_t k = k0; k < n; ++k) {
    uint64_t lo = sig[k];
    for (size_t i = 0; i < m; ++i) lo = std::min(lo, MersenneAffine(a[k], x[i], b[k]));
    sig[k] = lo;
  }
}
}  // namespace
}  // namespace rwkvkit::corpus::dedup
#endif

HWY_BEFORE_NAMESPACE();
namespace rwkvkit::corpus::dedup {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

const char* TargetName() { return hwy::TargetName(HWY_TARGET); }

#if HWY_TARGET == HWY_SCALAR || HWY_TARGET == HWY_EMU128
// No vector kernel: no Highway op is instantiated for these targets, some of which would need
// libhwy (hwy::Abort).
void MinAll(const uint64_t* x, size_t m, const uint64_t* a, const uint64_t* b, size_t n, uint64_t* sig) {
  MinScalar(x, m, a, b, 0, n, sig);
}
#else
using D = hn::ScalableTag<uint64_t>;
using V = hn::Vec<D>;

// (a*x + b) mod p per 64-bit lane from 32-bit partial products; a, x, b < p, ah = a >> 32,
// xh = x >> 32. With a = ah*2^32 + al, x = xh*2^32 + xl (ah, xh < 2^29):
//   a*x = ah*xh*2^64 + (ah*xl + al*xh)*2^32 + al*xl,  2^64 = 8 (mod p),  2^61 = 1 (mod p);
//   mid = ah*xl + al*xh < 2^62:  mid*2^32 = (mid >> 29)*2^61 + (mid mod 2^29)*2^32
//                                          = (mid >> 29) + (mid mod 2^29)*2^32  (mod p);
//   ll = al*xl < 2^64:           ll = (ll >> 61) + (ll & p)  (mod p).
// The six terms sum to < 2^63 + 2^34; one fold leaves r < p + 5, and one conditional subtract
// gives the canonical residue. MulEven multiplies the low 32 bits of each 64-bit lane.
HWY_INLINE V MulMod(D d, V a, V ah, V b, V x, V xh) {
  const hn::Repartition<uint32_t, D> d32;
  const V p = hn::Set(d, kMersenne61);
  const V lo29 = hn::Set(d, (uint64_t{1} << 29) - 1);
  const V ll = hn::MulEven(hn::BitCast(d32, a), hn::BitCast(d32, x));
  const V mid = hn::Add(hn::MulEven(hn::BitCast(d32, ah), hn::BitCast(d32, x)),
                        hn::MulEven(hn::BitCast(d32, a), hn::BitCast(d32, xh)));
  const V hh = hn::MulEven(hn::BitCast(d32, ah), hn::BitCast(d32, xh));
  V s = hn::Add(hn::ShiftLeft<3>(hh), hn::ShiftRight<29>(mid));
  s = hn::Add(s, hn::ShiftLeft<32>(hn::And(mid, lo29)));
  s = hn::Add(s, hn::And(ll, p));
  s = hn::Add(s, hn::ShiftRight<61>(ll));
  s = hn::Add(s, b);
  const V r = hn::Add(hn::And(s, p), hn::ShiftRight<61>(s));
#if HWY_ARCH_X86 && HWY_TARGET <= HWY_AVX3
  return hn::Min(r, hn::Sub(r, p));  // vpminuq: r - p wraps above r when r < p
#else
  // Without an unsigned 64-bit min: r < p + 5 < 2^62, so the signed compare is exact.
  const hn::RebindToSigned<D> di;
  const auto ge = hn::RebindMask(d, hn::Gt(hn::BitCast(di, r), hn::Set(di, int64_t{kMersenne61 - 1})));
  return hn::Sub(r, hn::IfThenElseZero(ge, p));
#endif
}

// Values < 2^61 (and the start value p): the signed 64-bit min orders them as unsigned, and
// is one instruction (or compare + blend) where the unsigned one is not.
HWY_INLINE V MinBelow2Pow62(D d, V u, V v) {
  const hn::RebindToSigned<D> di;
  return hn::BitCast(d, hn::Min(hn::BitCast(di, u), hn::BitCast(di, v)));
}

// sig[k..k+J*N) = min with the values of all m shingles, J (1, 2 or 4) vectors of N
// permutations at once. Named vectors, not arrays: SVE vectors are sizeless.
template <int J>
HWY_INLINE void MinLanes(D d, const uint64_t* x, size_t m, const uint64_t* a, const uint64_t* b, size_t k,
                         uint64_t* sig) {
  static_assert(J == 1 || J == 2 || J == 4);
  const size_t n = hn::Lanes(d);
  const size_t o1 = J > 1 ? n : 0, o2 = J > 2 ? 2 * n : 0, o3 = J > 2 ? 3 * n : 0;
  const V a0 = hn::LoadU(d, a + k), a1 = hn::LoadU(d, a + k + o1), a2 = hn::LoadU(d, a + k + o2),
          a3 = hn::LoadU(d, a + k + o3);
  const V ah0 = hn::ShiftRight<32>(a0), ah1 = hn::ShiftRight<32>(a1), ah2 = hn::ShiftRight<32>(a2),
          ah3 = hn::ShiftRight<32>(a3);
  const V b0 = hn::LoadU(d, b + k), b1 = hn::LoadU(d, b + k + o1), b2 = hn::LoadU(d, b + k + o2),
          b3 = hn::LoadU(d, b + k + o3);
  V acc0 = hn::LoadU(d, sig + k), acc1 = hn::LoadU(d, sig + k + o1), acc2 = hn::LoadU(d, sig + k + o2),
    acc3 = hn::LoadU(d, sig + k + o3);
  for (size_t i = 0; i < m; ++i) {
    const V xv = hn::Set(d, x[i]);
    const V xh = hn::ShiftRight<32>(xv);
    acc0 = MinBelow2Pow62(d, acc0, MulMod(d, a0, ah0, b0, xv, xh));
    if constexpr (J > 1) acc1 = MinBelow2Pow62(d, acc1, MulMod(d, a1, ah1, b1, xv, xh));
    if constexpr (J > 2) {
      acc2 = MinBelow2Pow62(d, acc2, MulMod(d, a2, ah2, b2, xv, xh));
      acc3 = MinBelow2Pow62(d, acc3, MulMod(d, a3, ah3, b3, xv, xh));
    }
  }
  hn::StoreU(acc0, d, sig + k);
  if constexpr (J > 1) hn::StoreU(acc1, d, sig + k + o1);
  if constexpr (J > 2) {
    hn::StoreU(acc2, d, sig + k + o2);
    hn::StoreU(acc3, d, sig + k + o3);
  }
}

// Vectors per pass: as many as the registers hold with the temporaries (AVX-512 and Arm have
// 32, AVX2 and SSE4 16); two at least, so one's multiplies overlap the other's. Then fewer,
// then the scalar tail (the 14 x 8 default with AVX-512: three passes of 32, one of 16).
#if HWY_ARCH_X86 && HWY_TARGET <= HWY_AVX3
constexpr int kMaxVectors = 4;
#else
constexpr int kMaxVectors = 2;
#endif

void MinAll(const uint64_t* x, size_t m, const uint64_t* a, const uint64_t* b, size_t n, uint64_t* sig) {
  const D d;
  const size_t lanes = hn::Lanes(d);
  size_t k = 0;
  if constexpr (kMaxVectors >= 4) {
    for (; k + 4 * lanes <= n; k += 4 * lanes) MinLanes<4>(d, x, m, a, b, k, sig);
  }
  for (; k + 2 * lanes <= n; k += 2 * lanes) MinLanes<2>(d, x, m, a, b, k, sig);
  for (; k + lanes <= n; k += lanes) MinLanes<1>(d, x, m, a, b, k, sig);
  MinScalar(x, m, a, b, k, n, sig);
}
#endif

}  // namespace HWY_NAMESPACE
}  // namespace rwkvkit::corpus::dedup
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace rwkvkit::corpus::dedup {
namespace {

using MinKernelFn = void (*)(const uint64_t* x, size_t m, const uint64_t* a, const uint64_t* b,
                             size_t n, uint64_t* sig);

struct VectorKernel {
  int64_t target;
  MinKernelFn min;
};

// Every compiled target, best first; the static (baseline) target last.
constexpr VectorKernel kVectorKernels[] = {
#if HWY_TARGETS & HWY_AVX3
    {HWY_AVX3, &N_AVX3::MinAll},
#endif
#if HWY_TARGETS & HWY_AVX2
    {HWY_AVX2, &N_AVX2::MinAll},
#endif
#if HWY_TARGETS & HWY_SSE4
    {HWY_SSE4, &N_SSE4::MinAll},
#endif
#if HWY_TARGETS & HWY_SVE2
    {HWY_SVE2, &N_SVE2::MinAll},
#endif
#if HWY_TARGETS & HWY_SVE
    {HWY_SVE, &N_SVE::MinAll},
#endif
    {HWY_STATIC_TARGET, &HWY_STATIC_DISPATCH(MinAll)},
};

void MinScalarAll(const uint64_t* x, size_t m, const uint64_t* a, const uint64_t* b, size_t n,
                  uint64_t* sig) {
  MinScalar(x, m, a, b, 0, n, sig);
}

// The Highway target a named kernel runs, or 0 (kScalar, kBest, or not compiled here).
int64_t TargetOf(MinHasher::Kernel kernel) {
  if (kernel == MinHasher::Kernel::kAvx512) return HWY_TARGETS & HWY_AVX3 ? HWY_AVX3 : 0;
  if (kernel == MinHasher::Kernel::kAvx2) return HWY_TARGETS & HWY_AVX2 ? HWY_AVX2 : 0;
  return 0;
}

MinKernelFn BestKernel() {
  static const MinKernelFn best = [] {
    for (const VectorKernel& v : kVectorKernels)
      if (base::CpuRunsHwyTarget(v.target)) return v.min;
    return std::end(kVectorKernels)[-1].min;
  }();
  return best;
}

MinKernelFn KernelFn(MinHasher::Kernel kernel) {
  if (kernel == MinHasher::Kernel::kScalar) return MinScalarAll;
  if (kernel == MinHasher::Kernel::kBest) return BestKernel();
  for (const VectorKernel& v : kVectorKernels)
    if (v.target == TargetOf(kernel)) return v.min;
  return MinScalarAll;
}

}  // namespace

bool MinHasher::KernelSupported(Kernel kernel) {
  if (kernel == Kernel::kScalar || kernel == Kernel::kBest) return true;
  const int64_t target = TargetOf(kernel);
  return target != 0 && base::CpuRunsHwyTarget(target);
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
    a_[k] = 1 + base::SplitMix64Next(state) % (kMersenne61 - 1);
    b_[k] = base::SplitMix64Next(state) % kMersenne61;
  }
}

void MinHasher::SignatureOfHashes(const std::vector<uint64_t>& shingle_hashes,
                                  std::vector<uint64_t>& sig) const {
  SignatureOfHashes(shingle_hashes, sig, Kernel::kBest);
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
#endif  // HWY_ONCE

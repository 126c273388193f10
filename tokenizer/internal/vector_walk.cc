// tokenizer/internal/vector_walk.cc — see vector_walk.h. Compiled once per instruction set by
// hwy/foreach_target.h (this file includes itself through it).
//
// Each lane walks its own segment: a matching probe moves on (recording the end e of the longest
// token so far), a failing one emits the best token of its node to the lane's next output slot
// and restarts at e through the restart table (double_array.h, restarts()). A lane is done when
// a token ends at or past its segment's end; done lanes keep stepping, unemitted, with clamped
// fetches. Lane state, the 4-byte window invariant, history and the targets left out and why:
// docs/tokenizer.md, "SIMD walk".
#ifndef HWY_DISABLED_TARGETS
#define HWY_DISABLED_TARGETS (HWY_SSSE3 | HWY_SVE_256 | HWY_SVE2_128)
#endif
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "tokenizer/internal/vector_walk.cc"
#include "hwy/foreach_target.h"  // IWYU pragma: keep
// (foreach_target.h must come first: it re-includes this file once per target.)
#include <atomic>
#include <cstring>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

#include "base/hwy_cpu.h"
#include "hwy/highway.h"
#include "tokenizer/internal/double_array.h"
#include "tokenizer/internal/vector_walk.h"

HWY_BEFORE_NAMESPACE();
namespace rwkvkit::tokenizer::internal {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// Targets without SIMD leave the work to the 3-lane scalar walk (segmented_encode.h).
constexpr bool kVectorWalkPays = HWY_TARGET != HWY_SCALAR && HWY_TARGET != HWY_EMU128;  // as in WalkSegments

// Vectors walked interleaved (two: one's loads run while the other's wait) and their width.
// x86 lanes load through the stack (below), where narrow vectors win: on the Zen 4 dev box
// AVX2 walks 338 MB/s with two 4-lane vectors against 236 with one 8-lane vector, AVX-512
// 415 with two 8-lane vectors against 369-396 with one of 16 (docs/tokenizer.md, "SIMD walk").
constexpr size_t kVectors = 2;
#if HWY_TARGET == HWY_AVX3 || HWY_TARGET == HWY_AVX3_DL
using LaneTag = hn::CappedTag<uint32_t, 8>;
#elif HWY_TARGET == HWY_AVX2
using LaneTag = hn::CappedTag<uint32_t, 4>;
#else
using LaneTag = hn::ScalableTag<uint32_t>;
#endif

size_t Lanes() {
  if constexpr (!kVectorWalkPays) {
    return 0;
  } else {
    return kVectors * hn::Lanes(LaneTag());
  }
}

const char* TargetName() { return hwy::TargetName(HWY_TARGET); }

// x86: one scalar load per lane through the stack instead of vpgatherdd, which issues slowly
// on AMD Zen 4 (and on Intel CPUs with the gather data sampling fix); the compiler turns them
// into extracts and inserts (docs/tokenizer.md, "SIMD walk").
// Elsewhere Highway's gathers: SVE's own, a scalar load per lane on NEON.
constexpr bool kScalarLoads = HWY_ARCH_X86;

// The scalar loads that stand in for a gather: lane k's kBytes bytes at base + index[k] *
// kStride, packed into dst (kBytes apart).
template <size_t kBytes, size_t kStride, class D>
HWY_INLINE void LoadPerLane(D du, const void* base, hn::Vec<D> index, uint32_t* dst) {
  HWY_ALIGN uint32_t i[HWY_MAX_BYTES / 4];
  hn::Store(index, du, i);
  const auto* from = static_cast<const uint8_t*>(base);
  auto* to = reinterpret_cast<uint8_t*>(dst);
  for (size_t k = 0; k < hn::Lanes(du); ++k) std::memcpy(to + kBytes * k, from + size_t{i[k]} * kStride, kBytes);
}

// The 4 bytes at base + index * kStride per lane, little-endian: cells[index] (kStride 4) or
// s[offset .. offset + 3] (kStride 1).
template <size_t kStride, class D>
HWY_INLINE hn::Vec<D> Load4(D du, const void* base, hn::Vec<D> index) {
  static_assert(kStride == 1 || kStride == 4);
  if constexpr (kScalarLoads) {
    HWY_ALIGN uint32_t v[HWY_MAX_BYTES / 4];
    LoadPerLane<4, kStride>(du, base, index, v);
    return hn::Load(du, v);
  } else if constexpr (kStride == 4) {
    return hn::GatherIndex(du, static_cast<const uint32_t*>(base), hn::BitCast(hn::RebindToSigned<D>(), index));
  } else {
    return hn::GatherOffset(du, static_cast<const uint32_t*>(base), hn::BitCast(hn::RebindToSigned<D>(), index));
  }
}

// The restart entry (index, cell) of restarts() (double_array.h) per lane.
template <class D>
HWY_INLINE void Restarts(D du, const uint32_t* restarts, hn::Vec<D> index, hn::Vec<D>& at, hn::Vec<D>& cell) {
  if constexpr (kScalarLoads) {
    HWY_ALIGN uint32_t v[HWY_MAX_BYTES / 2];
    LoadPerLane<8, 8>(du, restarts, index, v);
    hn::LoadInterleaved2(du, v, at, cell);
  } else {
    const auto twice = hn::BitCast(hn::RebindToSigned<D>(), hn::ShiftLeft<1>(index));
    at = hn::GatherIndex(du, restarts, twice);
    cell = hn::GatherIndex(du, restarts + 1, twice);
  }
}

// A vector of lanes: q, e, r, c, at, cell as at the top of the file, end (of each lane's
// segment), slot (where the lane's next token goes in the output, << kLaneShift) and live. Passed as separate references: SVE vectors
// cannot be members of a struct.
template <class D, class V = hn::Vec<D>, class M = hn::Mask<D>>
HWY_INLINE void StartLanes(D du, const uint8_t* s, const uint32_t* seg_begin, const uint32_t* seg_end,
                           size_t first_lane, size_t nseg, V& q, V& e, V& r, V& c, V& at, V& cell, V& end, V& slot,
                           M& live) {
  using DA = DoubleArrayTrie;
  const hn::RebindToSigned<D> di;
  const V lane = hn::Add(hn::Iota(du, 0), hn::Set(du, static_cast<uint32_t>(first_lane)));
  // A segment has at most one token per byte: its tokens go to the slots from its offset in
  // the chunk (segment 0 starts the chunk).
  slot = hn::ShiftLeft<kLaneShift>(hn::Sub(hn::LoadU(du, seg_begin + first_lane), hn::Set(du, seg_begin[0])));
  live = hn::RebindMask(du, hn::Lt(hn::BitCast(di, lane), hn::Set(di, static_cast<int32_t>(nseg))));
  end = hn::LoadU(du, seg_end + first_lane);
  q = hn::LoadU(du, seg_begin + first_lane);
  e = q;
  r = Load4<1>(du, s, q);
  c = hn::And(r, hn::Set(du, 0xFF));
  at = hn::Zero(du);
  cell = hn::Set(du, DA::kRootCell);
}

// One step of every lane of a vector; appends the tokens that failing lanes finish to
// `stream` and returns how many.
template <class D, class V = hn::Vec<D>, class M = hn::Mask<D>>
HWY_INLINE size_t Step(D du, const uint32_t* cells, const uint32_t* restarts, const uint8_t* s, V fetch_limit, V& q,
                       V& e, V& r, V& c, V& at, V& cell, V end, V& slot, M& live, uint32_t* stream) {
  using DA = DoubleArrayTrie;
  const hn::RebindToSigned<D> di;
  const V one = hn::Set(du, 1);
  const V byte_mask = hn::Set(du, 0xFF);
  const V next_at = hn::Add(hn::ShiftRight<DA::kBaseShift>(cell), c);
  const V probe = Load4<4>(du, cells, next_at);
  const V q1 = hn::Add(q, one);
  const V ahead = Load4<1>(du, s, hn::Min(q1, fetch_limit));
  V restart_at, restart;
  const V first_two = hn::Or(hn::ShiftLeft<8>(hn::And(r, byte_mask)), hn::And(hn::ShiftRight<8>(r), byte_mask));
  Restarts(du, restarts, first_two, restart_at, restart);
  const M ok = hn::Eq(hn::And(probe, byte_mask), c);
  const M fail = hn::AndNot(ok, live);
  hn::StoreU(hn::Compress(hn::Or(at, slot), fail), du, stream);
  const size_t emitted = hn::CountTrue(du, fail);
  slot = hn::Add(slot, hn::And(hn::VecFromMask(du, fail), hn::Set(du, 1u << kLaneShift)));
  // Done lanes walk on, but e stays: one past the end of their last token (WalkSegments).
  const M token = hn::And(hn::And(ok, live), hn::Eq(hn::And(probe, hn::Set(du, 0x7F00)), hn::Zero(du)));
  const M at_q = hn::Eq(e, q);
  // s[e .. e+3]: r, or where e = q, s[e] (r's low byte) and the bytes just gathered.
  const V w = hn::IfThenElse(at_q, hn::Or(hn::ShiftLeft<8>(ahead), hn::And(r, byte_mask)), r);
  const M done = hn::AndNot(hn::RebindMask(du, hn::Lt(hn::BitCast(di, e), hn::BitCast(di, end))), fail);
  live = hn::AndNot(done, live);
  // A failing lane restarts at e: at depth 2 where its first two bytes are a token (the
  // restart entry is then not the depth-1 cell), which then ends at e + 2; else at depth 1.
  const M deep = hn::AndNot(done, hn::Ne(restart_at, hn::Add(hn::Set(du, DA::kRootBase), hn::And(r, byte_mask))));
  const V w_fail = hn::IfThenElse(deep, hn::ShiftRight<16>(w), hn::ShiftRight<8>(w));
  const V e_fail = hn::Sub(hn::Add(e, one), hn::VecFromMask(du, deep));
  q = hn::IfThenElse(ok, q1, e_fail);
  c = hn::And(hn::IfThenElse(ok, ahead, w_fail), byte_mask);
  cell = hn::IfThenElse(ok, probe, restart);
  at = hn::IfThenElse(ok, next_at, restart_at);
  e = hn::IfThenElse(token, q1, hn::IfThenElse(fail, e_fail, e));
  r = hn::IfThenElse(token, ahead, hn::IfThenElse(fail, w_fail, w));
  return emitted;
}

size_t WalkSegments(const uint32_t* cells, const uint32_t* restarts, const uint8_t* s, size_t read_end,
                    const uint32_t* seg_begin, const uint32_t* seg_end, size_t nseg, uint32_t* seg_stop,
                    uint32_t* seg_count, uint32_t* stream) {
#if HWY_TARGET == HWY_SCALAR || HWY_TARGET == HWY_EMU128
  // Never called (Lanes() is 0); no Highway op is instantiated for these targets, some of
  // which would need libhwy (hwy::Abort).
  (void)cells, (void)restarts, (void)s, (void)read_end, (void)seg_begin, (void)seg_end, (void)nseg, (void)seg_stop, (void)seg_count,
      (void)stream;
  return 0;
#else
  using D = LaneTag;
  using V = hn::Vec<D>;
  using M = hn::Mask<D>;
  const D du;
  const size_t n = hn::Lanes(du);
  const V fetch_limit = hn::Set(du, static_cast<uint32_t>(read_end - 4));
  size_t w = 0;
#define RWKVKIT_VECTOR(k)                                             \
  V q##k, e##k, r##k, c##k, at##k, cell##k, end##k, slot##k;           \
  M live##k;                                                          \
  StartLanes(du, s, seg_begin, seg_end, (k) * n, nseg, q##k, e##k, r##k, c##k, at##k, cell##k, end##k, slot##k, \
             live##k)
#define RWKVKIT_STEP(k) \
  w += Step(du, cells, restarts, s, fetch_limit, q##k, e##k, r##k, c##k, at##k, cell##k, end##k, slot##k, live##k, stream + w)
  // Two independent vectors: one's loads run while the other's wait.
  RWKVKIT_VECTOR(0);
  RWKVKIT_VECTOR(1);
  while (!hn::AllFalse(du, hn::Or(live0, live1))) {
    RWKVKIT_STEP(0);
    RWKVKIT_STEP(1);
  }
  // A lane's last step restarted it one byte past its last token, and e stayed there.
  hn::StoreU(hn::Sub(e0, hn::Set(du, 1)), du, seg_stop);
  hn::StoreU(hn::Sub(e1, hn::Set(du, 1)), du, seg_stop + n);
  const V first = hn::Set(du, seg_begin[0]);
  hn::StoreU(hn::Sub(hn::ShiftRight<kLaneShift>(slot0), hn::Sub(hn::LoadU(du, seg_begin), first)), du, seg_count);
  hn::StoreU(hn::Sub(hn::ShiftRight<kLaneShift>(slot1), hn::Sub(hn::LoadU(du, seg_begin + n), first)), du, seg_count + n);
#undef RWKVKIT_STEP
#undef RWKVKIT_VECTOR
  return w;
#endif
}

}  // namespace HWY_NAMESPACE
}  // namespace rwkvkit::tokenizer::internal
HWY_AFTER_NAMESPACE();

#if HWY_ONCE

namespace rwkvkit::tokenizer::internal {
namespace {

struct Walker {
  int64_t target;
  size_t (*lanes)();
  const char* (*name)();
  size_t (*walk)(const uint32_t*, const uint32_t*, const uint8_t*, size_t, const uint32_t*, const uint32_t*, size_t,
                 uint32_t*, uint32_t*, uint32_t*);
};

#define RWKVKIT_WALKER(NS, TARGET) Walker{TARGET, &NS::Lanes, &NS::TargetName, &NS::WalkSegments}

// Every compiled target, best first; the static (baseline) target last.
constexpr Walker kWalkers[] = {
#if HWY_TARGETS & HWY_AVX3
    RWKVKIT_WALKER(N_AVX3, HWY_AVX3),
#endif
#if HWY_TARGETS & HWY_AVX2
    RWKVKIT_WALKER(N_AVX2, HWY_AVX2),
#endif
#if HWY_TARGETS & HWY_SSE4
    RWKVKIT_WALKER(N_SSE4, HWY_SSE4),
#endif
#if HWY_TARGETS & HWY_SVE2
    RWKVKIT_WALKER(N_SVE2, HWY_SVE2),
#endif
#if HWY_TARGETS & HWY_SVE
    RWKVKIT_WALKER(N_SVE, HWY_SVE),
#endif
    Walker{HWY_STATIC_TARGET, &HWY_STATIC_DISPATCH(Lanes), &HWY_STATIC_DISPATCH(TargetName),
           &HWY_STATIC_DISPATCH(WalkSegments)},
};

#undef RWKVKIT_WALKER

// The walker in use: the best one the CPU runs, or the one a test or benchmark asked for.
std::atomic<const Walker*> g_walker{nullptr};

const Walker& Best() {
  for (const Walker& w : kWalkers)
    if (base::CpuRunsHwyTarget(w.target)) return w;
  return kWalkers[std::size(kWalkers) - 1];
}

const Walker& Current() {
  const Walker* w = g_walker.load(std::memory_order_acquire);
  if (w == nullptr) {
    w = &Best();
    g_walker.store(w, std::memory_order_release);
  }
  return *w;
}

}  // namespace

size_t VectorWalkLanes() { return Current().lanes(); }

const char* VectorWalkTarget() { return Current().name(); }

size_t WalkVectorSegments(const uint32_t* cells, const uint32_t* restarts, const uint8_t* s, size_t read_end,
                          const uint32_t* seg_begin, const uint32_t* seg_end, size_t nseg, uint32_t* seg_stop,
                          uint32_t* seg_count, uint32_t* stream) {
  return Current().walk(cells, restarts, s, read_end, seg_begin, seg_end, nseg, seg_stop, seg_count, stream);
}

std::vector<std::string> VectorWalkTargetsOnThisCpu() {
  std::vector<std::string> names;
  for (const Walker& w : kWalkers)
    if (base::CpuRunsHwyTarget(w.target)) names.emplace_back(w.name());
  return names;
}

bool UseVectorWalkTarget(std::string_view name) {
  if (name.empty()) {
    g_walker.store(&Best(), std::memory_order_release);
    return true;
  }
  for (const Walker& w : kWalkers) {
    if (base::CpuRunsHwyTarget(w.target) && name == w.name()) {
      g_walker.store(&w, std::memory_order_release);
      return true;
    }
  }
  return false;
}

}  // namespace rwkvkit::tokenizer::internal
#endif  // HWY_ONCE

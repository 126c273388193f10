// bench/tokenizer_variants/simd_walk.h — AVX-512 16-lane walk over the 4-byte double array
// (experimental variants; see encode_variants.cc). v3 (WalkSegmentsV3) won and moved into
// tokenizer/internal/simd_encode.cc; v1 and v2 stay as the measured steps towards it.
//
// Each of 16 lanes walks one segment; a vector step gathers the probed cell for all lanes,
// compares labels, and masked-updates the lane states. Failing lanes scatter the index of
// the cell they stand on (its best_ids() entry is the token) to their output slots; ids and
// lengths are looked up when the segments are stitched. Lanes that come near their
// segment's end are finished with the scalar walk and refilled from the segment queue.
#ifndef RWKVKIT_BENCH_TOKENIZER_VARIANTS_SIMD_WALK_H_
#define RWKVKIT_BENCH_TOKENIZER_VARIANTS_SIMD_WALK_H_

#include <immintrin.h>

#include <algorithm>
#include <cstring>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "tokenizer/internal/double_array.h"
#include "tokenizer/internal/stitch.h"
#include "tokenizer/internal/walk.h"

// GCC 12's _mm512_srli_epi32 trips -Wmaybe-uninitialized (see simd_encode.cc).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

namespace rwkvkit::tokenizer::variants {

using internal::DoubleArrayTrie;

struct SimdSegment {
  uint32_t begin;  // tokens start in [begin, end) (offsets from s)
  uint32_t end;
  uint32_t out;    // first slot in the scratch
  uint32_t count;  // tokens written
};

inline uint32_t* FinishCells(const DoubleArrayTrie& trie, const uint8_t* s, size_t n, size_t pos, size_t end,
                             uint32_t* out) {
  const size_t lookahead = trie.max_token_bytes();
  while (pos < end) {
    const internal::TokenCell t =
        pos + lookahead < n ? internal::WalkCell<false>(trie, s, pos, n) : internal::WalkCell<true>(trie, s, pos, n);
    *out++ = t.at;
    pos += t.length;
  }
  return out;
}

// A step reads s[q + 1 .. q + 4]: lanes run while q + kMargin <= end.
constexpr uint32_t kMargin = 5;

// kMode 0: scatter cell indexes to per-segment slots; 1: compress (cell | segment << 17)
// into one stream in `stream`, returns its length; 2: no output (timing only).
template <int kMinRun, int kMode>
__attribute__((target("avx512f"))) size_t WalkSegmentsAvx512(const DoubleArrayTrie& trie, const uint8_t* s, size_t n,
                                                              SimdSegment* seg, int nseg, uint32_t* scratch,
                                                              uint32_t* stream) {
  size_t w = 0;
  using DA = DoubleArrayTrie;
  const uint32_t* cells = trie.cells();
  const uint8_t* depth = trie.depths();
  alignas(64) uint32_t Q[16], C[16], AT[16], CELL[16], O[16], END[16], TAG[16];
  int lane_seg[16];
  int next = 0;
  uint32_t active = 0;
  auto load_lane = [&](int k) {
    if (next >= nseg) {
      active &= ~(1u << k);
      Q[k] = 0, C[k] = 0, AT[k] = 0, CELL[k] = DA::kRootCell, O[k] = 0, END[k] = ~0u, TAG[k] = 0;
      return;
    }
    const SimdSegment& g = seg[next];
    lane_seg[k] = next++;
    Q[k] = g.begin, C[k] = s[g.begin], AT[k] = 0, CELL[k] = DA::kRootCell, O[k] = g.out, END[k] = g.end;
    TAG[k] = static_cast<uint32_t>(lane_seg[k]) << 17;
    active |= 1u << k;
  };
  for (int k = 0; k < 16; ++k) load_lane(k);
  const __m512i one = _mm512_set1_epi32(1);
  const __m512i byte_mask = _mm512_set1_epi32(0xFF);
  const __m512i backoff_mask = _mm512_set1_epi32(0x7F);
  const __m512i root_base = _mm512_set1_epi32(DA::kRootBase);
  const __m512i zero = _mm512_setzero_si512();
  const int* cells_i = reinterpret_cast<const int*>(cells);
  while (active != 0) {
    __m512i q = _mm512_load_si512(Q), c = _mm512_load_si512(C), at = _mm512_load_si512(AT);
    __m512i cell = _mm512_load_si512(CELL), o = _mm512_load_si512(O);
    const __m512i end = _mm512_load_si512(END);
    const __m512i tag = _mm512_load_si512(TAG);
    const __mmask16 live = static_cast<__mmask16>(active);
    const uint32_t rem = _mm512_mask_reduce_min_epu32(live, _mm512_sub_epi32(end, q));
    if (rem >= kMargin + kMinRun) {
      for (uint32_t r = rem - kMargin; r > 0; --r) {
        const __m512i next_at = _mm512_add_epi32(_mm512_srli_epi32(cell, DA::kBaseShift), c);
        const __m512i probe = _mm512_mask_i32gather_epi32(zero, live, next_at, cells_i, 4);
        const __m512i ahead = _mm512_mask_i32gather_epi32(zero, live, _mm512_add_epi32(q, one), s, 1);
        const __m512i backoff = _mm512_and_si512(_mm512_srli_epi32(cell, 8), backoff_mask);
        const __m512i np = _mm512_sub_epi32(q, backoff);
        const __mmask16 backed = _mm512_mask_test_epi32_mask(live, backoff, backoff);
        // s[np], s[np + 1]: c and s[q + 1] unless the walk went past its best token.
        const __m512i here = _mm512_or_si512(c, _mm512_slli_epi32(ahead, 8));
        const __m512i at_np = _mm512_mask_i32gather_epi32(here, backed, np, s, 1);
        const __m512i restart_at = _mm512_add_epi32(root_base, _mm512_and_si512(at_np, byte_mask));
        const __m512i restart = _mm512_mask_i32gather_epi32(zero, live, restart_at, cells_i, 4);
        const __mmask16 ok = _mm512_cmpeq_epi32_mask(_mm512_and_si512(probe, byte_mask), c);
        const __mmask16 fail = static_cast<__mmask16>(~ok & live);
        if constexpr (kMode == 0) _mm512_mask_i32scatter_epi32(scratch, fail, o, at, 4);
        if constexpr (kMode == 1) {
          _mm512_storeu_si512(stream + w, _mm512_maskz_compress_epi32(fail, _mm512_or_si512(at, tag)));
          w += static_cast<size_t>(__builtin_popcount(fail));
        }
        o = _mm512_mask_add_epi32(o, fail, o, one);
        q = _mm512_mask_blend_epi32(ok, _mm512_add_epi32(np, one), _mm512_add_epi32(q, one));
        c = _mm512_mask_blend_epi32(ok, _mm512_and_si512(_mm512_srli_epi32(at_np, 8), byte_mask),
                                    _mm512_and_si512(ahead, byte_mask));
        cell = _mm512_mask_blend_epi32(ok, restart, probe);
        at = _mm512_mask_blend_epi32(ok, restart_at, next_at);
      }
      _mm512_store_si512(Q, q), _mm512_store_si512(C, c), _mm512_store_si512(AT, at);
      _mm512_store_si512(CELL, cell), _mm512_store_si512(O, o);
    }
    // Lanes near their end: finish with the scalar walk, take the next segment.
    for (int k = 0; k < 16; ++k) {
      if (!(active >> k & 1) || END[k] - Q[k] >= kMargin + kMinRun) continue;
      const size_t pos = Q[k] - depth[AT[k]];
      SimdSegment& g = seg[lane_seg[k]];
      if constexpr (kMode == 1) {
        uint32_t* const from = stream + w;
        uint32_t* const done = FinishCells(trie, s, n, pos, END[k], from);
        for (uint32_t* p = from; p < done; ++p) *p |= TAG[k];
        w += static_cast<size_t>(done - from);
      } else {
        uint32_t* const done = FinishCells(trie, s, n, pos, END[k], scratch + O[k]);
        g.count = static_cast<uint32_t>(done - (scratch + g.out));
      }
      load_lane(k);
    }
  }
  return w;
}

// v2: no back-off on the chain. Each lane keeps e, the end of the longest token seen on its
// walk, and R = s[e..e+3], refreshed from the bytes already gathered for the next step, so
// the three gathers of a step (probe, s[q+1..q+4], the depth-1 cell of s[e]) are independent
// and the chain of dependent loads is the probe alone. Output: (cell | segment << 17)
// compressed into `stream` (Zen 4 compress-to-memory is microcoded: compress to a register,
// store 64 bytes). Returns the stream length.
template <int kMinRun, int kVecs>
__attribute__((target("avx512f"))) size_t WalkSegmentsV2(const DoubleArrayTrie& trie, const uint8_t* s, size_t n,
                                                          SimdSegment* seg, int nseg, uint32_t* stream) {
  using DA = DoubleArrayTrie;
  constexpr int kL = 16 * kVecs;
  const uint32_t* cells = trie.cells();
  const uint8_t* depth = trie.depths();
  alignas(64) uint32_t Q[kL], C[kL], AT[kL], CELL[kL], E[kL], R[kL], END[kL], TAG[kL];
  int next = 0;
  uint64_t active = 0;
  size_t w = 0;
  auto load_lane = [&](int k) {
    if (next >= nseg) {
      active &= ~(uint64_t{1} << k);
      Q[k] = 0, C[k] = 0, AT[k] = 0, CELL[k] = DA::kRootCell, E[k] = 0, R[k] = 0, END[k] = ~0u, TAG[k] = 0;
      return;
    }
    const SimdSegment& g = seg[next];
    const uint32_t b = g.begin;
    uint32_t r;
    std::memcpy(&r, s + b, 4);
    Q[k] = b, C[k] = s[b], AT[k] = 0, CELL[k] = DA::kRootCell, E[k] = b, R[k] = r, END[k] = g.end;
    TAG[k] = static_cast<uint32_t>(next++) << 17;
    active |= uint64_t{1} << k;
  };
  for (int k = 0; k < kL; ++k) load_lane(k);
  const __m512i one = _mm512_set1_epi32(1);
  const __m512i byte_mask = _mm512_set1_epi32(0xFF);
  const __m512i backoff_mask = _mm512_set1_epi32(0x7F00);
  const __m512i root_base = _mm512_set1_epi32(DA::kRootBase);
  const __m512i zero = _mm512_setzero_si512();
  const int* cells_i = reinterpret_cast<const int*>(cells);
  while (active != 0) {
    __m512i q[kVecs], c[kVecs], at[kVecs], cell[kVecs], e[kVecs], r[kVecs], tag[kVecs];
    __mmask16 live[kVecs];
    uint32_t rem = ~0u;
    for (int v = 0; v < kVecs; ++v) {
      q[v] = _mm512_load_si512(Q + 16 * v), c[v] = _mm512_load_si512(C + 16 * v);
      at[v] = _mm512_load_si512(AT + 16 * v), cell[v] = _mm512_load_si512(CELL + 16 * v);
      e[v] = _mm512_load_si512(E + 16 * v), r[v] = _mm512_load_si512(R + 16 * v);
      tag[v] = _mm512_load_si512(TAG + 16 * v);
      live[v] = static_cast<__mmask16>(active >> (16 * v));
      if (live[v])
        rem = std::min(rem, _mm512_mask_reduce_min_epu32(live[v], _mm512_sub_epi32(_mm512_load_si512(END + 16 * v), q[v])));
    }
    if (rem >= kMargin + kMinRun) {
      for (uint32_t steps = rem - kMargin; steps > 0; --steps) {
#pragma GCC unroll 4
        for (int v = 0; v < kVecs; ++v) {
          const __m512i next_at = _mm512_add_epi32(_mm512_srli_epi32(cell[v], DA::kBaseShift), c[v]);
          const __m512i probe = _mm512_mask_i32gather_epi32(zero, live[v], next_at, cells_i, 4);
          const __m512i ahead = _mm512_mask_i32gather_epi32(zero, live[v], _mm512_add_epi32(q[v], one), s, 1);
          const __m512i restart_at = _mm512_add_epi32(root_base, _mm512_and_si512(r[v], byte_mask));
          const __m512i restart = _mm512_mask_i32gather_epi32(zero, live[v], restart_at, cells_i, 4);
          const __mmask16 ok = _mm512_cmpeq_epi32_mask(_mm512_and_si512(probe, byte_mask), c[v]);
          const __mmask16 fail = static_cast<__mmask16>(~ok & live[v]);
          _mm512_storeu_si512(stream + w, _mm512_maskz_compress_epi32(fail, _mm512_or_si512(at[v], tag[v])));
          w += static_cast<size_t>(__builtin_popcount(fail));
          // ok and the new node is a token (back-off 0): e = q + 1, R = ahead.
          const __mmask16 token = _mm512_mask_testn_epi32_mask(ok, probe, backoff_mask);
          // fail: restart at e with the depth-1 node of s[e]; then e = e + 1 and R = s[e+1..]:
          // ahead if e was q, else R >> 8 (R keeps >= 2 valid bytes, see above).
          const __mmask16 at_q = _mm512_cmpeq_epi32_mask(e[v], q[v]);
          const __m512i r_fail = _mm512_mask_blend_epi32(at_q, _mm512_srli_epi32(r[v], 8), ahead);
          const __m512i q1 = _mm512_add_epi32(q[v], one);
          const __m512i e1 = _mm512_add_epi32(e[v], one);
          q[v] = _mm512_mask_blend_epi32(ok, e1, q1);
          c[v] = _mm512_and_si512(_mm512_mask_blend_epi32(ok, _mm512_srli_epi32(r[v], 8), ahead), byte_mask);
          cell[v] = _mm512_mask_blend_epi32(ok, restart, probe);
          at[v] = _mm512_mask_blend_epi32(ok, restart_at, next_at);
          e[v] = _mm512_mask_blend_epi32(token, _mm512_mask_blend_epi32(fail, e[v], e1), q1);
          r[v] = _mm512_mask_blend_epi32(token, _mm512_mask_blend_epi32(fail, r[v], r_fail), ahead);
        }
      }
      for (int v = 0; v < kVecs; ++v) {
        _mm512_store_si512(Q + 16 * v, q[v]), _mm512_store_si512(C + 16 * v, c[v]);
        _mm512_store_si512(AT + 16 * v, at[v]), _mm512_store_si512(CELL + 16 * v, cell[v]);
        _mm512_store_si512(E + 16 * v, e[v]), _mm512_store_si512(R + 16 * v, r[v]);
      }
    }
    for (int k = 0; k < kL; ++k) {
      if (!(active >> k & 1) || END[k] - Q[k] >= kMargin + kMinRun) continue;
      const size_t pos = Q[k] - depth[AT[k]];
      uint32_t* const from = stream + w;
      uint32_t* const done = FinishCells(trie, s, n, pos, END[k], from);
      for (uint32_t* p = from; p < done; ++p) *p |= TAG[k];
      w += static_cast<size_t>(done - from);
      load_lane(k);
    }
  }
  return w;
}

// v3: like v2, but a lane is done when a token ends at or past its segment's end (no scalar
// finish, no per-run bookkeeping): the check is one compare per step. Every segment must end
// at least max_token_bytes + 5 bytes before n (a walk reads s[q + 1 .. q + 4] and q goes at
// most max_token_bytes past the start of a token that starts before the end).
__attribute__((target("avx512f"))) inline size_t WalkSegmentsV3(const DoubleArrayTrie& trie, const uint8_t* s,
                                                                 const SimdSegment* seg, int nseg, uint32_t* stream) {
  using DA = DoubleArrayTrie;
  const int* cells_i = reinterpret_cast<const int*>(trie.cells());
  const __m512i one = _mm512_set1_epi32(1);
  const __m512i byte_mask = _mm512_set1_epi32(0xFF);
  const __m512i backoff_mask = _mm512_set1_epi32(0x7F00);
  const __m512i root_base = _mm512_set1_epi32(DA::kRootBase);
  const __m512i zero = _mm512_setzero_si512();
  alignas(64) uint32_t Q[16], C[16], AT[16], CELL[16], E[16], R[16], END[16], TAG[16];
  int next = 0;
  __mmask16 live = 0;
  auto load_lane = [&](int k) {
    if (next >= nseg) {
      live = static_cast<__mmask16>(live & ~(1u << k));
      return;
    }
    const uint32_t b = seg[next].begin;
    uint32_t r;
    std::memcpy(&r, s + b, 4);
    Q[k] = b, C[k] = s[b], AT[k] = 0, CELL[k] = DA::kRootCell, E[k] = b, R[k] = r, END[k] = seg[next].end;
    TAG[k] = static_cast<uint32_t>(next++) << 17;
    live = static_cast<__mmask16>(live | (1u << k));
  };
  for (int k = 0; k < 16; ++k) load_lane(k);
  size_t w = 0;
  while (live != 0) {
    __m512i q = _mm512_load_si512(Q), c = _mm512_load_si512(C), at = _mm512_load_si512(AT);
    __m512i cell = _mm512_load_si512(CELL), e = _mm512_load_si512(E), r = _mm512_load_si512(R);
    const __m512i end = _mm512_load_si512(END), tag = _mm512_load_si512(TAG);
    __mmask16 done;
    for (;;) {
      const __m512i next_at = _mm512_add_epi32(_mm512_srli_epi32(cell, DA::kBaseShift), c);
      const __m512i probe = _mm512_mask_i32gather_epi32(zero, live, next_at, cells_i, 4);
      const __m512i ahead = _mm512_mask_i32gather_epi32(zero, live, _mm512_add_epi32(q, one), s, 1);
      const __m512i restart_at = _mm512_add_epi32(root_base, _mm512_and_si512(r, byte_mask));
      const __m512i restart = _mm512_mask_i32gather_epi32(zero, live, restart_at, cells_i, 4);
      const __mmask16 ok = _mm512_cmpeq_epi32_mask(_mm512_and_si512(probe, byte_mask), c);
      const __mmask16 fail = static_cast<__mmask16>(~ok & live);
      _mm512_storeu_si512(stream + w, _mm512_maskz_compress_epi32(fail, _mm512_or_si512(at, tag)));
      w += static_cast<size_t>(__builtin_popcount(fail));
      const __mmask16 token = _mm512_mask_testn_epi32_mask(ok, probe, backoff_mask);
      const __mmask16 at_q = _mm512_cmpeq_epi32_mask(e, q);
      const __m512i r_fail = _mm512_mask_blend_epi32(at_q, _mm512_srli_epi32(r, 8), ahead);
      // The next token starts at e: past the end, the lane is done.
      done = _mm512_mask_cmpge_epu32_mask(fail, e, end);
      const __m512i q1 = _mm512_add_epi32(q, one);
      const __m512i e1 = _mm512_add_epi32(e, one);
      q = _mm512_mask_blend_epi32(ok, e1, q1);
      c = _mm512_and_si512(_mm512_mask_blend_epi32(ok, _mm512_srli_epi32(r, 8), ahead), byte_mask);
      cell = _mm512_mask_blend_epi32(ok, restart, probe);
      at = _mm512_mask_blend_epi32(ok, restart_at, next_at);
      e = _mm512_mask_blend_epi32(token, _mm512_mask_blend_epi32(fail, e, e1), q1);
      r = _mm512_mask_blend_epi32(token, _mm512_mask_blend_epi32(fail, r, r_fail), ahead);
      if (done) break;
    }
    _mm512_store_si512(Q, q), _mm512_store_si512(C, c), _mm512_store_si512(AT, at);
    _mm512_store_si512(CELL, cell), _mm512_store_si512(E, e), _mm512_store_si512(R, r);
    for (uint32_t d = done; d != 0; d &= d - 1) load_lane(__builtin_ctz(d));
  }
  return w;
}

}  // namespace rwkvkit::tokenizer::variants

#pragma GCC diagnostic pop

#endif  // RWKVKIT_BENCH_TOKENIZER_VARIANTS_SIMD_WALK_H_

// tokenizer/internal/simd_encode.cc — see simd_encode.h.
//
// The walk: 16 lanes, one segment each. A lane holds q (position of the next byte c), the
// cell it stands on (and its index `at`: the best token is best_ids()[at]), e (the end of
// the longest token seen on this walk) and R = s[e..e+3]. One vector step does three
// independent gathers: the probed child cells[base + c], the next bytes s[q+1..q+4], and the
// depth-1 cell of s[e] (where the next token starts if this probe fails). A lane whose probe
// matches moves on (and if the new node is a token, e = q + 1, R = the bytes just gathered);
// a lane whose probe fails emits its cell index and restarts at e on the depth-1 cell, so
// the only chain of dependent loads is the probe. R keeps >= 2 valid bytes: after a failure
// e and q are equal again (then R is refreshed from the gathered bytes) or R >> 8 still has
// 3 (it was gathered as 4 bytes at e). Emitted cells go, tagged with their segment, into one
// stream (compress into a register and store 64 bytes: Zen 4 microcodes compress-to-memory);
// a counting pass sorts them by segment. A lane is done when a token ends at or past its
// segment's end and takes the next segment from the queue.
//
// Performance notes (per-document encode of the demo corpus, 4,901 documents, 15.6 MB; MB/s
// of the same run; dev box: 2-vCPU AMD EPYC Zen 4, noisy: load 2-4 from other builds):
// - gathers on this Zen 4: ~20 cycles latency, one zmm dword gather per ~12 cycles
//   (measured), so 3 gathers per step bound the walk at ~750 MB/s; compress to a register
//   ~4.5 cycles.
// - first version: the restart (s[np], its depth-1 cell) computed from the back-off after the
//   probe, 2 gathers deep on the chain, scatter of cell indexes into per-segment slots, lanes
//   finished by the scalar walk near their ends: 42-180 MB/s (vs plain walk ~185). Segments
//   of 1 KB left short documents with 3 lanes busy; per-segment slots 4 KB apart thrashed
//   one L1 set.
// - e/R kept along the walk (chain = the probe): +20%; done-at-end lanes with no scalar finish
//   or per-run bookkeeping: +24% more; segments 64 / 96 / 128 / 256 B: 140 / 135 / 133 / -
//   MB/s under load (plain walk 99, 3-lane scalar segmented 99 in the same run).
// - two vectors (32 lanes) interleaved: no gain (gather throughput, not latency, bounds it).
#include "tokenizer/internal/simd_encode.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "tokenizer/internal/stitch.h"
#include "tokenizer/internal/walk.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define RWKVKIT_HAVE_AVX512_PATH 1
#endif

namespace rwkvkit::tokenizer::internal {
namespace {

// Segments of about this many bytes; chunks of this many bytes are walked and stitched at a
// time, so the scratch stays cache-sized.
constexpr size_t kSegmentBytes = 64;
constexpr size_t kChunkBytes = 16384;
// Cell indexes take 17 bits of a stream entry, the segment number the rest.
constexpr int kTagShift = 17;
static_assert(DoubleArrayTrie::kMaxCells <= (size_t{1} << kTagShift));

struct Segment {
  uint32_t begin;  // tokens start in [begin, end)
  uint32_t end;
  uint32_t out;    // first scratch slot after sorting
  uint32_t count;  // tokens
};

uint32_t* WalkCells(const DoubleArrayTrie& trie, const uint8_t* s, size_t n, size_t pos, size_t end, uint32_t* out) {
  while (pos < end) {
    const TokenCell t = WalkCell<true>(trie, s, pos, n);
    *out++ = t.at;
    pos += t.length;
  }
  return out;
}

#ifdef RWKVKIT_HAVE_AVX512_PATH
// GCC 12's _mm512_srli_epi32 passes _mm512_undefined_epi32() (a self-initialized variable),
// which -Wmaybe-uninitialized flags inside the inlined intrinsic.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
// Walks seg[0..nseg); appends (cell index | segment << kTagShift) per token to `stream` and
// returns the count. Every segment ends at least max_token_bytes + 5 bytes before the end of
// s: a walk reads s[q + 1 .. q + 4] and q runs at most max_token_bytes past a token start.
__attribute__((target("avx512f"))) size_t WalkSegments(const DoubleArrayTrie& trie, const uint8_t* s,
                                                       const Segment* seg, int nseg, uint32_t* stream) {
  using DA = DoubleArrayTrie;
  const int* cells = reinterpret_cast<const int*>(trie.cells());
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
    TAG[k] = static_cast<uint32_t>(next++) << kTagShift;
    live = static_cast<__mmask16>(live | (1u << k));
  };
  for (int k = 0; k < 16; ++k) load_lane(k);
  size_t w = 0;
  while (live != 0) {
    __m512i q = _mm512_load_si512(Q), c = _mm512_load_si512(C), at = _mm512_load_si512(AT);
    __m512i cell = _mm512_load_si512(CELL), e = _mm512_load_si512(E), r = _mm512_load_si512(R);
    const __m512i end = _mm512_load_si512(END), tag = _mm512_load_si512(TAG);
    __mmask16 done;
    do {
      const __m512i next_at = _mm512_add_epi32(_mm512_srli_epi32(cell, DA::kBaseShift), c);
      const __m512i probe = _mm512_mask_i32gather_epi32(zero, live, next_at, cells, 4);
      const __m512i ahead = _mm512_mask_i32gather_epi32(zero, live, _mm512_add_epi32(q, one), s, 1);
      const __m512i restart_at = _mm512_add_epi32(root_base, _mm512_and_si512(r, byte_mask));
      const __m512i restart = _mm512_mask_i32gather_epi32(zero, live, restart_at, cells, 4);
      const __mmask16 ok = _mm512_cmpeq_epi32_mask(_mm512_and_si512(probe, byte_mask), c);
      const __mmask16 fail = static_cast<__mmask16>(~ok & live);
      _mm512_storeu_si512(stream + w, _mm512_maskz_compress_epi32(fail, _mm512_or_si512(at, tag)));
      w += static_cast<size_t>(__builtin_popcount(fail));
      const __mmask16 token = _mm512_mask_testn_epi32_mask(ok, probe, backoff_mask);  // new node is a token
      const __mmask16 at_q = _mm512_cmpeq_epi32_mask(e, q);
      const __m512i r_fail = _mm512_mask_blend_epi32(at_q, _mm512_srli_epi32(r, 8), ahead);
      done = _mm512_mask_cmpge_epu32_mask(fail, e, end);  // the next token starts past the end
      const __m512i q1 = _mm512_add_epi32(q, one);
      const __m512i e1 = _mm512_add_epi32(e, one);
      q = _mm512_mask_blend_epi32(ok, e1, q1);
      c = _mm512_and_si512(_mm512_mask_blend_epi32(ok, _mm512_srli_epi32(r, 8), ahead), byte_mask);
      cell = _mm512_mask_blend_epi32(ok, restart, probe);
      at = _mm512_mask_blend_epi32(ok, restart_at, next_at);
      e = _mm512_mask_blend_epi32(token, _mm512_mask_blend_epi32(fail, e, e1), q1);
      r = _mm512_mask_blend_epi32(token, _mm512_mask_blend_epi32(fail, r, r_fail), ahead);
    } while (done == 0);
    _mm512_store_si512(Q, q), _mm512_store_si512(C, c), _mm512_store_si512(AT, at);
    _mm512_store_si512(CELL, cell), _mm512_store_si512(E, e), _mm512_store_si512(R, r);
    for (uint32_t d = done; d != 0; d &= d - 1) load_lane(__builtin_ctz(d));
  }
  return w;
}
#pragma GCC diagnostic pop
#endif

}  // namespace

bool HasAvx512() {
#ifdef RWKVKIT_HAVE_AVX512_PATH
  static const bool has = __builtin_cpu_supports("avx512f");
  return has;
#else
  return false;
#endif
}

bool Avx512Fits(const DoubleArrayTrie& trie, size_t n) {
  return n >= trie.max_token_bytes() + 8 + 4 * kSegmentBytes && n < (size_t{1} << 31);
}

size_t EncodeAvx512(const DoubleArrayTrie& trie, const uint8_t* s, size_t n, uint16_t* out) {
#ifdef RWKVKIT_HAVE_AVX512_PATH
  thread_local std::vector<uint32_t> stream(kChunkBytes + 64), scratch(kChunkBytes + 64);
  thread_local std::vector<Segment> segs;
  const uint16_t* best = trie.best_ids();
  const uint8_t* token_len = trie.token_lengths();
  // The last bytes are walked by the scalar walk (see WalkSegments).
  const size_t body = n - (trie.max_token_bytes() + 8);
  size_t o = 0, pos = 0;
  for (size_t chunk = 0; chunk < body; chunk += kChunkBytes) {
    const size_t len = std::min(kChunkBytes, body - chunk);
    const size_t want = std::max<size_t>(1, (len + kSegmentBytes / 2) / kSegmentBytes);
    const size_t seg_bytes = (len + want - 1) / want;
    const size_t nseg = (len + seg_bytes - 1) / seg_bytes;  // every segment non-empty
    segs.resize(nseg);
    for (size_t k = 0; k < nseg; ++k) {
      const size_t b = chunk + k * seg_bytes;
      segs[k] = Segment{static_cast<uint32_t>(b), static_cast<uint32_t>(std::min(chunk + len, b + seg_bytes)), 0, 0};
    }
    const size_t w = WalkSegments(trie, s, segs.data(), static_cast<int>(nseg), stream.data());
    for (size_t i = 0; i < w; ++i) ++segs[stream[i] >> kTagShift].count;
    uint32_t slot = 0;
    for (Segment& g : segs) {
      g.out = slot;
      slot += g.count;
    }
    for (size_t i = 0; i < w; ++i) scratch[segs[stream[i] >> kTagShift].out++] = stream[i] & ((1u << kTagShift) - 1);
    for (const Segment& g : segs) {
      const uint32_t* ats = scratch.data() + (g.out - g.count);
      pos = StitchTokens(
          trie, s, n, pos, g.begin, g.count, [&](size_t j) { return best[ats[j]]; },
          [&](size_t j) { return token_len[best[ats[j]]]; }, out, o);
    }
  }
  const uint32_t* ats = scratch.data();
  const size_t count = static_cast<size_t>(WalkCells(trie, s, n, body, n, scratch.data()) - ats);
  StitchTokens(
      trie, s, n, pos, body, count, [&](size_t j) { return best[ats[j]]; },
      [&](size_t j) { return token_len[best[ats[j]]]; }, out, o);
  return o;
#else
  (void)trie, (void)s, (void)n, (void)out;
  return 0;
#endif
}

}  // namespace rwkvkit::tokenizer::internal

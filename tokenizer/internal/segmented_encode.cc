// tokenizer/internal/segmented_encode.cc — see segmented_encode.h.
//
// Performance notes (AMD EPYC Zen 4, 1 thread, demo corpus; bench/tokenizer_bench.cc):
// - One stream, one token per loop iteration (EncodeSpan): bound by dependent loads and the
//   mispredicted loop exit at every token end.
// - Interleaved lanes with a branchless step (this file): each step of each lane does one
//   probe; a failed probe emits the best token and restarts the lane at the token end from
//   the depth-1 cell (always present). All stores are unconditional, the output index moves
//   only on a failed probe.
#include "tokenizer/internal/segmented_encode.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "tokenizer/internal/stitch.h"
#include "tokenizer/internal/walk.h"

namespace rwkvkit::tokenizer::internal {
namespace {

using DA = DoubleArrayTrie;

constexpr int kMaxLanes = 16;
// Bytes per segment when the input is long: groups of lanes x this many bytes are walked and
// stitched at a time, so the scratch space stays cache-sized whatever the input size.
constexpr size_t kSegmentBytes = 16384;

struct Segment {
  size_t begin = 0;  // tokens of this segment start in [begin, end)
  size_t end = 0;
  size_t count = 0;  // speculative tokens, stored at scratch[begin - group_begin ...]
};

struct Scratch {
  std::vector<uint16_t> ids;
  std::vector<uint8_t> lens;
};

Scratch& ThreadScratch() {
  thread_local Scratch scratch;
  return scratch;
}

// Finishes one lane from a token start `pos` with the plain walk; returns the new pos.
size_t FinishLane(const DA& trie, const uint8_t* s, size_t n, size_t pos, size_t end, uint16_t* ids, uint8_t* lens,
                  size_t& o) {
  const uint64_t* cells = trie.cells();
  const size_t lookahead = trie.max_token_bytes();
  while (pos < end) {
    const Token t = pos + lookahead < n ? WalkOne<false>(cells, s, pos, n) : WalkOne<true>(cells, s, pos, n);
    ids[o] = t.id;
    lens[o] = static_cast<uint8_t>(t.length);
    ++o;
    pos += t.length;
  }
  return pos;
}

// Walks `lanes` segments interleaved. ids/lens are indexed by (byte offset - base_offset):
// a segment never holds more tokens than bytes, so segments cannot overlap in scratch.
template <int kLanes>
void WalkLanes(const DA& trie, const uint8_t* s, size_t n, Segment* seg, size_t base_offset, uint16_t* ids,
               uint8_t* lens) {
  const uint64_t* cells = trie.cells();
  const size_t lookahead = trie.max_token_bytes();
  const size_t safe_end = n > lookahead + 1 ? n - lookahead - 1 : 0;
  size_t pos[kLanes], q[kLanes], o[kLanes], fast_end[kLanes];
  uint64_t cell[kLanes];
  bool any_done = false;
  for (int k = 0; k < kLanes; ++k) {
    pos[k] = seg[k].begin;
    o[k] = seg[k].begin - base_offset;
    fast_end[k] = std::min(seg[k].end, safe_end);
    any_done |= pos[k] >= fast_end[k];
    cell[k] = any_done ? 0 : cells[DA::kRootBase + s[pos[k]]];
    q[k] = pos[k] + 1;
  }
  while (!any_done) {
#pragma GCC unroll 16
    for (int k = 0; k < kLanes; ++k) {
      const uint32_t c = s[q[k]];
      const uint64_t next = cells[DA::Base(cell[k]) + c];
      const bool ok = DA::Label(next) == c;
      const uint32_t len = DA::BestLength(cell[k]);
      ids[o[k]] = DA::BestId(cell[k]);
      lens[o[k]] = static_cast<uint8_t>(len);
      o[k] += !ok;
      const size_t np = pos[k] + (ok ? 0 : len);
      const uint64_t restart = cells[DA::kRootBase + s[np]];
      pos[k] = np;
      cell[k] = ok ? next : restart;
      q[k] = ok ? q[k] + 1 : np + 1;
      any_done |= np >= fast_end[k];
    }
  }
  for (int k = 0; k < kLanes; ++k) {
    FinishLane(trie, s, n, pos[k], seg[k].end, ids, lens, o[k]);
    seg[k].count = o[k] - (seg[k].begin - base_offset);
  }
}

void WalkGroup(const DA& trie, const uint8_t* s, size_t n, Segment* seg, int lanes, size_t base_offset,
               uint16_t* ids, uint8_t* lens) {
  switch (lanes) {
    case 8: return WalkLanes<8>(trie, s, n, seg, base_offset, ids, lens);
    case 4: return WalkLanes<4>(trie, s, n, seg, base_offset, ids, lens);
    case 16: return WalkLanes<16>(trie, s, n, seg, base_offset, ids, lens);
    default:
      for (int k = 0; k < lanes; ++k) {
        size_t o = seg[k].begin - base_offset;
        FinishLane(trie, s, n, seg[k].begin, seg[k].end, ids, lens, o);
        seg[k].count = o - (seg[k].begin - base_offset);
      }
  }
}

}  // namespace

size_t EncodeSegmentedRange(const DoubleArrayTrie& trie, const uint8_t* s, size_t n, size_t begin, size_t end,
                            uint16_t* out, int lanes, size_t* end_pos) {
  lanes = std::clamp(lanes, 1, kMaxLanes);
  const size_t len = end - begin;
  const size_t seg_bytes = std::max<size_t>(1, std::min(kSegmentBytes, (len + lanes - 1) / lanes));
  const size_t group_bytes = seg_bytes * static_cast<size_t>(lanes);
  Scratch& scratch = ThreadScratch();
  if (scratch.ids.size() < std::min(group_bytes, len)) {
    scratch.ids.resize(std::min(group_bytes, len));
    scratch.lens.resize(std::min(group_bytes, len));
  }
  uint16_t* ids = scratch.ids.data();
  const uint8_t* lens = scratch.lens.data();
  size_t o = 0, pos = begin;
  Segment seg[kMaxLanes];
  for (size_t group = begin; group < end; group += group_bytes) {
    int used = 0;
    for (int k = 0; k < lanes; ++k) {
      const size_t b = group + static_cast<size_t>(k) * seg_bytes;
      if (b >= end) break;
      seg[k] = Segment{b, std::min(end, b + seg_bytes), 0};
      ++used;
    }
    WalkGroup(trie, s, n, seg, used, group, ids, scratch.lens.data());
    for (int k = 0; k < used; ++k) {
      const size_t first = seg[k].begin - group;
      pos = StitchTokens(trie, s, n, pos, seg[k].begin, ids + first, seg[k].count,
                         [&](size_t j) { return lens[first + j]; }, out, o);
    }
  }
  *end_pos = pos;
  return o;
}

size_t EncodeSegmented(const DoubleArrayTrie& trie, const uint8_t* s, size_t n, uint16_t* out) {
  if (n < kMinSegmentedBytes) return EncodeSpan(trie, s, n, out);
  size_t end_pos = 0;
  return EncodeSegmentedRange(trie, s, n, 0, n, out, kDefaultLanes, &end_pos);
}

}  // namespace rwkvkit::tokenizer::internal

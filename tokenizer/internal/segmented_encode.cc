// tokenizer/internal/segmented_encode.cc — see segmented_encode.h.
//
// Interleaved scalar lanes (default 3), each lane's restart cell and next byte loaded beside
// the probe, so the chain of dependent loads per step is the probe alone. On CPUs with a SIMD
// instruction set, EncodeSegmented() hands inputs to the vector walk (vector_encode.h); these
// scalar lanes are the fallback. Measurements of the lane variants and why more lanes do not
// help: docs/tokenizer.md, "Scalar segmented lanes".
#include "tokenizer/internal/segmented_encode.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "tokenizer/internal/stitch.h"
#include "tokenizer/internal/vector_encode.h"
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
  size_t count = 0;  // speculative tokens, stored at out[0..count)
  size_t stop = 0;   // byte after the last of them
  uint16_t* out = nullptr;
};

struct Scratch {
  std::vector<uint16_t> ids;
};

Scratch& ThreadScratch() {
  thread_local Scratch scratch;
  return scratch;
}

// Finishes one lane from a token start `pos` with the plain walk; returns the new out pointer
// and leaves `pos` after the lane's last token.
uint16_t* FinishLane(const DA& trie, const uint8_t* s, size_t n, size_t& pos, size_t end, uint16_t* out) {
  const size_t lookahead = trie.max_token_bytes();
  while (pos < end) {
    const Token t = pos + lookahead < n ? WalkOne<false>(trie, s, pos, n) : WalkOne<true>(trie, s, pos, n);
    *out++ = t.id;
    pos += t.length;
  }
  return out;
}

// One lane mid-walk: cell is the node reached by s[pos..q) (kRootCell when q = pos), c =
// s[q] the next byte to try, out where its next token goes; tokens must start before end.
struct Lane {
  size_t q;
  uint32_t c;
  uint32_t at;  // index of cell (0 for the root: best_ids()[0] = 0, depths()[0] = 0)
  uint32_t cell;
  uint16_t* out;
  size_t end;
  int segment;
};

// Lanes closer than this to their end leave the interleaved walk.
constexpr size_t kMinRun = 16;

// Walks kLanes lanes interleaved, one branchless step per lane per round. A step probes the
// child c of cell; in parallel (independent of that probe) it loads what a failure needs:
// the token end np = q - back-off, the depth-1 cell of s[np] and s[np + 1]. A failed step
// emits the cell's best token and continues at depth 1 of the next token, so the chain of
// dependent loads per step is the one probe. Every step stores the best id; the out pointer
// only moves on a failed step. When a lane comes within kMinRun bytes of its end it is
// finished with the plain walk and the others go on with kLanes - 1.
template <int kLanes>
void WalkLanes(const DA& trie, const uint8_t* s, size_t n, Lane* lane, Segment* seg) {
  if constexpr (kLanes == 0) {
    return;
  } else {
    const uint32_t* cells = trie.cells();
    const uint16_t* best = trie.best_ids();
    size_t q[kLanes];
    uint32_t c[kLanes];
    uint32_t at[kLanes];
    uint32_t cell[kLanes];
    uint16_t* out[kLanes];
    for (int k = 0; k < kLanes; ++k) {
      q[k] = lane[k].q;
      c[k] = lane[k].c;
      at[k] = lane[k].at;
      cell[k] = lane[k].cell;
      out[k] = lane[k].out;
    }
    for (;;) {
      // A step reads at most s[q + 1] and moves q forward by at most 1, so `run` rounds read
      // below every lane's end.
      size_t run = ~size_t{0};
      for (int k = 0; k < kLanes; ++k) run = std::min(run, lane[k].end > q[k] + 1 ? lane[k].end - q[k] - 1 : 0);
      if (run < kMinRun) break;
      for (size_t r = 0; r < run; ++r) {
#pragma GCC unroll 16
        for (int k = 0; k < kLanes; ++k) {
          const uint32_t next_at = DA::Base(cell[k]) + c[k];
          const uint32_t next = cells[next_at];
          const size_t np = q[k] - DA::Backoff(cell[k]);
          const uint32_t restart_at = DA::kRootBase + s[np];
          const uint32_t restart = cells[restart_at];
          const uint32_t c_fail = s[np + 1];
          const uint32_t c_ok = s[q[k] + 1];
          const bool ok = DA::Label(next) == c[k];
          *out[k] = best[at[k]];
          out[k] += !ok;
          q[k] = ok ? q[k] + 1 : np + 1;
          c[k] = ok ? c_ok : c_fail;
          cell[k] = ok ? next : restart;
          at[k] = ok ? next_at : restart_at;
        }
      }
    }
    int kept = 0;
    for (int k = 0; k < kLanes; ++k) {
      lane[k].q = q[k];
      lane[k].c = c[k];
      lane[k].at = at[k];
      lane[k].cell = cell[k];
      lane[k].out = out[k];
      if (lane[k].end > q[k] + 1 && lane[k].end - q[k] - 1 >= kMinRun) {
        lane[kept++] = lane[k];
        continue;
      }
      size_t pos = q[k] - trie.depths()[at[k]];
      uint16_t* const done = FinishLane(trie, s, n, pos, lane[k].end, out[k]);
      seg[lane[k].segment].count = static_cast<size_t>(done - seg[lane[k].segment].out);
      seg[lane[k].segment].stop = pos;
    }
    WalkLanes<kLanes - 1>(trie, s, n, lane, seg);
  }
}

void WalkGroup(const DA& trie, const uint8_t* s, size_t n, Segment* seg, int lanes) {
  Lane lane[kMaxLanes];
  for (int k = 0; k < lanes; ++k) lane[k] = Lane{seg[k].begin, s[seg[k].begin], 0, DA::kRootCell, seg[k].out, seg[k].end, k};
  switch (lanes) {
#define RWKVKIT_LANES_CASE(L) \
  case L:                     \
    return WalkLanes<L>(trie, s, n, lane, seg);
    RWKVKIT_LANES_CASE(1)
    RWKVKIT_LANES_CASE(2)
    RWKVKIT_LANES_CASE(3)
    RWKVKIT_LANES_CASE(4)
    RWKVKIT_LANES_CASE(5)
    RWKVKIT_LANES_CASE(6)
    RWKVKIT_LANES_CASE(7)
    RWKVKIT_LANES_CASE(8)
    RWKVKIT_LANES_CASE(9)
    RWKVKIT_LANES_CASE(10)
    RWKVKIT_LANES_CASE(11)
    RWKVKIT_LANES_CASE(12)
    RWKVKIT_LANES_CASE(13)
    RWKVKIT_LANES_CASE(14)
    RWKVKIT_LANES_CASE(15)
    RWKVKIT_LANES_CASE(16)
#undef RWKVKIT_LANES_CASE
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
  if (scratch.ids.size() < std::min(group_bytes, len)) scratch.ids.resize(std::min(group_bytes, len));
  // A segment never holds more tokens than bytes, so segment k's tokens go to
  // scratch[begin_k - group ...] without overlapping the next segment's.
  uint16_t* ids = scratch.ids.data();
  size_t o = 0, pos = begin;
  Segment seg[kMaxLanes];
  for (size_t group = begin; group < end; group += group_bytes) {
    int used = 0;
    for (int k = 0; k < lanes; ++k) {
      const size_t b = group + static_cast<size_t>(k) * seg_bytes;
      if (b >= end) break;
      seg[k] = Segment{b, std::min(end, b + seg_bytes), 0, 0, ids + (b - group)};
      ++used;
    }
    WalkGroup(trie, s, n, seg, used);
    for (int k = 0; k < used; ++k)
      pos = StitchIds(trie, s, n, pos, seg[k].begin, seg[k].stop, seg[k].out, seg[k].count, out, o);
  }
  *end_pos = pos;
  return o;
}

size_t EncodeSegmented(const DoubleArrayTrie& trie, const uint8_t* s, size_t n, uint16_t* out) {
  size_t end_pos = 0;
  if (VectorEncodeFits(trie, n, 0, n)) return EncodeVectorRange(trie, s, n, 0, n, out, &end_pos);
  if (n < kMinSegmentedBytes) return EncodeSpan(trie, s, n, out);
  return EncodeSegmentedRange(trie, s, n, 0, n, out, kDefaultLanes, &end_pos);
}

}  // namespace rwkvkit::tokenizer::internal

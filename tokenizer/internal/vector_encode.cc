// tokenizer/internal/vector_encode.cc — see vector_encode.h.
#include "tokenizer/internal/vector_encode.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "tokenizer/internal/stitch.h"
#include "tokenizer/internal/vector_walk.h"

namespace rwkvkit::tokenizer::internal {
namespace {

// Chunks of at most this many bytes are walked and stitched at a time (the stream and the
// sorted cells stay in L1/L2 whatever the input size).
constexpr size_t kChunkBytes = 16384;
// Segments are at least this long (short inputs use fewer lanes): each costs a stitch.
constexpr size_t kMinSegmentBytes = 48;
// Room the compressed stores may write past the last entry (a full vector of up to 64 lanes).
constexpr size_t kStreamSlack = 256;

// Asks for s[from, to) in the cache, one request per cache line. The lanes read a chunk at
// as many places at once as there are lanes, which the hardware prefetchers do not follow:
// text not in the cache yet would stall each lane on each of its lines in turn.
void Prefetch(const uint8_t* s, size_t from, size_t to) {
  for (size_t p = from; p < to; p += 64) __builtin_prefetch(s + p);
}

struct Scratch {
  std::vector<uint32_t> stream = std::vector<uint32_t>(kChunkBytes + kStreamSlack);
  std::vector<uint16_t> ids = std::vector<uint16_t>(kChunkBytes + kStreamSlack);  // by segment
  std::vector<uint8_t> padded;  // the last chunk and the stop bytes after it
  std::vector<uint32_t> seg_begin, seg_end, seg_stop, count;
};

Scratch& ThreadScratch() {
  thread_local Scratch scratch;
  return scratch;
}

}  // namespace

bool VectorEncodeFits(const DoubleArrayTrie& trie, size_t n, size_t begin, size_t end) {
  // A token's entry in the lane stream is its cell | slot << kLaneShift: the cells must fit below.
  return trie.stop_byte() >= 0 && trie.num_cells() <= (size_t{1} << kLaneShift) && end - begin >= 2 * kMinSegmentBytes &&
         n < (size_t{1} << 31) - kChunkBytes && VectorWalkLanes() > 0;
}

size_t EncodeVectorRange(const DoubleArrayTrie& trie, const uint8_t* s, size_t n, size_t begin, size_t end,
                         uint16_t* out, size_t* end_pos) {
  const size_t lanes = VectorWalkLanes();
  // A live lane reads below its segment's end + max_token_bytes + 5 (walk.h, vector_walk.cc).
  const size_t reach = trie.max_token_bytes() + 8;
  Scratch& sc = ThreadScratch();
  sc.seg_begin.resize(lanes);
  sc.seg_end.resize(lanes);
  sc.seg_stop.resize(lanes);
  sc.count.resize(lanes);
  const uint16_t* best = trie.best_ids();
  size_t o = 0, pos = begin;
  Prefetch(s, begin, std::min(n, begin + kChunkBytes));
  for (size_t chunk = begin; chunk < end; chunk += kChunkBytes) {
    const size_t len = std::min(kChunkBytes, end - chunk);
    Prefetch(s, chunk + len, std::min(n, chunk + len + kChunkBytes));  // the next chunk
    // Walk in place where the text goes on far enough past the chunk; else walk a copy of the
    // chunk up to the text's end followed by stop bytes (offset: chunk's position in the copy).
    const uint8_t* text = s;
    size_t read_end = n, shift = 0;
    if (chunk + len + reach > n) {
      const size_t tail = n - chunk;
      read_end = tail + 2 * reach;
      if (sc.padded.size() < read_end) sc.padded.resize(read_end);  // grown only: no zero-fill per call
      std::memcpy(sc.padded.data(), s + chunk, tail);
      std::memset(sc.padded.data() + tail, trie.stop_byte(), 2 * reach);
      text = sc.padded.data();
      shift = chunk;
    }
    const size_t want = std::clamp<size_t>(len / kMinSegmentBytes, 1, lanes);
    const size_t seg_bytes = (len + want - 1) / want;
    const size_t nseg = (len + seg_bytes - 1) / seg_bytes;  // every segment non-empty
    for (size_t k = 0; k < lanes; ++k) {
      const size_t b = chunk + std::min(k, nseg - 1) * seg_bytes;
      sc.seg_begin[k] = static_cast<uint32_t>(b - shift);
      sc.seg_end[k] = static_cast<uint32_t>(std::min(chunk + len, b + seg_bytes) - shift);
    }
    const size_t w = WalkVectorSegments(trie.cells(), trie.restarts(), text, read_end, sc.seg_begin.data(),
                                        sc.seg_end.data(), nseg, sc.seg_stop.data(), sc.count.data(), sc.stream.data());
    // Each token to its slot, as an id: segment k's tokens in order from its offset in the chunk.
    for (size_t i = 0; i < w; ++i) {
      const uint32_t v = sc.stream[i];
      sc.ids[v >> kLaneShift] = best[v & ((1u << kLaneShift) - 1)];
    }
    for (size_t k = 0; k < nseg; ++k) {
      const uint16_t* ids = sc.ids.data() + (sc.seg_begin[k] - sc.seg_begin[0]);
      pos = StitchIds(trie, s, n, pos, sc.seg_begin[k] + shift, sc.seg_stop[k] + shift, ids, sc.count[k], out, o);
    }
  }
  *end_pos = pos;
  return o;
}

}  // namespace rwkvkit::tokenizer::internal

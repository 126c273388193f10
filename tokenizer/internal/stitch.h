// tokenizer/internal/stitch.h — joins a speculative encoding of a range to the true one.
//
// A range [begin, end) encoded as if a token started at `begin` agrees with the true greedy
// encoding from the first byte where both have a token boundary: greedy matching from a
// given position does not depend on anything before it. JoinTokens() extends the true
// encoding (which has reached byte `pos`) token by token until it lands on a boundary of
// the range's tokens; the range's tokens from there on are the true ones. Normally that
// takes 0–3 true tokens; in the worst case (e.g. a run of spaces cut at a different phase)
// the whole range is re-encoded and the true walk continues into the next range. The one
// home of the join: StitchIds() (ids in an array: the SIMD and scalar segments, ranges of
// other threads) and StitchTokens() (any layout: the benchmark variants) are built on it.
// Header-only so the walks inline it.
#ifndef RWKVKIT_TOKENIZER_INTERNAL_STITCH_H_
#define RWKVKIT_TOKENIZER_INTERNAL_STITCH_H_

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "tokenizer/internal/walk.h"

namespace rwkvkit::tokenizer::internal {

// Emits the true token at `pos` (s readable up to n).
inline Token TrueToken(const DoubleArrayTrie& trie, const uint8_t* s, size_t n, size_t pos) {
  return pos + trie.max_token_bytes() < n ? WalkOne<false>(trie, s, pos, n)
                                          : WalkOne<true>(trie, s, pos, n);
}

// JoinTokens()
// The range has `count` tokens, the first starting at byte `begin`; len_at(j) is the byte
// length of token j. Appends true tokens to out[o...] (advancing `pos`) until the true
// encoding stands on the start of a range token, and returns that token's index; returns
// `count` if every range token ends at or before `pos` first.
template <typename LenAt>
size_t JoinTokens(const DoubleArrayTrie& trie, const uint8_t* s, size_t n, size_t& pos, size_t begin, size_t count,
                  LenAt len_at, uint16_t* out, size_t& o) {
  size_t j = 0;
  size_t boundary = begin;  // start of range token j
  for (;;) {
    while (j < count && boundary < pos) boundary += len_at(j++);
    if (boundary == pos && j < count) return j;
    if (boundary <= pos) return count;
    const Token t = TrueToken(trie, s, n, pos);
    out[o++] = t.id;
    pos += t.length;
  }
}

// StitchIds()
// The range's tokens are ids[0..count), the first starting at `begin`, the last ending at
// `end`. Appends the true tokens up to the end of the range's last token to out[o...] and
// returns the new true position (>= end).
inline size_t StitchIds(const DoubleArrayTrie& trie, const uint8_t* s, size_t n, size_t pos, size_t begin,
                        size_t end, const uint16_t* ids, size_t count, uint16_t* out, size_t& o) {
  const uint8_t* token_len = trie.token_lengths();
  const size_t j = JoinTokens(trie, s, n, pos, begin, count, [&](size_t k) { return token_len[ids[k]]; }, out, o);
  if (j == count) return pos;
  std::memcpy(out + o, ids + j, (count - j) * sizeof(uint16_t));
  o += count - j;
  return end;
}

// StitchTokens()
// As StitchIds() for tokens in any layout: id_at(j) and len_at(j) are the id and byte length
// of token j.
template <typename IdAt, typename LenAt>
size_t StitchTokens(const DoubleArrayTrie& trie, const uint8_t* s, size_t n, size_t pos, size_t begin, size_t count,
                    IdAt id_at, LenAt len_at, uint16_t* out, size_t& o) {
  for (size_t j = JoinTokens(trie, s, n, pos, begin, count, len_at, out, o); j < count; ++j) {
    out[o++] = id_at(j);
    pos += len_at(j);
  }
  return pos;
}

}  // namespace rwkvkit::tokenizer::internal

#endif  // RWKVKIT_TOKENIZER_INTERNAL_STITCH_H_

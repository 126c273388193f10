// tokenizer/internal/stitch.h — joins a speculative encoding of a range to the true one.
//
// A range [begin, end) encoded as if a token started at `begin` agrees with the true greedy
// encoding from the first byte where both have a token boundary: greedy matching from a
// given position does not depend on anything before it. StitchTokens() extends the true
// encoding (which has reached byte `pos`) token by token until it lands on a boundary of
// the range's tokens, then appends the rest of them. Normally that takes 0–3 true tokens;
// in the worst case (e.g. a run of spaces cut at a different phase) the whole range is
// re-encoded and the true walk continues into the next range. Header-only (used by the
// in-thread segments and by the multi-thread ranges of batch_encoder.cc).
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

// StitchTokens()
// The range has `count` tokens, the first starting at byte `begin`; id_at(j) and len_at(j)
// are the id and byte length of token j. Appends to out[o...] and returns the new true
// position, which is at or past the end of the range's last token.
template <typename IdAt, typename LenAt>
size_t StitchTokens(const DoubleArrayTrie& trie, const uint8_t* s, size_t n, size_t pos, size_t begin, size_t count,
                    IdAt id_at, LenAt len_at, uint16_t* out, size_t& o) {
  size_t j = 0;
  size_t boundary = begin;  // start of range token j
  for (;;) {
    while (j < count && boundary < pos) boundary += len_at(j++);
    if (boundary == pos && j < count) {
      for (; j < count; ++j) {
        out[o++] = id_at(j);
        boundary += len_at(j);
      }
      return boundary;
    }
    if (boundary <= pos) return pos;  // every range token passed without a join
    const Token t = TrueToken(trie, s, n, pos);
    out[o++] = t.id;
    pos += t.length;
  }
}

}  // namespace rwkvkit::tokenizer::internal

#endif  // RWKVKIT_TOKENIZER_INTERNAL_STITCH_H_

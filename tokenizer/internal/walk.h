// tokenizer/internal/walk.h — the greedy longest-match walk over the double array.
//
// WalkOne() emits one token starting at s[p]: start at the depth-1 node of s[p] (every byte
// is a token), follow children while the next byte's cell carries that byte as its label,
// and emit the best token of the node where the walk stops. The caller guarantees that
// s[p + max_token_bytes] is readable (kChecked = false) or passes the end (kChecked = true).
// Header-only so the segmented encoder can inline it. Thread-safe: reads only.
#ifndef RWKVKIT_TOKENIZER_INTERNAL_WALK_H_
#define RWKVKIT_TOKENIZER_INTERNAL_WALK_H_

#include <cstddef>
#include <cstdint>

#include "tokenizer/internal/double_array.h"

namespace rwkvkit::tokenizer::internal {

struct Token {
  uint16_t id;
  uint32_t length;
};

// The cell where the walk for the token at s[p] stops (its best_ids() entry is the token) and
// the token's byte length.
struct TokenCell {
  uint32_t at;
  uint32_t length;
};

template <bool kChecked>
inline TokenCell WalkCell(const DoubleArrayTrie& trie, const uint8_t* s, size_t p, size_t n) {
  using DA = DoubleArrayTrie;
  const uint32_t* cells = trie.cells();
  uint32_t at = DA::kRootBase + s[p];
  uint32_t cell = cells[at];
  for (size_t q = p + 1;; ++q) {
    if (kChecked && q >= n) break;
    const uint32_t c = s[q];
    const uint32_t next_at = DA::Base(cell) + c;
    const uint32_t next = cells[next_at];
    if (DA::Label(next) != c) break;
    at = next_at;
    cell = next;
  }
  return TokenCell{at, trie.depths()[at] - DA::Backoff(cell)};
}

template <bool kChecked>
inline Token WalkOne(const DoubleArrayTrie& trie, const uint8_t* s, size_t p, size_t n) {
  const TokenCell t = WalkCell<kChecked>(trie, s, p, n);
  return Token{trie.best_ids()[t.at], t.length};
}

// EncodeSpan()
// Greedy tokens of s[0..n) written to out (room for n ids); returns the count.
inline size_t EncodeSpan(const DoubleArrayTrie& trie, const uint8_t* s, size_t n, uint16_t* out) {
  const size_t lookahead = trie.max_token_bytes();
  size_t p = 0, o = 0;
  while (p + lookahead < n) {
    const Token t = WalkOne<false>(trie, s, p, n);
    out[o++] = t.id;
    p += t.length;
  }
  while (p < n) {
    const Token t = WalkOne<true>(trie, s, p, n);
    out[o++] = t.id;
    p += t.length;
  }
  return o;
}

}  // namespace rwkvkit::tokenizer::internal

#endif  // RWKVKIT_TOKENIZER_INTERNAL_WALK_H_

// tokenizer/internal/segmented_encode.h — exact greedy encoding of long inputs, walked as
// several interleaved segments.
//
// Greedy matching is a chain of dependent loads (one per byte walked), so one stream leaves
// the core idle while it waits on memory and mispredicts every token end. EncodeSegmented()
// cuts the input into kLanes segments, walks them together in one thread with a branchless
// step per lane (independent chains overlap; no token-end branch), and then stitches the
// segments: segment k was tokenized as if the text started at its first byte, which may
// differ from the true tokenization; the true one (continued from segment k-1) is extended
// token by token until it lands on a token boundary of segment k, after which greedy
// matching is identical, and segment k's tokens are taken from there. The result equals
// EncodeSpan() on the whole input, on every input (tests/tokenizer/segmented_encode_test.cc).
//
// Thread-safe: scratch buffers are thread_local.
#ifndef RWKVKIT_TOKENIZER_INTERNAL_SEGMENTED_ENCODE_H_
#define RWKVKIT_TOKENIZER_INTERNAL_SEGMENTED_ENCODE_H_

#include <cstddef>
#include <cstdint>

#include "tokenizer/internal/double_array.h"

namespace rwkvkit::tokenizer::internal {

// Inputs shorter than this are encoded as one stream: too short to amortize the stitching.
inline constexpr size_t kMinSegmentedBytes = 4096;

// EncodeSegmented()
// Greedy tokens of s[0..n) into out (room for n ids); returns the count.
size_t EncodeSegmented(const DoubleArrayTrie& trie, const uint8_t* s, size_t n, uint16_t* out);

// Lanes walked together by EncodeSegmented().
inline constexpr int kDefaultLanes = 3;  // measured, see segmented_encode.cc

// EncodeSegmentedRange()
// Tokens of s that start in [begin, end), given that a true token starts at `begin`; tokens
// may run past `end` (s is readable up to n). Writes them to out (room for end - begin ids),
// returns the count and sets *end_pos to the byte after the last token (>= end). `lanes`
// (1..16) segments are walked together; tests use it to exercise the stitching on short
// inputs.
size_t EncodeSegmentedRange(const DoubleArrayTrie& trie, const uint8_t* s, size_t n, size_t begin, size_t end,
                            uint16_t* out, int lanes, size_t* end_pos);

}  // namespace rwkvkit::tokenizer::internal

#endif  // RWKVKIT_TOKENIZER_INTERNAL_SEGMENTED_ENCODE_H_

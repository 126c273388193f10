// tokenizer/internal/vector_encode.h — exact greedy encoding with one segment per SIMD lane.
//
// EncodeVectorRange() cuts the text into chunks and each chunk into as many segments as the
// CPU's vector walk has lanes (vector_walk.h: 16 on AVX-512, 8 on AVX2, ...), walks them all
// at once, puts the emitted tokens in order per segment and stitches the segments back exactly as
// segmented_encode.h does. The end of the text needs no scalar walk: the last chunk is copied
// beside a run of the trie's stop byte, which no walk crosses, so every byte is walked by
// the lanes. Used where VectorEncodeFits(); the scalar segmented walk is the fallback, with
// the same output.
//
// Thread-safe: scratch buffers are thread_local.
#ifndef RWKVKIT_TOKENIZER_INTERNAL_VECTOR_ENCODE_H_
#define RWKVKIT_TOKENIZER_INTERNAL_VECTOR_ENCODE_H_

#include <cstddef>
#include <cstdint>

#include "tokenizer/internal/double_array.h"

namespace rwkvkit::tokenizer::internal {

// Whether EncodeVectorRange() may take tokens starting in [begin, end) of an n-byte text:
// the CPU has a vector walk, the trie a stop byte, the range is long enough to be worth it
// and the text shorter than 2^31 bytes.
bool VectorEncodeFits(const DoubleArrayTrie& trie, size_t n, size_t begin, size_t end);

// EncodeVectorRange()
// Tokens of s (readable up to n) that start in [begin, end), given that a true token starts
// at `begin`; as EncodeSegmentedRange(): writes them to out (room for end - begin ids),
// returns the count and sets *end_pos to the byte after the last token (>= end). Requires
// VectorEncodeFits(trie, n, begin, end).
size_t EncodeVectorRange(const DoubleArrayTrie& trie, const uint8_t* s, size_t n, size_t begin, size_t end,
                         uint16_t* out, size_t* end_pos);

}  // namespace rwkvkit::tokenizer::internal

#endif  // RWKVKIT_TOKENIZER_INTERNAL_VECTOR_ENCODE_H_

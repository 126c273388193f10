// tokenizer/internal/simd_encode.h — exact greedy encoding with 16 lanes per AVX-512 vector.
//
// EncodeAvx512() cuts the input into ~64-byte segments and walks 16 of them at a time, one
// lane each, with vector gathers (simd_encode.cc); segments are stitched back exactly as in
// segmented_encode.h. Only called where the CPU has AVX-512F (HasAvx512(), checked at run
// time): the library is built for the baseline x86-64 (or any other target), and the
// segmented scalar walk stays the fallback, with the same output.
//
// Thread-safe: scratch buffers are thread_local.
#ifndef RWKVKIT_TOKENIZER_INTERNAL_SIMD_ENCODE_H_
#define RWKVKIT_TOKENIZER_INTERNAL_SIMD_ENCODE_H_

#include <cstddef>
#include <cstdint>

#include "tokenizer/internal/double_array.h"

namespace rwkvkit::tokenizer::internal {

// Whether EncodeAvx512() may run on this CPU (false on non-x86 builds).
bool HasAvx512();

// Inputs this short (or past 2^31 bytes) are not worth (or not fit for) the vector walk.
bool Avx512Fits(const DoubleArrayTrie& trie, size_t n);

// EncodeAvx512()
// Greedy tokens of s[0..n) into out (room for n ids); returns the count. Requires
// HasAvx512() and Avx512Fits(trie, n).
size_t EncodeAvx512(const DoubleArrayTrie& trie, const uint8_t* s, size_t n, uint16_t* out);

}  // namespace rwkvkit::tokenizer::internal

#endif  // RWKVKIT_TOKENIZER_INTERNAL_SIMD_ENCODE_H_

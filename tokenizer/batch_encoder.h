// tokenizer/batch_encoder.h — encode many documents, or one very large input, on all cores.
//
// EncodeBatch() splits the documents into contiguous groups of about 256 KB and encodes the
// groups in parallel with TBB; the output is the same for any thread count (documents are
// independent, results are concatenated in input order). EncodeParallel() cuts one input
// into per-thread ranges and stitches them exactly (Tokenizer::StitchRange), so the ids
// equal Tokenizer::Encode() on the whole input.
//
// Thread-safe: the Tokenizer is only read. Pulls in TBB (its own CMake target, so the core
// tokenizer stays free of it).
#ifndef RWKVKIT_TOKENIZER_BATCH_ENCODER_H_
#define RWKVKIT_TOKENIZER_BATCH_ENCODER_H_

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "tokenizer/tokenizer.h"

namespace rwkvkit::tokenizer {

// Token ids of many documents, flattened: document i is ids[offsets[i] .. offsets[i+1]).
struct EncodedBatch {
  std::vector<uint16_t> ids;
  std::vector<size_t> offsets;  // documents + 1 entries
  std::span<const uint16_t> Document(size_t i) const {
    return std::span<const uint16_t>(ids).subspan(offsets[i], offsets[i + 1] - offsets[i]);
  }
};

// EncodeBatch()
// Encodes every document; `threads` = 0 uses every core TBB sees (or the current
// tbb::task_arena's limit), 1 runs on the calling thread only.
EncodedBatch EncodeBatch(const Tokenizer& tok, std::span<const std::string_view> docs, int threads = 0);

// EncodeParallel()
// Appends the ids of one large input to `out`, using up to `threads` threads (0 = all).
void EncodeParallel(const Tokenizer& tok, std::string_view bytes, int threads, std::vector<uint16_t>& out);

// EncodeParallelRange()
// Like Tokenizer::EncodeRange() on many threads: appends the tokens of `text` that start in
// [begin, end) (a true token must start at `begin`) and returns the byte after the last one.
// Lets a reader encode a stream block by block: a block's tokens that start before
// (block end - max_token_bytes()) are final, the rest is carried into the next block.
size_t EncodeParallelRange(const Tokenizer& tok, std::string_view text, size_t begin, size_t end, int threads,
                           std::vector<uint16_t>& out);

}  // namespace rwkvkit::tokenizer

#endif  // RWKVKIT_TOKENIZER_BATCH_ENCODER_H_

// tokenizer/internal/compiled_file.h — the compiled tokenizer file: the built encoder of one
// vocab file, stored beside it (<vocab>.compiled) so that loading skips parsing and building.
//
// Layout (docs/formats/compiled_vocab.md): a 64-byte header, then the trie's cells, best ids
// and depths (double_array.h), the token offsets and the token bytes, each section starting
// at a multiple of 8. Little-endian. The header names the vocab it was built from (its size
// and ContentHash of its bytes) and a ContentHash of the body.
//
// ReadCompiled() accepts a file only when it was built from exactly these vocab bytes, its
// body is intact and its arrays are a walkable trie (every probe stays inside the array,
// every walk ends within max_token_bytes, every token length agrees with its bytes), so a
// stale, truncated or damaged file is refused and never reads out of bounds.
// Depends on the standard library and Abseil only. Thread-safe: pure functions.
#ifndef RWKVKIT_TOKENIZER_INTERNAL_COMPILED_FILE_H_
#define RWKVKIT_TOKENIZER_INTERNAL_COMPILED_FILE_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace rwkvkit::tokenizer::internal {

inline constexpr uint32_t kCompiledFormatVersion = 2;  // 2: ContentHash in four lanes
inline constexpr size_t kCompiledHeaderBytes = 64;

// What a tokenizer is made of, as the file stores it.
struct CompiledParts {
  std::vector<uint32_t> cells;
  std::vector<uint16_t> best;
  std::vector<uint8_t> depth;
  // Token id i is token_bytes[token_offsets[i] .. token_offsets[i + 1]); empty for id 0 and
  // for ids the vocab does not define. token_offsets.size() = one past the largest id + 1.
  std::vector<uint32_t> token_offsets;
  std::string token_bytes;
  uint32_t entries = 0;
  uint32_t max_token_bytes = 0;
};

// Read-only views of the same parts, for writing.
struct CompiledView {
  std::span<const uint32_t> cells;
  std::span<const uint16_t> best;
  std::span<const uint8_t> depth;
  std::span<const uint32_t> token_offsets;
  std::string_view token_bytes;
  uint32_t entries = 0;
  uint32_t max_token_bytes = 0;
};

// ContentHash()
// A 64-bit hash of `bytes` (four lanes of 8-byte words, then a final mix): detects changed vocab files
// and damaged bodies. Not cryptographic. Stable across machines and versions of this format.
uint64_t ContentHash(std::string_view bytes);

// WriteCompiled()
// The bytes of the compiled file of `parts`, built from a vocab file of `vocab_bytes` bytes
// whose ContentHash is `vocab_hash`.
std::string WriteCompiled(const CompiledView& parts, uint64_t vocab_bytes, uint64_t vocab_hash);

// ReadCompiled()
// The parts stored in `file` when it is a compiled file of this format version built from a
// vocab of `vocab_bytes` bytes hashing to `vocab_hash`. kFailedPrecondition when it was built
// from another vocab or by another format version; kDataLoss when it is truncated, damaged or
// not a compiled file. The message says why, without naming the file.
absl::StatusOr<CompiledParts> ReadCompiled(std::string_view file, uint64_t vocab_bytes, uint64_t vocab_hash);

}  // namespace rwkvkit::tokenizer::internal

#endif  // RWKVKIT_TOKENIZER_INTERNAL_COMPILED_FILE_H_

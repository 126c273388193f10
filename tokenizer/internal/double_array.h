// tokenizer/internal/double_array.h — the encoder's trie as a double array of 8-byte cells.
//
// Every prefix of a vocab entry is a trie node and owns one cell. The children of a node
// live at cells[base + byte]; a cell belongs to the node that reached it iff its label
// equals the byte. Checking the label instead of the parent index is exact because every
// node gets a base of its own (no two nodes share a base), so a cell with label c can only
// be the c-child of the one node whose base is (index - c). Leaves use base 0, and cells
// 0..255 are never occupied, so a walk from a leaf always stops.
//
// A cell also carries the longest token on the path from the root to its node ("best"):
// when the walk stops at a node, best is the greedy token, with no need to remember the
// last token seen on the way (one dependent load per byte, nothing else). Its length is
// stored as a back-off (node depth - best length) so that an interleaved walk, which holds
// the position of the next byte, finds the next token start with one subtraction; the depth
// lets a walk stopped mid-token find the token's start.
//
//   bits  0..8   label: the byte that leads here (0..255); 511 for a free cell
//   bits  9..15  back-off: depth - byte length of best (0..127)
//   bits 16..31  id of best
//   bits 32..39  depth of the node (1..128)
//   bits 40..63  base of the children (0 = none)
//
// The root is not stored: its children (all 256 bytes) sit at cells[kRootBase + byte].
// Thread-safe after Build(). Depends on the standard library and Abseil only.
#ifndef RWKVKIT_TOKENIZER_INTERNAL_DOUBLE_ARRAY_H_
#define RWKVKIT_TOKENIZER_INTERNAL_DOUBLE_ARRAY_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "tokenizer/vocab.h"

namespace rwkvkit::tokenizer::internal {

class DoubleArrayTrie {
 public:
  static constexpr uint32_t kRootBase = 256;
  static constexpr uint64_t kFreeLabel = 511;

  // Build()
  // Fails (kInvalidArgument) if a single byte has no token.
  static absl::StatusOr<std::unique_ptr<DoubleArrayTrie>> Build(const Vocab& vocab);

  static uint32_t Label(uint64_t cell) { return static_cast<uint32_t>(cell & 0x1FF); }
  static uint32_t Backoff(uint64_t cell) { return static_cast<uint32_t>((cell >> 9) & 0x7F); }
  static uint16_t BestId(uint64_t cell) { return static_cast<uint16_t>(cell >> 16); }
  static uint32_t Depth(uint64_t cell) { return static_cast<uint32_t>((cell >> 32) & 0xFF); }
  static uint32_t BestLength(uint64_t cell) { return Depth(cell) - Backoff(cell); }
  static uint64_t Base(uint64_t cell) { return cell >> 40; }
  // A cell for the root (depth 0): every byte has a child, so a step from it never fails.
  static constexpr uint64_t kRootCell = uint64_t{kRootBase} << 40;

  const uint64_t* cells() const { return cells_.data(); }
  size_t num_cells() const { return cells_.size(); }
  // Longest token in bytes: a walk never goes deeper, which bounds the look-ahead.
  size_t max_token_bytes() const { return max_token_bytes_; }
  // Byte length of each token id (0 for ids that are not tokens).
  const uint8_t* token_lengths() const { return token_lengths_.data(); }
  size_t MemoryBytes() const { return cells_.capacity() * sizeof(uint64_t) + token_lengths_.capacity(); }

 private:
  std::vector<uint64_t> cells_;
  std::vector<uint8_t> token_lengths_;
  size_t max_token_bytes_ = 0;
};

}  // namespace rwkvkit::tokenizer::internal

#endif  // RWKVKIT_TOKENIZER_INTERNAL_DOUBLE_ARRAY_H_

// tokenizer/internal/double_array.h — the encoder's trie as a double array of 4-byte cells.
//
// Every prefix of a vocab entry is a trie node and owns one cell. The children of a node
// live at cells[base + byte]; a cell belongs to the node that reached it iff its label
// equals the byte (every node has a base of its own; free cells carry a label no probe
// matches, and no base is 255 mod 256). The best token's id and the node depth live in
// parallel arrays read once per token. Why this is exact, and the footprint: docs/tokenizer.md,
// "Encoder data structure".
//
//   bits  0..7   label: the byte that leads here
//   bits  8..14  back-off: depth - byte length of best (0..127)
//   bits 15..31  base of the children (0 = none); Build() fails past 2^17 cells
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
  static constexpr int kBaseShift = 15;
  static constexpr size_t kMaxCells = size_t{1} << (32 - kBaseShift);

  // Build()
  // Fails (kInvalidArgument) if a single byte has no token; (kInternal) if the trie does not
  // fit the cell format (more than 2^17 cells or a token longer than 128 bytes).
  static absl::StatusOr<std::unique_ptr<DoubleArrayTrie>> Build(const Vocab& vocab);
  // FromArrays()
  // A trie from arrays Build() made earlier (compiled_file.h checks them before this);
  // token_lengths has 65536 entries.
  static std::unique_ptr<DoubleArrayTrie> FromArrays(std::vector<uint32_t> cells, std::vector<uint16_t> best,
                                                     std::vector<uint8_t> depth, std::vector<uint8_t> token_lengths,
                                                     size_t max_token_bytes);

  static uint32_t Label(uint32_t cell) { return cell & 0xFF; }
  static uint32_t Backoff(uint32_t cell) { return (cell >> 8) & 0x7F; }
  static uint32_t Base(uint32_t cell) { return cell >> kBaseShift; }
  // A cell for the root (depth 0): every byte has a child, so a step from it never fails.
  static constexpr uint32_t kRootCell = kRootBase << kBaseShift;

  const uint32_t* cells() const { return cells_.data(); }
  // Id of the longest token on the path to the node of cell i (0 for free cells).
  const uint16_t* best_ids() const { return best_.data(); }
  // Depth of the node of cell i (0 for free cells).
  const uint8_t* depths() const { return depth_.data(); }
  size_t num_cells() const { return cells_.size(); }
  // Longest token in bytes: a walk never goes deeper, which bounds the look-ahead.
  size_t max_token_bytes() const { return max_token_bytes_; }
  // Byte length of each token id (0 for ids that are not tokens).
  const uint8_t* token_lengths() const { return token_lengths_.data(); }
  // A byte that no token has past its first byte (0 for the World vocab), or -1 if every
  // byte has one: a walk stops at it as at the end of the text, so text padded with it can
  // be walked without checking for the end.
  int stop_byte() const { return stop_byte_; }
  // Where a walk from a token start whose first two bytes are b0 b1 may begin, as two words
  // at restarts()[2 * (b0 << 8 | b1)] (the entries of one first byte together): the index and the cell of the node b0 b1 where that
  // is a token (the walk's second step, taken ahead), else those of the depth-1 node b0.
  // 65,536 entries (512 KB), derived from the cells on construction.
  const uint32_t* restarts() const { return restarts_.data(); }
  size_t MemoryBytes() const {
    return cells_.capacity() * sizeof(uint32_t) + best_.capacity() * sizeof(uint16_t) + depth_.capacity() +
           token_lengths_.capacity() + restarts_.capacity() * sizeof(uint32_t);
  }

 private:
  std::vector<uint32_t> cells_;
  std::vector<uint16_t> best_;
  std::vector<uint8_t> depth_;
  std::vector<uint8_t> token_lengths_;
  std::vector<uint32_t> restarts_;
  size_t max_token_bytes_ = 0;
  int stop_byte_ = -1;
  // The arrays derived from the cells: the stop byte and the restarts.
  void Derive();
};

}  // namespace rwkvkit::tokenizer::internal

#endif  // RWKVKIT_TOKENIZER_INTERNAL_DOUBLE_ARRAY_H_

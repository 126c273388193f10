// corpus/input/record_block.h — a batch of records of one input file, with their positions.
//
// Every reader (JSON Lines, text, Parquet) hands the build its records in RecordBlocks: the
// bytes of each record back to back, each followed by one '\n' that is not part of it, and
// where each came from. A record is a JSON line to parse (kJsonLine) or the text itself
// (kText: a text file, a Parquet text cell). Its position is a line number (JSON Lines,
// 1-based), a row (Parquet: the row in the file, 0-based, and its row group and row within
// the group; a block never spans two row groups) or the file itself (a text document).
// A record the reader refused before any parsing (longer than the record size cap, a Parquet
// null) stays in the block as an empty record listed in `rejected`, so positions stay exact
// and the build counts it as bad. Values only; not thread-safe to modify.
#ifndef RWKVKIT_CORPUS_INPUT_RECORD_BLOCK_H_
#define RWKVKIT_CORPUS_INPUT_RECORD_BLOCK_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace rwkvkit::corpus::input {

enum class RecordKind : uint8_t { kJsonLine, kText };
enum class PositionKind : uint8_t { kLine, kRow, kFile };

struct RejectedRecord {
  size_t index;        // into the block
  std::string reason;  // a bad-input reason: "record_too_long", "null_text", ...
  std::string message;
};

struct RecordBlock {
  RecordKind kind = RecordKind::kJsonLine;
  PositionKind position = PositionKind::kLine;
  std::string data;
  std::vector<size_t> starts;  // record k is data[starts[k], starts[k+1] - 1)
  uint64_t first = 1;          // line (1-based) or row in the file (0-based) of record 0
  int64_t row_group = -1;      // kRow: the row group of every record of the block
  uint64_t first_in_group = 0;  // kRow: record 0's row within its group
  std::vector<RejectedRecord> rejected;  // in index order
  // Per record, its language from the source's language column ("" where null); empty when
  // not asked for or not a Parquet block (RecordSourceOptions::language_key).
  std::vector<std::string> languages;

  size_t size() const { return starts.empty() ? 0 : starts.size() - 1; }
  std::string_view record(size_t k) const {
    return std::string_view(data).substr(starts[k], starts[k + 1] - 1 - starts[k]);
  }
  // The line or row number of record k (0 for a whole file): the dedup report's position.
  uint64_t ordinal(size_t k) const { return position == PositionKind::kFile ? 0 : first + k; }

  // Where record k is, for messages: "path:12", "path: row 7 (row group 1, row 2)", "path".
  std::string Location(const std::string& path, size_t k) const;
  // The rejection of record k, or nullptr when the reader accepted it.
  const RejectedRecord* Rejection(size_t k) const;

  // Empties the block, keeping its kind and position kind.
  void Clear();
  void Append(std::string_view record);
  // Adds an empty record that the build counts as bad with `reason`.
  void AppendRejected(std::string reason, std::string message);
};

}  // namespace rwkvkit::corpus::input

#endif  // RWKVKIT_CORPUS_INPUT_RECORD_BLOCK_H_

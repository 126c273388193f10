// corpus/input/parquet_block.h — the rows that ParquetReader hands out: string columns of a
// block of rows, and where each row lies in the file (row group, row within it).
//
// Free of Arrow: the pipeline and reports use it whether or not the build reads Parquet.
// Values only; not thread-safe.
#ifndef RWKVKIT_CORPUS_INPUT_PARQUET_BLOCK_H_
#define RWKVKIT_CORPUS_INPUT_PARQUET_BLOCK_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rwkvkit::corpus {

// The values of one string column for the rows of a block: value k is
// data[starts[k] .. starts[k+1]), null when null[k] is set (then it is empty).
struct StringColumn {
  std::string data;
  std::vector<size_t> starts;
  std::vector<uint8_t> null;
  size_t size() const { return null.size(); }
  std::string_view value(size_t k) const { return std::string_view(data).substr(starts[k], starts[k + 1] - starts[k]); }
  void Clear();
  void Truncate(size_t rows);  // keeps the first `rows` values
};

// Rows of one file, in file order; may span row groups.
struct ParquetBlock {
  std::vector<StringColumn> columns;  // in the order the columns were named; [0] is the text
  uint64_t first_row = 0;             // 0-based row of the file of row 0 of this block
  // Where the block's rows lie: rows [groups[i].first_index, groups[i+1].first_index) are in
  // row group groups[i].row_group, starting at row groups[i].first_row_in_group.
  struct GroupStart {
    size_t first_index;
    int row_group;
    uint64_t first_row_in_group;
  };
  std::vector<GroupStart> groups;

  size_t size() const { return columns.empty() ? 0 : columns[0].size(); }
  // The row group and the row within it of row k of this block.
  std::pair<int, uint64_t> Position(size_t k) const;
};

// `path:row_group=G,row=R`, the name of a row in messages and reports.
std::string FormatParquetRow(std::string_view path, int row_group, uint64_t row);

}  // namespace rwkvkit::corpus

#endif  // RWKVKIT_CORPUS_INPUT_PARQUET_BLOCK_H_

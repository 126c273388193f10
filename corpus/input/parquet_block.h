// corpus/input/parquet_block.h — the rows that ParquetReader hands out: string columns of a
// block of rows of one row group, and where they lie in the file.
//
// Free of Arrow: the pipeline and reports use it whether or not the build reads Parquet.
// Values only; not thread-safe.
#ifndef RWKVKIT_CORPUS_INPUT_PARQUET_BLOCK_H_
#define RWKVKIT_CORPUS_INPUT_PARQUET_BLOCK_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace rwkvkit::corpus::input {

// The values of one string column for the rows of a block: value k is
// data[starts[k] .. starts[k+1]) when state[k] is kValue; a null or a value over the reader's
// size cap is kept as an empty value with its state, so row numbers stay exact.
struct StringColumn {
  enum State : uint8_t { kValue = 0, kNull = 1, kTooLong = 2 };
  std::string data;
  std::vector<size_t> starts;
  std::vector<uint8_t> state;
  size_t size() const { return state.size(); }
  std::string_view value(size_t k) const { return std::string_view(data).substr(starts[k], starts[k + 1] - starts[k]); }
  void Clear();
  void Truncate(size_t rows);  // keeps the first `rows` values
};

// Rows of one row group, in file order.
struct ParquetBlock {
  std::vector<StringColumn> columns;  // in the order the columns were named; [0] is the text
  uint64_t first_row = 0;             // 0-based row of the file of row 0 of this block
  int row_group = 0;                  // the row group of every row of the block
  uint64_t first_row_in_group = 0;    // row 0's row within its row group

  size_t size() const { return columns.empty() ? 0 : columns[0].size(); }
};

// `path: row 7 (row group 1, row 2)`: a row of a Parquet file in messages and reports (row
// 7 of the file, 0-based, is row 2 of row group 1).
std::string FormatParquetRow(std::string_view path, uint64_t row, int64_t row_group, uint64_t row_in_group);

}  // namespace rwkvkit::corpus::input

#endif  // RWKVKIT_CORPUS_INPUT_PARQUET_BLOCK_H_

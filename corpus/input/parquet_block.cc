// corpus/input/parquet_block.cc — see parquet_block.h.
#include "corpus/input/parquet_block.h"

#include "absl/strings/str_cat.h"

namespace rwkvkit::corpus::input {

void StringColumn::Clear() {
  data.clear();
  starts.assign(1, 0);
  state.clear();
}

void StringColumn::Truncate(size_t rows) {
  if (rows >= size()) return;
  state.resize(rows);
  starts.resize(rows + 1);
  data.resize(starts.back());
}

std::string FormatParquetRow(std::string_view path, uint64_t row, int64_t row_group, uint64_t row_in_group) {
  return absl::StrCat(std::string(path), ": row ", row, " (row group ", row_group, ", row ", row_in_group, ")");
}

}  // namespace rwkvkit::corpus::input

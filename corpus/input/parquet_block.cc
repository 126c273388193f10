// corpus/input/parquet_block.cc — see parquet_block.h.
#include "corpus/input/parquet_block.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace rwkvkit::corpus {

void StringColumn::Clear() {
  data.clear();
  starts.assign(1, 0);
  null.clear();
}

void StringColumn::Truncate(size_t rows) {
  if (rows >= size()) return;
  null.resize(rows);
  starts.resize(rows + 1);
  data.resize(starts.back());
}

std::pair<int, uint64_t> ParquetBlock::Position(size_t k) const {
  auto it = std::upper_bound(groups.begin(), groups.end(), k,
                             [](size_t v, const GroupStart& g) { return v < g.first_index; });
  const GroupStart& g = *(it - 1);  // groups[0].first_index is 0
  return {g.row_group, g.first_row_in_group + (k - g.first_index)};
}

std::string FormatParquetRow(std::string_view path, int row_group, uint64_t row) {
  return absl::StrCat(std::string(path), ":row_group=", row_group, ",row=", row);
}

}  // namespace rwkvkit::corpus

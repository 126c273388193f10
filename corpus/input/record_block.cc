// corpus/input/record_block.cc — see record_block.h.
#include "corpus/input/record_block.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "corpus/input/parquet_block.h"

namespace rwkvkit::corpus::input {

std::string RecordBlock::Location(const std::string& path, size_t k) const {
  switch (position) {
    case PositionKind::kLine: return absl::StrCat(path, ":", first + k);
    case PositionKind::kRow: return FormatParquetRow(path, first + k, row_group, first_in_group + k);
    case PositionKind::kFile: break;
  }
  return path;
}

const RejectedRecord* RecordBlock::Rejection(size_t k) const {
  auto it = std::lower_bound(rejected.begin(), rejected.end(), k,
                             [](const RejectedRecord& r, size_t i) { return r.index < i; });
  return it != rejected.end() && it->index == k ? &*it : nullptr;
}

void RecordBlock::Clear() {
  data.clear();
  starts.clear();
  rejected.clear();
  languages.clear();
  first = position == PositionKind::kLine ? 1 : 0;
  row_group = -1;
  first_in_group = 0;
}

void RecordBlock::Append(std::string_view record) {
  if (starts.empty()) starts.push_back(0);
  data.append(record);
  data.push_back('\n');
  starts.push_back(data.size());
}

void RecordBlock::AppendRejected(std::string reason, std::string message) {
  rejected.push_back(RejectedRecord{size(), std::move(reason), std::move(message)});
  Append({});
}

}  // namespace rwkvkit::corpus::input

// tests/corpus/parquet/parquet_dump_main.cc — prints what ParquetReader reads from a file, for
// parquet_reader_check.py to compare with pyarrow.
//
//   parquet_dump FILE BLOCK_BYTES[/MAX_VALUE_BYTES] COLUMN [COLUMN...] [?OPTIONAL_COLUMN...]
//
// One line per block: `block FIRST_ROW ROWS TEXT_BYTES`, then one line per row:
// `ROW_GROUP ROW_IN_GROUP VALUE...` with each value as hex, `-` (empty), `null` or `toolong`. A failure prints
// `error CODE MESSAGE` and exits 1 (after the rows read before it).
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "corpus/input/parquet_reader.h"

namespace {

void PrintHex(std::string_view s) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * s.size() + 1);
  for (unsigned char c : s) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  std::fputs(out.empty() ? "-" : out.c_str(), stdout);  // "-": the empty string
}

int Fail(const absl::Status& s) {
  std::printf("error %s %s\n", absl::StatusCodeToString(s.code()).c_str(), std::string(s.message()).c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: parquet_dump FILE BLOCK_BYTES[/MAX_VALUE_BYTES] COLUMN [COLUMN...]\n");
    return 2;
  }
  std::vector<std::string> columns, optional;
  for (int i = 3; i < argc; ++i) {
    if (argv[i][0] == '?') optional.emplace_back(argv[i] + 1);
    else columns.emplace_back(argv[i]);
  }
  char* rest = nullptr;
  const size_t block_bytes = std::strtoull(argv[2], &rest, 10);
  const uint64_t max_value = *rest == '/' ? std::strtoull(rest + 1, nullptr, 10) : UINT64_MAX;
  absl::StatusOr<rwkvkit::corpus::input::ParquetReader> r = rwkvkit::corpus::input::ParquetReader::Open(argv[1], columns, optional, max_value);
  if (!r.ok()) return Fail(r.status());
  std::printf("file %d %llu\n", r->num_row_groups(), static_cast<unsigned long long>(r->num_rows()));
  rwkvkit::corpus::input::ParquetBlock block;
  for (;;) {
    absl::StatusOr<bool> more = r->Next(block, block_bytes);
    if (!more.ok()) return Fail(more.status());
    if (!*more) break;
    std::printf("block %llu %zu %zu\n", static_cast<unsigned long long>(block.first_row), block.size(),
                block.columns[0].data.size());
    for (size_t k = 0; k < block.size(); ++k) {
      std::printf("%d %llu", block.row_group, static_cast<unsigned long long>(block.first_row_in_group + k));
      for (const rwkvkit::corpus::input::StringColumn& c : block.columns) {
        std::fputc(' ', stdout);
        if (c.state[k] == rwkvkit::corpus::input::StringColumn::kNull) std::fputs("null", stdout);
        else if (c.state[k] == rwkvkit::corpus::input::StringColumn::kTooLong) std::fputs("toolong", stdout);
        else PrintHex(c.value(k));
      }
      std::fputc('\n', stdout);
    }
  }
  return 0;
}

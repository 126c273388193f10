// tests/fuzz/parquet_fuzzer.cc — fuzz target: a Parquet input file read by OpenRecordSource
// (corpus/input/record_source.h) as the build reads it: the text column "text" and the
// language column "lang" through ParquetReader (Arrow C++ of the pyarrow wheel), with a small
// record size cap and small blocks.
//
// Input: the bytes of the file (OpenRecordSource takes it as Parquet by its magic). Properties:
// Open fails with kInvalidArgument, kDataLoss or kUnimplemented (a build without Parquet)
// naming the file; blocks hold kText records at rows numbered from 0 without gaps, each block
// inside one row group, row groups in order, rows within a group counted from 0; no record
// exceeds the cap; a rejected record is empty with reason null_text or record_too_long; every
// record has a language entry; Next fails only with kDataLoss naming the row; bytes consumed
// never exceed the file. Arrow is not instrumented for coverage, so the fuzzer is guided by
// the reader's own code; a crash or abort inside Arrow still fails the run.
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/strings/match.h"
#include "corpus/input/record_source.h"
#include "tests/fuzz/fuzz_util.h"

using rwkvkit::fuzz::Check;
namespace corpus = rwkvkit::corpus;

namespace {

constexpr uint64_t kCap = 64;
constexpr size_t kBlockBytes = 128;
constexpr uint64_t kMaxRows = 1 << 20;  // a file claiming more rows is not read to its end

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  if (!input.starts_with("PAR1")) return 0;  // other content is the jsonl_stream target's
  const std::string path = (rwkvkit::fuzz::ScratchDir() / "input.parquet").string();
  rwkvkit::fuzz::WriteFile(path, input);

  corpus::input::RecordSourceOptions options;
  options.format = "parquet";
  options.text_key = "text";
  options.language_key = "lang";
  options.max_record_bytes = kCap;
  absl::StatusOr<std::unique_ptr<corpus::input::RecordSource>> source = corpus::input::OpenRecordSource(path, options);
  if (!source.ok()) {
    const absl::StatusCode c = source.status().code();
    Check(c == absl::StatusCode::kInvalidArgument || c == absl::StatusCode::kDataLoss ||
              c == absl::StatusCode::kUnimplemented,
          "Open failed with an unexpected code");
    Check(absl::StrContains(source.status().message(), path), "Open failed without naming the file");
    return 0;
  }
  corpus::input::RecordBlock block;
  uint64_t rows = 0, group_rows = 0;
  int64_t group = -1;
  while (rows < kMaxRows) {
    absl::StatusOr<bool> more = (*source)->Next(block, kBlockBytes);
    Check((*source)->bytes_consumed() <= (*source)->file_size(), "more bytes consumed than the file has");
    if (!more.ok()) {
      Check(more.status().code() == absl::StatusCode::kDataLoss, "Next failed with a code other than kDataLoss");
      Check(absl::StartsWith(more.status().message(), path + ": row "), "Next failed without naming the row");
      break;
    }
    if (!*more) break;
    Check(block.kind == corpus::input::RecordKind::kText && block.position == corpus::input::PositionKind::kRow,
          "a Parquet block of another kind");
    Check(block.size() > 0, "Next returned true with an empty block");
    Check(block.first == rows, "row numbers do not follow on from the previous block");
    Check(block.row_group >= group, "row groups out of order");
    if (block.row_group != group) group_rows = 0;
    Check(block.first_in_group == group_rows, "rows within the row group do not follow on");
    Check(block.languages.size() == block.size(), "a record without a language entry");
    size_t r = 0;
    for (size_t k = 0; k < block.size(); ++k) {
      const std::string_view rec = block.record(k);
      Check(rec.size() <= kCap, "a record over the cap was returned");
      const corpus::input::RejectedRecord* rej = block.Rejection(k);
      if (rej == nullptr) continue;
      Check(r < block.rejected.size() && &block.rejected[r] == rej, "rejected records out of order");
      Check(rec.empty() && (rej->reason == "null_text" || rej->reason == "record_too_long") && !rej->message.empty(),
            "a rejected record that is not an empty null_text or record_too_long with a message");
      ++r;
    }
    Check(r == block.rejected.size(), "rejected records outside the block");
    group = block.row_group;
    group_rows += block.size();
    rows += block.size();
  }
  return 0;
}

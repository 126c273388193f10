// corpus/input/record_source.h — the records of one input file, whatever its format.
//
// Readers of corpus files (build_stages.h, `bench tokenizer`, ...) open a file with
// OpenRecordSource() and take RecordBlocks (record_block.h) from it until it ends. The format
// comes from the content first (input_format.h: zstd, gzip, xz, Parquet magic), then from the
// source's format and the file's name: jsonl[.zst|.gz|.xz] (block_reader.h); text (the whole
// file is one kText record); parquet (the text column's cells, by row); auto (by name). Every
// source caps a record's size (max_record_bytes): a longer record is rejected, never held.
//
// Errors of Open: the file is missing, not a regular file, unreadable, or a format rwkvkit
// cannot read (the message lists the supported ones). Errors of Next: the file broke off
// (kDataLoss, `path@offset`) after the records before the damage were returned. Both end
// that file only; the caller reports them and goes on. Not thread-safe: one source per file.
#ifndef RWKVKIT_CORPUS_INPUT_RECORD_SOURCE_H_
#define RWKVKIT_CORPUS_INPUT_RECORD_SOURCE_H_

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "corpus/input/block_reader.h"
#include "corpus/input/record_block.h"

namespace rwkvkit::corpus::input {

struct RecordSourceOptions {
  std::string format = "jsonl";  // the source's format (manifest.h)
  std::string text_key = "text";  // Parquet: the text column (JSON Lines parse it later)
  std::optional<std::string> id_key;
  uint64_t max_record_bytes = kDefaultMaxRecordBytes;
  // Parquet: a column of per-record languages to return in RecordBlock::languages, when the
  // file has it (JSON Lines records carry their fields; the reader of the line parses them).
  std::optional<std::string> language_key;
  // [begin, end): read only the lines whose first byte lies in this byte range of the file (a
  // build split into tasks cuts a large file so; line numbers stay the file's). JSON Lines in
  // an uncompressed file only (ReadableInByteRanges); any other file is kInvalidArgument.
  std::optional<std::pair<uint64_t, uint64_t>> byte_range;
  // With byte_range: the newlines of the file before byte_range.first when the caller knows
  // them (a split build's lines stage counts them once); unset, they are counted here.
  std::optional<uint64_t> newlines_before;
};

class RecordSource {
 public:
  virtual ~RecordSource() = default;

  // Next()
  // Replaces `block` with the next records (about `block_bytes` of them); false at the end.
  virtual absl::StatusOr<bool> Next(RecordBlock& block, size_t block_bytes) = 0;

  // File bytes consumed so far and the file's size: progress and ETA.
  virtual uint64_t bytes_consumed() const = 0;
  virtual uint64_t file_size() const = 0;
};

// ReadableInByteRanges()
// True when `path` is JSON Lines in an uncompressed file (sniffed, and by the source's format),
// so RecordSourceOptions::byte_range may cut it; false for anything else, or when it cannot
// be opened (reading it whole reports why).
bool ReadableInByteRanges(const std::filesystem::path& path, const RecordSourceOptions& options);

// OpenRecordSource()
// Opens `path` as described above. With a byte range, line numbers are those of the whole
// file: from `newlines_before`, or else by counting the lines before the range (a read of the
// file up to it).
absl::StatusOr<std::unique_ptr<RecordSource>> OpenRecordSource(const std::filesystem::path& path,
                                                               const RecordSourceOptions& options);

}  // namespace rwkvkit::corpus::input

#endif  // RWKVKIT_CORPUS_INPUT_RECORD_SOURCE_H_

// corpus/input/block_reader.h — reads a JSON Lines stream (plain, zstd, gzip or xz; the
// container is sniffed from the content, byte_stream.h) in blocks of whole lines, counting
// physical lines.
//
// A line longer than the record size cap (`max_record_bytes`, without its newline) is never
// held in memory: its bytes are skipped up to the next newline and it appears in the block as
// a rejected empty record (reason "record_too_long", record_block.h), so the line numbers of
// the lines after it stay right and memory stays bounded whatever the input (a 4 GB line, a
// stream with no newline at all). A damaged stream ends the file: the complete lines before
// the damage are returned (the partial line at the damage is dropped), then Next() fails with
// kDataLoss naming `path@compressed_offset`; the caller reports it and goes on with the other
// files. The last line may lack its newline. Not thread-safe: one reader per file.
#ifndef RWKVKIT_CORPUS_INPUT_BLOCK_READER_H_
#define RWKVKIT_CORPUS_INPUT_BLOCK_READER_H_

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "corpus/input/byte_stream.h"
#include "corpus/input/record_block.h"

namespace rwkvkit::corpus::input {

// The default record size cap (--max-record-bytes): far above any real document, far below
// what a machine can hold once per thread.
inline constexpr uint64_t kDefaultMaxRecordBytes = uint64_t{64} << 20;
// The largest cap a user may set (1 TiB).
inline constexpr uint64_t kMaxRecordBytesLimit = uint64_t{1} << 40;

class BlockReader {
 public:
  static absl::StatusOr<BlockReader> Open(const std::filesystem::path& path,
                                          uint64_t max_record_bytes = kDefaultMaxRecordBytes);
  // Reads an open stream (stdin: ByteStream::FromDescriptor).
  BlockReader(ByteStream stream, uint64_t max_record_bytes);

  // Next()
  // Replaces `block` with the next lines (about `block_bytes` of them; kJsonLine records at
  // kLine positions); false at the end.
  absl::StatusOr<bool> Next(RecordBlock& block, size_t block_bytes);

  bool compressed() const { return stream_.container() != Container::kPlain; }
  // File bytes consumed so far and the file's size: progress and ETA.
  uint64_t bytes_consumed() const { return stream_.bytes_consumed(); }
  uint64_t file_size() const { return stream_.file_size(); }

 private:
  // Reads on past the current over-long line (its first `seen` bytes are already dropped);
  // the bytes after its newline go to `rest`. Returns the line's length, or nothing when the
  // stream broke inside it (then pending_ holds the error).
  std::optional<uint64_t> SkipLine(std::string& rest, uint64_t seen);
  // Lists the next record of `block` as over-long; with `add_newline` also appends it (empty).
  void Reject(RecordBlock& block, uint64_t length, bool add_newline);

  ByteStream stream_;
  uint64_t max_record_bytes_;
  bool eof_ = false;
  std::string carry_;   // bytes after the last complete line of the previous block
  uint64_t next_line_ = 1;
  absl::Status pending_;  // an error to return once the lines before it are out
};

}  // namespace rwkvkit::corpus::input

#endif  // RWKVKIT_CORPUS_INPUT_BLOCK_READER_H_

// corpus/input/block_reader.h — reads a JSONL file, plain or zstd-compressed, in blocks of
// whole lines, counting physical lines.
//
// Zstandard input is detected by its magic number (28 B5 2F FD) and decompressed as a stream
// (multi-frame files included) without holding the file in memory. A corrupt or truncated
// frame ends that file: the complete lines decoded before the damage are returned, then
// Next() fails with kDataLoss naming `path@compressed_offset`; the caller reports it and goes
// on with the other files. The last line may lack its newline. Not thread-safe: one reader
// per file, used by the pipeline's serial input stage.
#ifndef RWKVKIT_CORPUS_INPUT_BLOCK_READER_H_
#define RWKVKIT_CORPUS_INPUT_BLOCK_READER_H_

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace rwkvkit::corpus {

// Whole lines of one file: line k is data[starts[k] .. starts[k+1] - 1) without its '\n'
// (starts has one more entry than there are lines).
struct LineBlock {
  std::string data;
  std::vector<size_t> starts;
  uint64_t first_line = 1;  // physical line number of line 0
  size_t size() const { return starts.empty() ? 0 : starts.size() - 1; }
  std::string_view line(size_t k) const {
    return std::string_view(data).substr(starts[k], starts[k + 1] - 1 - starts[k]);
  }
};

class BlockReader {
 public:
  static absl::StatusOr<BlockReader> Open(const std::filesystem::path& path);
  BlockReader(BlockReader&&) noexcept;
  BlockReader& operator=(BlockReader&&) noexcept;
  ~BlockReader();

  // Next()
  // Replaces `block` with the next lines (about `block_bytes` of them); false at the end.
  absl::StatusOr<bool> Next(LineBlock& block, size_t block_bytes);

  // ReadAll()
  // The whole (decompressed) file: one document of a `text` source.
  absl::StatusOr<std::string> ReadAll();

  bool compressed() const;
  // Bytes of the file consumed so far and its size: progress and ETA.
  uint64_t bytes_consumed() const;
  uint64_t file_size() const;

 private:
  struct Impl;
  explicit BlockReader(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace rwkvkit::corpus

#endif  // RWKVKIT_CORPUS_INPUT_BLOCK_READER_H_

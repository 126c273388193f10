// corpus/input/byte_stream.h — the decompressed bytes of one input file or pipe.
//
// Opens a regular file (anything else — a FIFO, a device such as /dev/null or /dev/zero, a
// directory — is refused with a message saying what it is, so nothing blocks in open() or
// reads forever), or wraps an already open descriptor such as stdin. The container is sniffed
// from the first bytes read through the stream itself (input_format.h; no pread, so a pipe
// works): zstd, gzip and xz are decompressed as they are read, with bounded memory; Parquet
// and unreadable formats are refused (Parquet has its own reader). Damage — a corrupt or
// truncated compressed stream, a read error — is kDataLoss naming `path@offset`, the offset
// in the file where the damage starts; the bytes before it have been returned.
//
// Not thread-safe: one stream per reader.
#ifndef RWKVKIT_CORPUS_INPUT_BYTE_STREAM_H_
#define RWKVKIT_CORPUS_INPUT_BYTE_STREAM_H_

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "corpus/input/input_format.h"

namespace rwkvkit::corpus::input {

class Decoder;

// OpenRegularFile()
// open(2) of a regular file for reading (O_CLOEXEC), after checking what the path is, and
// its size. kNotFound, kPermissionDenied, kFailedPrecondition (not a regular file: names the
// kind), each message naming the path and the system's reason (e.g. a symlink loop).
absl::StatusOr<int> OpenRegularFile(const std::filesystem::path& path, uint64_t& size);

// OpenAndSniff()
// OpenRegularFile, then the container from the file's first bytes (SniffContainer). The
// caller owns and closes `fd`. On any error the file is closed: OpenRegularFile's errors,
// kDataLoss `path@0: read failed (...)`, or SniffContainer's.
struct SniffedFile {
  int fd = -1;
  uint64_t size = 0;
  Container container = Container::kPlain;
};
absl::StatusOr<SniffedFile> OpenAndSniff(const std::filesystem::path& path);

class ByteStream {
 public:
  static absl::StatusOr<ByteStream> Open(const std::filesystem::path& path);
  // Takes ownership of `fd` (closed by the stream); `name` appears in messages.
  static absl::StatusOr<ByteStream> FromDescriptor(int fd, std::string name);
  // FromLines()
  // The plain (uncompressed) bytes of regular file `fd` from offset `begin`, which the caller
  // puts at a line start, to the end of the line that holds byte `end - 1` (the first newline
  // at or after it; the file's end if none): a slice of a JSON Lines file cut at line
  // boundaries. Nothing is sniffed. Takes ownership of `fd`; offsets in messages are the
  // file's. Nothing at all when begin >= end.
  static absl::StatusOr<ByteStream> FromLines(int fd, std::string name, uint64_t begin, uint64_t end);
  ByteStream(ByteStream&&) noexcept;
  ByteStream& operator=(ByteStream&&) noexcept;
  ~ByteStream();

  // Read()
  // Appends up to `want` decompressed bytes to `dst` (fewer only at the end); returns how
  // many; 0 at the end. On an error the bytes before the damage are already appended to
  // `dst`, and the stream is at its end.
  absl::StatusOr<size_t> Read(std::string& dst, size_t want);

  Container container() const;
  const std::string& name() const;
  // File bytes consumed so far and the file's size (0 for a pipe): progress and ETA.
  uint64_t bytes_consumed() const;
  uint64_t file_size() const;

 private:
  struct Impl;
  explicit ByteStream(std::unique_ptr<Impl> impl);
  static absl::StatusOr<ByteStream> Start(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace rwkvkit::corpus::input

#endif  // RWKVKIT_CORPUS_INPUT_BYTE_STREAM_H_

// tools/cli/io.h — block input from a file or stdin, and buffered output to stdout.
//
// The CLI streams: inputs are read in blocks so memory does not grow with the input, and
// output is written in large chunks. Errors name the file (or <stdin>/<stdout>); opening and
// writing go through base/file_io.h.
// Not thread-safe: one reader/writer per stream.
#ifndef RWKVKIT_TOOLS_CLI_IO_H_
#define RWKVKIT_TOOLS_CLI_IO_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace rwkvkit::cli {

class InputFile {
 public:
  // Open()
  // "-" is stdin. kNotFound / kPermissionDenied name the path.
  static absl::StatusOr<InputFile> Open(const std::string& path);
  InputFile(InputFile&& other) noexcept;
  InputFile& operator=(InputFile&&) = delete;
  ~InputFile();

  // ReadBlock()
  // Appends up to `max_bytes` to `buf`; returns how many (0 at end of input).
  absl::StatusOr<size_t> ReadBlock(std::string& buf, size_t max_bytes);
  // Read()
  // Up to `max_bytes` into dst with one read (retried on EINTR); how many (0 at end of input).
  absl::StatusOr<size_t> Read(char* dst, size_t max_bytes);
  const std::string& name() const { return name_; }

 private:
  InputFile(int fd, std::string name) : fd_(fd), name_(std::move(name)) {}
  int fd_;
  std::string name_;
};

// Buffered writer to a file descriptor (stdout by default).
class Output {
 public:
  explicit Output(int fd = 1, size_t flush_bytes = 1 << 20) : fd_(fd), flush_bytes_(flush_bytes) {}
  std::string& buffer() { return buf_; }
  // Writes the buffer out once it holds flush_bytes or more.
  absl::Status MaybeFlush() { return buf_.size() >= flush_bytes_ ? Flush() : absl::OkStatus(); }
  absl::Status Flush();
  // Write()
  // Flushes the buffer, then writes `bytes` straight out (a large block formatted elsewhere).
  absl::Status Write(std::string_view bytes);

 private:
  absl::Status WriteAll(std::string_view bytes);
  int fd_;
  size_t flush_bytes_;
  std::string buf_;
};

}  // namespace rwkvkit::cli

#endif  // RWKVKIT_TOOLS_CLI_IO_H_

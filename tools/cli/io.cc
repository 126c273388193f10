// tools/cli/io.cc — see io.h.
#include "tools/cli/io.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "base/file_io.h"

namespace rwkvkit::cli {

absl::StatusOr<InputFile> InputFile::Open(const std::string& path) {
  if (path == "-") return InputFile(0, "<stdin>");
  absl::StatusOr<int> fd = base::OpenForRead(path);
  if (!fd.ok()) return fd.status();
  return InputFile(*fd, path);
}

InputFile::InputFile(InputFile&& other) noexcept : fd_(other.fd_), name_(std::move(other.name_)) { other.fd_ = -1; }

InputFile::~InputFile() {
  if (fd_ > 0) ::close(fd_);
}

absl::StatusOr<size_t> InputFile::ReadBlock(std::string& buf, size_t max_bytes) {
  // The buffer grows with what arrives, 1 MiB at a time: a one-line input must not pay for
  // zero-filling (and keeping resident) a block of max_bytes.
  constexpr size_t kStep = size_t{1} << 20;
  const size_t old = buf.size();
  size_t got = 0;
  while (got < max_bytes) {
    const size_t want = std::min(kStep, max_bytes - got);
    if (buf.size() < old + got + want) buf.resize(old + got + want);
    const ssize_t r = ::read(fd_, buf.data() + old + got, want);
    if (r < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      buf.resize(old + got);
      return absl::DataLossError(absl::StrCat(name_, "@", old + got, ": read failed (", std::strerror(err), ")"));
    }
    if (r == 0) break;
    got += static_cast<size_t>(r);
  }
  buf.resize(old + got);
  return got;
}

absl::StatusOr<size_t> InputFile::Read(char* dst, size_t max_bytes) {
  for (;;) {
    const ssize_t r = ::read(fd_, dst, max_bytes);
    if (r >= 0) return static_cast<size_t>(r);
    if (errno == EINTR) continue;
    const int err = errno;
    return absl::DataLossError(absl::StrCat(name_, ": read failed (", std::strerror(err), ")"));
  }
}

absl::Status Output::Flush() {
  if (absl::Status s = WriteAll(buf_); !s.ok()) return s;
  buf_.clear();
  return absl::OkStatus();
}

absl::Status Output::Write(std::string_view bytes) {
  if (absl::Status s = Flush(); !s.ok()) return s;
  return WriteAll(bytes);
}

absl::Status Output::WriteAll(std::string_view bytes) {
  return base::WriteAll(fd_, bytes.data(), bytes.size(), "<stdout>");
}

}  // namespace rwkvkit::cli

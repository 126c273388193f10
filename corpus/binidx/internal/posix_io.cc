// corpus/binidx/internal/posix_io.cc — POSIX file calls with Status errors (posix_io.h).
#include "corpus/binidx/internal/posix_io.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace rwkvkit::binidx::internal {

absl::Status ErrnoError(const std::filesystem::path& path, const std::string& what, int err) {
  std::string msg = absl::StrCat(path.string(), ": ", what, " (", std::strerror(err), ")");
  switch (err) {
    case ENOENT:
    case ENOTDIR:
      return absl::NotFoundError(msg);
    case EACCES:
    case EPERM:
      return absl::PermissionDeniedError(msg);
    case ENOSPC:
    case EDQUOT:
      return absl::ResourceExhaustedError(msg);
    default:
      return absl::UnknownError(msg);
  }
}

absl::StatusOr<int> OpenForRead(const std::filesystem::path& path) {
  int fd;
  do {
    fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) return ErrnoError(path, "cannot open", errno);
  return fd;
}

absl::StatusOr<int> CreateForWrite(const std::filesystem::path& path) {
  int fd;
  do {
    fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) return ErrnoError(path, "cannot create", errno);
  return fd;
}

absl::StatusOr<uint64_t> FileSize(int fd, const std::filesystem::path& path) {
  struct stat st;
  if (::fstat(fd, &st) != 0) return ErrnoError(path, "stat failed", errno);
  if (!S_ISREG(st.st_mode)) return absl::FailedPreconditionError(absl::StrCat(path.string(), ": not a regular file"));
  return static_cast<uint64_t>(st.st_size);
}

absl::Status WriteAll(int fd, const void* data, size_t n, const std::filesystem::path& path) {
  const char* p = static_cast<const char*>(data);
  while (n > 0) {
    const ssize_t w = ::write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return ErrnoError(path, "write failed", errno);
    }
    p += w;
    n -= static_cast<size_t>(w);
  }
  return absl::OkStatus();
}

absl::Status PreadAll(int fd, void* data, size_t n, uint64_t offset, const std::filesystem::path& path) {
  char* p = static_cast<char*>(data);
  while (n > 0) {
    const ssize_t r = ::pread(fd, p, n, static_cast<off_t>(offset));
    if (r < 0) {
      if (errno == EINTR) continue;
      return ErrnoError(path, absl::StrCat("read at byte ", offset, " failed"), errno);
    }
    if (r == 0) {
      return absl::DataLossError(
          absl::StrCat(path.string(), "@", offset, ": file ends early (saw end of file, expected ", n, " more bytes)"));
    }
    p += r;
    n -= static_cast<size_t>(r);
    offset += static_cast<uint64_t>(r);
  }
  return absl::OkStatus();
}

absl::Status Fsync(int fd, const std::filesystem::path& path) {
  if (::fsync(fd) != 0) return ErrnoError(path, "fsync failed", errno);
  return absl::OkStatus();
}

absl::Status FsyncDir(const std::filesystem::path& dir) {
  const std::filesystem::path d = dir.empty() ? std::filesystem::path(".") : dir;
  int fd;
  do {
    fd = ::open(d.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) return ErrnoError(d, "cannot open directory", errno);
  absl::Status s = Fsync(fd, d);
  ::close(fd);
  return s;
}

absl::Status Rename(const std::filesystem::path& from, const std::filesystem::path& to) {
  if (std::rename(from.c_str(), to.c_str()) != 0) {
    return ErrnoError(from, absl::StrCat("rename to ", to.string(), " failed"), errno);
  }
  return absl::OkStatus();
}

absl::Status CloseFd(int fd, const std::filesystem::path& path) {
  // No retry on EINTR: on Linux the descriptor is released even when close() reports it.
  if (::close(fd) != 0 && errno != EINTR) return ErrnoError(path, "close failed", errno);
  return absl::OkStatus();
}

}  // namespace rwkvkit::binidx::internal

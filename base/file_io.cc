// base/file_io.cc — see file_io.h.
#include "base/file_io.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <system_error>
#include <utility>

#include "absl/strings/str_cat.h"

namespace rwkvkit::base {

absl::Status ErrnoError(const std::filesystem::path& path, std::string_view what, int err) {
  std::string msg = absl::StrCat(path.string(), ": ", std::string(what), " (", std::strerror(err), ")");
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
      return absl::UnavailableError(msg);
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

absl::Status FlushAndSync(std::FILE* f, const std::filesystem::path& path) {
  if (std::fflush(f) != 0) return ErrnoError(path, "write failed", errno);
  return Fsync(fileno(f), path);
}

void StartWriteBack(int fd) {
#if defined(__linux__)
  ::sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE);  // offset 0, length 0: the whole file
#else
  (void)fd;
#endif
}

absl::StatusOr<std::string> ReadFile(const std::filesystem::path& path) {
  absl::StatusOr<int> fd = OpenForRead(path);
  if (!fd.ok()) return fd.status();
  absl::StatusOr<uint64_t> size = FileSize(*fd, path);
  std::string out;
  absl::Status s = size.status();
  if (s.ok()) {
    out.resize(*size);
    s = PreadAll(*fd, out.data(), out.size(), 0, path);
  }
  ::close(*fd);
  if (!s.ok()) return s;
  return out;
}

absl::StatusOr<MappedFile> MappedFile::Open(const std::filesystem::path& path) {
  absl::StatusOr<int> fd = OpenForRead(path);
  if (!fd.ok()) return fd.status();
  absl::StatusOr<uint64_t> size = FileSize(*fd, path);
  void* data = MAP_FAILED;
  if (size.ok() && *size > 0) data = ::mmap(nullptr, *size, PROT_READ, MAP_PRIVATE, *fd, 0);
  ::close(*fd);
  if (!size.ok()) return size.status();
  if (data != MAP_FAILED) return MappedFile(data, static_cast<size_t>(*size));
  if (*size == 0) return MappedFile(std::string());
  // No mmap on this file system (ENODEV, EINVAL on some FUSE and network mounts): read it.
  absl::StatusOr<std::string> contents = ReadFile(path);
  if (!contents.ok()) return contents.status();
  return MappedFile(*std::move(contents));
}

MappedFile::MappedFile(MappedFile&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)), size_(std::exchange(other.size_, 0)), read_(std::move(other.read_)) {}

MappedFile& MappedFile::operator=(MappedFile&& other) noexcept {
  if (this != &other) {
    if (data_ != nullptr) ::munmap(data_, size_);
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
    read_ = std::move(other.read_);
  }
  return *this;
}

MappedFile::~MappedFile() {
  if (data_ != nullptr) ::munmap(data_, size_);
}

absl::Status CutBackAndRead(const std::filesystem::path& path, uint64_t bytes, void* out) {
  std::error_code ec;
  const uint64_t size = std::filesystem::file_size(path, ec);
  if (ec) return ErrnoError(path, "cannot read", ec.value());
  if (size < bytes)
    return absl::DataLossError(absl::StrCat(path.string(), ": shorter than its checkpoint (saw ", size,
                                            " bytes, expected at least ", bytes, ")"));
  if (::truncate(path.c_str(), static_cast<off_t>(bytes)) != 0) return ErrnoError(path, "cannot cut back", errno);
  if (out == nullptr || bytes == 0) return absl::OkStatus();
  absl::StatusOr<int> fd = OpenForRead(path);
  if (!fd.ok()) return fd.status();
  absl::Status s = PreadAll(*fd, out, bytes, 0, path);
  ::close(*fd);
  return s;
}

absl::Status WriteFileAtomically(const std::filesystem::path& path, std::string_view contents) {
  absl::StatusOr<AtomicFileWriter> w = AtomicFileWriter::Create(path);
  if (!w.ok()) return w.status();
  if (absl::Status s = w->Append(contents); !s.ok()) return s;
  return w->Commit();
}

absl::Status MoveFile(const std::filesystem::path& from, const std::filesystem::path& to) {
  if (std::rename(from.c_str(), to.c_str()) == 0) return absl::OkStatus();
  if (errno != EXDEV) return ErrnoError(to, "cannot rename into place", errno);
  absl::StatusOr<AtomicFileWriter> w = AtomicFileWriter::Create(to);
  if (!w.ok()) return w.status();
  absl::StatusOr<int> in = OpenForRead(from);
  if (!in.ok()) return in.status();
  std::string buf(1 << 20, '\0');
  absl::Status s;
  for (uint64_t at = 0; s.ok();) {
    const ssize_t r = ::pread(*in, buf.data(), buf.size(), static_cast<off_t>(at));
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) s = ErrnoError(from, "cannot copy", errno);
    if (r <= 0) break;
    s = w->Append(std::string_view(buf.data(), static_cast<size_t>(r)));
    at += static_cast<uint64_t>(r);
  }
  ::close(*in);
  if (s.ok()) s = w->Commit();
  if (!s.ok()) return s;
  std::error_code ec;
  std::filesystem::remove(from, ec);
  return absl::OkStatus();
}

absl::StatusOr<AtomicFileWriter> AtomicFileWriter::Create(const std::filesystem::path& path,
                                                          std::filesystem::path temp) {
  if (temp.empty()) temp = path.string() + ".tmp";
  std::FILE* f = std::fopen(temp.c_str(), "wbe");  // "e": O_CLOEXEC
  if (f == nullptr) return ErrnoError(temp, "cannot create", errno);
  return AtomicFileWriter(path, std::move(temp), f);
}

AtomicFileWriter::AtomicFileWriter(AtomicFileWriter&& o) noexcept
    : path_(std::move(o.path_)), temp_(std::move(o.temp_)), file_(std::exchange(o.file_, nullptr)),
      error_(std::move(o.error_)) {}

AtomicFileWriter::~AtomicFileWriter() {
  if (file_ == nullptr) return;
  std::fclose(file_);
  ::unlink(temp_.c_str());
}

absl::Status AtomicFileWriter::Fail(absl::Status s) {
  if (file_ != nullptr) {
    std::fclose(std::exchange(file_, nullptr));
    ::unlink(temp_.c_str());  // a full disk must not leave an empty `<name>.tmp` behind
  }
  error_ = s;
  return s;
}

absl::Status AtomicFileWriter::Append(std::string_view bytes) {
  if (!error_.ok()) return error_;
  if (file_ == nullptr) return absl::FailedPreconditionError(absl::StrCat(temp_.string(), ": already committed"));
  if (!bytes.empty() && std::fwrite(bytes.data(), 1, bytes.size(), file_) != bytes.size())
    return Fail(ErrnoError(temp_, "write failed", errno));
  return absl::OkStatus();
}

absl::Status AtomicFileWriter::Commit() {
  if (!error_.ok()) return error_;
  if (file_ == nullptr) return absl::FailedPreconditionError(absl::StrCat(temp_.string(), ": already committed"));
  if (absl::Status s = FlushAndSync(file_, temp_); !s.ok()) return Fail(s);
  if (std::fclose(std::exchange(file_, nullptr)) != 0) {
    const int err = errno;
    ::unlink(temp_.c_str());
    return error_ = ErrnoError(temp_, "close failed", err);
  }
  if (std::rename(temp_.c_str(), path_.c_str()) != 0) {
    const int err = errno;
    ::unlink(temp_.c_str());
    return error_ = ErrnoError(path_, "rename failed", err);
  }
  return FsyncDir(path_.parent_path());
}

}  // namespace rwkvkit::base

// base/file_io.h — the one careful file layer: POSIX calls with absl::Status errors that name
// the path, whole-file reads, and atomic publication (write a temporary name, fsync, rename,
// fsync the directory), so a file that exists under its final name is complete; StartWriteBack
// lets a long write's fsync find less left to do.
//
// No buffering of its own except AtomicFileWriter's stdio stream. Thread-safe: the functions
// hold no state; one AtomicFileWriter belongs to one thread. Depends on Abseil only.
#ifndef RWKVKIT_BASE_FILE_IO_H_
#define RWKVKIT_BASE_FILE_IO_H_

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace rwkvkit::base {

// "<path>: <what> (<strerror(err)>)". The code follows `err`: kNotFound for ENOENT and
// ENOTDIR, kPermissionDenied for EACCES and EPERM, kResourceExhausted for ENOSPC and EDQUOT,
// kUnavailable for anything else (EIO, EFBIG, ...).
absl::Status ErrnoError(const std::filesystem::path& path, std::string_view what, int err);

// OpenForRead() / CreateForWrite()
// A file descriptor with O_CLOEXEC. CreateForWrite truncates an existing file (mode 0644).
absl::StatusOr<int> OpenForRead(const std::filesystem::path& path);
absl::StatusOr<int> CreateForWrite(const std::filesystem::path& path);

// Size in bytes of an open regular file.
absl::StatusOr<uint64_t> FileSize(int fd, const std::filesystem::path& path);

// Writes all `n` bytes, retrying short writes and EINTR.
absl::Status WriteAll(int fd, const void* data, size_t n, const std::filesystem::path& path);

// Reads exactly `n` bytes at `offset`; kDataLoss "<path>@<offset>: ..." when the file ends first.
absl::Status PreadAll(int fd, void* data, size_t n, uint64_t offset, const std::filesystem::path& path);

// Fsync() / FsyncDir() / Rename() / CloseFd()
absl::Status Fsync(int fd, const std::filesystem::path& path);
absl::Status FsyncDir(const std::filesystem::path& dir);
absl::Status Rename(const std::filesystem::path& from, const std::filesystem::path& to);
absl::Status CloseFd(int fd, const std::filesystem::path& path);

// Flushes a stdio stream and fsyncs its file (a checkpoint of an append-only file).
absl::Status FlushAndSync(std::FILE* f, const std::filesystem::path& path);

// StartWriteBack()
// Asks the kernel to start writing `fd`'s dirty pages out now, without waiting for them (Linux:
// sync_file_range; elsewhere nothing), so that a later Fsync finds less to wait for. A hint:
// Fsync still decides durability and reports write errors.
void StartWriteBack(int fd);

// ReadFile()
// The whole contents of `path`; kNotFound when it does not exist, kFailedPrecondition for a
// directory or other non-regular file.
absl::StatusOr<std::string> ReadFile(const std::filesystem::path& path);

// MappedFile: the whole contents of a regular file, mapped read-only instead of copied into a
// fresh buffer (no zero-fill, no copy, no anonymous pages to fault in and give back): for
// large inputs read once, such as the tokenizer's files at load. Where the file system cannot
// map (some FUSE and network mounts) the file is read with ReadFile() instead; an empty file
// gives an empty view with a non-null data(). Open() fails as ReadFile() does. Cutting the
// file shorter while it is mapped makes a read past its new end fault (SIGBUS): map only
// files that are replaced by rename, never rewritten in place, and keep the mapping only as
// long as it is read.
class MappedFile {
 public:
  static absl::StatusOr<MappedFile> Open(const std::filesystem::path& path);
  MappedFile(MappedFile&& other) noexcept;
  MappedFile& operator=(MappedFile&& other) noexcept;
  ~MappedFile();
  std::string_view bytes() const {
    return data_ != nullptr ? std::string_view(static_cast<const char*>(data_), size_) : std::string_view(read_);
  }

 private:
  MappedFile(void* data, size_t size) : data_(data), size_(size) {}
  explicit MappedFile(std::string read) : data_(nullptr), size_(0), read_(std::move(read)) {}
  void* data_;  // the mapping; null when the file was read into `read_` (or is empty)
  size_t size_;
  std::string read_;
};

// CutBackAndRead()
// Truncates `path` to its first `bytes` bytes and reads them into `out` (unless null): the
// reload of an append-only log at a checkpoint. kDataLoss when the file is shorter.
absl::Status CutBackAndRead(const std::filesystem::path& path, uint64_t bytes, void* out);

// Writes `contents` to `path` atomically (temporary `<path>.tmp`, fsync, rename, fsync the
// directory); on failure the temporary file is removed and `path` is as it was.
absl::Status WriteFileAtomically(const std::filesystem::path& path, std::string_view contents);

// MoveFile()
// rename(2), or across file systems a copy published like WriteFileAtomically (the source
// is removed after); on failure `to` is as it was.
absl::Status MoveFile(const std::filesystem::path& from, const std::filesystem::path& to);

// AtomicFileWriter: WriteFileAtomically for output written piece by piece. Create() makes
// the temporary file; Commit() flushes, fsyncs, renames it over `path` and fsyncs the
// directory. A writer destroyed (or failed) before Commit() removes its temporary file, so
// `path` keeps what it held.
class AtomicFileWriter {
 public:
  // `temp` defaults to "<path>.tmp".
  static absl::StatusOr<AtomicFileWriter> Create(const std::filesystem::path& path,
                                                 std::filesystem::path temp = {});
  AtomicFileWriter(AtomicFileWriter&& o) noexcept;
  AtomicFileWriter& operator=(AtomicFileWriter&&) = delete;
  ~AtomicFileWriter();

  // The first failure is kept and returned by every later call.
  absl::Status Append(std::string_view bytes);
  absl::Status Commit();
  const std::filesystem::path& temp_path() const { return temp_; }

 private:
  AtomicFileWriter(std::filesystem::path path, std::filesystem::path temp, std::FILE* f)
      : path_(std::move(path)), temp_(std::move(temp)), file_(f) {}
  absl::Status Fail(absl::Status s);

  std::filesystem::path path_, temp_;
  std::FILE* file_ = nullptr;
  absl::Status error_;
};

}  // namespace rwkvkit::base

#endif  // RWKVKIT_BASE_FILE_IO_H_

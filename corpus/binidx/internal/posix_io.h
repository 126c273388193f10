// corpus/binidx/internal/posix_io.h — the few POSIX file calls the shard writer and reader
// need, returning absl::Status with the path and errno text in the message.
//
// Not a general file layer: no buffering here (the writer buffers). Thread-safe: the
// functions hold no state; concurrent calls on one fd are the caller's business.
#ifndef RWKVKIT_CORPUS_BINIDX_INTERNAL_POSIX_IO_H_
#define RWKVKIT_CORPUS_BINIDX_INTERNAL_POSIX_IO_H_

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace rwkvkit::binidx::internal {

// "<path>: <what> (<strerror(err)>)". The code follows `err`: kNotFound for ENOENT and
// ENOTDIR, kPermissionDenied for EACCES and EPERM, kResourceExhausted for ENOSPC and EDQUOT,
// kUnknown for anything else (EIO, ...).
absl::Status ErrnoError(const std::filesystem::path& path, const std::string& what, int err);

// OpenForRead() / CreateForWrite()
// A file descriptor with O_CLOEXEC. CreateForWrite truncates an existing file (mode 0644).
absl::StatusOr<int> OpenForRead(const std::filesystem::path& path);
absl::StatusOr<int> CreateForWrite(const std::filesystem::path& path);

// Size in bytes of an open file.
absl::StatusOr<uint64_t> FileSize(int fd, const std::filesystem::path& path);

// WriteAll()
// Writes all `n` bytes, retrying short writes and EINTR.
absl::Status WriteAll(int fd, const void* data, size_t n, const std::filesystem::path& path);

// PreadAll()
// Reads exactly `n` bytes at `offset`; kDataLoss "<path>@<offset>: ..." when the file ends first.
absl::Status PreadAll(int fd, void* data, size_t n, uint64_t offset, const std::filesystem::path& path);

// Fsync() / FsyncDir() / Rename() / CloseFd()
absl::Status Fsync(int fd, const std::filesystem::path& path);
absl::Status FsyncDir(const std::filesystem::path& dir);
absl::Status Rename(const std::filesystem::path& from, const std::filesystem::path& to);
absl::Status CloseFd(int fd, const std::filesystem::path& path);

}  // namespace rwkvkit::binidx::internal

#endif  // RWKVKIT_CORPUS_BINIDX_INTERNAL_POSIX_IO_H_

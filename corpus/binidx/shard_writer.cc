// corpus/binidx/shard_writer.cc — binidx shard writer (shard_writer.h).
#include "corpus/binidx/shard_writer.h"

#include <unistd.h>

#include <bit>
#include <cstring>
#include <limits>
#include <utility>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "corpus/binidx/binidx_format.h"
#include "base/file_io.h"

namespace rwkvkit::binidx {
namespace {

// Large enough that write() calls cost nothing next to tokenizing; small enough to be
// irrelevant to memory.
constexpr size_t kBufferBytes = 1 << 20;

// Appends the little-endian bytes of `v` to `out`.
template <typename T>
void AppendLE(std::string& out, T v) {
  char b[sizeof(T)];
  StoreLE<T>(v, b);
  out.append(b, sizeof(T));
}

}  // namespace

std::filesystem::path BinPath(const std::filesystem::path& prefix) { return std::filesystem::path(prefix.string() + ".bin"); }
std::filesystem::path IdxPath(const std::filesystem::path& prefix) { return std::filesystem::path(prefix.string() + ".idx"); }
std::filesystem::path TempPath(const std::filesystem::path& final_path) {
  return std::filesystem::path(final_path.string() + ".tmp");
}

absl::StatusOr<ShardWriter> ShardWriter::Create(const std::filesystem::path& prefix) {
  if (prefix.empty() || !prefix.has_filename()) {
    return absl::InvalidArgumentError(absl::StrCat("'", prefix.string(), "': a shard prefix needs a file name"));
  }
  RWKVKIT_ASSIGN_OR_RETURN(int fd, base::CreateForWrite(TempPath(BinPath(prefix))));
  return ShardWriter(prefix, fd);
}

ShardWriter::ShardWriter(std::filesystem::path prefix, int bin_fd)
    : prefix_(std::move(prefix)), bin_fd_(bin_fd), owns_files_(true) {
  buffer_.reserve(kBufferBytes);
}

ShardWriter::ShardWriter(ShardWriter&& other) noexcept
    : prefix_(std::move(other.prefix_)),
      bin_fd_(std::exchange(other.bin_fd_, -1)),
      buffer_(std::move(other.buffer_)),
      sizes_(std::move(other.sizes_)),
      tokens_(other.tokens_),
      error_(std::move(other.error_)),
      finished_(other.finished_),
      owns_files_(std::exchange(other.owns_files_, false)) {}

ShardWriter& ShardWriter::operator=(ShardWriter&& other) noexcept {
  if (this != &other) {
    RemoveTempFiles();
    prefix_ = std::move(other.prefix_);
    bin_fd_ = std::exchange(other.bin_fd_, -1);
    buffer_ = std::move(other.buffer_);
    sizes_ = std::move(other.sizes_);
    tokens_ = other.tokens_;
    error_ = std::move(other.error_);
    finished_ = other.finished_;
    owns_files_ = std::exchange(other.owns_files_, false);
  }
  return *this;
}

ShardWriter::~ShardWriter() { RemoveTempFiles(); }

void ShardWriter::RemoveTempFiles() noexcept {
  if (bin_fd_ >= 0) ::close(bin_fd_);
  bin_fd_ = -1;
  if (owns_files_ && !finished_) {
    // Both may exist when Finish() failed half-way; unlink errors are moot here.
    ::unlink(TempPath(BinPath(prefix_)).c_str());
    ::unlink(TempPath(IdxPath(prefix_)).c_str());
  }
  owns_files_ = false;
}

absl::Status ShardWriter::Fail(absl::Status s) {
  if (error_.ok()) error_ = s;
  return s;
}

absl::Status ShardWriter::CheckWritable() const {
  if (!error_.ok()) {
    return absl::FailedPreconditionError(
        absl::StrCat(prefix_.string(), ": shard writer failed earlier: ", std::string(error_.message())));
  }
  if (finished_ || !owns_files_) {
    return absl::FailedPreconditionError(absl::StrCat(prefix_.string(), ": shard writer already finished"));
  }
  return absl::OkStatus();
}

absl::Status ShardWriter::FlushBuffer() {
  absl::Status s = base::WriteAll(bin_fd_, buffer_.data(), buffer_.size(), TempPath(BinPath(prefix_)));
  // The write-back starts now, so that the fsync that publishes the shard finds little left.
  if (s.ok()) base::StartWriteBack(bin_fd_);
  buffer_.clear();
  return s.ok() ? s : Fail(s);
}

absl::Status ShardWriter::AddDocument(std::span<const uint16_t> tokens) {
  RWKVKIT_RETURN_IF_ERROR(CheckWritable());
  if (tokens.size() > static_cast<size_t>(std::numeric_limits<int32_t>::max())) {
    // Not sticky: the shard so far is intact and the caller may skip this document.
    return absl::InvalidArgumentError(absl::StrCat(prefix_.string(), ": document ", sizes_.size(), " has ",
                                                   tokens.size(), " tokens; a binidx sequence holds at most ",
                                                   std::numeric_limits<int32_t>::max(), " (int32 sizes)"));
  }
  const size_t n_bytes = tokens.size() * kTokenBytes;
  size_t done = 0;
  while (done < n_bytes) {
    if (buffer_.size() == kBufferBytes) RWKVKIT_RETURN_IF_ERROR(FlushBuffer());
    const size_t take = std::min(n_bytes - done, kBufferBytes - buffer_.size());
    const size_t old = buffer_.size();
    buffer_.resize(old + take);
    if constexpr (std::endian::native == std::endian::little) {
      std::memcpy(buffer_.data() + old, reinterpret_cast<const char*>(tokens.data()) + done, take);
    } else {
      for (size_t i = 0; i < take / kTokenBytes; ++i) {
        StoreLE<uint16_t>(tokens[done / kTokenBytes + i], buffer_.data() + old + i * kTokenBytes);
      }
    }
    done += take;
  }
  sizes_.push_back(static_cast<int32_t>(tokens.size()));
  tokens_ += tokens.size();
  return absl::OkStatus();
}

absl::StatusOr<uint64_t> ShardWriter::WriteIndex(const std::filesystem::path& idx_tmp) const {
  RWKVKIT_ASSIGN_OR_RETURN(int fd, base::CreateForWrite(idx_tmp));
  const uint64_t n = sizes_.size();
  std::string out;
  out.reserve(kBufferBytes + 64);
  out.append(kMagic.data(), kMagic.size());
  AppendLE<uint64_t>(out, kVersion);
  AppendLE<uint8_t>(out, kDtypeUint16);
  AppendLE<uint64_t>(out, n);
  AppendLE<uint64_t>(out, n + 1);  // doc_idx = 0..N: one sequence per document
  absl::Status s;
  uint64_t written = 0;
  auto maybe_flush = [&](bool force) {
    if (s.ok() && (force || out.size() >= kBufferBytes)) {
      s = base::WriteAll(fd, out.data(), out.size(), idx_tmp);
      written += out.size();
      out.clear();
    }
  };
  for (int32_t size : sizes_) {
    AppendLE<int32_t>(out, size);
    maybe_flush(false);
  }
  int64_t pointer = 0;
  for (int32_t size : sizes_) {
    AppendLE<int64_t>(out, pointer);
    pointer += static_cast<int64_t>(size) * static_cast<int64_t>(kTokenBytes);
    maybe_flush(false);
  }
  for (uint64_t i = 0; i <= n; ++i) {
    AppendLE<int64_t>(out, static_cast<int64_t>(i));
    maybe_flush(false);
  }
  maybe_flush(true);
  if (s.ok()) s = base::Fsync(fd, idx_tmp);
  absl::Status c = base::CloseFd(fd, idx_tmp);
  if (s.ok()) s = c;
  if (!s.ok()) return s;
  return written;
}

absl::StatusOr<ShardSummary> ShardWriter::Finish() {
  RWKVKIT_RETURN_IF_ERROR(CheckWritable());
  const std::filesystem::path bin = BinPath(prefix_), idx = IdxPath(prefix_);
  const std::filesystem::path bin_tmp = TempPath(bin), idx_tmp = TempPath(idx);
  if (!buffer_.empty()) RWKVKIT_RETURN_IF_ERROR(FlushBuffer());
  if (absl::Status s = base::Fsync(bin_fd_, bin_tmp); !s.ok()) return Fail(s);
  absl::Status closed = base::CloseFd(std::exchange(bin_fd_, -1), bin_tmp);
  if (!closed.ok()) return Fail(closed);
  absl::StatusOr<uint64_t> idx_bytes = WriteIndex(idx_tmp);
  if (!idx_bytes.ok()) return Fail(idx_bytes.status());
  // .bin first: a crash between the two renames leaves a .bin without its .idx, which no
  // reader accepts, never an .idx that describes a missing or older .bin.
  if (absl::Status s = base::Rename(bin_tmp, bin); !s.ok()) return Fail(s);
  if (absl::Status s = base::Rename(idx_tmp, idx); !s.ok()) {
    ::unlink(bin.c_str());  // the new .bin must not stand beside an old or missing .idx
    return Fail(s);
  }
  finished_ = true;
  if (absl::Status s = base::FsyncDir(prefix_.parent_path()); !s.ok()) return Fail(s);
  ShardSummary summary;
  summary.bin_path = bin;
  summary.idx_path = idx;
  summary.documents = sizes_.size();
  summary.tokens = tokens_;
  summary.bin_bytes = tokens_ * kTokenBytes;
  summary.idx_bytes = *idx_bytes;
  return summary;
}

}  // namespace rwkvkit::binidx

// corpus/input/block_reader.cc — see block_reader.h.
#include "corpus/input/block_reader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace rwkvkit::corpus {

struct BlockReader::Impl {
  std::string path;
  int fd = -1;
  uint64_t size = 0;
  uint64_t consumed = 0;  // file bytes read
  bool zstd = false;
  ZSTD_DStream* ds = nullptr;
  std::string in;          // compressed bytes not yet consumed by zstd
  size_t in_pos = 0;
  size_t last_ret = 0;     // ZSTD_decompressStream's last hint: 0 = at a frame end
  bool eof = false;        // the file is exhausted (and, for zstd, drained)
  std::string carry;       // decompressed bytes after the last complete line
  uint64_t next_line = 1;
  absl::Status pending;    // an error to return once the lines before it are out

  ~Impl() {
    if (ds != nullptr) ZSTD_freeDStream(ds);
    if (fd >= 0) ::close(fd);
  }

  // Appends up to `want` more file bytes to `dst`; 0 at end of file.
  absl::StatusOr<size_t> ReadFile(std::string& dst, size_t want) {
    const size_t old = dst.size();
    dst.resize(old + want);
    for (;;) {
      const ssize_t r = ::read(fd, dst.data() + old, want);
      if (r < 0 && errno == EINTR) continue;
      if (r < 0) {
        dst.resize(old);
        return absl::DataLossError(absl::StrCat(path, "@", consumed, ": read failed (", std::strerror(errno), ")"));
      }
      dst.resize(old + static_cast<size_t>(r));
      consumed += static_cast<uint64_t>(r);
      return static_cast<size_t>(r);
    }
  }

  // Appends about `want` more decompressed bytes to `dst`; sets eof at the end.
  absl::Status Fill(std::string& dst, size_t want) {
    if (!zstd) {
      absl::StatusOr<size_t> got = ReadFile(dst, want);
      if (!got.ok()) return got.status();
      if (*got == 0) eof = true;
      return absl::OkStatus();
    }
    const size_t target = dst.size() + want;
    while (dst.size() < target) {
      if (in_pos == in.size()) {
        in.clear();
        in_pos = 0;
        absl::StatusOr<size_t> got = ReadFile(in, ZSTD_DStreamInSize());
        if (!got.ok()) return got.status();
        if (*got == 0) {
          eof = true;
          if (last_ret != 0)
            return absl::DataLossError(absl::StrCat(path, "@", consumed, ": truncated zstd frame (the file ends inside a frame)"));
          return absl::OkStatus();
        }
      }
      const size_t old = dst.size();
      dst.resize(old + ZSTD_DStreamOutSize());
      ZSTD_inBuffer ib{in.data(), in.size(), in_pos};
      ZSTD_outBuffer ob{dst.data() + old, ZSTD_DStreamOutSize(), 0};
      const size_t ret = ZSTD_decompressStream(ds, &ob, &ib);
      dst.resize(old + ob.pos);
      if (ZSTD_isError(ret)) {
        eof = true;
        return absl::DataLossError(absl::StrCat(path, "@", consumed - (in.size() - ib.pos),
                                                ": corrupt zstd data (", ZSTD_getErrorName(ret), ")"));
      }
      in_pos = ib.pos;
      last_ret = ret;
    }
    return absl::OkStatus();
  }
};

BlockReader::BlockReader(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
BlockReader::BlockReader(BlockReader&&) noexcept = default;
BlockReader& BlockReader::operator=(BlockReader&&) noexcept = default;
BlockReader::~BlockReader() = default;

absl::StatusOr<BlockReader> BlockReader::Open(const std::filesystem::path& path) {
  auto impl = std::make_unique<Impl>();
  impl->path = path.string();
  impl->fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (impl->fd < 0) {
    const int err = errno;
    const std::string msg = absl::StrCat(impl->path, ": cannot open (", std::strerror(err), ")");
    return err == ENOENT ? absl::NotFoundError(msg) : absl::PermissionDeniedError(msg);
  }
  struct stat st{};
  if (::fstat(impl->fd, &st) == 0) impl->size = static_cast<uint64_t>(st.st_size);
  unsigned char magic[4] = {};
  const ssize_t r = ::pread(impl->fd, magic, 4, 0);
  impl->zstd = r == 4 && magic[0] == 0x28 && magic[1] == 0xB5 && magic[2] == 0x2F && magic[3] == 0xFD;
  if (impl->zstd) {
    impl->ds = ZSTD_createDStream();
    if (impl->ds == nullptr) return absl::ResourceExhaustedError("cannot create a zstd stream");
    ZSTD_initDStream(impl->ds);
  }
  return BlockReader(std::move(impl));
}

absl::StatusOr<bool> BlockReader::Next(LineBlock& block, size_t block_bytes) {
  Impl& m = *impl_;
  block.data.clear();
  block.starts.clear();
  block.first_line = m.next_line;
  if (!m.pending.ok() && m.carry.empty()) {
    absl::Status s = m.pending;
    m.pending = absl::OkStatus();
    return s;
  }
  block.data.swap(m.carry);
  while (!m.eof && m.pending.ok() && block.data.size() < block_bytes) {
    if (absl::Status s = m.Fill(block.data, block_bytes - block.data.size()); !s.ok()) m.pending = s;
  }
  if (block.data.empty()) {
    if (!m.pending.ok()) {
      absl::Status s = m.pending;
      m.pending = absl::OkStatus();
      return s;
    }
    return false;
  }
  // Keep the bytes after the last newline for the next block, unless the file ended.
  size_t usable = block.data.size();
  if (!m.eof && m.pending.ok()) {
    const size_t nl = block.data.rfind('\n');
    if (nl == std::string::npos) {  // one line longer than the block: read on
      m.carry.swap(block.data);
      return Next(block, block_bytes * 2);
    }
    usable = nl + 1;
  } else if (!m.pending.ok()) {
    // Damaged stream: only complete lines count; the partial one is dropped with the error.
    const size_t nl = block.data.rfind('\n');
    usable = nl == std::string::npos ? 0 : nl + 1;
  }
  m.carry.assign(block.data, usable, std::string::npos);
  if (!m.pending.ok()) m.carry.clear();
  block.data.resize(usable);
  if (!block.data.empty() && block.data.back() != '\n') block.data.push_back('\n');  // last line, no newline
  for (size_t p = 0; p < block.data.size();) {
    block.starts.push_back(p);
    p = block.data.find('\n', p) + 1;
  }
  block.starts.push_back(block.data.size());
  m.next_line += block.size();
  if (block.size() == 0 && !m.pending.ok()) return Next(block, block_bytes);
  return block.size() > 0 || !m.eof ? true : false;
}

absl::StatusOr<std::string> BlockReader::ReadAll() {
  std::string all;
  while (!impl_->eof) {
    if (absl::Status s = impl_->Fill(all, 1 << 20); !s.ok()) return s;
  }
  return all;
}

bool BlockReader::compressed() const { return impl_->zstd; }
uint64_t BlockReader::bytes_consumed() const { return impl_->consumed; }
uint64_t BlockReader::file_size() const { return impl_->size; }

}  // namespace rwkvkit::corpus

// corpus/input/byte_stream.cc — see byte_stream.h.
#include "corpus/input/byte_stream.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "corpus/input/decoder.h"

namespace rwkvkit::corpus::input {
namespace {

constexpr size_t kReadBytes = 1 << 17;  // compressed bytes per read(2)

std::string KindOf(mode_t m) {
  if (S_ISDIR(m)) return "a directory";
  if (S_ISFIFO(m)) return "a FIFO (named pipe)";
  if (S_ISCHR(m)) return "a character device";
  if (S_ISBLK(m)) return "a block device";
  if (S_ISSOCK(m)) return "a socket";
  return "not a regular file";
}

absl::Status OpenError(const std::filesystem::path& path, int err) {
  const std::string msg = absl::StrCat(path.string(), ": cannot open (", std::strerror(err), ")");
  if (err == ENOENT || err == ENOTDIR) return absl::NotFoundError(msg);
  if (err == EACCES || err == EPERM) return absl::PermissionDeniedError(msg);
  return absl::FailedPreconditionError(msg);
}

}  // namespace

absl::StatusOr<int> OpenRegularFile(const std::filesystem::path& path, uint64_t& size) {
  // O_NONBLOCK: opening a FIFO must not wait for a writer; the check below refuses it anyway.
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return OpenError(path, errno);
  struct stat st{};
  if (::fstat(fd, &st) != 0) {
    const int err = errno;
    ::close(fd);
    return OpenError(path, err);
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    return absl::FailedPreconditionError(
        absl::StrCat(path.string(), ": ", KindOf(st.st_mode), ", not a regular file; rwkvkit reads regular files only"));
  }
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  size = static_cast<uint64_t>(st.st_size);
  return fd;
}

absl::StatusOr<SniffedFile> OpenAndSniff(const std::filesystem::path& path) {
  SniffedFile f;
  absl::StatusOr<int> fd = OpenRegularFile(path, f.size);
  if (!fd.ok()) return fd.status();
  f.fd = *fd;
  char head[kSniffBytes];
  ssize_t n;
  do n = ::pread(f.fd, head, sizeof head, 0);
  while (n < 0 && errno == EINTR);
  if (n < 0) {
    const int err = errno;
    ::close(f.fd);
    return absl::DataLossError(absl::StrCat(path.string(), "@0: read failed (", std::strerror(err), ")"));
  }
  absl::StatusOr<Container> c = SniffContainer(std::string_view(head, static_cast<size_t>(n)), path.string());
  if (!c.ok()) {
    ::close(f.fd);
    return c.status();
  }
  f.container = *c;
  return f;
}

struct ByteStream::Impl {
  std::string name;
  int fd = -1;
  uint64_t size = 0;
  uint64_t consumed = 0;  // file bytes read
  Container container = Container::kPlain;
  std::unique_ptr<Decoder> decoder;
  std::string in;          // file bytes read but not yet handed on (decoded or returned)
  size_t in_pos = 0;
  bool file_eof = false;   // read(2) returned 0
  bool done = false;       // everything returned (or an error ended the stream)
  // FromLines: the stream ends after the first newline at or after this file offset.
  uint64_t stop_from = UINT64_MAX;

  ~Impl() {
    if (fd >= 0) ::close(fd);
  }

  absl::Status Damage(uint64_t offset, const std::string& what) {
    done = true;
    return absl::DataLossError(absl::StrCat(name, "@", offset, ": ", what));
  }

  // Appends up to `want` file bytes to `in`; sets file_eof at the end.
  absl::Status ReadFile(size_t want) {
    const size_t old = in.size();
    in.resize(old + want);
    for (;;) {
      const ssize_t r = ::read(fd, in.data() + old, want);
      if (r < 0 && errno == EINTR) continue;
      if (r < 0) {
        in.resize(old);
        return Damage(consumed, absl::StrCat("read failed (", std::strerror(errno), ")"));
      }
      in.resize(old + static_cast<size_t>(r));
      consumed += static_cast<uint64_t>(r);
      if (r == 0) file_eof = true;
      return absl::OkStatus();
    }
  }

  // Drops the handed-on prefix of `in` before more is read.
  void Compact() {
    if (in_pos == 0) return;
    in.erase(0, in_pos);
    in_pos = 0;
  }
};

ByteStream::ByteStream(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ByteStream::ByteStream(ByteStream&&) noexcept = default;
ByteStream& ByteStream::operator=(ByteStream&&) noexcept = default;
ByteStream::~ByteStream() = default;

absl::StatusOr<ByteStream> ByteStream::Open(const std::filesystem::path& path) {
  auto impl = std::make_unique<Impl>();
  impl->name = path.string();
  absl::StatusOr<int> fd = OpenRegularFile(path, impl->size);
  if (!fd.ok()) return fd.status();
  impl->fd = *fd;
  return Start(std::move(impl));
}

absl::StatusOr<ByteStream> ByteStream::FromDescriptor(int fd, std::string name) {
  auto impl = std::make_unique<Impl>();
  impl->name = std::move(name);
  impl->fd = fd;
  struct stat st{};
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) impl->size = static_cast<uint64_t>(st.st_size);
  return Start(std::move(impl));
}

absl::StatusOr<ByteStream> ByteStream::FromLines(int fd, std::string name, uint64_t begin, uint64_t end) {
  auto impl = std::make_unique<Impl>();
  impl->name = std::move(name);
  impl->fd = fd;
  struct stat st{};
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) impl->size = static_cast<uint64_t>(st.st_size);
  if (begin >= end) {
    impl->done = true;
    return ByteStream(std::move(impl));
  }
  if (::lseek(fd, static_cast<off_t>(begin), SEEK_SET) < 0)
    return absl::DataLossError(absl::StrCat(impl->name, "@", begin, ": seek failed (", std::strerror(errno), ")"));
  impl->consumed = begin;
  impl->stop_from = end - 1;
  return ByteStream(std::move(impl));
}

// Reads the first bytes through the stream itself (a pipe cannot be read twice) and picks
// the decoder from them.
absl::StatusOr<ByteStream> ByteStream::Start(std::unique_ptr<Impl> impl) {
  while (impl->in.size() < kSniffBytes && !impl->file_eof)
    if (absl::Status s = impl->ReadFile(kSniffBytes - impl->in.size()); !s.ok()) return s;
  absl::StatusOr<Container> c = SniffContainer(impl->in, impl->name);
  if (!c.ok()) return c.status();
  impl->container = *c;
  if (*c == Container::kParquet)
    return absl::FailedPreconditionError(
        absl::StrCat(impl->name, ": a Parquet file, which is read as a whole file, not as a stream (give a file path)"));
  if (*c != Container::kPlain) {
    absl::StatusOr<std::unique_ptr<Decoder>> d = MakeDecoder(*c);
    if (!d.ok()) return d.status();
    impl->decoder = *std::move(d);
  }
  return ByteStream(std::move(impl));
}

absl::StatusOr<size_t> ByteStream::Read(std::string& dst, size_t want) {
  Impl& m = *impl_;
  const size_t start = dst.size();
  while (!m.done && dst.size() - start < want) {
    if (m.in_pos == m.in.size() && !m.file_eof) {
      m.Compact();
      if (absl::Status s = m.ReadFile(m.decoder ? kReadBytes : want - (dst.size() - start)); !s.ok()) return s;
    }
    const size_t room = want - (dst.size() - start);
    if (!m.decoder) {
      size_t n = std::min(room, m.in.size() - m.in_pos);
      bool last = false;
      if (m.stop_from != UINT64_MAX && n > 0) {  // FromLines: end after the line holding stop_from
        const uint64_t at = m.consumed - (m.in.size() - m.in_pos);  // the file offset of in[in_pos]
        const size_t from = at >= m.stop_from ? 0 : static_cast<size_t>(std::min<uint64_t>(m.stop_from - at, n));
        const size_t nl = std::string_view(m.in.data() + m.in_pos, n).find('\n', from);
        if (nl != std::string_view::npos) {
          n = nl + 1;
          last = true;
        }
      }
      dst.append(m.in, m.in_pos, n);
      m.in_pos += n;
      if ((n == 0 && m.file_eof) || last) m.done = true;
      continue;
    }
    std::string_view pending(m.in.data() + m.in_pos, m.in.size() - m.in_pos);
    const size_t before = dst.size(), pending_before = pending.size();
    absl::Status s = m.decoder->Decode(pending, dst, room);
    m.in_pos = m.in.size() - pending.size();
    if (!s.ok()) return m.Damage(m.consumed - pending.size(), std::string(s.message()));
    if (dst.size() > before || pending.size() < pending_before) continue;
    // No progress: the decoder needs more input, or the input is over.
    if (!m.file_eof) {
      m.Compact();
      if (absl::Status r = m.ReadFile(kReadBytes); !r.ok()) return r;
      continue;
    }
    m.done = true;
    if (absl::Status f = m.decoder->Finish(); !f.ok()) return m.Damage(m.consumed - pending.size(), std::string(f.message()));
  }
  return dst.size() - start;
}

Container ByteStream::container() const { return impl_->container; }
const std::string& ByteStream::name() const { return impl_->name; }
uint64_t ByteStream::bytes_consumed() const { return impl_->consumed; }
uint64_t ByteStream::file_size() const { return impl_->size; }

}  // namespace rwkvkit::corpus::input

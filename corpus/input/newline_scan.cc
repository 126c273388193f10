// corpus/input/newline_scan.cc — see newline_scan.h.
#include "corpus/input/newline_scan.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include "absl/strings/str_cat.h"

namespace rwkvkit::corpus::input {
namespace {

// Reads [begin, end) of `fd` in chunks of `chunk` bytes and hands each to `visit(data, size,
// offset)`, which returns false to stop. Returns where the reading stopped: `end`, the end of
// the file, or the end of the chunk that `visit` stopped at.
template <typename Visit>
absl::StatusOr<uint64_t> ForEachChunk(int fd, const std::filesystem::path& path, uint64_t begin, uint64_t end,
                                      size_t chunk, Visit visit) {
  std::vector<char> buf(chunk);
  uint64_t at = begin;
  while (at < end) {
    const size_t want = static_cast<size_t>(std::min<uint64_t>(buf.size(), end - at));
    ssize_t n;
    do n = ::pread(fd, buf.data(), want, static_cast<off_t>(at));
    while (n < 0 && errno == EINTR);
    if (n < 0)
      return absl::DataLossError(absl::StrCat(path.string(), "@", at, ": read failed (", std::strerror(errno), ")"));
    if (n == 0) break;  // the file ends before `end`
    const size_t got = static_cast<size_t>(n);
    const bool more = visit(buf.data(), got, at);
    at += got;
    if (!more) break;
  }
  return at;
}

}  // namespace

absl::StatusOr<NewlineCount> CountNewlines(int fd, const std::filesystem::path& path, uint64_t begin, uint64_t end) {
  NewlineCount count;
  const auto add = [&](const char* p, size_t n, uint64_t) {
    count.newlines += static_cast<uint64_t>(std::count(p, p + n, '\n'));
    return true;
  };
  absl::StatusOr<uint64_t> stop = ForEachChunk(fd, path, begin, end, size_t{1} << 20, add);
  if (!stop.ok()) return stop.status();
  count.end = *stop;
  return count;
}

absl::StatusOr<std::optional<uint64_t>> FindNewline(int fd, const std::filesystem::path& path, uint64_t begin,
                                                    uint64_t end) {
  // Small chunks: the caller looks for the end of one line.
  std::optional<uint64_t> found;
  const auto look = [&](const char* p, size_t n, uint64_t at) {
    const char* nl = static_cast<const char*>(std::memchr(p, '\n', n));
    if (nl != nullptr) found = at + static_cast<uint64_t>(nl - p) + 1;
    return nl == nullptr;
  };
  absl::StatusOr<uint64_t> stop = ForEachChunk(fd, path, begin, end, size_t{1} << 16, look);
  if (!stop.ok()) return stop.status();
  return found;
}

}  // namespace rwkvkit::corpus::input

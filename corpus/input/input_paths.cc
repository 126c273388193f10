// corpus/input/input_paths.cc — see input_paths.h.
#include "corpus/input/input_paths.h"

#include <glob.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "corpus/input/byte_stream.h"
#include "corpus/input/input_format.h"

namespace rwkvkit::corpus::input {
namespace {

// A regular file that can be opened for reading, in a format rwkvkit reads (opened, its
// first bytes sniffed, closed: the same checks as the readers make later, O_NONBLOCK so a
// FIFO cannot block here).
absl::Status CheckReadable(const std::filesystem::path& p) {
  absl::StatusOr<SniffedFile> f = OpenAndSniff(p);
  if (!f.ok()) return f.status();
  ::close(f->fd);
  return absl::OkStatus();
}

bool IsDirectory(const std::filesystem::path& p) {
  struct stat st{};
  return ::stat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

absl::Status AddDirectory(const std::filesystem::path& dir, std::string_view format,
                          std::vector<std::filesystem::path>& out) {
  std::error_code ec;
  size_t found = 0;
  for (auto it = std::filesystem::recursive_directory_iterator(dir, ec); !ec && it != std::filesystem::end(it);
       it.increment(ec)) {
    if (it->is_directory(ec) || !NameMatchesFormat(it->path().filename().string(), format)) continue;
    if (absl::Status s = CheckReadable(it->path()); !s.ok()) return s;
    out.push_back(it->path());
    ++found;
  }
  if (ec) return absl::PermissionDeniedError(absl::StrCat(dir.string(), ": cannot list (", ec.message(), ")"));
  if (found == 0)
    return absl::NotFoundError(absl::StrCat(dir.string(), ": directory holds no ",
                                            format == "auto" ? std::string("supported") : std::string(format),
                                            " files (", SupportedFormatsText(), ")"));
  return absl::OkStatus();
}

absl::Status AddGlob(const std::filesystem::path& pattern, std::vector<std::filesystem::path>& out) {
  glob_t g{};
  const int rc = ::glob(pattern.c_str(), GLOB_ERR, nullptr, &g);
  if (rc == GLOB_NOMATCH) {
    globfree(&g);
    return absl::NotFoundError(absl::StrCat(pattern.string(), ": pattern matches no file"));
  }
  if (rc != 0) {
    globfree(&g);
    return absl::PermissionDeniedError(absl::StrCat(pattern.string(), ": cannot expand pattern"));
  }
  absl::Status status;
  for (size_t i = 0; i < g.gl_pathc && status.ok(); ++i) {
    const std::filesystem::path p(g.gl_pathv[i]);
    if (IsDirectory(p)) continue;
    status = CheckReadable(p);
    if (status.ok()) out.push_back(p);
  }
  globfree(&g);
  return status;
}

}  // namespace

absl::StatusOr<std::vector<std::filesystem::path>> ExpandInputPaths(const std::vector<std::filesystem::path>& paths,
                                                                    std::string_view format) {
  std::vector<std::filesystem::path> out;
  for (const std::filesystem::path& p : paths) {
    absl::Status status;
    if (p.string().find_first_of("*?[") != std::string::npos) {
      status = AddGlob(p, out);
    } else if (IsDirectory(p)) {
      status = AddDirectory(p, format, out);
    } else {
      status = CheckReadable(p);
      if (status.ok()) out.push_back(p);
    }
    if (!status.ok()) return status;
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace rwkvkit::corpus::input

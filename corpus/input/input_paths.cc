// corpus/input/input_paths.cc — see input_paths.h.
#include "corpus/input/input_paths.h"

#include <glob.h>
#include <unistd.h>

#include <algorithm>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace rwkvkit::corpus {
namespace {

bool HasSuffix(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool MatchesFormat(const std::filesystem::path& p, std::string_view format) {
  const std::string name = p.filename().string();
  if (format == "jsonl") return HasSuffix(name, ".jsonl") || HasSuffix(name, ".json");
  if (format == "jsonl.zst") return HasSuffix(name, ".jsonl.zst") || HasSuffix(name, ".json.zst");
  return HasSuffix(name, ".txt");
}

absl::Status CheckReadable(const std::filesystem::path& p) {
  std::error_code ec;
  if (!std::filesystem::exists(p, ec)) return absl::NotFoundError(absl::StrCat(p.string(), ": no such file or directory"));
  if (::access(p.c_str(), R_OK) != 0) return absl::PermissionDeniedError(absl::StrCat(p.string(), ": not readable"));
  return absl::OkStatus();
}

absl::Status AddDirectory(const std::filesystem::path& dir, std::string_view format,
                          std::vector<std::filesystem::path>& out) {
  std::error_code ec;
  size_t found = 0;
  for (auto it = std::filesystem::recursive_directory_iterator(dir, ec); !ec && it != std::filesystem::end(it);
       it.increment(ec)) {
    if (!it->is_regular_file(ec) || !MatchesFormat(it->path(), format)) continue;
    if (absl::Status s = CheckReadable(it->path()); !s.ok()) return s;
    out.push_back(it->path());
    ++found;
  }
  if (ec) return absl::PermissionDeniedError(absl::StrCat(dir.string(), ": cannot list (", ec.message(), ")"));
  if (found == 0)
    return absl::NotFoundError(absl::StrCat(dir.string(), ": directory holds no ", std::string(format), " files"));
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
    std::error_code ec;
    if (std::filesystem::is_directory(p, ec)) continue;
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
    const std::string s = p.string();
    absl::Status status;
    std::error_code ec;
    if (s.find_first_of("*?[") != std::string::npos) status = AddGlob(p, out);
    else if (std::filesystem::is_directory(p, ec)) status = AddDirectory(p, format, out);
    else status = CheckReadable(p);
    if (!status.ok()) return status;
    if (s.find_first_of("*?[") == std::string::npos && !std::filesystem::is_directory(p, ec)) out.push_back(p);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace rwkvkit::corpus

// refmodel/eval/shard_set.cc — see shard_set.h.
#include "refmodel/eval/shard_set.h"

#include <algorithm>
#include <set>

#include "absl/strings/str_cat.h"

namespace rwkvkit::refmodel {
namespace {

bool Exists(const std::filesystem::path& p) {
  std::error_code ec;
  return std::filesystem::is_regular_file(p, ec);
}

std::filesystem::path WithExtension(const std::filesystem::path& prefix, const char* ext) {
  return std::filesystem::path(prefix.string() + ext);
}

}  // namespace

absl::StatusOr<std::vector<std::filesystem::path>> ResolveShards(const std::vector<std::string>& data) {
  std::vector<std::filesystem::path> out;
  std::set<std::filesystem::path> seen;
  auto add = [&](const std::filesystem::path& prefix) {
    if (seen.insert(prefix).second) out.push_back(prefix);
  };
  for (const std::string& arg : data) {
    const std::filesystem::path p(arg);
    std::error_code ec;
    if (std::filesystem::is_directory(p, ec)) {
      std::vector<std::filesystem::path> found;
      for (const auto& e : std::filesystem::directory_iterator(p, ec)) {
        if (e.path().extension() != ".idx") continue;
        std::filesystem::path prefix = e.path();
        prefix.replace_extension();
        if (Exists(WithExtension(prefix, ".bin"))) found.push_back(prefix);
      }
      if (found.empty()) return absl::NotFoundError(absl::StrCat(arg, ": directory holds no binidx shards (.bin + .idx)"));
      std::sort(found.begin(), found.end());
      for (const auto& f : found) add(f);
      continue;
    }
    std::filesystem::path prefix = p;
    if (p.extension() == ".idx" || p.extension() == ".bin") prefix.replace_extension();
    if (!Exists(WithExtension(prefix, ".bin")) || !Exists(WithExtension(prefix, ".idx")))
      return absl::NotFoundError(absl::StrCat(arg, ": no shard there (want PREFIX.bin and PREFIX.idx, or a directory)"));
    add(prefix);
  }
  return out;
}

}  // namespace rwkvkit::refmodel

// tests/fuzz/build_info_fuzzer.cc — fuzz target: the build.json reader as `rwkvkit stats`,
// eval and merge use it (corpus/build/build_json.h, ReadBuildJson in kReport mode).
//
// Input: the bytes of a build.json. Properties: ReadBuildJson fails with kDataLoss naming the
// file, or every shard's source runs name existing sources and add up to its documents.
#include <cstdint>
#include <string_view>

#include "corpus/build/build_json.h"
#include "absl/strings/match.h"
#include "tests/fuzz/fuzz_util.h"

using rwkvkit::fuzz::Check;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::filesystem::path& dir = rwkvkit::fuzz::ScratchDir();
  rwkvkit::fuzz::WriteFile(dir / "build.json", std::string_view(reinterpret_cast<const char*>(data), size));
  absl::StatusOr<rwkvkit::corpus::build::BuildJson> info = rwkvkit::corpus::build::ReadBuildJson(dir);
  if (!info.ok()) {
    Check(info.status().code() == absl::StatusCode::kDataLoss, "ReadBuildJson failed with another code");
    Check(absl::StartsWith(info.status().message(), (dir / "build.json").string()), "the error does not name build.json");
    return 0;
  }
  for (const rwkvkit::corpus::build::BuildShard& s : info->shards) {
    unsigned __int128 sum = 0;
    for (const auto& [source, count] : s.source_runs) {
      Check(source < info->sources.size(), "a source run names a source that does not exist");
      sum += count;
    }
    Check(sum == s.documents, "source runs do not add up to the shard's documents");
  }
  return 0;
}

// corpus/stats/build_info.h — what `rwkvkit stats` needs from a build's build.json.
//
// Reads the per-source counts (documents read/kept/written, drops by reason, repairs by kind,
// bytes, tokens, languages when the build ran --filters on), the near-dedup block, the
// manifest language of every source and the shard list with its source runs
// (docs/formats/build_json.md). Maps are read key by key, so reasons and repair kinds that a
// later build adds show up without a change here. Does not read the shards. Pure; depends on
// simdjson (error-code API only).
#ifndef RWKVKIT_CORPUS_STATS_BUILD_INFO_H_
#define RWKVKIT_CORPUS_STATS_BUILD_INFO_H_

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace rwkvkit::corpus::stats {

struct BuildCounts {
  uint64_t files = 0, documents_read = 0, documents_kept = 0, documents_written = 0;
  uint64_t bytes_in = 0, bytes_out = 0, tokens = 0;
  std::map<std::string, uint64_t> dropped;    // by reason (duplicate, near_duplicate, filter_*, ...)
  std::map<std::string, uint64_t> repairs;    // by kind
  std::map<std::string, uint64_t> languages;  // CLD2 at build time (only with --filters on)
  uint64_t file_errors = 0;
  // counts.filters (builds with --filters on): drops by filter, then reason; C4 line removal.
  std::map<std::string, std::map<std::string, uint64_t>> filter_drops;
  uint64_t c4_documents_edited = 0;
  std::map<std::string, uint64_t> c4_lines_removed;
};

struct BuildSource {
  std::string name, format, license;
  std::optional<std::string> language;  // the manifest's, when the source declares one
  double weight = 1;
  BuildCounts counts;
};

struct BuildShard {
  std::string name;
  uint64_t documents = 0, tokens = 0;
  std::vector<std::pair<uint32_t, uint64_t>> source_runs;  // (index into sources, count)
};

struct NearDedupInfo {
  uint64_t candidate_pairs = 0, confirmed_pairs = 0, clusters = 0, documents_removed = 0;
};

struct BuildInfo {
  std::string corpus, manifest, tool_version;
  bool near_dedup = false, filters = false;
  std::vector<BuildSource> sources;
  BuildCounts total;
  std::map<std::string, uint64_t> bad_input;  // count by reason
  std::optional<NearDedupInfo> near;
  std::vector<BuildShard> shards;
  std::optional<uint64_t> ctx_len;  // training.ctx_len, the context length the build's numbers are for
};

// LoadBuildInfo()
// Reads <dir>/build.json. kNotFound when it is missing; kDataLoss naming the JSON path of the
// first field that is missing or of the wrong type, or when source_runs name a source that
// does not exist or do not add up to the shard's documents.
absl::StatusOr<BuildInfo> LoadBuildInfo(const std::filesystem::path& dir);

// RequireDocuments()
// kFailedPrecondition when the build's shards hold no document (an empty build of an older
// rwkvkit, which published one where today's build fails): there is nothing to report on or
// train on. `dir` names the build in the message.
absl::Status RequireDocuments(const BuildInfo& info, const std::filesystem::path& dir);

}  // namespace rwkvkit::corpus::stats

#endif  // RWKVKIT_CORPUS_STATS_BUILD_INFO_H_

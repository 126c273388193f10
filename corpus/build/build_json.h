// corpus/build/build_json.h — build.json, the one module that writes and reads it
// (docs/formats/build_json.md).
//
// Write: Phase1Json() renders the phase-1 members (kept in the work directory, so `--resume`
// and the split build's publish task write the same bytes), WriteBuildJson() adds the shards,
// sums, training numbers and timing and publishes the file atomically (base/file_io.h); apart
// from "timing" it is byte-identical for any --threads and run. Read: ReadBuildJson() parses
// it into BuildJson, for `rwkvkit stats`, eval and merge (kReport) or for `rwkvkit inspect`
// (kVerify: members an older build lacks are recorded as absent). Verify: build_verify.h checks
// a directory against it. Errors are kDataLoss naming the file and the JSON path. Depends on
// simdjson (error-code API). Pure.
#ifndef RWKVKIT_CORPUS_BUILD_BUILD_JSON_H_
#define RWKVKIT_CORPUS_BUILD_BUILD_JSON_H_

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace rwkvkit::corpus::dedup {
struct LshStats;
}  // namespace rwkvkit::corpus::dedup

namespace rwkvkit::corpus::build {

inline constexpr char kBuildJsonName[] = "build.json";  // in the output directory, written last

// The writer's inputs (build_options.h, build_report.h, bad_input.h), declared only, so that
// readers of build.json (stats, eval) do not pull in the build's headers.
struct BuildOptions;
struct SourceCounts;
struct ShardRecord;
class BadInputSink;

// One "counts" object (a source's, or "total"). Maps are read key by key, so reasons and
// repair kinds a later build adds show up without a change here.
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

// RWKV-LM's numbers as build.json states them ("training" of a shard or of the whole corpus).
struct StatedTraining {
  std::optional<uint64_t> my_exit_tokens;
  bool has_magic_prime = false;       // the key is present (null = no prime)
  std::optional<uint64_t> magic_prime;
};

struct BuildShard {
  std::string name, xxh3_128;  // xxh3_128: of the .bin, 32 hex digits
  uint64_t documents = 0, tokens = 0, bin_bytes = 0, idx_bytes = 0;
  std::vector<std::pair<uint32_t, uint64_t>> source_runs;  // (index into sources, count)
  StatedTraining training;
};

struct NearDedupInfo {
  uint64_t candidate_pairs = 0, confirmed_pairs = 0, clusters = 0, documents_removed = 0;
};

struct BuildJson {
  std::string corpus, manifest, tool_version;
  bool near_dedup = false, filters = false;
  std::vector<BuildSource> sources;
  BuildCounts total;
  std::map<std::string, uint64_t> bad_input;  // count by reason
  std::optional<NearDedupInfo> near;
  std::vector<BuildShard> shards;
  uint64_t output_shards = 0, output_documents = 0, output_tokens = 0;  // "output"
  std::optional<uint64_t> ctx_len;  // training.ctx_len (> 0), the context length of the numbers
  StatedTraining training;
  // The JSON paths ("output", "shards[2].source_runs", "sources[0].counts.tokens") of members
  // this version writes that the file lacks or holds with another type, where the mode lets
  // them be absent.
  std::set<std::string> absent;
  bool Has(std::string_view path) const { return !absent.contains(std::string(path)); }
};

// Phase-1 results as the JSON members of build.json they become (saved for --resume).
// `near` holds the near-dedup clustering numbers when near-dedup ran.
std::string Phase1Json(const BuildOptions& opt, const std::vector<SourceCounts>& sources, const BadInputSink& bad,
                       uint64_t dedup_table_bytes, const std::optional<dedup::LshStats>& near);

// WriteBuildJson()
// Writes <out>/build.json from the saved phase-1 members and the shards; `timing_json` (a JSON
// object, "" for none) becomes the last member, "timing".
absl::Status WriteBuildJson(const std::filesystem::path& out_dir, const std::string& phase1_json,
                            const std::vector<ShardRecord>& shards, uint64_t ctx_len,
                            const std::string& timing_json = "");

enum class BuildJsonRead {
  kReport,  // stats, eval, merge: sources, counts, total and the shards' source runs, which
            // must name existing sources and add up to each shard's documents
  kVerify,  // inspect: the shard list with sizes and hashes; the rest as far as present
            // (an older build's), recorded in BuildJson::absent
};

// ReadBuildJson()
// Reads <dir>/build.json. kNotFound when it cannot be read; kDataLoss when it is not JSON, or
// naming the JSON path of the first needed member that is missing or of the wrong type, a
// shard name that is not a file name, or (kReport) source runs that name a source that does
// not exist or do not add up to the shard's documents.
absl::StatusOr<BuildJson> ReadBuildJson(const std::filesystem::path& dir,
                                        BuildJsonRead mode = BuildJsonRead::kReport);

// RequireDocuments()
// kFailedPrecondition when the build's shards hold no document (an empty build of an older
// rwkvkit, which published one where today's build fails): there is nothing to report on or
// train on. `dir` names the build in the message.
absl::Status RequireDocuments(const BuildJson& info, const std::filesystem::path& dir);

}  // namespace rwkvkit::corpus::build

#endif  // RWKVKIT_CORPUS_BUILD_BUILD_JSON_H_

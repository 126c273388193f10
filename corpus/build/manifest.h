// corpus/build/manifest.h — the corpus manifest (data_manifests/*.json): what to read and how.
//
// Parses and checks a manifest: sources (paths, format, text and id keys, language, license,
// weight in (0, 65535], filters), output (dir, shard_tokens, ctx_len), near_dedup and filter
// settings (filter_settings.h); data_manifests/README.md documents every field. Relative
// paths resolve against the manifest's directory; a leading UTF-8 BOM is skipped; `name` must
// be usable in file names (CheckCorpusName). Unknown keys are errors (a typo must not silently
// change a corpus). Errors name the file and the JSON path of the bad field, e.g.
// `demo.json: sources[2].weight: must be a number > 0 (saw "x")`.
//
// Thread-safe: values only. Depends on simdjson.
#ifndef RWKVKIT_CORPUS_BUILD_MANIFEST_H_
#define RWKVKIT_CORPUS_BUILD_MANIFEST_H_

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "corpus/dedup/minhash.h"
#include "corpus/filters/document_filters.h"

namespace rwkvkit::corpus::build {

struct ManifestSource {
  std::string name;
  std::vector<std::filesystem::path> paths;  // resolved against the manifest's directory
  std::string format = "jsonl";  // corpus/input/record_source.h: what each format reads
  std::string text_key = "text";
  std::optional<std::string> id_key;
  std::optional<std::string> language;  // BCP 47 tag, when the whole source has one
  std::string license;
  double weight = 1.0;  // 0.3 keeps a deterministic 30% sample; 2.0 repeats twice
  // What `--filters on` runs on this source: the defaults, then the manifest's top-level
  // "filters", then the source's own (corpus/filters/filter_settings.h); code sources start with the
  // quality filters off.
  filters::FilterOptions filters;
};

// True for a source whose language is "code:..." (no prose filters unless it enables them).
inline bool IsCodeSource(const ManifestSource& s) { return s.language.has_value() && s.language->starts_with("code:"); }

struct ManifestOutput {
  std::filesystem::path dir;
  uint64_t shard_tokens = 0;
  uint64_t ctx_len = 0;
};

// The manifest's "near_dedup" object: whether the build removes near duplicates (unless the
// --near-dedup flag says otherwise) and the MinHash parameters (defaults where it is silent).
struct ManifestNearDedup {
  std::optional<bool> enabled;
  dedup::MinHashConfig config;
};

struct Manifest {
  std::string name;
  std::string description;
  uint64_t seed = 0;
  std::vector<ManifestSource> sources;
  ManifestOutput output;
  std::optional<ManifestNearDedup> near_dedup;
};

// A source's weight is stored per document as a 16-bit copy count.
inline constexpr double kMaxSourceWeight = 65535;

// CheckCorpusName()
// The corpus name becomes part of file names (`<name>_00000.bin`): kInvalidArgument unless it
// is 1 to 200 bytes with no `/`, `\`, control character (NUL included) or DEL, and does not
// start with `.` or `-`. The message says why.
absl::Status CheckCorpusName(std::string_view name);

// ParseManifest()
// `source_name` prefixes errors; `base_dir` resolves relative paths. kInvalidArgument for
// invalid JSON or a schema violation.
absl::StatusOr<Manifest> ParseManifest(std::string_view json, std::string_view source_name,
                                       const std::filesystem::path& base_dir);

// LoadManifest()
// Reads and parses a manifest file; kNotFound when it does not exist.
absl::StatusOr<Manifest> LoadManifest(const std::filesystem::path& path);

}  // namespace rwkvkit::corpus::build

#endif  // RWKVKIT_CORPUS_BUILD_MANIFEST_H_

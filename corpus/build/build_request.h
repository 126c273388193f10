// corpus/build/build_request.h — BuildOptions from what a user asks for: a manifest file or input
// paths, plus overrides. The one place that turns `rwkvkit build`'s flags and the Python
// package's rwkvkit.build() arguments into a build (the same defaults, checks and messages).
//
// Without a manifest every input path is one source named after its file (or "input"), its
// format from the name (a directory reads every supported format; the content still decides
// the compression, input/input_format.h), shard_tokens 1e9 and ctx_len 4096. Thread-safe:
// pure functions (the manifest file is read).
#ifndef RWKVKIT_CORPUS_BUILD_BUILD_REQUEST_H_
#define RWKVKIT_CORPUS_BUILD_BUILD_REQUEST_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "corpus/build/build_options.h"
#include "corpus/build/manifest.h"

namespace rwkvkit::corpus::build {

struct BuildRequest {
  std::optional<std::string> manifest_path;  // either a manifest
  std::vector<std::string> inputs;           // or input paths (files, directories, globs)
  std::optional<std::string> name;           // corpus name for inputs (default "corpus")
  std::optional<std::string> out_dir;        // default: the manifest's output.dir
  std::optional<std::string> text_key, id_key;  // for every source
  std::optional<uint64_t> max_record_bytes;
  std::optional<double> max_bad_fraction;
  std::optional<std::string> normalize;      // nfc (default), nfkc, none
  std::optional<uint64_t> shard_tokens, ctx_len;  // default: the manifest's
  bool shuffle = false, strict = false, resume = false, force = false, progress = true;
  std::optional<bool> near_dedup;            // default: the manifest's near_dedup.enabled, else on
  std::optional<std::string> dedup_report;   // needs near-dedup on
  bool filters = false;
  std::optional<std::string> drop_report;    // needs filters
  std::optional<bool> c4;                    // every non-code source; needs filters
  std::optional<uint64_t> language_id_prefix;  // every source (0: whole text); needs filters
  int threads = 0;
};

// ManifestFromInputs()
// The manifest of a build from input paths (see the banner). kInvalidArgument for a bad name.
absl::StatusOr<Manifest> ManifestFromInputs(const std::vector<std::string>& inputs, const std::string& name);

// MakeBuildOptions()
// kInvalidArgument for a request that names both or neither of manifest and inputs, lacks an
// output directory, or has a value out of range; the manifest's own errors (LoadManifest).
// The vocab path and command line are the caller's to fill.
absl::StatusOr<BuildOptions> MakeBuildOptions(const BuildRequest& request);

}  // namespace rwkvkit::corpus::build

#endif  // RWKVKIT_CORPUS_BUILD_BUILD_REQUEST_H_

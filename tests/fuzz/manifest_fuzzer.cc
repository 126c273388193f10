// tests/fuzz/manifest_fuzzer.cc — fuzz target: the corpus manifest parser (corpus/build/manifest.h).
//
// Input: the bytes of a manifest file. Properties: an error is kInvalidArgument naming the
// file; an accepted manifest has a name, at least one source, each with a name, a license and
// at least one path, a positive weight, a known format, and positive output sizes.
#include <cstdint>
#include <string_view>

#include "corpus/build/manifest.h"
#include "absl/strings/match.h"
#include "tests/fuzz/fuzz_util.h"

using rwkvkit::fuzz::Check;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view json(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<rwkvkit::corpus::build::Manifest> m = rwkvkit::corpus::build::ParseManifest(json, "fuzz.json", "/fuzz-base");
  if (!m.ok()) {
    Check(m.status().code() == absl::StatusCode::kInvalidArgument, "ParseManifest failed with another code");
    Check(absl::StartsWith(m.status().message(), "fuzz.json: "), "ParseManifest error does not name the file");
    return 0;
  }
  Check(!m->name.empty(), "accepted a manifest without a name");
  Check(!m->sources.empty(), "accepted a manifest without sources");
  for (const rwkvkit::corpus::build::ManifestSource& s : m->sources) {
    Check(!s.name.empty() && !s.license.empty(), "accepted a source without a name or license");
    Check(!s.paths.empty(), "accepted a source without paths");
    Check(s.weight > 0, "accepted a weight <= 0");
    Check(s.format == "jsonl" || s.format == "jsonl.zst" || s.format == "text", "accepted an unknown format");
  }
  Check(m->output.shard_tokens > 0 && m->output.ctx_len > 0, "accepted output sizes of 0");
  if (m->near_dedup.has_value()) Check(m->near_dedup->config.Validate().ok(), "accepted invalid MinHash settings");
  return 0;
}

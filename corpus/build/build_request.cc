// corpus/build/build_request.cc — see build_request.h.
#include "corpus/build/build_request.h"

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <set>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "corpus/input/input_format.h"

namespace rwkvkit::corpus::build {
namespace {

std::string SourceNameFor(const std::filesystem::path& p, std::set<std::string>& used) {
  std::string base = p.filename().string();
  for (const char* ext : {".zst", ".gz", ".xz", ".parquet", ".jsonl", ".json", ".txt"})
    if (base.size() > std::strlen(ext) && base.ends_with(ext)) base.resize(base.size() - std::strlen(ext));
  if (base.empty() || base.find_first_of("*?[") != std::string::npos) base = "input";
  std::string name = base;
  for (int k = 2; !used.insert(name).second; ++k) name = absl::StrCat(base, "_", k);
  return name;
}

// A directory reads every supported format; a file or glob's name says what it holds (a name
// with no known extension, such as 'data/*', is decided file by file). The content still
// decides the compression (corpus/input/input_format.h).
std::string FormatForInput(const std::filesystem::path& p) {
  std::error_code ec;
  if (std::filesystem::is_directory(p, ec)) return "auto";
  const std::string name = p.filename().string();
  const std::string_view kind = input::FormatFromName(name);
  if (kind != "jsonl") return std::string(kind);
  for (const char* ext : {"", ".zst", ".gz", ".xz"})
    for (const char* stem : {".jsonl", ".json"})
      if (name.ends_with(absl::StrCat(stem, ext))) return absl::StrCat("jsonl", ext);
  return "auto";
}

}  // namespace

absl::StatusOr<Manifest> ManifestFromInputs(const std::vector<std::string>& inputs, const std::string& name) {
  if (absl::Status st = CheckCorpusName(name); !st.ok())
    return absl::InvalidArgumentError(absl::StrCat("--name: ", st.message()));
  Manifest m;
  m.name = name;
  m.description = "built from --input";
  std::set<std::string> used;
  for (const std::string& in : inputs) {
    ManifestSource s;
    const std::filesystem::path p(in);
    s.name = SourceNameFor(p, used);
    s.paths = {p};
    s.format = FormatForInput(p);
    s.license = "unknown";
    m.sources.push_back(std::move(s));
  }
  m.output.shard_tokens = 1000000000;
  m.output.ctx_len = 4096;
  return m;
}

absl::StatusOr<BuildOptions> MakeBuildOptions(const BuildRequest& r) {
  BuildOptions opt;
  const bool has_manifest = r.manifest_path.has_value(), has_input = !r.inputs.empty();
  if (has_manifest == has_input) return absl::InvalidArgumentError("give either --manifest FILE or --input PATH");
  if (has_manifest) {
    opt.manifest_path = *r.manifest_path;
    absl::StatusOr<Manifest> m = LoadManifest(opt.manifest_path);
    if (!m.ok()) return m.status();
    opt.manifest = *std::move(m);
  } else {
    absl::StatusOr<Manifest> m = ManifestFromInputs(r.inputs, r.name.value_or("corpus"));
    if (!m.ok()) return m.status();
    opt.manifest = *std::move(m);
  }
  if (r.text_key)
    for (auto& s : opt.manifest.sources) s.text_key = *r.text_key;
  if (r.id_key)
    for (auto& s : opt.manifest.sources) s.id_key = *r.id_key;
  opt.max_record_bytes = r.max_record_bytes.value_or(input::kDefaultMaxRecordBytes);
  if (opt.max_record_bytes < 1 || opt.max_record_bytes > input::kMaxRecordBytesLimit)
    return absl::InvalidArgumentError(
        absl::StrCat("--max-record-bytes wants 1..", input::kMaxRecordBytesLimit, " (saw ", opt.max_record_bytes, ")"));
  if (r.max_bad_fraction) {
    const double x = *r.max_bad_fraction;
    if (!(x >= 0 && x <= 1))
      return absl::InvalidArgumentError(absl::StrCat("--max-bad-fraction wants a number in 0..1 (saw ", x, ")"));
    opt.max_bad_fraction = x;
  }
  if (r.out_dir) opt.out_dir = *r.out_dir;
  else if (!opt.manifest.output.dir.empty()) opt.out_dir = opt.manifest.output.dir;
  else return absl::InvalidArgumentError("--out DIR is required (the inputs have no manifest output.dir)");
  absl::StatusOr<text::Normalization> n = text::ParseNormalization(r.normalize.value_or("nfc"));
  if (!n.ok()) return n.status();
  opt.normalization = *n;
  opt.shard_tokens = r.shard_tokens.value_or(opt.manifest.output.shard_tokens);
  opt.ctx_len = r.ctx_len.value_or(opt.manifest.output.ctx_len);
  if (opt.shard_tokens < 1 || opt.shard_tokens > static_cast<uint64_t>(INT64_MAX))
    return absl::InvalidArgumentError(absl::StrCat("--shard-tokens wants a positive count (saw ", opt.shard_tokens, ")"));
  if (opt.ctx_len < 1 || opt.ctx_len > (uint64_t{1} << 24))
    return absl::InvalidArgumentError(absl::StrCat("--ctx-len wants 1..16777216 (saw ", opt.ctx_len, ")"));
  if (r.threads < 0 || r.threads > 4096)
    return absl::InvalidArgumentError(absl::StrCat("--threads wants 0..4096 (saw ", r.threads, ")"));
  opt.threads = r.threads;
  opt.shuffle = r.shuffle;
  opt.strict = r.strict;
  opt.resume = r.resume;
  opt.force = r.force;
  opt.progress = r.progress;
  if (opt.manifest.near_dedup) {  // the manifest's near_dedup object; the request wins
    opt.minhash = opt.manifest.near_dedup->config;
    opt.near_dedup = opt.manifest.near_dedup->enabled.value_or(true);
  }
  if (r.near_dedup) opt.near_dedup = *r.near_dedup;
  if (r.dedup_report) {
    if (!opt.near_dedup) return absl::InvalidArgumentError("--dedup-report needs near-dedup on");
    opt.dedup_report = *r.dedup_report;
  }
  opt.filters = r.filters;
  if (r.drop_report) {
    if (!opt.filters) return absl::InvalidArgumentError("--drop-report needs --filters on");
    opt.drop_report = *r.drop_report;
  }
  if (r.c4) {
    if (!opt.filters) return absl::InvalidArgumentError("--c4 needs --filters on");
    for (ManifestSource& s : opt.manifest.sources)
      if (!IsCodeSource(s)) s.filters.c4 = *r.c4;
  }
  if (r.language_id_prefix) {
    if (!opt.filters) return absl::InvalidArgumentError("--language-id-prefix needs --filters on");
    for (ManifestSource& s : opt.manifest.sources) s.filters.language_id_prefix = *r.language_id_prefix;
  }
  return opt;
}

}  // namespace rwkvkit::corpus::build

// corpus/build/build_checks.cc — see build_checks.h.
#include "corpus/build/build_checks.h"

#include <sys/stat.h>
#include <xxhash.h>

#include <cerrno>
#include <cstdio>
#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/file_io.h"
#include "base/json_writer.h"
#include "base/status_macros.h"
#include "corpus/build/build_json.h"
#include "corpus/build/build_report.h"
#include "corpus/filters/filter_settings.h"

namespace rwkvkit::corpus::build {
namespace {

// Everything the build reads, for CheckOutputsAreNotInputs.
std::vector<NamedInput> NamedInputs(const BuildOptions& opt, const std::vector<InputFile>& files) {
  std::vector<NamedInput> in;
  for (const InputFile& f : files)
    in.push_back({f.path, absl::StrCat("input of source \"", opt.manifest.sources[f.source].name, "\"")});
  if (!opt.manifest_path.empty()) in.push_back({opt.manifest_path, "the manifest"});
  if (!opt.vocab_path.empty()) in.push_back({opt.vocab_path, "the vocab"});
  return in;
}


}  // namespace

// XXH3-128 of `bytes` as 32 hex digits.
std::string Hash128Hex(std::string_view bytes) {
  const XXH128_hash_t h = XXH3_128bits(bytes.data(), bytes.size());
  return absl::StrFormat("%016x%016x", h.high64, h.low64);
}

absl::StatusOr<std::string> FileHash128Hex(const std::filesystem::path& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return base::ErrnoError(path, "cannot open", errno);
  XXH3_state_t* state = XXH3_createState();
  XXH3_128bits_reset(state);
  std::vector<char> buf(1 << 20);
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), f)) > 0) XXH3_128bits_update(state, buf.data(), n);
  const bool failed = std::ferror(f) != 0;
  std::fclose(f);
  const XXH128_hash_t h = XXH3_128bits_digest(state);
  XXH3_freeState(state);
  if (failed) return absl::DataLossError(absl::StrCat(path.string(), ": read failed"));
  return absl::StrFormat("%016x%016x", h.high64, h.low64);
}

std::string BuildFingerprint(const BuildOptions& opt, const std::vector<InputFile>& files) {
  std::string f = Phase1Json(opt, {}, BadInputSink(), 0, std::nullopt);
  for (const InputFile& in : files) {
    struct stat st {};
    ::stat(in.path.c_str(), &st);
    absl::StrAppend(&f, in.source, " ", in.path.string(), " ", st.st_size, " ", st.st_mtim.tv_sec, ".",
                    st.st_mtim.tv_nsec, " ", st.st_ino, "\n");
  }
  absl::StrAppend(&f, "vocab ", opt.vocab_path.string(), " ", Hash128Hex(base::ReadFile(opt.vocab_path).value_or("")),
                  "\n");
  absl::StrAppend(&f, "max_record_bytes ", opt.max_record_bytes, "\n");  // longer records are bad input
  for (const ManifestSource& s : opt.manifest.sources) {
    absl::StrAppend(&f, "source ", base::JsonString(s.name), " ", s.format, " ", base::JsonString(s.text_key), " ",
                    s.id_key ? base::JsonString(*s.id_key) : "-", " ", absl::StrFormat("%.17g", s.weight), "\n");
    if (opt.filters) absl::StrAppend(&f, "filters ", filters::FilterSettingsJson(s.filters), "\n");
  }
  // The report paths (written in phase 1); "drop_report" only when asked for, so that builds
  // without one keep the fingerprint they had before the flag existed.
  for (const auto& [name, path] :
       {std::pair("dedup_report", opt.dedup_report), std::pair("drop_report", opt.drop_report)}) {
    if (path.empty() && std::string_view(name) == "drop_report") continue;
    std::string report = path.string();
    if (!report.empty()) {
      std::error_code ec;
      const std::filesystem::path rel = std::filesystem::weakly_canonical(path, ec)
                                            .lexically_relative(std::filesystem::weakly_canonical(opt.out_dir, ec));
      if (!rel.empty() && rel.begin()->string() != "..") report = "<out>/" + rel.string();
    }
    absl::StrAppend(&f, name, " ", report, "\n");
  }
  return f;
}

std::vector<ReportOutput> BuildReports(const BuildOptions& opt) {
  std::vector<ReportOutput> r;
  if (!opt.dedup_report.empty()) r.push_back({"--dedup-report", opt.dedup_report, StagedDedupReport(opt.out_dir)});
  if (!opt.drop_report.empty()) r.push_back({"--drop-report", opt.drop_report, StagedDropReport(opt.out_dir)});
  return r;
}

// Options RunBuild refuses before it touches anything.
absl::Status CheckBuildOptions(const BuildOptions& opt) {
  if (opt.shard_tokens == 0 || opt.ctx_len == 0)
    return absl::InvalidArgumentError("shard_tokens and ctx_len must be positive");
  if (opt.manifest.sources.size() > 65535)
    return absl::InvalidArgumentError("at most 65535 sources (a document's source is stored in 16 bits)");
  RWKVKIT_RETURN_IF_ERROR(CheckCorpusName(opt.manifest.name));
  for (const ManifestSource& s : opt.manifest.sources)
    if (!(s.weight > 0 && s.weight <= kMaxSourceWeight))
      return absl::InvalidArgumentError(absl::StrCat("source \"", s.name, "\": weight must be in (0, ", kMaxSourceWeight,
                                                     "] (saw ", absl::StrFormat("%.17g", s.weight), ")"));
  return absl::OkStatus();
}

absl::StatusOr<Ownership> CheckOutputBeforeBuild(const BuildOptions& opt, const std::vector<InputFile>& files) {
  const std::filesystem::path& out = opt.out_dir;
  absl::StatusOr<Ownership> own = ReadOwnership(out);
  if (!own.ok() && !opt.force) return own.status();
  if (!own.ok()) own = Ownership{};
  RWKVKIT_RETURN_IF_ERROR(CheckOutputDir(out, opt.manifest.name, opt.force, *own));
  const std::vector<ReportOutput> reports = BuildReports(opt);
  RWKVKIT_RETURN_IF_ERROR(CheckOutputsAreNotInputs(NamedInputs(opt, files), out, opt.manifest.name, reports, *own));
  // A report directory that does not exist fails now, not after the tokenization phase.
  std::error_code ec;
  for (const ReportOutput& r : reports)
    if (const auto dir = r.path.parent_path(); !dir.empty() && !std::filesystem::is_directory(dir, ec))
      return absl::NotFoundError(absl::StrCat(r.path.string(), ": no such directory for ", r.flag));
  return own;
}

}  // namespace rwkvkit::corpus::build

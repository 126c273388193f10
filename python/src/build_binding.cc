// python/src/build_binding.cc — rwkvkit.build(): corpus::build::MakeBuildOptions + corpus::build::RunBuild
// on a Job (job.h), with the library's cancel flag and progress callback wired to it.
#include <nanobind/nanobind.h>
#include <nanobind/stl/optional.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "corpus/build/build_options.h"
#include "corpus/build/build_request.h"
#include "corpus/build/pipeline.h"
#include "python/src/bindings.h"
#include "python/src/job.h"
#include "python/src/status_error.h"
#include "tokenizer/tokenizer.h"

namespace nb = nanobind;

namespace rwkvkit::python {
namespace {

template <typename T>
std::optional<T> Opt(const nb::dict& d, const char* key) {
  if (!d.contains(key) || d[key].is_none()) return std::nullopt;
  return nb::cast<T>(d[key]);
}

corpus::build::BuildRequest RequestFrom(const nb::dict& o) {
  static const char* const kKeys[] = {
      "manifest", "inputs", "name", "out", "text_key", "id_key", "max_record_bytes", "max_bad_fraction",
      "normalize", "shard_tokens", "ctx_len", "shuffle", "strict", "resume", "force", "near_dedup",
      "dedup_report", "filters", "drop_report", "c4", "language_id_prefix", "threads"};
  for (auto [k, v] : o) {
    const std::string key = nb::cast<std::string>(k);
    bool known = false;
    for (const char* name : kKeys) known = known || key == name;
    if (!known) throw nb::type_error(absl::StrCat("build() got an unexpected option '", key, "'").c_str());
  }
  corpus::build::BuildRequest r;
  r.manifest_path = Opt<std::string>(o, "manifest");
  r.inputs = Opt<std::vector<std::string>>(o, "inputs").value_or(std::vector<std::string>{});
  r.name = Opt<std::string>(o, "name");
  r.out_dir = Opt<std::string>(o, "out");
  r.text_key = Opt<std::string>(o, "text_key");
  r.id_key = Opt<std::string>(o, "id_key");
  r.max_record_bytes = Opt<uint64_t>(o, "max_record_bytes");
  r.max_bad_fraction = Opt<double>(o, "max_bad_fraction");
  r.normalize = Opt<std::string>(o, "normalize");
  r.shard_tokens = Opt<uint64_t>(o, "shard_tokens");
  r.ctx_len = Opt<uint64_t>(o, "ctx_len");
  r.shuffle = Opt<bool>(o, "shuffle").value_or(false);
  r.strict = Opt<bool>(o, "strict").value_or(false);
  r.resume = Opt<bool>(o, "resume").value_or(false);
  r.force = Opt<bool>(o, "force").value_or(false);
  r.near_dedup = Opt<bool>(o, "near_dedup");
  r.dedup_report = Opt<std::string>(o, "dedup_report");
  r.filters = Opt<bool>(o, "filters").value_or(false);
  r.drop_report = Opt<std::string>(o, "drop_report");
  r.c4 = Opt<bool>(o, "c4");
  r.language_id_prefix = Opt<uint64_t>(o, "language_id_prefix");
  r.threads = Opt<int>(o, "threads").value_or(0);
  r.progress = false;  // no stderr lines: the caller's callback / tqdm shows progress
  return r;
}

Job* StartBuild(const nb::dict& options, const std::string& vocab) {
  corpus::build::BuildOptions opt = ValueOrThrow(corpus::build::MakeBuildOptions(RequestFrom(options)));
  opt.vocab_path = vocab;
  opt.command_line = "python: rwkvkit.build()";
  return new Job([opt = std::move(opt)](Job& job) mutable -> absl::StatusOr<Job::MakeResult> {
    absl::StatusOr<tokenizer::Tokenizer> tok = tokenizer::Tokenizer::Load(opt.vocab_path);
    if (!tok.ok()) return tok.status();
    opt.cancel = job.cancel_flag();
    opt.on_progress = [&job](const corpus::build::BuildProgress& p) {
      job.SetProgress(JobProgress{p.phase == 1 ? "read" : "write", p.done, p.total,
                                  p.phase == 1 ? "bytes" : "documents", p.documents});
    };
    absl::StatusOr<corpus::build::BuildSummary> r = corpus::build::RunBuild(opt, *tok);
    if (!r.ok()) return r.status();
    const corpus::build::BuildSummary s = *r;
    const std::string out = opt.out_dir.string(), name = opt.manifest.name;
    const uint64_t ctx_len = opt.ctx_len;
    return Job::MakeResult([s, out, name, ctx_len] {
      nb::dict d;
      d["out"] = out;
      d["name"] = name;
      d["documents_read"] = s.documents_read;
      d["documents_written"] = s.documents_written;
      d["bad_records"] = s.bad_records;
      d["tokens"] = s.tokens;
      d["shards"] = s.shards;
      d["input_bytes"] = s.input_bytes;
      d["ctx_len"] = ctx_len;
      d["resumed_phase1"] = s.resumed_phase1;
      d["shards_reused"] = s.shards_reused;
      d["resumed_from_file"] = s.resumed_from_file;
      d["already_complete"] = s.already_complete;
      return nb::object(d);
    });
  });
}

}  // namespace

void BindBuild(nb::module_& m) {
  m.def("start_build", &StartBuild, nb::arg("options"), nb::arg("vocab"),
        "Starts corpus::build::RunBuild on its own thread; rwkvkit.build() drives the returned Job.");
}

}  // namespace rwkvkit::python

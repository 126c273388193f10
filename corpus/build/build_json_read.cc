// corpus/build/build_json_read.cc — build.json read (build_json.h).
#include <simdjson.h>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "corpus/build/build_json.h"

namespace rwkvkit::corpus::build {
namespace {

namespace fs = std::filesystem;
using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;

// Reads members of one file. A missing member, or one of the wrong type, is an error naming its
// JSON path where the reader needs it, else it is recorded in BuildJson::absent.
class JsonReader {
 public:
  JsonReader(std::string path, BuildJsonRead mode, BuildJson& out) : path_(std::move(path)), mode_(mode), out_(out) {}

  bool report() const { return mode_ == BuildJsonRead::kReport; }
  absl::Status Error(const std::string& where, const std::string& what) const {
    return absl::DataLossError(absl::StrCat(path_, ": ", where, ": ", what));
  }
  // A member that is missing or of another type: an error where `needed`, else recorded.
  absl::Status Lacks(const std::string& where, const char* what, bool needed) const {
    if (needed) return Error(where, absl::StrCat("missing or not ", what));
    out_.absent.insert(where);
    return absl::OkStatus();
  }
  absl::Status Uint(object o, const std::string& where, const char* key, uint64_t& out, bool needed) const {
    if (o[key].get(out)) return Lacks(absl::StrCat(where, ".", key), "an unsigned integer", needed);
    return absl::OkStatus();
  }
  absl::Status String(object o, const std::string& where, const char* key, std::string& out, bool needed) const {
    std::string_view sv;
    if (o[key].get(sv)) return Lacks(absl::StrCat(where, ".", key), "a string", needed);
    out = std::string(sv);
    return absl::OkStatus();
  }
  // An optional object of unsigned counts; absent is empty.
  absl::Status CountMap(object o, const std::string& where, const char* key,
                        std::map<std::string, uint64_t>& out) const {
    object m;
    if (o[key].get(m)) return absl::OkStatus();
    for (auto field : m) {
      uint64_t n;
      if (field.value.get(n))
        return Error(absl::StrCat(where, ".", key, ".", std::string(field.key)), "not an unsigned integer");
      out[std::string(field.key)] += n;
    }
    return absl::OkStatus();
  }

 private:
  std::string path_;
  BuildJsonRead mode_;
  BuildJson& out_;
};

// counts.filters: {"dropped": {filter: {reason: n}}, "c4": {"documents_edited": n, "lines_removed": {...}}}.
absl::Status ReadFilterCounts(const JsonReader& j, object o, const std::string& where, BuildCounts& c) {
  object f, dropped, c4;
  if (o["filters"].get(f)) return absl::OkStatus();
  const std::string fw = where + ".filters";
  if (!f["dropped"].get(dropped)) {
    for (auto field : dropped) {
      object reasons;
      const std::string name(field.key);
      if (field.value.get(reasons)) return j.Error(absl::StrCat(fw, ".dropped.", name), "not an object");
      RWKVKIT_RETURN_IF_ERROR(j.CountMap(dropped, fw + ".dropped", name.c_str(), c.filter_drops[name]));
    }
  }
  if (!f["c4"].get(c4)) {
    uint64_t n = 0;
    if (!c4["documents_edited"].get(n)) c.c4_documents_edited += n;
    RWKVKIT_RETURN_IF_ERROR(j.CountMap(c4, fw + ".c4", "lines_removed", c.c4_lines_removed));
  }
  return absl::OkStatus();
}

absl::Status ReadCounts(const JsonReader& j, object o, const std::string& where, BuildCounts& c) {
  const std::pair<const char*, uint64_t*> numbers[] = {{"files", &c.files},
                                                       {"documents_read", &c.documents_read},
                                                       {"documents_kept", &c.documents_kept},
                                                       {"documents_written", &c.documents_written},
                                                       {"bytes_in", &c.bytes_in},
                                                       {"bytes_out", &c.bytes_out},
                                                       {"tokens", &c.tokens}};
  for (const auto& [key, dst] : numbers) RWKVKIT_RETURN_IF_ERROR(j.Uint(o, where, key, *dst, j.report()));
  RWKVKIT_RETURN_IF_ERROR(j.CountMap(o, where, "dropped", c.dropped));
  RWKVKIT_RETURN_IF_ERROR(j.CountMap(o, where, "repairs", c.repairs));
  RWKVKIT_RETURN_IF_ERROR(j.CountMap(o, where, "languages", c.languages));
  array errors;
  if (!o["file_errors"].get(errors)) c.file_errors = errors.size();
  return ReadFilterCounts(j, o, where, c);
}

absl::Status ReadSources(const JsonReader& j, element root, BuildJson& info) {
  array sources;
  if (root["sources"].get(sources)) return j.Lacks("sources", "an array", j.report());
  size_t i = 0;
  for (element e : sources) {
    const std::string where = absl::StrCat("sources[", i++, "]");
    object o, counts;
    BuildSource s;
    if (e.get(o)) {
      RWKVKIT_RETURN_IF_ERROR(j.Lacks(where, "an object", j.report()));
      info.sources.push_back(std::move(s));
      continue;
    }
    RWKVKIT_RETURN_IF_ERROR(j.String(o, where, "name", s.name, j.report()));
    std::string_view sv;
    if (!o["format"].get(sv)) s.format = std::string(sv);
    if (!o["license"].get(sv)) s.license = std::string(sv);
    if (!o["language"].get(sv)) s.language = std::string(sv);  // null or absent: none declared
    double w;
    if (!o["weight"].get(w)) s.weight = w;
    if (o["counts"].get(counts)) RWKVKIT_RETURN_IF_ERROR(j.Lacks(where + ".counts", "an object", j.report()));
    else RWKVKIT_RETURN_IF_ERROR(ReadCounts(j, counts, where + ".counts", s.counts));
    info.sources.push_back(std::move(s));
  }
  return absl::OkStatus();
}

// A "training" object's my_exit_tokens and magic_prime (null: none), as far as present.
void ReadTraining(object o, StatedTraining& t) {
  uint64_t v;
  if (!o["my_exit_tokens"].get(v)) t.my_exit_tokens = v;
  element p;
  if (!o["magic_prime"].get(p)) {
    t.has_magic_prime = true;
    if (!p.get(v)) t.magic_prime = v;
  }
}

absl::Status ReadSourceRuns(const JsonReader& j, object o, const std::string& where, size_t sources, BuildShard& s) {
  array runs;
  if (o["source_runs"].get(runs)) return j.Lacks(where + ".source_runs", "an array", j.report());
  uint64_t covered = 0;
  for (element run : runs) {
    array pair;
    uint64_t src = 0, count = 0;
    if (run.get(pair) || pair.size() != 2 || pair.at(0).get(src) || pair.at(1).get(count) || src > UINT32_MAX)
      return j.Error(where + ".source_runs", "each run must be [source index, count]");
    s.source_runs.emplace_back(static_cast<uint32_t>(src), count);
    if (!j.report()) continue;  // inspect reports runs that do not fit as problems
    if (src >= sources)
      return j.Error(where + ".source_runs", absl::StrCat("source index ", src, " but there are ", sources, " sources"));
    // covered <= documents here, so this cannot wrap (runs adding up past 2^64 to the
    // shard's count would otherwise pass the check below).
    if (count > s.documents - covered)
      return j.Error(where + ".source_runs", absl::StrCat("runs cover more than the shard's ", s.documents,
                                                          " documents (saw a run of ", count, ")"));
    covered += count;
  }
  if (j.report() && covered != s.documents)
    return j.Error(where + ".source_runs", absl::StrCat("runs cover ", covered, " documents (saw), the shard has ",
                                                        s.documents, " (expected)"));
  return absl::OkStatus();
}

absl::Status ReadShards(const JsonReader& j, element root, BuildJson& info) {
  array shards;
  if (root["shards"].get(shards)) return j.Lacks("shards", "an array", true);
  size_t i = 0;
  for (element e : shards) {
    const std::string where = absl::StrCat("shards[", i++, "]");
    object o;
    if (e.get(o)) return j.Error(where, "not an object");
    BuildShard s;
    RWKVKIT_RETURN_IF_ERROR(j.String(o, where, "name", s.name, true));
    if (s.name.empty() || s.name.find('/') != std::string::npos || s.name == "." || s.name == "..")
      return j.Error(where + ".name", absl::StrCat("\"", s.name, "\" is not a file name"));
    // The hash and sizes are what inspect checks the shard files against (a report needs neither).
    RWKVKIT_RETURN_IF_ERROR(j.String(o, where, "xxh3_128", s.xxh3_128, !j.report()));
    RWKVKIT_RETURN_IF_ERROR(j.Uint(o, where, "documents", s.documents, true));
    RWKVKIT_RETURN_IF_ERROR(j.Uint(o, where, "tokens", s.tokens, true));
    RWKVKIT_RETURN_IF_ERROR(j.Uint(o, where, "bin_bytes", s.bin_bytes, !j.report()));
    RWKVKIT_RETURN_IF_ERROR(j.Uint(o, where, "idx_bytes", s.idx_bytes, !j.report()));
    object training;
    if (!o["training"].get(training)) ReadTraining(training, s.training);
    RWKVKIT_RETURN_IF_ERROR(ReadSourceRuns(j, o, where, info.sources.size(), s));
    info.shards.push_back(std::move(s));
  }
  return absl::OkStatus();
}

absl::Status ReadOptionsAndBlocks(const JsonReader& j, element root, BuildJson& info) {
  std::string_view sv;
  if (!root["corpus"].get(sv)) info.corpus = std::string(sv);
  if (!root["manifest"].get(sv)) info.manifest = std::string(sv);
  if (!root["tool"]["version"].get(sv)) info.tool_version = std::string(sv);
  bool b;
  if (!root["options"]["near_dedup"].get(b)) info.near_dedup = b;
  if (!root["options"]["filters"].get(b)) info.filters = b;
  object total, bad, near, output, training;
  if (root["total"].get(total)) RWKVKIT_RETURN_IF_ERROR(j.Lacks("total", "an object", j.report()));
  else RWKVKIT_RETURN_IF_ERROR(ReadCounts(j, total, "total", info.total));
  if (!root["bad_input"].get(bad)) {
    for (auto field : bad) {
      uint64_t n;
      if (field.value["count"].get(n)) return j.Error(absl::StrCat("bad_input.", std::string(field.key)), "no count");
      info.bad_input[std::string(field.key)] = n;
    }
  }
  if (!root["near_dedup"].get(near)) {
    NearDedupInfo n;
    RWKVKIT_RETURN_IF_ERROR(j.Uint(near, "near_dedup", "candidate_pairs", n.candidate_pairs, true));
    RWKVKIT_RETURN_IF_ERROR(j.Uint(near, "near_dedup", "confirmed_pairs", n.confirmed_pairs, true));
    RWKVKIT_RETURN_IF_ERROR(j.Uint(near, "near_dedup", "clusters", n.clusters, true));
    RWKVKIT_RETURN_IF_ERROR(j.Uint(near, "near_dedup", "documents_removed", n.documents_removed, true));
    info.near = n;
  }
  // "output" and "training" are checked against the shards by inspect; stats does not need them.
  if (root["output"].get(output)) {
    info.absent.insert("output");
  } else {
    for (const auto& [key, dst] : {std::pair<const char*, uint64_t*>{"shards", &info.output_shards},
                                   {"documents", &info.output_documents}, {"tokens", &info.output_tokens}})
      if (output[key].get(*dst)) info.absent.insert(absl::StrCat("output.", key));
  }
  if (root["training"].get(training)) return absl::OkStatus();
  uint64_t ctx_len;
  if (!training["ctx_len"].get(ctx_len) && ctx_len > 0) info.ctx_len = ctx_len;
  ReadTraining(training, info.training);
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<BuildJson> ReadBuildJson(const fs::path& dir, BuildJsonRead mode) {
  const fs::path path = dir / kBuildJsonName;
  simdjson::dom::parser parser;
  element root;
  if (auto err = parser.load(path.string()).get(root); err) {
    if (err == simdjson::IO_ERROR)
      return absl::NotFoundError(absl::StrCat(path.string(), ": cannot read (is ", dir.string(),
                                              " the output directory of a finished `rwkvkit build`?)"));
    return absl::DataLossError(absl::StrCat(path.string(), ": not valid JSON (", simdjson::error_message(err), ")"));
  }
  BuildJson info;
  const JsonReader j(path.string(), mode, info);
  RWKVKIT_RETURN_IF_ERROR(ReadOptionsAndBlocks(j, root, info));
  RWKVKIT_RETURN_IF_ERROR(ReadSources(j, root, info));
  RWKVKIT_RETURN_IF_ERROR(ReadShards(j, root, info));
  return info;
}

absl::Status RequireDocuments(const BuildJson& info, const fs::path& dir) {
  uint64_t documents = 0;
  for (const BuildShard& s : info.shards) documents += s.documents;
  if (documents > 0) return absl::OkStatus();
  return absl::FailedPreconditionError(absl::StrCat(
      dir.string(), ": the build holds no documents (", info.shards.size(),
      " shards): nothing to report or train on; a build that keeps no document fails today, so this one is from an "
      "older rwkvkit or was edited: rebuild it"));
}

}  // namespace rwkvkit::corpus::build

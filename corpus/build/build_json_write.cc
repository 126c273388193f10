// corpus/build/build_json_write.cc — build.json written (build_json.h).
#include "corpus/build/build_json.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/file_io.h"
#include "base/json_writer.h"
#include "corpus/binidx/training_numbers.h"
#include "corpus/build/bad_input.h"
#include "corpus/build/build_options.h"
#include "corpus/build/build_report.h"
#include "corpus/dedup/lsh_index.h"
#include "corpus/filters/filter_settings.h"

namespace rwkvkit::corpus::build {
namespace {

void CountsMap(base::JsonWriter& w, const std::map<std::string, uint64_t>& m) {
  w.BeginObject();
  for (const auto& [k, n] : m) w.Key(k).Uint(n);
  w.EndObject();
}

// {"dropped": {filter: {reason: n}}, "languages_kept": {code: n}, "c4": {...}} (build_json.md).
void FilterCounts(base::JsonWriter& w, const SourceCounts& c) {
  w.BeginObject().Key("dropped").BeginObject();
  for (const auto& [filter, reasons] : c.filter_drops) CountsMap(w.Key(filter), reasons);
  w.EndObject();
  CountsMap(w.Key("languages_kept"), c.languages_kept);
  const filters::C4LineCounts& l = c.c4_lines_removed;
  w.Key("c4").BeginObject().Key("documents_edited").Uint(c.c4_documents_edited);
  w.Key("lines_removed").BeginObject().Key("too_long_word").Uint(l.too_long_word);
  w.Key("no_terminal_punct").Uint(l.no_terminal_punct).Key("too_few_words").Uint(l.too_few_words);
  w.Key("javascript").Uint(l.javascript).Key("policy").Uint(l.policy);
  w.EndObject().EndObject().EndObject();
}

// One member a line, indented by `indent` + 2.
void Counts(base::JsonWriter& w, const SourceCounts& c, int indent) {
  const int in = indent + 2;
  w.BeginObject();
  w.Break(in).Key("files").Uint(c.files);
  w.Break(in).Key("documents_read").Uint(c.documents_read);
  w.Break(in).Key("documents_kept").Uint(c.documents_kept);
  w.Break(in).Key("documents_written").Uint(c.documents_written);
  CountsMap(w.Break(in).Key("dropped"), c.dropped);
  w.Break(in).Key("repairs").BeginObject();
  for (const text::RepairCounterField& f : text::kRepairCounterFields) w.Key(f.name).Uint(c.repairs.*f.member);
  w.EndObject();
  w.Break(in).Key("bytes_in").Uint(c.bytes_in);
  w.Break(in).Key("bytes_out").Uint(c.bytes_out);
  w.Break(in).Key("tokens").Uint(c.tokens);
  w.Break(in).Key("file_errors").BeginArray();
  for (const std::string& e : c.file_errors) w.String(e);
  w.EndArray();
  if (!c.languages.empty()) {
    CountsMap(w.Break(in).Key("languages"), c.languages);
    FilterCounts(w.Break(in).Key("filters"), c);
  }
  w.Break(indent).EndObject();
}

// RWKV-LM's numbers for one shard opened on its own (build_json.md, "training").
void ShardTraining(base::JsonWriter& w, uint64_t tokens, uint64_t ctx_len) {
  absl::StatusOr<binidx::TrainingNumbers> t = binidx::ComputeTrainingNumbers(tokens, ctx_len);
  w.BeginObject().Key("my_exit_tokens").Uint(tokens).Key("magic_prime");
  if (t.ok() && t->magic_prime) w.Uint(*t->magic_prime);
  else w.Null();
  w.Key("trainer_accepts").Bool(t.ok() && t->trainer_accepts).EndObject();
}

// The numbers for all shards as one prefix (`rwkvkit merge`, or the shard itself when there
// is one): the trainer's flags, or why it would refuse them.
void CorpusTraining(base::JsonWriter& w, uint64_t tokens, uint64_t ctx_len) {
  absl::StatusOr<binidx::TrainingNumbers> t = binidx::ComputeTrainingNumbers(tokens, ctx_len);
  const std::string prime = t.ok() && t->magic_prime ? absl::StrCat(*t->magic_prime) : "null";
  const bool accepts = t.ok() && t->trainer_accepts;
  w.BeginObject().Key("ctx_len").Uint(ctx_len).Key("my_exit_tokens").Uint(tokens).Key("magic_prime").Raw(prime);
  w.Key("trainer_accepts").Bool(accepts).Key("args");
  if (accepts) w.String(absl::StrCat("--my_exit_tokens ", tokens, " --magic_prime ", prime, " --ctx_len ", ctx_len));
  else w.Null();
  w.Key("problem");
  if (accepts) w.Null();
  else w.String(t.ok() ? binidx::TrainingProblem(*t) : std::string(t.status().message()));
  w.EndObject();
}

}  // namespace

std::string Phase1Json(const BuildOptions& opt, const std::vector<SourceCounts>& sources, const BadInputSink& bad,
                       uint64_t dedup_table_bytes, const std::optional<dedup::LshStats>& near) {
  const Manifest& m = opt.manifest;
  base::JsonWriter w;
  w.BeginObject();
  w.Break(2).Key("tool").BeginObject().Key("name").String("rwkvkit").Key("version").String(RWKVKIT_VERSION_STRING);
  w.EndObject();
  w.Break(2).Key("corpus").String(m.name);
  w.Break(2).Key("manifest").String(opt.manifest_path);
  w.Break(2).Key("options").BeginObject().Key("normalize").String(text::NormalizationName(opt.normalization));
  w.Key("shard_tokens").Uint(opt.shard_tokens).Key("ctx_len").Uint(opt.ctx_len).Key("seed").Uint(m.seed);
  w.Key("shuffle").Bool(opt.shuffle).Key("strict").Bool(opt.strict);
  w.Key("exact_dedup").String("xxh3-128 of the normalized text, first occurrence wins");
  w.Key("near_dedup").Bool(opt.near_dedup);
  if (opt.near_dedup) {
    w.Key("minhash").BeginObject().Key("ngram").Int(opt.minhash.ngram).Key("bands").Int(opt.minhash.bands);
    w.Key("rows").Int(opt.minhash.rows).Key("threshold").Significant(opt.minhash.threshold, 6);
    w.Key("seed").Int(opt.minhash.seed).EndObject();
  }
  w.Key("filters").Bool(opt.filters).Key("max_record_bytes").Uint(opt.max_record_bytes);
  w.Key("end_of_document_token").Uint(0).Key("dtype").String("uint16").EndObject();
  w.Break(2).Key("sources").BeginArray();
  SourceCounts total;
  for (size_t i = 0; i < sources.size(); ++i) {
    const ManifestSource& s = m.sources[i];
    w.Break(4).BeginObject().Key("name").String(s.name).Key("format").String(s.format);
    w.Key("license").String(s.license).Key("language");
    if (s.language) w.String(*s.language);
    else w.Null();
    w.Key("weight").Significant(s.weight, 6);
    if (opt.filters) w.Break(5).Key("filters").Raw(filters::FilterSettingsJson(s.filters));
    Counts(w.Break(5).Key("counts"), sources[i], 5);
    w.EndObject();
    total.Add(sources[i]);
  }
  w.Break(2).EndArray();
  Counts(w.Break(2).Key("total"), total, 2);
  w.Break(2).Key("bad_input").BeginObject();
  for (const auto& [reason, e] : bad.by_reason()) {
    w.Break(4).Key(reason).BeginObject().Key("count").Uint(e.count).Key("examples").BeginArray();
    for (const std::string& example : e.examples) w.String(example);
    w.EndArray().EndObject();
  }
  if (!bad.by_reason().empty()) w.Break(2);
  w.EndObject();
  w.Break(2).Key("dedup_table_bytes").Uint(dedup_table_bytes);
  if (near) {
    w.Break(2).Key("near_dedup").BeginObject().Key("candidate_pairs").Uint(near->candidate_pairs);
    w.Key("confirmed_pairs").Uint(near->confirmed_pairs).Key("clusters").Uint(near->clusters);
    w.Key("documents_removed").Uint(near->removed).EndObject();
  }
  // The members without the object's opening "{\n", each line ending in ",\n" (build.json goes on).
  return w.str().substr(2) + ",\n";
}

absl::Status WriteBuildJson(const std::filesystem::path& out_dir, const std::string& phase1_json,
                            const std::vector<ShardRecord>& shards, uint64_t ctx_len, const std::string& timing_json) {
  base::JsonWriter w;
  w.BeginObject().Text("\n").Text(phase1_json).Text("  ").Key("shards").BeginArray();
  uint64_t tokens = 0, docs = 0;
  for (const ShardRecord& s : shards) {
    w.Break(4).BeginObject().Key("name").String(s.name).Key("documents").Uint(s.documents);
    w.Key("tokens").Uint(s.tokens).Key("bin_bytes").Uint(s.bin_bytes).Key("idx_bytes").Uint(s.idx_bytes);
    w.Key("xxh3_128").String(s.xxh3_128);
    ShardTraining(w.Key("training"), s.tokens, ctx_len);
    w.Key("source_runs").BeginArray();
    for (const auto& [source, count] : s.source_runs) w.BeginArray().Uint(source).Uint(count).EndArray();
    w.EndArray().EndObject();
    tokens += s.tokens;
    docs += s.documents;
  }
  if (!shards.empty()) w.Break(2);
  w.EndArray();
  w.Break(2).Key("output").BeginObject().Key("shards").Uint(shards.size()).Key("documents").Uint(docs);
  w.Key("tokens").Uint(tokens).EndObject();
  CorpusTraining(w.Break(2).Key("training"), tokens, ctx_len);
  if (!timing_json.empty()) w.Break(2).Key("timing").Raw(timing_json);
  w.Break(0).EndObject().Text("\n");
  return base::WriteFileAtomically(out_dir / kBuildJsonName, w.str());
}

}  // namespace rwkvkit::corpus::build

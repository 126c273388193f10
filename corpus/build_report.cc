// corpus/build_report.cc — see build_report.h.
#include "corpus/build_report.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/file_io.h"
#include "corpus/binidx/training_numbers.h"
#include "corpus/filter_settings.h"

namespace rwkvkit::corpus {
namespace {

std::string CountsMapJson(const std::map<std::string, uint64_t>& m) {
  std::string j = "{";
  bool first = true;
  for (const auto& [k, n] : m) {
    absl::StrAppend(&j, first ? "" : ", ", JsonString(k), ": ", n);
    first = false;
  }
  return j + "}";
}

// {"dropped": {filter: {reason: n}}, "languages_kept": {code: n}, "c4": {...}} (build_json.md).
std::string FilterCountsJson(const SourceCounts& c) {
  std::string j = "{\"dropped\": {";
  bool first = true;
  for (const auto& [filter, reasons] : c.filter_drops) {
    absl::StrAppend(&j, first ? "" : ", ", JsonString(filter), ": ", CountsMapJson(reasons));
    first = false;
  }
  const filters::C4LineCounts& l = c.c4_lines_removed;
  absl::StrAppend(&j, "}, \"languages_kept\": ", CountsMapJson(c.languages_kept),
                  ", \"c4\": {\"documents_edited\": ", c.c4_documents_edited, ", \"lines_removed\": {\"too_long_word\": ",
                  l.too_long_word, ", \"no_terminal_punct\": ", l.no_terminal_punct, ", \"too_few_words\": ",
                  l.too_few_words, ", \"javascript\": ", l.javascript, ", \"policy\": ", l.policy, "}}}");
  return j;
}

std::string CountsJson(const SourceCounts& c, const std::string& indent) {
  std::string j = absl::StrCat("{\n", indent, "  \"files\": ", c.files, ",\n", indent, "  \"documents_read\": ",
                               c.documents_read, ",\n", indent, "  \"documents_kept\": ", c.documents_kept, ",\n", indent,
                               "  \"documents_written\": ", c.documents_written, ",\n", indent, "  \"dropped\": {");
  bool first = true;
  for (const auto& [reason, n] : c.dropped) {
    absl::StrAppend(&j, first ? "" : ", ", JsonString(reason), ": ", n);
    first = false;
  }
  absl::StrAppend(&j, "},\n", indent, "  \"repairs\": {");
  first = true;
  for (const RepairCounterField& f : kRepairCounterFields) {
    absl::StrAppend(&j, first ? "" : ", ", JsonString(f.name), ": ", c.repairs.*f.member);
    first = false;
  }
  absl::StrAppend(&j, "},\n", indent, "  \"bytes_in\": ", c.bytes_in, ",\n", indent, "  \"bytes_out\": ", c.bytes_out,
                  ",\n", indent, "  \"tokens\": ", c.tokens, ",\n", indent, "  \"file_errors\": [");
  first = true;
  for (const std::string& e : c.file_errors) {
    absl::StrAppend(&j, first ? "" : ", ", JsonString(e));
    first = false;
  }
  absl::StrAppend(&j, "]");
  if (!c.languages.empty()) {
    absl::StrAppend(&j, ",\n", indent, "  \"languages\": {");
    first = true;
    for (const auto& [lang, n] : c.languages) {
      absl::StrAppend(&j, first ? "" : ", ", JsonString(lang), ": ", n);
      first = false;
    }
    absl::StrAppend(&j, "}");
    absl::StrAppend(&j, ",\n", indent, "  \"filters\": ", FilterCountsJson(c));
  }
  return absl::StrCat(j, "\n", indent, "}");
}

// RWKV-LM's numbers for one shard opened on its own (build_json.md, "training").
std::string ShardTrainingJson(uint64_t tokens, uint64_t ctx_len) {
  absl::StatusOr<binidx::TrainingNumbers> t = binidx::ComputeTrainingNumbers(tokens, ctx_len);
  const std::string prime = t.ok() && t->magic_prime ? absl::StrCat(*t->magic_prime) : "null";
  return absl::StrCat("{\"my_exit_tokens\": ", tokens, ", \"magic_prime\": ", prime,
                      ", \"trainer_accepts\": ", t.ok() && t->trainer_accepts ? "true" : "false", "}");
}

// The numbers for all shards as one prefix (`rwkvkit merge`, or the shard itself when there
// is one): the trainer's flags, or why it would refuse them.
std::string CorpusTrainingJson(uint64_t tokens, uint64_t ctx_len) {
  absl::StatusOr<binidx::TrainingNumbers> t = binidx::ComputeTrainingNumbers(tokens, ctx_len);
  const std::string prime = t.ok() && t->magic_prime ? absl::StrCat(*t->magic_prime) : "null";
  const bool accepts = t.ok() && t->trainer_accepts;
  return absl::StrCat(
      "{\"ctx_len\": ", ctx_len, ", \"my_exit_tokens\": ", tokens, ", \"magic_prime\": ", prime,
      ", \"trainer_accepts\": ", accepts ? "true" : "false", ", \"args\": ",
      accepts ? JsonString(absl::StrCat("--my_exit_tokens ", tokens, " --magic_prime ", prime, " --ctx_len ", ctx_len))
              : "null",
      ", \"problem\": ",
      accepts ? "null" : JsonString(t.ok() ? binidx::TrainingProblem(*t) : std::string(t.status().message())), "}");
}

}  // namespace

void SourceCounts::Add(const SourceCounts& o) {
  files += o.files;
  documents_read += o.documents_read;
  documents_kept += o.documents_kept;
  documents_written += o.documents_written;
  for (const auto& [r, n] : o.dropped) dropped[r] += n;
  bad_records += o.bad_records;
  for (const auto& [l, n] : o.languages) languages[l] += n;
  for (const auto& [f, reasons] : o.filter_drops)
    for (const auto& [r, n] : reasons) filter_drops[f][r] += n;
  for (const auto& [l, n] : o.languages_kept) languages_kept[l] += n;
  c4_documents_edited += o.c4_documents_edited;
  c4_lines_removed += o.c4_lines_removed;
  repairs += o.repairs;
  bytes_in += o.bytes_in;
  bytes_out += o.bytes_out;
  tokens += o.tokens;
  file_errors.insert(file_errors.end(), o.file_errors.begin(), o.file_errors.end());
}

std::string JsonString(std::string_view s) {
  std::string out = "\"";
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '"') out += "\\\"";
    else if (c == '\\') out += "\\\\";
    else if (c == '\n') out += "\\n";
    else if (c == '\t') out += "\\t";
    else if (c == '\r') out += "\\r";
    else if (c < 0x20 || c == 0x7F) out += absl::StrFormat("\\u%04x", c);
    else out.push_back(ch);
  }
  return out + "\"";
}

std::string Phase1Json(const BuildOptions& opt, const std::vector<SourceCounts>& sources, const BadInputSink& bad,
                       uint64_t dedup_table_bytes, const std::optional<LshStats>& near) {
  const Manifest& m = opt.manifest;
  std::string j = absl::StrCat(
      "  \"tool\": {\"name\": \"rwkvkit\", \"version\": ", JsonString(RWKVKIT_VERSION_STRING), "},\n",
      "  \"corpus\": ", JsonString(m.name), ",\n", "  \"manifest\": ", JsonString(opt.manifest_path), ",\n",
      "  \"options\": {\"normalize\": ", JsonString(std::string(NormalizationName(opt.normalization))),
      ", \"shard_tokens\": ", opt.shard_tokens, ", \"ctx_len\": ", opt.ctx_len, ", \"seed\": ", m.seed,
      ", \"shuffle\": ", opt.shuffle ? "true" : "false", ", \"strict\": ", opt.strict ? "true" : "false",
      ", \"exact_dedup\": \"xxh3-128 of the normalized text, first occurrence wins\"",
      ", \"near_dedup\": ", opt.near_dedup ? "true" : "false",
      opt.near_dedup ? absl::StrFormat(", \"minhash\": {\"ngram\": %d, \"bands\": %d, \"rows\": %d, \"threshold\": %.6g, \"seed\": %d}",
                                       opt.minhash.ngram, opt.minhash.bands, opt.minhash.rows, opt.minhash.threshold,
                                       opt.minhash.seed)
                     : std::string(),
      ", \"filters\": ", opt.filters ? "true" : "false", ", \"max_record_bytes\": ", opt.max_record_bytes,
      ", \"end_of_document_token\": 0, \"dtype\": \"uint16\"},\n", "  \"sources\": [");
  SourceCounts total;
  for (size_t i = 0; i < sources.size(); ++i) {
    const ManifestSource& s = m.sources[i];
    absl::StrAppend(&j, i ? ",\n" : "\n", "    {\"name\": ", JsonString(s.name), ", \"format\": ", JsonString(s.format),
                    ", \"license\": ", JsonString(s.license),
                    ", \"language\": ", s.language ? JsonString(*s.language) : std::string("null"), ", \"weight\": ", absl::StrFormat("%.6g", s.weight),
                    opt.filters ? absl::StrCat(",\n     \"filters\": ", FilterSettingsJson(s.filters)) : std::string(),
                    ",\n     \"counts\": ", CountsJson(sources[i], "     "), "}");
    total.Add(sources[i]);
  }
  absl::StrAppend(&j, "\n  ],\n  \"total\": ", CountsJson(total, "  "), ",\n  \"bad_input\": {");
  bool first = true;
  for (const auto& [reason, e] : bad.by_reason()) {
    absl::StrAppend(&j, first ? "\n" : ",\n", "    ", JsonString(reason), ": {\"count\": ", e.count, ", \"examples\": [");
    for (size_t k = 0; k < e.examples.size(); ++k) absl::StrAppend(&j, k ? ", " : "", JsonString(e.examples[k]));
    absl::StrAppend(&j, "]}");
    first = false;
  }
  absl::StrAppend(&j, first ? "},\n" : "\n  },\n", "  \"dedup_table_bytes\": ", dedup_table_bytes, ",\n");
  if (near)
    absl::StrAppend(&j, "  \"near_dedup\": {\"candidate_pairs\": ", near->candidate_pairs, ", \"confirmed_pairs\": ",
                    near->confirmed_pairs, ", \"clusters\": ", near->clusters, ", \"documents_removed\": ",
                    near->removed, "},\n");
  return j;
}

absl::Status WriteBuildJson(const std::filesystem::path& out_dir, const std::string& phase1_json,
                            const std::vector<ShardRecord>& shards, uint64_t ctx_len, const std::string& timing_json) {
  std::string j = "{\n" + phase1_json + "  \"shards\": [";
  uint64_t tokens = 0, docs = 0;
  for (size_t i = 0; i < shards.size(); ++i) {
    const ShardRecord& s = shards[i];
    absl::StrAppend(&j, i ? ",\n" : "\n", "    {\"name\": ", JsonString(s.name), ", \"documents\": ", s.documents,
                    ", \"tokens\": ", s.tokens, ", \"bin_bytes\": ", s.bin_bytes, ", \"idx_bytes\": ", s.idx_bytes,
                    ", \"xxh3_128\": ", JsonString(s.xxh3_128), ", \"training\": ", ShardTrainingJson(s.tokens, ctx_len),
                    ", \"source_runs\": [");
    for (size_t r = 0; r < s.source_runs.size(); ++r)
      absl::StrAppend(&j, r ? ", " : "", "[", s.source_runs[r].first, ", ", s.source_runs[r].second, "]");
    absl::StrAppend(&j, "]}");
    tokens += s.tokens;
    docs += s.documents;
  }
  absl::StrAppend(&j, shards.empty() ? "],\n" : "\n  ],\n", "  \"output\": {\"shards\": ", shards.size(),
                  ", \"documents\": ", docs, ", \"tokens\": ", tokens, "},\n", "  \"training\": ",
                  CorpusTrainingJson(tokens, ctx_len), timing_json.empty() ? "" : ",\n  \"timing\": ", timing_json,
                  "\n}\n");
  return base::WriteFileAtomically(out_dir / "build.json", j);
}

}  // namespace rwkvkit::corpus

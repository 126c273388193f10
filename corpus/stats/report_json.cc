// corpus/stats/report_json.cc — see report_json.h.
#include "corpus/stats/report_json.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "corpus/build_report.h"
#include "corpus/stats/text_escape.h"

namespace rwkvkit::corpus::stats {
namespace {

std::string Num(double v) { return absl::StrFormat("%.6g", v); }

// [{"low": .., "high": .., "documents": ..}, ...] from the first to the last non-empty bucket.
std::string Buckets(const Histogram& h) {
  const std::vector<HistogramRow> rows = HistogramRows(h);
  std::string j = "[";
  for (size_t i = 0; i < rows.size(); ++i)
    absl::StrAppend(&j, i ? ", " : "", "{\"low\": ", rows[i].low, ", \"high\": ", rows[i].high,
                    ", \"documents\": ", rows[i].count, "}");
  return j + "]";
}

// The length histograms of a source or language (log-2 buckets, as "histograms").
std::string LengthHistograms(const GroupCounts& c) {
  return absl::StrCat("\"length_histograms\": {\"chars\": ", Buckets(c.chars_histogram),
                      ", \"tokens\": ", Buckets(c.tokens_histogram), "}");
}

std::string CountMap(const std::map<std::string, uint64_t>& m) {
  std::string j = "{";
  bool first = true;
  for (const auto& [k, v] : m) {
    absl::StrAppend(&j, first ? "" : ", ", JsonString(k), ": ", v);
    first = false;
  }
  return j + "}";
}

std::string Percentiles(const LengthQuantiles& q) {
  std::string j = "{";
  for (const uint32_t p : kReportPercentiles)
    absl::StrAppend(&j, p == kReportPercentiles[0] ? "" : ", ", "\"p", p, "\": ", q.Percentile(p));
  return j + "}";
}

// The members every group (total, source, language) has.
std::string GroupMembers(const GroupCounts& c) {
  return absl::StrCat("\"documents\": ", c.documents, ", \"tokens\": ", c.tokens, ", \"text_tokens\": ", c.text_tokens,
                      ", \"bytes\": ", c.bytes, ", \"chars\": ", c.chars,
                      ", \"bytes_per_token\": ", Num(c.BytesPerToken()),
                      ", \"chars_per_token\": ", Num(c.CharsPerToken()),
                      ", \"mean_document_tokens\": ", Num(Ratio(c.text_tokens, c.documents)),
                      ", \"length_percentiles\": {\"chars\": ", Percentiles(c.chars_quantiles),
                      ", \"tokens\": ", Percentiles(c.tokens_quantiles), "}");
}

std::string Examples(const ReportModel& m, size_t source) {
  const std::vector<ExampleDocument>& ex = SourceExamples(m, source);
  std::string j = "[";
  for (size_t i = 0; i < ex.size(); ++i)
    absl::StrAppend(&j, i ? ",\n       " : "\n       ", "{\"shard\": ", JsonString(m.build->shards[ex[i].shard].name),
                    ", \"document\": ", ex[i].document, ", \"chars\": ", ex[i].chars, ", \"text_tokens\": ",
                    ex[i].tokens, ", \"truncated\": ", ex[i].truncated ? "true" : "false",
                    ", \"text\": ", JsonString(DisplayLines(ex[i].text)), "}");
  return j + "]";
}

std::string Totals(const ReportModel& m) {
  const CorpusStats& s = *m.stats;
  return absl::StrCat("  \"totals\": {", GroupMembers(s.total), ", \"sources\": ", m.build->sources.size(),
                      ", \"languages\": ", m.languages.size(), ", \"shards\": ", m.build->shards.size(),
                      ", \"shards_read\": ", s.shards_read, ", \"invalid_utf8_documents\": ", s.invalid_utf8_documents,
                      "},\n");
}

std::string BuildBlock(const ReportModel& m) {
  const BuildInfo& b = *m.build;
  const BuildCounts& t = b.total;
  std::string j = absl::StrCat(
      "  \"build\": {\"corpus\": ", JsonString(b.corpus), ", \"manifest\": ", JsonString(b.manifest),
      ", \"near_dedup\": ", b.near_dedup ? "true" : "false", ", \"filters\": ", b.filters ? "true" : "false",
      ", \"documents_read\": ", t.documents_read, ", \"documents_kept\": ", t.documents_kept,
      ", \"documents_written\": ", t.documents_written, ", \"bytes_in\": ", t.bytes_in,
      ", \"bytes_out\": ", t.bytes_out, ",\n    \"exact_duplicates\": ", ExactDuplicates(t),
      ", \"exact_duplicate_rate\": ", Num(Ratio(ExactDuplicates(t), t.documents_read)),
      ", \"near_duplicates\": ", NearDuplicates(t),
      ", \"near_duplicate_rate\": ", Num(Ratio(NearDuplicates(t), t.documents_read)),
      ",\n    \"near_dedup_clusters\": ");
  if (b.near)
    absl::StrAppend(&j, "{\"candidate_pairs\": ", b.near->candidate_pairs,
                    ", \"confirmed_pairs\": ", b.near->confirmed_pairs, ", \"clusters\": ", b.near->clusters,
                    ", \"documents_removed\": ", b.near->documents_removed, "}");
  else
    absl::StrAppend(&j, "null");
  absl::StrAppend(&j, ",\n    \"dropped\": ", CountMap(t.dropped),
                  ",\n    \"filter_drops\": ", CountMap(m.filter_drops), ",\n    \"repairs\": ", CountMap(t.repairs),
                  ",\n    \"bad_input\": ", CountMap(b.bad_input),
                  ",\n    \"build_languages\": ", CountMap(t.languages), ",\n    \"filter_drops_by_filter\": {");
  bool first = true;
  for (const auto& [filter, reasons] : t.filter_drops) {
    absl::StrAppend(&j, first ? "" : ", ", JsonString(filter), ": ", CountMap(reasons));
    first = false;
  }
  absl::StrAppend(&j, "},\n    \"c4_documents_edited\": ", t.c4_documents_edited,
                  ", \"c4_lines_removed\": ", CountMap(t.c4_lines_removed), ",\n    \"file_errors\": ", t.file_errors,
                  "},\n");
  return j;
}

std::string Sources(const ReportModel& m) {
  std::string j = "  \"sources\": [";
  for (size_t i = 0; i < m.build->sources.size(); ++i) {
    const BuildSource& src = m.build->sources[i];
    const BuildCounts& c = src.counts;
    absl::StrAppend(
        &j, i ? ",\n" : "\n", "    {\"name\": ", JsonString(src.name), ", \"license\": ", JsonString(src.license),
        ", \"language\": ", src.language ? JsonString(*src.language) : "null", ", \"weight\": ", Num(src.weight),
        ", \"share_of_tokens\": ", Num(Ratio(m.stats->by_source[i].tokens, m.stats->total.tokens)),
        ",\n     ", GroupMembers(m.stats->by_source[i]), ",\n     ", LengthHistograms(m.stats->by_source[i]),
        ",\n     \"documents_read\": ", c.documents_read, ", \"exact_duplicates\": ", ExactDuplicates(c),
        ", \"exact_duplicate_rate\": ", Num(Ratio(ExactDuplicates(c), c.documents_read)),
        ", \"near_duplicates\": ", NearDuplicates(c),
        ", \"near_duplicate_rate\": ", Num(Ratio(NearDuplicates(c), c.documents_read)),
        ",\n     \"dropped\": ", CountMap(c.dropped), ", \"repairs\": ", CountMap(c.repairs),
        ", \"build_languages\": ", CountMap(c.languages), ",\n     \"examples\": ", Examples(m, i), "}");
  }
  return j + (m.build->sources.empty() ? "],\n" : "\n  ],\n");
}

std::string Languages(const ReportModel& m) {
  std::string j = "  \"languages\": [";
  for (size_t i = 0; i < m.languages.size(); ++i) {
    const LanguageCounts& c = m.languages[i].counts;
    absl::StrAppend(&j, i ? ",\n" : "\n", "    {\"language\": ", JsonString(m.languages[i].code), ", ", GroupMembers(c),
                    ", ", LengthHistograms(c), ", \"share_of_tokens\": ", Num(Ratio(c.tokens, m.stats->total.tokens)),
                    ", \"declared\": ", c.declared ? "true" : "false", ", \"cld2_documents\": ", c.cld2_documents,
                    ", \"cld2_reliable\": ", c.cld2_reliable,
                    ", \"cld2_mean_percent\": ", Num(Ratio(c.cld2_percent_sum, c.cld2_documents)), "}");
  }
  return j + (m.languages.empty() ? "],\n" : "\n  ],\n");
}

std::string LanguageId(const ReportModel& m) {
  const CorpusStats& s = *m.stats;
  std::string j = absl::StrCat("  \"language_id\": {\"mode\": ", JsonString(m.language_mode),
                               ", \"method\": ", JsonString(m.language_method),
                               ", \"cld2_documents\": ", s.cld2_documents, ", \"cld2_reliable\": ", s.cld2_reliable,
                               ", \"cld2_reliable_share\": ", Num(Ratio(s.cld2_reliable, s.cld2_documents)),
                               ", \"cld2_mean_percent\": ", Num(Ratio(s.cld2_percent_sum, s.cld2_documents)),
                               ",\n    \"cld2_percent_histogram\": [");
  for (size_t k = 0; k < s.cld2_percent.size(); ++k)
    absl::StrAppend(&j, k ? ", " : "", "{\"low\": ", k * 10, ", \"high\": ", k == 10 ? 101 : (k + 1) * 10,
                    ", \"documents\": ", s.cld2_percent[k], "}");
  return j + "]},\n";
}

std::string HistogramJson(const char* name, const Histogram& h) {
  return absl::StrCat("    ", JsonString(name), ": {\"documents\": ", h.n, ", \"sum\": ", h.sum,
                      ", \"min\": ", h.n ? h.min : 0, ", \"max\": ", h.max, ", \"mean\": ", Num(Ratio(h.sum, h.n)),
                      ",\n      \"buckets\": ", Buckets(h), "}");
}

std::string TopTokens(const ReportModel& m) {
  std::string j = absl::StrCat("  \"top_tokens\": {\"end_of_document_tokens\": ",
                               m.stats->token_counts.empty() ? 0 : m.stats->token_counts[0], ", \"tokens\": [");
  for (size_t i = 0; i < m.top_tokens.size(); ++i) {
    const TokenRow& t = m.top_tokens[i];
    absl::StrAppend(&j, i ? ",\n" : "\n", "    {\"id\": ", t.id, ", \"text\": ", JsonString(t.display),
                    ", \"hex\": ", JsonString(t.hex), ", \"count\": ", t.count,
                    ", \"share\": ", Num(Ratio(t.count, m.stats->total.text_tokens)), "}");
  }
  return j + (m.top_tokens.empty() ? "]},\n" : "\n  ]},\n");
}

std::string LineList(const std::vector<ReportedLine>& lines) {
  std::string j = "[";
  for (size_t i = 0; i < lines.size(); ++i)
    absl::StrAppend(&j, i ? ",\n" : "\n", "      {\"text\": ", JsonString(DisplayText(lines[i].text)),
                    ", \"bytes\": ", lines[i].bytes, ", \"count\": ", lines[i].count, "}");
  return j + (lines.empty() ? "]" : "\n    ]");
}

std::string RepeatedLines(const ReportModel& m) {
  const CorpusStats& s = *m.stats;
  return absl::StrCat(
      "  \"repeated_lines\": {\"method\": \"xxh3-64 of each trimmed line in a capped hash table, pruned "
      "lossy-counting style when full\", \"min_line_bytes\": ",
      s.min_line_bytes, ", \"lines_counted\": ", s.lines_counted, ", \"table_capacity\": ", s.line_table_capacity,
      ", \"prunes\": ", s.line_table_prunes, ", \"count_undercount_bound\": ", s.line_undercount_bound,
      ",\n    \"longest\": ", LineList(s.longest_lines), ",\n    \"most_frequent\": ", LineList(s.frequent_lines),
      "},\n");
}

}  // namespace

std::string ReportJson(const ReportModel& m) {
  std::string j = absl::StrCat("{\n  \"tool\": {\"name\": \"rwkvkit\", \"version\": ", JsonString(m.tool_version),
                               "},\n  \"report\": \"corpus statistics (docs/stats_report.md)\",\n  \"build_dir\": ",
                               JsonString(DisplayText(m.build_dir)), ",\n");
  absl::StrAppend(&j, Totals(m), BuildBlock(m), Sources(m), Languages(m), LanguageId(m));
  absl::StrAppend(&j, "  \"histograms\": {\n", HistogramJson("chars", m.stats->total.chars_histogram), ",\n",
                  HistogramJson("tokens", m.stats->total.tokens_histogram), "\n  },\n");
  absl::StrAppend(&j, TopTokens(m), RepeatedLines(m), "  \"shard_errors\": [");
  for (size_t i = 0; i < m.stats->shard_errors.size(); ++i)
    absl::StrAppend(&j, i ? ", " : "", JsonString(DisplayText(m.stats->shard_errors[i])));
  return j + "]\n}\n";
}

}  // namespace rwkvkit::corpus::stats

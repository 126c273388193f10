// corpus/stats/report_json.cc — see report_json.h.
#include "corpus/stats/report_json.h"

#include "absl/strings/str_cat.h"
#include "base/json_writer.h"
#include "corpus/stats/text_escape.h"

namespace rwkvkit::corpus::stats {
namespace {

using base::JsonWriter;

void Num(JsonWriter& w, double v) { w.Significant(v, 6); }

// [{"low": .., "high": .., "documents": ..}, ...] from the first to the last non-empty bucket.
void Buckets(JsonWriter& w, const Histogram& h) {
  w.BeginArray();
  for (const HistogramRow& r : HistogramRows(h))
    w.BeginObject().Key("low").Uint(r.low).Key("high").Uint(r.high).Key("documents").Uint(r.count).EndObject();
  w.EndArray();
}

// The length histograms of a source or language (log-2 buckets, as "histograms").
void LengthHistograms(JsonWriter& w, const GroupCounts& c) {
  w.Key("length_histograms").BeginObject();
  Buckets(w.Key("chars"), c.chars_histogram);
  Buckets(w.Key("tokens"), c.tokens_histogram);
  w.EndObject();
}

void CountMap(JsonWriter& w, const std::map<std::string, uint64_t>& m) {
  w.BeginObject();
  for (const auto& [k, v] : m) w.Key(k).Uint(v);
  w.EndObject();
}

void Percentiles(JsonWriter& w, const LengthQuantiles& q) {
  w.BeginObject();
  for (const uint32_t p : kReportPercentiles) w.Key(absl::StrCat("p", p)).Uint(q.Percentile(p));
  w.EndObject();
}

// The members every group (total, source, language) has.
void GroupMembers(JsonWriter& w, const GroupCounts& c) {
  w.Key("documents").Uint(c.documents).Key("tokens").Uint(c.tokens).Key("text_tokens").Uint(c.text_tokens);
  w.Key("bytes").Uint(c.bytes).Key("chars").Uint(c.chars);
  Num(w.Key("bytes_per_token"), c.BytesPerToken());
  Num(w.Key("chars_per_token"), c.CharsPerToken());
  Num(w.Key("mean_document_tokens"), Ratio(c.text_tokens, c.documents));
  w.Key("length_percentiles").BeginObject();
  Percentiles(w.Key("chars"), c.chars_quantiles);
  Percentiles(w.Key("tokens"), c.tokens_quantiles);
  w.EndObject();
}

void Examples(JsonWriter& w, const ReportModel& m, size_t source) {
  w.BeginArray();
  for (const ExampleDocument& e : SourceExamples(m, source)) {
    w.Break(7).BeginObject().Key("shard").String(m.build->shards[e.shard].name).Key("document").Uint(e.document);
    w.Key("chars").Uint(e.chars).Key("text_tokens").Uint(e.tokens).Key("truncated").Bool(e.truncated);
    w.Key("text").String(DisplayLines(e.text)).EndObject();
  }
  w.EndArray();
}

void Totals(JsonWriter& w, const ReportModel& m) {
  const CorpusStats& s = *m.stats;
  w.Break(2).Key("totals").BeginObject();
  GroupMembers(w, s.total);
  w.Key("sources").Uint(m.build->sources.size()).Key("languages").Uint(m.languages.size());
  w.Key("shards").Uint(m.build->shards.size()).Key("shards_read").Uint(s.shards_read);
  w.Key("invalid_utf8_documents").Uint(s.invalid_utf8_documents).EndObject();
}

void BuildBlock(JsonWriter& w, const ReportModel& m) {
  const build::BuildJson& b = *m.build;
  const build::BuildCounts& t = b.total;
  w.Break(2).Key("build").BeginObject().Key("corpus").String(b.corpus).Key("manifest").String(b.manifest);
  w.Key("near_dedup").Bool(b.near_dedup).Key("filters").Bool(b.filters);
  w.Key("documents_read").Uint(t.documents_read).Key("documents_kept").Uint(t.documents_kept);
  w.Key("documents_written").Uint(t.documents_written).Key("bytes_in").Uint(t.bytes_in);
  w.Key("bytes_out").Uint(t.bytes_out);
  w.Break(4).Key("exact_duplicates").Uint(ExactDuplicates(t));
  Num(w.Key("exact_duplicate_rate"), Ratio(ExactDuplicates(t), t.documents_read));
  w.Key("near_duplicates").Uint(NearDuplicates(t));
  Num(w.Key("near_duplicate_rate"), Ratio(NearDuplicates(t), t.documents_read));
  w.Break(4).Key("near_dedup_clusters");
  if (b.near) {
    w.BeginObject().Key("candidate_pairs").Uint(b.near->candidate_pairs);
    w.Key("confirmed_pairs").Uint(b.near->confirmed_pairs).Key("clusters").Uint(b.near->clusters);
    w.Key("documents_removed").Uint(b.near->documents_removed).EndObject();
  } else {
    w.Null();
  }
  CountMap(w.Break(4).Key("dropped"), t.dropped);
  CountMap(w.Break(4).Key("filter_drops"), m.filter_drops);
  CountMap(w.Break(4).Key("repairs"), t.repairs);
  CountMap(w.Break(4).Key("bad_input"), b.bad_input);
  CountMap(w.Break(4).Key("build_languages"), t.languages);
  w.Break(4).Key("filter_drops_by_filter").BeginObject();
  for (const auto& [filter, reasons] : t.filter_drops) CountMap(w.Key(filter), reasons);
  w.EndObject();
  w.Break(4).Key("c4_documents_edited").Uint(t.c4_documents_edited);
  CountMap(w.Key("c4_lines_removed"), t.c4_lines_removed);
  w.Break(4).Key("file_errors").Uint(t.file_errors).EndObject();
}

void Sources(JsonWriter& w, const ReportModel& m) {
  w.Break(2).Key("sources").BeginArray();
  for (size_t i = 0; i < m.build->sources.size(); ++i) {
    const build::BuildSource& src = m.build->sources[i];
    const build::BuildCounts& c = src.counts;
    w.Break(4).BeginObject().Key("name").String(src.name).Key("license").String(src.license).Key("language");
    if (src.language) w.String(*src.language);
    else w.Null();
    Num(w.Key("weight"), src.weight);
    Num(w.Key("share_of_tokens"), Ratio(m.stats->by_source[i].tokens, m.stats->total.tokens));
    GroupMembers(w.Break(5), m.stats->by_source[i]);
    LengthHistograms(w.Break(5), m.stats->by_source[i]);
    w.Break(5).Key("documents_read").Uint(c.documents_read).Key("exact_duplicates").Uint(ExactDuplicates(c));
    Num(w.Key("exact_duplicate_rate"), Ratio(ExactDuplicates(c), c.documents_read));
    w.Key("near_duplicates").Uint(NearDuplicates(c));
    Num(w.Key("near_duplicate_rate"), Ratio(NearDuplicates(c), c.documents_read));
    CountMap(w.Break(5).Key("dropped"), c.dropped);
    CountMap(w.Key("repairs"), c.repairs);
    CountMap(w.Key("build_languages"), c.languages);
    Examples(w.Break(5).Key("examples"), m, i);
    w.EndObject();
  }
  if (!m.build->sources.empty()) w.Break(2);
  w.EndArray();
}

void Languages(JsonWriter& w, const ReportModel& m) {
  w.Break(2).Key("languages").BeginArray();
  for (const auto& language : m.languages) {
    const LanguageCounts& c = language.counts;
    w.Break(4).BeginObject().Key("language").String(language.code);
    GroupMembers(w, c);
    LengthHistograms(w, c);
    Num(w.Key("share_of_tokens"), Ratio(c.tokens, m.stats->total.tokens));
    w.Key("declared").Bool(c.declared).Key("cld2_documents").Uint(c.cld2_documents);
    w.Key("cld2_reliable").Uint(c.cld2_reliable);
    Num(w.Key("cld2_mean_percent"), Ratio(c.cld2_percent_sum, c.cld2_documents));
    w.EndObject();
  }
  if (!m.languages.empty()) w.Break(2);
  w.EndArray();
}

void LanguageId(JsonWriter& w, const ReportModel& m) {
  const CorpusStats& s = *m.stats;
  w.Break(2).Key("language_id").BeginObject().Key("mode").String(m.language_mode);
  w.Key("method").String(m.language_method).Key("cld2_documents").Uint(s.cld2_documents);
  w.Key("cld2_reliable").Uint(s.cld2_reliable);
  Num(w.Key("cld2_reliable_share"), Ratio(s.cld2_reliable, s.cld2_documents));
  Num(w.Key("cld2_mean_percent"), Ratio(s.cld2_percent_sum, s.cld2_documents));
  w.Break(4).Key("cld2_percent_histogram").BeginArray();
  for (size_t k = 0; k < s.cld2_percent.size(); ++k) {
    w.BeginObject().Key("low").Uint(k * 10).Key("high").Uint(k == 10 ? 101 : (k + 1) * 10);
    w.Key("documents").Uint(s.cld2_percent[k]).EndObject();
  }
  w.EndArray().EndObject();
}

void HistogramJson(JsonWriter& w, const char* name, const Histogram& h) {
  w.Break(4).Key(name).BeginObject().Key("documents").Uint(h.n).Key("sum").Uint(h.sum);
  w.Key("min").Uint(h.n ? h.min : 0).Key("max").Uint(h.max);
  Num(w.Key("mean"), Ratio(h.sum, h.n));
  Buckets(w.Break(6).Key("buckets"), h);
  w.EndObject();
}

void TopTokens(JsonWriter& w, const ReportModel& m) {
  w.Break(2).Key("top_tokens").BeginObject();
  w.Key("end_of_document_tokens").Uint(m.stats->token_counts.empty() ? 0 : m.stats->token_counts[0]);
  w.Key("tokens").BeginArray();
  for (const TokenRow& t : m.top_tokens) {
    w.Break(4).BeginObject().Key("id").Uint(t.id).Key("text").String(t.display).Key("hex").String(t.hex);
    w.Key("count").Uint(t.count);
    Num(w.Key("share"), Ratio(t.count, m.stats->total.text_tokens));
    w.EndObject();
  }
  if (!m.top_tokens.empty()) w.Break(2);
  w.EndArray().EndObject();
}

void LineList(JsonWriter& w, const std::vector<ReportedLine>& lines) {
  w.BeginArray();
  for (const ReportedLine& l : lines) {
    w.Break(6).BeginObject().Key("text").String(DisplayText(l.text)).Key("bytes").Uint(l.bytes);
    w.Key("count").Uint(l.count).EndObject();
  }
  if (!lines.empty()) w.Break(4);
  w.EndArray();
}

void RepeatedLines(JsonWriter& w, const ReportModel& m) {
  const CorpusStats& s = *m.stats;
  w.Break(2).Key("repeated_lines").BeginObject();
  w.Key("method").String("xxh3-64 of each trimmed line in a capped hash table, pruned lossy-counting style when full");
  w.Key("min_line_bytes").Uint(s.min_line_bytes).Key("lines_counted").Uint(s.lines_counted);
  w.Key("table_capacity").Uint(s.line_table_capacity).Key("prunes").Uint(s.line_table_prunes);
  w.Key("count_undercount_bound").Uint(s.line_undercount_bound);
  LineList(w.Break(4).Key("longest"), s.longest_lines);
  LineList(w.Break(4).Key("most_frequent"), s.frequent_lines);
  w.EndObject();
}

}  // namespace

std::string ReportJson(const ReportModel& m) {
  JsonWriter w;
  w.BeginObject().Break(2).Key("tool").BeginObject().Key("name").String("rwkvkit");
  w.Key("version").String(m.tool_version).EndObject();
  w.Break(2).Key("report").String("corpus statistics (docs/stats_report.md)");
  w.Break(2).Key("build_dir").String(DisplayText(m.build_dir));
  Totals(w, m);
  BuildBlock(w, m);
  Sources(w, m);
  Languages(w, m);
  LanguageId(w, m);
  w.Break(2).Key("histograms").BeginObject();
  HistogramJson(w, "chars", m.stats->total.chars_histogram);
  HistogramJson(w, "tokens", m.stats->total.tokens_histogram);
  w.Break(2).EndObject();
  TopTokens(w, m);
  RepeatedLines(w, m);
  w.Break(2).Key("shard_errors").BeginArray();
  for (const std::string& e : m.stats->shard_errors) w.String(DisplayText(e));
  w.EndArray().Break(0).EndObject().Text("\n");
  return w.Take();
}

}  // namespace rwkvkit::corpus::stats

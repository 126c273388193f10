// corpus/stats/report_html.cc — see report_html.h.
#include "corpus/stats/report_html.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "corpus/stats/report_markdown.h"
#include "corpus/stats/svg_chart.h"
#include "corpus/stats/text_escape.h"

namespace rwkvkit::corpus::stats {
namespace {

constexpr size_t kChartLanguages = 24;
constexpr size_t kMaxLineChars = 150;  // code points
constexpr char kSourceColor[] = "#0f766e";
constexpr char kLanguageColor[] = "#4f46e5";
constexpr char kCharsColor[] = "#d97706";
constexpr char kTokensColor[] = "#be185d";
constexpr char kConfidenceColor[] = "#2563eb";

constexpr char kStyle[] = R"css(
:root { color-scheme: light; --ink: #1f2937; --muted: #6b7280; --line: #e5e7eb; --panel: #ffffff; --bg: #f3f4f6; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--ink);
       font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; }
main { max-width: 1220px; margin: 0 auto; padding: 24px 28px 40px; }
header h1 { font-size: 26px; margin: 0 0 4px; letter-spacing: -0.01em; }
header p { margin: 0; color: var(--muted); }
h2 { font-size: 18px; margin: 0 0 12px; }
h3 { font-size: 14px; margin: 0 0 8px; color: var(--muted); font-weight: 600; }
section { background: var(--panel); border: 1px solid var(--line); border-radius: 10px; padding: 18px 20px; margin-top: 18px; }
.cards { display: grid; grid-template-columns: repeat(6, 1fr); gap: 12px; margin-top: 18px; }
.card { background: var(--panel); border: 1px solid var(--line); border-radius: 10px; padding: 12px 14px; }
.card .k { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: 0.04em; }
.card .v { font-size: 22px; font-weight: 650; margin-top: 2px; }
.card .s { color: var(--muted); font-size: 12px; }
.grid2 { display: grid; grid-template-columns: 1fr 1fr; gap: 20px; align-items: start; }
.chart { width: 100%; height: auto; display: block; }
.chart text { font: 12px system-ui, "DejaVu Sans", sans-serif; fill: var(--ink); }
.chart text.small { font-size: 10.5px; }
.chart text.value { fill: var(--muted); }
.chart .axis { stroke: #9ca3af; stroke-width: 1; }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
th, td { padding: 5px 8px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
th { background: #f9fafb; font-weight: 600; color: #374151; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tbody tr:nth-child(even) td { background: #fafafa; }
code, .tok { font-family: "DejaVu Sans Mono", ui-monospace, monospace; font-size: 12.5px; background: #f3f4f6;
             border-radius: 4px; padding: 1px 4px; white-space: pre-wrap; word-break: break-all; }
.scroll { overflow-x: auto; }
.note { color: var(--muted); font-size: 12.5px; margin: 4px 0 14px; }
.scroll + h3, .grid2 + .scroll { margin-top: 16px; }
.bad { color: #b91c1c; }
pre.doc { font-family: "DejaVu Sans Mono", ui-monospace, monospace; font-size: 12px; background: #f9fafb;
          border: 1px solid var(--line); border-radius: 6px; padding: 8px 10px; margin: 0 0 10px;
          white-space: pre-wrap; word-break: break-word; max-height: 16em; overflow-y: auto; }
footer { color: var(--muted); font-size: 12px; margin-top: 18px; }
)css";

std::string Td(const std::string& s) { return absl::StrCat("<td>", s, "</td>"); }
std::string Tn(const std::string& s) { return absl::StrCat("<td class=\"n\">", s, "</td>"); }

// <table> with a header row; `numeric[i]` right-aligns column i.
std::string TableHead(const std::vector<std::string>& cols, const std::vector<bool>& numeric) {
  std::string h = "<div class=\"scroll\"><table><thead><tr>";
  for (size_t i = 0; i < cols.size(); ++i)
    absl::StrAppend(&h, numeric[i] ? "<th class=\"n\">" : "<th>", HtmlEscape(cols[i]), "</th>");
  return h + "</tr></thead><tbody>";
}
constexpr char kTableEnd[] = "</tbody></table></div>";

std::string Card(const std::string& key, const std::string& value, const std::string& sub) {
  return absl::StrCat("<div class=\"card\"><div class=\"k\">", HtmlEscape(key), "</div><div class=\"v\">",
                      HtmlEscape(value), "</div><div class=\"s\">", HtmlEscape(sub), "</div></div>");
}

// Where the languages came from: "CLD2", "manifest" or "CLD2 + manifest".
std::string LanguageSourcesText(const ReportModel& m) {
  const bool declared = std::any_of(m.languages.begin(), m.languages.end(),
                                    [](const LanguageRow& l) { return l.counts.declared; });
  if (m.stats->cld2_documents == 0) return "manifest";
  return declared ? "CLD2 + manifest" : "CLD2";
}

std::string Cards(const ReportModel& m) {
  const GroupCounts& t = m.stats->total;
  return absl::StrCat(
      "<div class=\"cards\">", Card("documents", HumanCount(t.documents), GroupDigits(t.documents)),
      Card("tokens", HumanCount(t.tokens), GroupDigits(t.tokens)),
      Card("text", HumanBytes(t.bytes), absl::StrCat(GroupDigits(t.chars), " characters")),
      Card("bytes / token", Fixed3(t.BytesPerToken()), absl::StrCat(Fixed3(t.CharsPerToken()), " characters / token")),
      Card("sources", absl::StrCat(m.build->sources.size()), absl::StrCat(m.build->shards.size(), " shards")),
      Card("languages", absl::StrCat(m.languages.size()), LanguageSourcesText(m)),
      "</div>");
}

std::string KeyValueTable(const std::vector<std::pair<std::string, std::string>>& rows) {
  std::string h = "<div class=\"scroll\"><table><tbody>";
  for (const auto& [k, v] : rows) absl::StrAppend(&h, "<tr>", Td(HtmlEscape(k)), Tn(HtmlEscape(v)), "</tr>");
  return h + kTableEnd;
}

std::string SummaryTable(const ReportModel& m) {
  const build::BuildCounts& b = m.build->total;
  uint64_t filtered = 0;
  for (const auto& [reason, n] : m.filter_drops) filtered += n;
  const std::vector<std::pair<std::string, std::string>> content = ContentSummaryRows(m);
  const std::vector<std::pair<std::string, std::string>> build = {
      {"documents read by the build", GroupDigits(b.documents_read)},
      {"exact duplicates removed",
       absl::StrCat(GroupDigits(ExactDuplicates(b)), " (", Percent(ExactDuplicates(b), b.documents_read), ")")},
      {"near duplicates removed", m.build->near_dedup ? absl::StrCat(GroupDigits(NearDuplicates(b)), " (",
                                                                     Percent(NearDuplicates(b), b.documents_read), ")")
                                                      : "near-dedup off"},
      {"quality filters", m.build->filters ? absl::StrCat("on: ", GroupDigits(filtered), " dropped") : "off"},
      {"sources · languages", absl::StrCat(m.build->sources.size(), " · ", m.languages.size())},
      {"shards (read)", absl::StrCat(m.build->shards.size(), " (", m.stats->shards_read, ")")},
      {"documents with invalid UTF-8", GroupDigits(m.stats->invalid_utf8_documents)},
  };
  return absl::StrCat("<section><h2>Summary</h2><div class=\"grid2\"><div><h3>Content of the shards</h3>",
                      KeyValueTable(content), "</div><div><h3>The build</h3>", KeyValueTable(build),
                      "</div></div></section>");
}

std::string SourcesSection(const ReportModel& m) {
  std::vector<Bar> tokens, bpt;
  for (size_t i = 0; i < m.build->sources.size(); ++i) {
    const GroupCounts& c = m.stats->by_source[i];
    tokens.push_back({m.build->sources[i].name, static_cast<double>(c.tokens), HumanCount(c.tokens)});
    bpt.push_back({m.build->sources[i].name, c.BytesPerToken(), Fixed3(c.BytesPerToken())});
  }
  std::string h =
      absl::StrCat("<section><h2>Sources</h2><div class=\"grid2\"><div><h3>Tokens per source</h3>",
                   HorizontalBarChart(tokens, "Tokens per source", kSourceColor), "</div><div><h3>Bytes per token</h3>",
                   HorizontalBarChart(bpt, "Bytes per token per source", kSourceColor), "</div></div>");
  absl::StrAppend(&h, TableHead({"source", "license", "language", "weight", "documents", "tokens", "share",
                                 "bytes", "bytes/token", "chars/token", "exact dup.", "near dup."},
                                {false, false, false, true, true, true, true, true, true, true, true, true}));
  for (size_t i = 0; i < m.build->sources.size(); ++i) {
    const build::BuildSource& s = m.build->sources[i];
    const GroupCounts& c = m.stats->by_source[i];
    absl::StrAppend(&h, "<tr>", Td(HtmlEscape(s.name)), Td(HtmlEscape(s.license)),
                    Td(HtmlEscape(s.language.value_or("–"))), Tn(absl::StrFormat("%g", s.weight)),
                    Tn(GroupDigits(c.documents)), Tn(GroupDigits(c.tokens)), Tn(Percent(c.tokens, m.stats->total.tokens)),
                    Tn(GroupDigits(c.bytes)), Tn(Fixed3(c.BytesPerToken())), Tn(Fixed3(c.CharsPerToken())),
                    Tn(Percent(ExactDuplicates(s.counts), s.counts.documents_read)),
                    Tn(Percent(NearDuplicates(s.counts), s.counts.documents_read)), "</tr>");
  }
  return h + kTableEnd + "</section>";
}

std::string LanguageCharts(const ReportModel& m) {
  std::vector<Bar> tokens, bpt;
  for (size_t i = 0; i < m.languages.size() && i < kChartLanguages; ++i) {
    const LanguageCounts& c = m.languages[i].counts;
    tokens.push_back({m.languages[i].code, static_cast<double>(c.tokens), HumanCount(c.tokens)});
    bpt.push_back({m.languages[i].code, c.BytesPerToken(), Fixed3(c.BytesPerToken())});
  }
  const std::string more = m.languages.size() > kChartLanguages
                               ? absl::StrFormat(" (top %d of %d)", kChartLanguages, m.languages.size())
                               : std::string();
  return absl::StrCat("<div class=\"grid2\"><div><h3>Tokens per language", more, "</h3>",
                      HorizontalBarChart(tokens, "Tokens per language", kLanguageColor),
                      "</div><div><h3>Bytes per token", more, "</h3>",
                      HorizontalBarChart(bpt, "Bytes per token per language", kLanguageColor), "</div></div>");
}

std::string LanguagesSection(const ReportModel& m) {
  std::string h = absl::StrCat("<section><h2>Languages</h2><p class=\"note\">Language of a document: ",
                               HtmlEscape(m.language_method), ".</p>", LanguageCharts(m));
  absl::StrAppend(&h, TableHead({"language", "documents", "tokens", "share", "bytes", "bytes/token", "chars/token",
                                 "CLD2 mean %", "CLD2 reliable"},
                                {false, true, true, true, true, true, true, true, true}));
  for (const LanguageRow& l : m.languages) {
    const LanguageCounts& c = l.counts;
    absl::StrAppend(
        &h, "<tr>", Td(HtmlEscape(l.code)), Tn(GroupDigits(c.documents)), Tn(GroupDigits(c.tokens)),
        Tn(Percent(c.tokens, m.stats->total.tokens)), Tn(GroupDigits(c.bytes)), Tn(Fixed3(c.BytesPerToken())),
        Tn(Fixed3(c.CharsPerToken())),
        Tn(c.cld2_documents ? absl::StrFormat("%.1f", Ratio(c.cld2_percent_sum, c.cld2_documents)) : "declared"),
        Tn(c.cld2_documents ? Percent(c.cld2_reliable, c.cld2_documents) : "–"), "</tr>");
  }
  return h + kTableEnd + "</section>";
}

std::string ConfidenceSection(const ReportModel& m) {
  const CorpusStats& s = *m.stats;
  if (s.cld2_documents == 0) return std::string();
  std::vector<Bar> bars;
  for (size_t k = 0; k < s.cld2_percent.size(); ++k)
    bars.push_back({k == 10 ? "100" : absl::StrFormat("%d–%d", k * 10, k * 10 + 9),
                    static_cast<double>(s.cld2_percent[k]), HumanCount(s.cld2_percent[k])});
  return absl::StrCat(
      "<section><h2>Language-id confidence</h2><div class=\"grid2\"><div><h3>Documents by CLD2 percent "
      "(share of the text in the top language)</h3>",
      ColumnChart(bars, "Documents by CLD2 percent", kConfidenceColor), "</div><div><h3>CLD2</h3>",
      KeyValueTable({{"documents identified by CLD2", GroupDigits(s.cld2_documents)},
                     {"CLD2 called reliable", absl::StrCat(GroupDigits(s.cld2_reliable), " (",
                                                           Percent(s.cld2_reliable, s.cld2_documents), ")")},
                     {"mean percent", absl::StrFormat("%.1f", Ratio(s.cld2_percent_sum, s.cld2_documents))}}),
      "</div></div></section>");
}

std::string HistogramChart(const std::vector<HistogramRow>& rows, const Histogram& h, const std::string& unit,
                           const char* color) {
  std::vector<Bar> bars;
  for (const HistogramRow& r : rows)
    bars.push_back({GroupDigits(r.low), static_cast<double>(r.count), HumanCount(r.count)});
  return absl::StrCat("<div><h3>Documents by length in ", unit, " (bucket [n, 2n), log scale)</h3>",
                      ColumnChart(bars, absl::StrCat("Document length in ", unit), color),
                      absl::StrFormat("<p class=\"note\">min %s · mean %.1f · max %s %s</p></div>",
                                      GroupDigits(h.n ? h.min : 0), Ratio(h.sum, h.n), GroupDigits(h.max), unit));
}

std::string PercentileTable(const ReportModel& m, bool chars) {
  std::vector<std::string> cols = {chars ? "characters" : "text tokens"};
  for (const uint32_t p : kReportPercentiles) cols.push_back(absl::StrCat("p", p));
  cols.push_back("max");
  std::vector<bool> numeric(cols.size(), true);
  numeric[0] = false;
  std::string h = TableHead(cols, numeric);
  for (const PercentileRow& r : PercentileRows(m, chars)) {
    absl::StrAppend(&h, "<tr>", Td(HtmlEscape(r.label)));
    for (const uint64_t v : r.values) absl::StrAppend(&h, Tn(GroupDigits(v)));
    h += "</tr>";
  }
  return h + kTableEnd;
}

std::string LengthsSection(const ReportModel& m) {
  return absl::StrCat("<section><h2>Document lengths</h2><div class=\"grid2\">",
                      HistogramChart(m.chars_histogram, m.stats->total.chars_histogram, "characters", kCharsColor),
                      HistogramChart(m.tokens_histogram, m.stats->total.tokens_histogram, "tokens", kTokensColor),
                      "</div><h3 style=\"margin-top:16px\">Percentiles per document (nearest rank; exact below 128, "
                      "above rounded down by at most 1/64)</h3><div class=\"grid2\"><div>",
                      PercentileTable(m, false), "</div><div>", PercentileTable(m, true), "</div></div></section>");
}

std::string ExamplesSection(const ReportModel& m) {
  std::string h =
      "<section><h2>Example documents</h2><p class=\"note\">Documents spread evenly over each source, cut to their "
      "first characters (control characters and invisible ones escaped as in the token table).</p>";
  bool any = false;
  for (size_t i = 0; i < m.build->sources.size(); ++i) {
    const std::vector<ExampleDocument>& ex = SourceExamples(m, i);
    if (ex.empty()) continue;
    any = true;
    absl::StrAppend(&h, "<h3 style=\"margin-top:14px\">", HtmlEscape(m.build->sources[i].name), "</h3>");
    for (const ExampleDocument& e : ex)
      absl::StrAppend(&h, "<p class=\"note\"><code>", HtmlEscape(m.build->shards[e.shard].name), "</code> document ",
                      e.document, ", ", GroupDigits(e.chars), " characters, ", GroupDigits(e.tokens), " tokens",
                      e.truncated ? " (cut)" : "", "</p><pre class=\"doc\">", HtmlEscape(DisplayLines(e.text)),
                      e.truncated ? "…" : "", "</pre>");
  }
  return any ? h + "</section>" : std::string();
}

std::string CleaningSection(const ReportModel& m) {
  const build::BuildCounts& t = m.build->total;
  std::string h = absl::StrCat("<section><h2>Cleaning</h2><div class=\"grid2\"><div><h3>Dropped documents (of ",
                               GroupDigits(t.documents_read), " read)</h3>",
                               TableHead({"reason", "documents", "share"}, {false, true, true}));
  for (const auto& [reason, n] : t.dropped)
    absl::StrAppend(&h, "<tr>", Td(absl::StrCat("<code>", HtmlEscape(reason), "</code>")), Tn(GroupDigits(n)),
                    Tn(Percent(n, t.documents_read)), "</tr>");
  if (t.dropped.empty()) absl::StrAppend(&h, "<tr>", Td("nothing dropped"), Tn("0"), Tn("0.00%"), "</tr>");
  absl::StrAppend(&h, kTableEnd, "</div><div><h3>Repairs</h3>", TableHead({"kind", "count"}, {false, true}));
  for (const auto& [kind, n] : t.repairs)
    absl::StrAppend(&h, "<tr>", Td(absl::StrCat("<code>", HtmlEscape(kind), "</code>")), Tn(GroupDigits(n)), "</tr>");
  absl::StrAppend(&h, kTableEnd, "</div></div>");
  if (!t.filter_drops.empty()) {
    absl::StrAppend(&h, "<h3 style=\"margin-top:16px\">Quality-filter drops by filter</h3>",
                    TableHead({"filter", "reason", "documents", "share"}, {false, false, true, true}));
    for (const auto& [filter, reasons] : t.filter_drops)
      for (const auto& [reason, n] : reasons)
        absl::StrAppend(&h, "<tr>", Td(HtmlEscape(filter)), Td(absl::StrCat("<code>", HtmlEscape(reason), "</code>")),
                        Tn(GroupDigits(n)), Tn(Percent(n, t.documents_read)), "</tr>");
    absl::StrAppend(&h, kTableEnd);
  }
  if (t.c4_documents_edited)
    absl::StrAppend(&h, absl::StrFormat("<p class=\"note\">C4 line filter: %s documents edited.</p>",
                                        GroupDigits(t.c4_documents_edited)));
  if (const std::optional<build::NearDedupInfo>& n = m.build->near)
    absl::StrAppend(
        &h, absl::StrFormat("<p class=\"note\">Near dedup (MinHash LSH): %s candidate pairs, %s confirmed, %s "
                            "clusters, %s documents removed.</p>",
                            GroupDigits(n->candidate_pairs), GroupDigits(n->confirmed_pairs), GroupDigits(n->clusters),
                            GroupDigits(n->documents_removed)));
  return h + "</section>";
}

std::string TokenTable(const ReportModel& m, size_t begin, size_t end) {
  std::string h = TableHead({"#", "id", "token", "count", "share"}, {true, true, false, true, true});
  for (size_t i = begin; i < end; ++i) {
    const TokenRow& t = m.top_tokens[i];
    absl::StrAppend(&h, "<tr>", Tn(absl::StrCat(i + 1)), Tn(absl::StrCat(t.id)),
                    Td(absl::StrCat("<span class=\"tok\">", HtmlEscape(ShowSpaces(t.display)), "</span>")),
                    Tn(GroupDigits(t.count)), Tn(Percent(t.count, m.stats->total.text_tokens)), "</tr>");
  }
  return h + kTableEnd;
}

std::string TokensSection(const ReportModel& m) {
  const size_t half = (m.top_tokens.size() + 1) / 2;
  return absl::StrCat(
      "<section><h2>Most frequent tokens</h2><p class=\"note\">Of ", GroupDigits(m.stats->total.text_tokens),
      " text tokens (the end-of-document token 0 is left out); ␣ is a space, \\n a line feed, \\xNN a "
      "byte of a character that the token splits.</p><div class=\"grid2\"><div>",
      TokenTable(m, 0, half), "</div><div>", TokenTable(m, half, m.top_tokens.size()), "</div></div></section>");
}

std::string LineTable(const std::vector<ReportedLine>& lines) {
  std::string h = TableHead({"line", "bytes", "count"}, {false, true, true});
  for (const ReportedLine& l : lines) {
    const std::string text = ClipChars(DisplayText(l.text), kMaxLineChars);
    absl::StrAppend(&h, "<tr>", Td(absl::StrCat("<code>", HtmlEscape(text), "</code>")), Tn(GroupDigits(l.bytes)),
                    Tn(GroupDigits(l.count)), "</tr>");
  }
  return h + kTableEnd;
}

std::string LinesSection(const ReportModel& m) {
  const CorpusStats& s = *m.stats;
  return absl::StrCat(
      "<section><h2>Repeated lines</h2><p class=\"note\">",
      absl::StrFormat("Lines of at least %d bytes after trimming, counted by XXH3-64 in a table of at most %s entries "
                      "(%s lines, %d prunes; counts may be short by at most %d).",
                      s.min_line_bytes, GroupDigits(s.line_table_capacity), GroupDigits(s.lines_counted),
                      s.line_table_prunes, s.line_undercount_bound),
      "</p><h3>Longest lines seen at least twice</h3>", LineTable(s.longest_lines),
      "<h3 style=\"margin-top:14px\">Most "
      "frequent lines</h3>",
      LineTable(s.frequent_lines), "</section>");
}

std::string ErrorsSection(const ReportModel& m) {
  if (m.stats->shard_errors.empty()) return std::string();
  std::string h = "<section><h2 class=\"bad\">Shards that could not be read</h2><ul>";
  for (const std::string& e : m.stats->shard_errors)
    absl::StrAppend(&h, "<li><code>", HtmlEscape(DisplayText(e)), "</code></li>");
  return h + "</ul></section>";
}

}  // namespace

std::string ReportHtml(const ReportModel& m) {
  const std::string name = m.build->corpus.empty() ? "corpus" : m.build->corpus;
  std::string h = absl::StrCat(
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>Corpus report: ",
      HtmlEscape(name), "</title><style>", kStyle,
      "</style></head><body><main><header><h1>Corpus report: ", HtmlEscape(name), "</h1><p>",
      HtmlEscape(DisplayText(m.build_dir)), " · rwkvkit ", HtmlEscape(m.tool_version),
      " · RWKV World vocab · counted from the shards and build.json</p></header>");
  absl::StrAppend(&h, ErrorsSection(m), Cards(m), SummaryTable(m), SourcesSection(m), LanguagesSection(m),
                  ConfidenceSection(m), LengthsSection(m), CleaningSection(m), TokensSection(m), LinesSection(m),
                  ExamplesSection(m));
  absl::StrAppend(&h,
                  "<footer>Generated by <code>rwkvkit stats</code>. Tokens include one end-of-document token per "
                  "document; bytes and characters are those of the decoded text. docs/stats_report.md explains "
                  "every number and method.</footer></main></body></html>\n");
  return h;
}

}  // namespace rwkvkit::corpus::stats

// corpus/stats/report_markdown.cc — see report_markdown.h.
#include "corpus/stats/report_markdown.h"

#include <algorithm>
#include <iterator>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "corpus/stats/dataset_card.h"
#include "corpus/stats/text_escape.h"

namespace rwkvkit::corpus::stats {
namespace {

constexpr size_t kMarkdownTokens = 20;
constexpr size_t kMarkdownLines = 10;
constexpr size_t kMaxLineChars = 100;  // code points

std::string Summary(const ReportModel& m) {
  std::string md = "## Summary\n\n| | |\n|---|---:|\n";
  std::vector<std::pair<std::string, std::string>> rows = ContentSummaryRows(m);
  rows.insert(rows.end(),
              {
                  {"sources", absl::StrCat(m.build->sources.size())},
                  {"languages", absl::StrCat(m.languages.size())},
                  {"shards", absl::StrCat(m.build->shards.size())},
                  {"exact duplicates removed",
                   absl::StrCat(GroupDigits(ExactDuplicates(m.build->total)), " (",
                                Percent(ExactDuplicates(m.build->total), m.build->total.documents_read), ")")},
                  {"near duplicates removed",
                   absl::StrCat(GroupDigits(NearDuplicates(m.build->total)), " (",
                                Percent(NearDuplicates(m.build->total), m.build->total.documents_read), ")")},
              });
  for (const auto& [k, v] : rows) absl::StrAppend(&md, "| ", k, " | ", v, " |\n");
  return md;
}

std::string Sources(const ReportModel& m) {
  std::string md =
      "\n## Sources\n\n| source | license | language | weight | documents | tokens | share of tokens | bytes | "
      "bytes/token | chars/token | exact dup. | near dup. |\n|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n";
  for (size_t i = 0; i < m.build->sources.size(); ++i) {
    const build::BuildSource& s = m.build->sources[i];
    const GroupCounts& c = m.stats->by_source[i];
    absl::StrAppend(&md, "| ", MarkdownEscape(s.name), " | ", MarkdownEscape(s.license), " | ",
                    MarkdownEscape(s.language.value_or("")), " | ", absl::StrFormat("%g", s.weight), " | ",
                    GroupDigits(c.documents), " | ", GroupDigits(c.tokens), " | ", Percent(c.tokens, m.stats->total.tokens),
                    " | ", GroupDigits(c.bytes), " | ", Fixed3(c.BytesPerToken()), " | ",
                    Fixed3(c.CharsPerToken()), " | ", Percent(ExactDuplicates(s.counts), s.counts.documents_read),
                    " | ", Percent(NearDuplicates(s.counts), s.counts.documents_read), " |\n");
  }
  return md;
}

std::string Languages(const ReportModel& m) {
  std::string md = absl::StrCat(
      "\n## Languages\n\nLanguage of a document: ", m.language_method,
      ".\n\n| language | documents | tokens | share of tokens | bytes | bytes/token | chars/token | CLD2 mean % | "
      "CLD2 reliable |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
  for (const LanguageRow& l : m.languages) {
    const LanguageCounts& c = l.counts;
    absl::StrAppend(
        &md, "| ", MarkdownEscape(l.code), " | ", GroupDigits(c.documents), " | ", GroupDigits(c.tokens), " | ",
        Percent(c.tokens, m.stats->total.tokens), " | ", GroupDigits(c.bytes), " | ", Fixed3(c.BytesPerToken()), " | ",
        Fixed3(c.CharsPerToken()), " | ",
        c.cld2_documents ? absl::StrFormat("%.1f", Ratio(c.cld2_percent_sum, c.cld2_documents)) : "declared", " | ",
        c.cld2_documents ? Percent(c.cld2_reliable, c.cld2_documents) : "–", " |\n");
  }
  return md;
}

std::string PercentileTables(const ReportModel& m) {
  std::string md;
  for (const bool chars : {false, true}) {
    absl::StrAppend(&md, "| ", chars ? "characters" : "text tokens", " per document |");
    for (const uint32_t p : kReportPercentiles) absl::StrAppend(&md, " p", p, " |");
    md += " max |\n|---|";
    for (size_t k = 0; k <= std::size(kReportPercentiles); ++k) md += "---:|";
    md += "\n";
    for (const PercentileRow& r : PercentileRows(m, chars)) {
      absl::StrAppend(&md, "| ", MarkdownEscape(r.label), " |");
      for (const uint64_t v : r.values) absl::StrAppend(&md, " ", GroupDigits(v), " |");
      md += "\n";
    }
    md += "\n";
  }
  return md;
}

std::string Histograms(const ReportModel& m) {
  std::string md = absl::StrCat("\n## Document lengths\n\nPercentiles (nearest rank; exact below 128, above "
                                "rounded down by at most 1/64):\n\n",
                                PercentileTables(m));
  const std::pair<const char*, const std::vector<HistogramRow>*> hs[] = {{"characters", &m.chars_histogram},
                                                                         {"tokens", &m.tokens_histogram}};
  for (const auto& [unit, rows] : hs) {
    absl::StrAppend(&md, "| ", unit, " | documents |\n|---:|---:|\n");
    for (const HistogramRow& r : *rows)
      absl::StrAppend(&md, "| ", BucketLabel(r.low, r.high), " | ", GroupDigits(r.count), " |\n");
    md += "\n";
  }
  return md;
}

std::string Cleaning(const ReportModel& m) {
  const build::BuildCounts& t = m.build->total;
  std::string md = absl::StrCat("## Cleaning\n\nDocuments read: ", GroupDigits(t.documents_read),
                                ".\n\n| dropped because | documents | share of read |\n|---|---:|---:|\n");
  for (const auto& [reason, n] : t.dropped)
    absl::StrAppend(&md, "| ", MarkdownEscape(reason), " | ", GroupDigits(n), " | ", Percent(n, t.documents_read),
                    " |\n");
  if (t.dropped.empty()) md += "| (nothing dropped) | 0 | 0.00% |\n";
  if (!t.filter_drops.empty()) {
    md += "\n| filter | reason | documents |\n|---|---|---:|\n";
    for (const auto& [filter, reasons] : t.filter_drops)
      for (const auto& [reason, n] : reasons)
        absl::StrAppend(&md, "| ", MarkdownEscape(filter), " | ", MarkdownEscape(reason), " | ", GroupDigits(n),
                        " |\n");
  }
  md += "\n| repair | count |\n|---|---:|\n";
  for (const auto& [kind, n] : t.repairs)
    absl::StrAppend(&md, "| ", MarkdownEscape(kind), " | ", GroupDigits(n), " |\n");
  return md;
}

std::string TopTokens(const ReportModel& m) {
  std::string md =
      "\n## Most frequent tokens\n\n| rank | id | token | count | share of text tokens |\n|---:|---:|---|---:|---:|\n";
  for (size_t i = 0; i < m.top_tokens.size() && i < kMarkdownTokens; ++i) {
    const TokenRow& t = m.top_tokens[i];
    absl::StrAppend(&md, "| ", i + 1, " | ", t.id, " | ", MarkdownEscape(ShowSpaces(t.display)), " | ",
                    GroupDigits(t.count), " | ", Percent(t.count, m.stats->total.text_tokens), " |\n");
  }
  return md;
}

std::string Lines(const ReportModel& m) {
  const CorpusStats& s = *m.stats;
  std::string md = absl::StrCat("\n## Longest repeated lines\n\nLines of at least ", s.min_line_bytes,
                                " bytes (trimmed) seen at least twice; counts may be short by at most ",
                                s.line_undercount_bound, ".\n\n| line | bytes | count |\n|---|---:|---:|\n");
  for (size_t i = 0; i < s.longest_lines.size() && i < kMarkdownLines; ++i) {
    const ReportedLine& l = s.longest_lines[i];
    absl::StrAppend(&md, "| ", MarkdownEscape(ClipChars(DisplayText(l.text), kMaxLineChars)), " | ",
                    GroupDigits(l.bytes), " | ", GroupDigits(l.count), " |\n");
  }
  return md;
}

// A fenced code block holding `text` verbatim: the fence is longer than any run of backticks
// in the text, so nothing in it can end the block.
std::string FencedBlock(const std::string& text) {
  size_t longest = 0, run = 0;
  for (const char c : text) {
    run = c == '`' ? run + 1 : 0;
    longest = std::max(longest, run);
  }
  const std::string fence(std::max<size_t>(3, longest + 1), '`');
  return absl::StrCat(fence, "text\n", text, "\n", fence, "\n");
}

std::string Examples(const ReportModel& m) {
  std::string md = "\n## Example documents\n\nDocuments spread evenly over each source, cut to their first characters "
                   "(control characters and invisible ones escaped as in the token table).\n";
  for (size_t i = 0; i < m.build->sources.size(); ++i) {
    const std::vector<ExampleDocument>& ex = SourceExamples(m, i);
    if (ex.empty()) continue;
    absl::StrAppend(&md, "\n### ", MarkdownEscape(m.build->sources[i].name), "\n");
    for (const ExampleDocument& e : ex) {
      absl::StrAppend(&md, "\n`", m.build->shards[e.shard].name, "` document ", e.document, ", ",
                      GroupDigits(e.chars), " characters, ", GroupDigits(e.tokens), " tokens",
                      e.truncated ? " (cut)" : "", ":\n\n", FencedBlock(DisplayLines(e.text)));
    }
  }
  return md;
}

}  // namespace

std::string BucketLabel(uint64_t low, uint64_t high) {
  if (high - low <= 1) return absl::StrCat(low);
  return absl::StrCat(low, "–", high - 1);
}

std::string ReportMarkdown(const ReportModel& m) {
  std::string md =
      absl::StrCat(DatasetCardFrontMatter(m), "# Corpus report: ", MarkdownEscape(m.build->corpus.empty() ? "corpus" : m.build->corpus),
                   "\n\nMade by `rwkvkit stats` ", m.tool_version, " from the shards and build.json of `",
                   DisplayText(m.build_dir), "` (docs/stats_report.md explains every number).\n\n");
  absl::StrAppend(&md, Summary(m), Sources(m), Languages(m), Histograms(m), Cleaning(m), TopTokens(m), Lines(m),
                  Examples(m));
  if (!m.stats->shard_errors.empty()) {
    md += "\n## Shards that could not be read\n\n";
    for (const std::string& e : m.stats->shard_errors) absl::StrAppend(&md, "- ", MarkdownEscape(DisplayText(e)), "\n");
  }
  return md;
}

}  // namespace rwkvkit::corpus::stats

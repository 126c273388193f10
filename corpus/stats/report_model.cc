// corpus/stats/report_model.cc — see report_model.h.
#include "corpus/stats/report_model.h"

#include <algorithm>
#include <numeric>
#include <tuple>

#include "absl/strings/str_format.h"
#include "corpus/stats/text_escape.h"

namespace rwkvkit::corpus::stats {
namespace {

uint64_t Get(const std::map<std::string, uint64_t>& m, const std::string& key) {
  auto it = m.find(key);
  return it == m.end() ? 0 : it->second;
}

std::vector<TokenRow> TopTokens(const CorpusStats& stats, const tokenizer::Tokenizer& tok, size_t k) {
  std::vector<uint32_t> ids;
  for (uint32_t id = 1; id < stats.token_counts.size(); ++id)
    if (stats.token_counts[id]) ids.push_back(id);
  auto before = [&](uint32_t a, uint32_t b) {
    return std::make_tuple(stats.token_counts[b], a) < std::make_tuple(stats.token_counts[a], b);
  };
  const size_t n = std::min(k, ids.size());
  std::partial_sort(ids.begin(), ids.begin() + static_cast<std::ptrdiff_t>(n), ids.end(), before);
  std::vector<TokenRow> rows;
  for (size_t i = 0; i < n; ++i) {
    const std::string_view bytes = tok.TokenBytes(ids[i]);
    rows.push_back({ids[i], DisplayText(bytes), HexBytes(bytes), stats.token_counts[ids[i]]});
  }
  return rows;
}

}  // namespace

std::vector<HistogramRow> HistogramRows(const Histogram& h) {
  std::vector<HistogramRow> rows;
  int first = Histogram::kBuckets, last = -1;
  for (int k = 0; k < Histogram::kBuckets; ++k) {
    if (h.counts[k] == 0) continue;
    first = std::min(first, k);
    last = k;
  }
  for (int k = first; k <= last; ++k) rows.push_back({Histogram::BucketLow(k), Histogram::BucketHigh(k), h.counts[k]});
  return rows;
}

uint64_t ExactDuplicates(const build::BuildCounts& c) { return Get(c.dropped, "duplicate"); }
uint64_t NearDuplicates(const build::BuildCounts& c) { return Get(c.dropped, "near_duplicate"); }

std::vector<std::pair<std::string, std::string>> ContentSummaryRows(const ReportModel& m) {
  const GroupCounts& t = m.stats->total;
  return {
      {"documents", GroupDigits(t.documents)},
      {"tokens (end-of-document tokens included)", GroupDigits(t.tokens)},
      {"text tokens", GroupDigits(t.text_tokens)},
      {"bytes (UTF-8 text)", GroupDigits(t.bytes)},
      {"characters", GroupDigits(t.chars)},
      {"bytes per token", Fixed3(t.BytesPerToken())},
      {"characters per token", Fixed3(t.CharsPerToken())},
      {"mean document tokens", absl::StrFormat("%.1f", Ratio(t.text_tokens, t.documents))},
  };
}

std::vector<PercentileRow> PercentileRows(const ReportModel& m, bool chars) {
  auto row = [&](std::string label, const GroupCounts& c) {
    PercentileRow r{std::move(label), {}};
    const LengthQuantiles& q = chars ? c.chars_quantiles : c.tokens_quantiles;
    for (const uint32_t p : kReportPercentiles) r.values.push_back(q.Percentile(p));
    const Histogram& h = chars ? c.chars_histogram : c.tokens_histogram;
    r.values.push_back(h.max);
    return r;
  };
  std::vector<PercentileRow> rows = {row("all documents", m.stats->total)};
  for (size_t i = 0; i < m.build->sources.size() && i < m.stats->by_source.size(); ++i)
    rows.push_back(row(m.build->sources[i].name, m.stats->by_source[i]));
  return rows;
}

const std::vector<ExampleDocument>& SourceExamples(const ReportModel& m, size_t i) {
  static const std::vector<ExampleDocument> kNone;
  return i < m.stats->examples.size() ? m.stats->examples[i] : kNone;
}

std::string LanguageMethodText(LanguageSource language) {
  switch (language) {
    case LanguageSource::kAuto:
      return "the source's manifest language where it declares one (code sources), else CLD2 on the decoded "
             "document";
    case LanguageSource::kCld2:
      return "CLD2 on every decoded document";
    case LanguageSource::kManifest:
      return "the source's manifest language only (no CLD2)";
  }
  return "";
}

ReportModel MakeReportModel(const build::BuildJson& build, const CorpusStats& stats, const tokenizer::Tokenizer& tok,
                            std::string build_dir, LanguageSource language, size_t top_tokens,
                            std::string tool_version) {
  ReportModel m;
  m.build = &build;
  m.stats = &stats;
  m.build_dir = std::move(build_dir);
  m.language_mode = LanguageSourceName(language);
  m.language_method = LanguageMethodText(language);
  m.tool_version = std::move(tool_version);
  m.top_tokens = TopTokens(stats, tok, top_tokens);
  for (const auto& [code, c] : stats.by_language) m.languages.push_back({code, c});
  std::sort(m.languages.begin(), m.languages.end(), [](const LanguageRow& a, const LanguageRow& b) {
    return std::make_tuple(b.counts.tokens, a.code) < std::make_tuple(a.counts.tokens, b.code);
  });
  m.chars_histogram = HistogramRows(stats.total.chars_histogram);
  m.tokens_histogram = HistogramRows(stats.total.tokens_histogram);
  for (const auto& [reason, n] : build.total.dropped)
    if (reason.rfind("filter_", 0) == 0) m.filter_drops[reason] = n;
  return m;
}

}  // namespace rwkvkit::corpus::stats

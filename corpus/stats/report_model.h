// corpus/stats/report_model.h — the tables every report format shows, derived once from
// build.json (BuildInfo) and the shard counts (CorpusStats), so that report.json,
// report.md and report.html cannot disagree. Pure.
#ifndef RWKVKIT_CORPUS_STATS_REPORT_MODEL_H_
#define RWKVKIT_CORPUS_STATS_REPORT_MODEL_H_

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "corpus/build/build_json.h"
#include "corpus/stats/collector.h"
#include "corpus/stats/corpus_stats.h"
#include "tokenizer/tokenizer.h"

namespace rwkvkit::corpus::stats {

struct TokenRow {
  uint32_t id = 0;
  std::string display;  // DisplayText of the token's bytes
  std::string hex;      // the bytes, hex
  uint64_t count = 0;
};

struct LanguageRow {
  std::string code;
  LanguageCounts counts;
};

struct HistogramRow {
  uint64_t low = 0, high = 0;  // [low, high)
  uint64_t count = 0;
};

struct ReportModel {
  const build::BuildJson* build = nullptr;
  const CorpusStats* stats = nullptr;
  std::string build_dir, language_mode, language_method, tool_version;  // mode: auto | cld2 | manifest
  std::vector<TokenRow> top_tokens;                                     // by count, id 0 (end of document) left out
  std::vector<LanguageRow> languages;                                   // by tokens, then code
  std::vector<HistogramRow> chars_histogram, tokens_histogram;          // first..last non-empty bucket
  std::map<std::string, uint64_t> filter_drops;                         // the filter_* reasons of build.json's total
};

// The buckets of `h` from its first to its last non-empty one.
std::vector<HistogramRow> HistogramRows(const Histogram& h);

// "duplicate" and "near_duplicate" drops of a source (or the total) over its documents read.
uint64_t ExactDuplicates(const build::BuildCounts& c);
uint64_t NearDuplicates(const build::BuildCounts& c);

// MakeReportModel()
// `top_tokens`: how many of the most frequent tokens to list.
ReportModel MakeReportModel(const build::BuildJson& build, const CorpusStats& stats, const tokenizer::Tokenizer& tok,
                            std::string build_dir, LanguageSource language, size_t top_tokens,
                            std::string tool_version);

// The "content of the shards" rows (label, value) that report.html and report.md both show:
// documents, tokens, text tokens, bytes, characters, bytes and characters per token, mean
// document tokens.
std::vector<std::pair<std::string, std::string>> ContentSummaryRows(const ReportModel& m);

// One row of the length-percentile tables: a label ("all documents" or a source name) and the
// kReportPercentiles values, then the maximum, of the document lengths in `unit`.
struct PercentileRow {
  std::string label;
  std::vector<uint64_t> values;  // kReportPercentiles, then max
};
// The overall row, then one per source (build.json order), in characters (`chars` true) or
// text tokens.
std::vector<PercentileRow> PercentileRows(const ReportModel& m, bool chars);

// The examples of source `i` (none when there are none).
const std::vector<ExampleDocument>& SourceExamples(const ReportModel& m, size_t i);

// How the language of a document was decided, in one sentence (for the reports).
std::string LanguageMethodText(LanguageSource language);

}  // namespace rwkvkit::corpus::stats

#endif  // RWKVKIT_CORPUS_STATS_REPORT_MODEL_H_

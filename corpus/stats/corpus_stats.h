// corpus/stats/corpus_stats.h — the numbers of a corpus report, as counted from the shards.
//
// Plain data, filled by CollectStats() (collector.h) and read by the JSON, HTML and Markdown
// writers. Every counter is an integer sum, so merging per-thread partial results gives the
// same numbers for any thread count. Documents are counted as they are in the shards: a
// source with weight > 1 contributes its repeats.
#ifndef RWKVKIT_CORPUS_STATS_CORPUS_STATS_H_
#define RWKVKIT_CORPUS_STATS_CORPUS_STATS_H_

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace rwkvkit::corpus::stats {

// Log-2 buckets: bucket 0 holds the value 0, bucket k >= 1 holds [2^(k-1), 2^k).
struct Histogram {
  static constexpr int kBuckets = 48;
  std::array<uint64_t, kBuckets> counts{};
  uint64_t n = 0, sum = 0, min = UINT64_MAX, max = 0;

  static int Bucket(uint64_t v);
  static uint64_t BucketLow(int k) { return k == 0 ? 0 : uint64_t{1} << (k - 1); }
  static uint64_t BucketHigh(int k) { return uint64_t{1} << k; }  // exclusive
  void Add(uint64_t v);
  void Merge(const Histogram& o);
};

// Document lengths for percentiles, in bounded memory: exact below kExact; above, in kSteps
// equal steps per power of two, so a percentile is reported as the low end of its step, at
// most 1/64 (1.6%) below the true value. Storage grows to the largest value's bucket (about
// 7 kB for lengths up to 10^6). Merging adds counts, so any thread count gives the same result.
struct LengthQuantiles {
  static constexpr uint64_t kExact = 128;
  static constexpr uint64_t kSteps = 64;
  std::vector<uint64_t> counts;  // by bucket
  uint64_t n = 0;

  static size_t Bucket(uint64_t v);
  static uint64_t BucketLow(size_t b);
  void Add(uint64_t v);
  void Merge(const LengthQuantiles& o);
  // Nearest-rank percentile, `percent` in [1, 100]: BucketLow of the bucket that holds the
  // ceil(percent * n / 100)-th smallest value; 0 when empty.
  uint64_t Percentile(uint32_t percent) const;
};

// The percentiles every report shows.
inline constexpr uint32_t kReportPercentiles[] = {10, 25, 50, 75, 90, 99};

// Documents, bytes, characters and tokens of a group of documents, and the histograms and
// percentiles of the documents' lengths in characters and in text tokens. `text_tokens` leaves out the
// end-of-document token 0 that every document ends with in the shards; `tokens` keeps it (the
// number a trainer sees, and build.json's). Ratios use text_tokens.
struct GroupCounts {
  uint64_t documents = 0, bytes = 0, chars = 0, tokens = 0, text_tokens = 0;
  Histogram chars_histogram, tokens_histogram;
  LengthQuantiles chars_quantiles, tokens_quantiles;
  void AddDocument(uint64_t doc_bytes, uint64_t doc_chars, uint64_t doc_tokens, uint64_t doc_text_tokens);
  void Merge(const GroupCounts& o);
  double BytesPerToken() const { return text_tokens ? static_cast<double>(bytes) / text_tokens : 0; }
  double CharsPerToken() const { return text_tokens ? static_cast<double>(chars) / text_tokens : 0; }
};

struct LanguageCounts : GroupCounts {
  bool declared = false;        // from a source's manifest language, not CLD2
  uint64_t cld2_documents = 0;  // documents CLD2 labelled with this language
  uint64_t cld2_reliable = 0;   // ... that CLD2 called reliable
  uint64_t cld2_percent_sum = 0;
  void Merge(const LanguageCounts& o);
};

struct ReportedLine {
  std::string text;  // the line as first seen (trimmed)
  uint64_t bytes = 0, count = 0;
};

// A document shown as an example of its source: where it is, and its text cut to the first
// `max chars` code points (docs/stats_report.md says which documents are picked).
struct ExampleDocument {
  uint32_t shard = 0;
  uint64_t document = 0;          // index in the shard
  uint64_t chars = 0, tokens = 0;  // of the whole document (text tokens)
  std::string text;                // the first code points of the decoded text
  bool truncated = false;
};

struct CorpusStats {
  GroupCounts total;
  std::vector<GroupCounts> by_source;  // index = build.json source index
  std::map<std::string, LanguageCounts> by_language;
  std::array<uint64_t, 11> cld2_percent{};  // documents by CLD2 percent: [0,10) ... [90,100), 100
  uint64_t cld2_documents = 0, cld2_reliable = 0, cld2_percent_sum = 0;
  std::vector<uint64_t> token_counts;   // by id (65536), end-of-document tokens included
  uint64_t invalid_utf8_documents = 0;  // decoded text was not valid UTF-8
  uint64_t shards_read = 0;
  std::vector<std::string> shard_errors;  // damaged or missing shards (skipped)
  std::vector<bool> shard_ok;             // by shard index: read completely
  std::vector<std::vector<ExampleDocument>> examples;  // by source index
  // Repeated lines (line_counter.h).
  std::vector<ReportedLine> longest_lines, frequent_lines;
  uint64_t lines_counted = 0, line_table_capacity = 0, line_table_prunes = 0, line_undercount_bound = 0;
  uint64_t min_line_bytes = 0;
};

}  // namespace rwkvkit::corpus::stats

#endif  // RWKVKIT_CORPUS_STATS_CORPUS_STATS_H_

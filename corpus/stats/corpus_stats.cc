// corpus/stats/corpus_stats.cc — see corpus_stats.h.
#include "corpus/stats/corpus_stats.h"

#include <algorithm>
#include <bit>

namespace rwkvkit::corpus::stats {

int Histogram::Bucket(uint64_t v) { return std::min(static_cast<int>(std::bit_width(v)), kBuckets - 1); }

void Histogram::Add(uint64_t v) {
  ++counts[Bucket(v)];
  ++n;
  sum += v;
  min = std::min(min, v);
  max = std::max(max, v);
}

void Histogram::Merge(const Histogram& o) {
  for (int k = 0; k < kBuckets; ++k) counts[k] += o.counts[k];
  n += o.n;
  sum += o.sum;
  min = std::min(min, o.min);
  max = std::max(max, o.max);
}

size_t LengthQuantiles::Bucket(uint64_t v) {
  if (v < kExact) return static_cast<size_t>(v);
  const int e = std::bit_width(v) - 1;  // v in [2^e, 2^(e+1)), e >= 7
  const uint64_t step = (v >> (e - 6)) - kSteps;  // 0..63
  return static_cast<size_t>(kExact + static_cast<uint64_t>(e - 7) * kSteps + step);
}

uint64_t LengthQuantiles::BucketLow(size_t b) {
  if (b < kExact) return b;
  const uint64_t e = 7 + (b - kExact) / kSteps, step = (b - kExact) % kSteps;
  return (kSteps + step) << (e - 6);
}

void LengthQuantiles::Add(uint64_t v) {
  const size_t b = Bucket(v);
  if (counts.size() <= b) counts.resize(b + 1, 0);
  ++counts[b];
  ++n;
}

void LengthQuantiles::Merge(const LengthQuantiles& o) {
  if (counts.size() < o.counts.size()) counts.resize(o.counts.size(), 0);
  for (size_t b = 0; b < o.counts.size(); ++b) counts[b] += o.counts[b];
  n += o.n;
}

uint64_t LengthQuantiles::Percentile(uint32_t percent) const {
  if (n == 0) return 0;
  const auto rank = std::max<uint64_t>(1, static_cast<uint64_t>((static_cast<unsigned __int128>(n) * percent + 99) / 100));
  uint64_t seen = 0;
  for (size_t b = 0; b < counts.size(); ++b) {
    seen += counts[b];
    if (seen >= rank) return BucketLow(b);
  }
  return BucketLow(counts.size() - 1);
}

void GroupCounts::AddDocument(uint64_t doc_bytes, uint64_t doc_chars, uint64_t doc_tokens, uint64_t doc_text_tokens) {
  ++documents;
  bytes += doc_bytes;
  chars += doc_chars;
  tokens += doc_tokens;
  text_tokens += doc_text_tokens;
  chars_histogram.Add(doc_chars);
  tokens_histogram.Add(doc_text_tokens);
  chars_quantiles.Add(doc_chars);
  tokens_quantiles.Add(doc_text_tokens);
}

void GroupCounts::Merge(const GroupCounts& o) {
  documents += o.documents;
  bytes += o.bytes;
  chars += o.chars;
  tokens += o.tokens;
  text_tokens += o.text_tokens;
  chars_histogram.Merge(o.chars_histogram);
  tokens_histogram.Merge(o.tokens_histogram);
  chars_quantiles.Merge(o.chars_quantiles);
  tokens_quantiles.Merge(o.tokens_quantiles);
}

void LanguageCounts::Merge(const LanguageCounts& o) {
  GroupCounts::Merge(o);
  declared = declared || o.declared;
  cld2_documents += o.cld2_documents;
  cld2_reliable += o.cld2_reliable;
  cld2_percent_sum += o.cld2_percent_sum;
}

}  // namespace rwkvkit::corpus::stats

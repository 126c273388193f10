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

void GroupCounts::AddDocument(uint64_t doc_bytes, uint64_t doc_chars, uint64_t doc_tokens, uint64_t doc_text_tokens) {
  ++documents;
  bytes += doc_bytes;
  chars += doc_chars;
  tokens += doc_tokens;
  text_tokens += doc_text_tokens;
  chars_histogram.Add(doc_chars);
  tokens_histogram.Add(doc_text_tokens);
}

void GroupCounts::Merge(const GroupCounts& o) {
  documents += o.documents;
  bytes += o.bytes;
  chars += o.chars;
  tokens += o.tokens;
  text_tokens += o.text_tokens;
  chars_histogram.Merge(o.chars_histogram);
  tokens_histogram.Merge(o.tokens_histogram);
}

void LanguageCounts::Merge(const LanguageCounts& o) {
  GroupCounts::Merge(o);
  declared = declared || o.declared;
  cld2_documents += o.cld2_documents;
  cld2_reliable += o.cld2_reliable;
  cld2_percent_sum += o.cld2_percent_sum;
}

}  // namespace rwkvkit::corpus::stats

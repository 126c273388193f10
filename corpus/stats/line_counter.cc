// corpus/stats/line_counter.cc — see line_counter.h.
#include "corpus/stats/line_counter.h"

#include <xxhash.h>

#include <algorithm>
#include <functional>
#include <tuple>

namespace rwkvkit::corpus::stats {
namespace {

bool IsTrimmed(char c) { return c == ' ' || c == '\t' || c == '\r'; }

}  // namespace

void SplitLines(std::string_view text, uint32_t shard, uint64_t document, size_t min_line_bytes,
                std::vector<LineHash>& out) {
  size_t begin = 0;
  while (begin <= text.size()) {
    size_t end = text.find('\n', begin);
    if (end == std::string_view::npos) end = text.size();
    size_t b = begin, e = end;
    while (b < e && IsTrimmed(text[b])) ++b;
    while (e > b && IsTrimmed(text[e - 1])) --e;
    if (e - b >= min_line_bytes && e - b > 0) {
      const LineRef where{.shard = shard,
                          .length = static_cast<uint32_t>(std::min<size_t>(e - b, UINT32_MAX)),
                          .document = document,
                          .offset = b};
      out.push_back({XXH3_64bits(text.data() + b, e - b), where});
    }
    begin = end + 1;
  }
}

RepeatedLineCounter::RepeatedLineCounter(size_t capacity) : capacity_(std::max<size_t>(capacity, 2)) {}

void RepeatedLineCounter::Add(const LineHash& line) {
  ++lines_added_;
  auto [it, inserted] = table_.try_emplace(line.hash);
  if (inserted) it->second.first = line.where;
  ++it->second.count;
  if (table_.size() >= capacity_) Prune();
}

void RepeatedLineCounter::Prune() {
  // The smallest threshold t that leaves at most capacity/2 entries: the (capacity/2 + 1)-th
  // largest count. Entries with count <= t go; each may have lost up to t counts.
  std::vector<uint64_t> counts;
  counts.reserve(table_.size());
  for (const auto& kv : table_) counts.push_back(kv.second.count);
  const size_t keep = capacity_ / 2;
  std::nth_element(counts.begin(), counts.begin() + static_cast<std::ptrdiff_t>(keep), counts.end(),
                   std::greater<uint64_t>());
  const uint64_t t = counts[keep];
  absl::erase_if(table_, [t](const auto& kv) { return kv.second.count <= t; });
  ++prunes_;
  undercount_bound_ += t;
}

std::vector<CountedLine> RepeatedLineCounter::Repeated() const {
  std::vector<CountedLine> out;
  for (const auto& [hash, e] : table_)
    if (e.count >= 2) out.push_back({hash, e.count, e.first});
  return out;
}

std::vector<CountedLine> RepeatedLineCounter::Longest(size_t k) const {
  std::vector<CountedLine> v = Repeated();
  auto key = [](const CountedLine& l) {
    return std::make_tuple(-static_cast<int64_t>(l.first.length), -static_cast<int64_t>(l.count), l.hash);
  };
  std::sort(v.begin(), v.end(), [&](const CountedLine& a, const CountedLine& b) { return key(a) < key(b); });
  if (v.size() > k) v.resize(k);
  return v;
}

std::vector<CountedLine> RepeatedLineCounter::MostFrequent(size_t k) const {
  std::vector<CountedLine> v = Repeated();
  auto key = [](const CountedLine& l) {
    return std::make_tuple(-static_cast<int64_t>(l.count), -static_cast<int64_t>(l.first.length), l.hash);
  };
  std::sort(v.begin(), v.end(), [&](const CountedLine& a, const CountedLine& b) { return key(a) < key(b); });
  if (v.size() > k) v.resize(k);
  return v;
}

}  // namespace rwkvkit::corpus::stats

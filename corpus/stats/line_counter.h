// corpus/stats/line_counter.h — repeated lines of a corpus in bounded memory.
//
// Every line (trimmed; at least `min_line_bytes`) is reduced to its XXH3-64 hash and counted
// in a table of at most `capacity` entries, each with the count, length and first occurrence
// (shard, document, offset), so reported lines are read back from the shards at the end. A
// full table is pruned "lossy counting" style (entries with count <= t removed, t the smallest
// threshold leaving at most capacity/2); the sum of the thresholds bounds how far any count
// may be short (0: exact). Memory: under 90 MB at the default 2^20 (docs/stats_report.md
// gives the method and its bound).
//
// Not thread-safe: lines are added serially in corpus order, which makes pruning (and so the
// result) independent of the thread count. Depends on Abseil's flat_hash_map.
#ifndef RWKVKIT_CORPUS_STATS_LINE_COUNTER_H_
#define RWKVKIT_CORPUS_STATS_LINE_COUNTER_H_

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"

namespace rwkvkit::corpus::stats {

// Where a line first occurred: document `document` of shard `shard`, bytes
// [offset, offset + length) of its decoded text.
struct LineRef {
  uint32_t shard = 0;
  uint32_t length = 0;
  uint64_t document = 0;
  uint64_t offset = 0;
};

struct LineHash {
  uint64_t hash = 0;
  LineRef where;
};

struct CountedLine {
  uint64_t hash = 0;
  uint64_t count = 0;
  LineRef first;
};

// Appends the counted lines of `text` (document `document` of shard `shard`) to `out`.
void SplitLines(std::string_view text, uint32_t shard, uint64_t document, size_t min_line_bytes,
                std::vector<LineHash>& out);

class RepeatedLineCounter {
 public:
  explicit RepeatedLineCounter(size_t capacity);

  void Add(const LineHash& line);

  // Lines seen at least twice: the `k` longest (ties: more frequent first, then the hash), and
  // the `k` most frequent (ties: longer first, then the hash).
  std::vector<CountedLine> Longest(size_t k) const;
  std::vector<CountedLine> MostFrequent(size_t k) const;

  uint64_t lines_added() const { return lines_added_; }
  uint64_t prunes() const { return prunes_; }
  // How many counts any reported line may be short by (0 when the table never had to prune).
  uint64_t undercount_bound() const { return undercount_bound_; }
  size_t capacity() const { return capacity_; }
  size_t size() const { return table_.size(); }

 private:
  struct Entry {
    uint64_t count = 0;
    LineRef first;
  };
  void Prune();
  std::vector<CountedLine> Repeated() const;

  size_t capacity_;
  absl::flat_hash_map<uint64_t, Entry> table_;
  uint64_t lines_added_ = 0, prunes_ = 0, undercount_bound_ = 0;
};

}  // namespace rwkvkit::corpus::stats

#endif  // RWKVKIT_CORPUS_STATS_LINE_COUNTER_H_

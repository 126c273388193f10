// tests/corpus/stats/line_counter_test.cc — the repeated-line counter against a plain map:
// exact counts while the table does not fill; once it prunes, every reported count is within
// [true - undercount_bound, true]; line splitting and trimming.
#include "corpus/stats/line_counter.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <string>
#include <vector>

namespace rwkvkit::corpus::stats {
namespace {

using ::testing::ElementsAre;

// A corpus of documents made of lines drawn from a skewed vocabulary of lines.
std::vector<std::string> SkewedDocuments(int docs, int distinct, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<std::string> lines;
  for (int i = 0; i < distinct; ++i) lines.push_back("line number " + std::to_string(i) + std::string(i % 13, 'x'));
  std::vector<std::string> out;
  for (int d = 0; d < docs; ++d) {
    std::string text;
    for (int k = 0; k < 8; ++k) {
      const double u = std::uniform_real_distribution<double>(0, 1)(rng);
      text += lines[static_cast<size_t>(u * u * u * distinct)] + "\n";
    }
    out.push_back(text);
  }
  return out;
}

// Counts with the counter and with a std::map of the line texts.
struct Counted {
  RepeatedLineCounter counter;
  std::map<std::string, uint64_t> truth;
  std::vector<std::string> docs;
};

Counted CountAll(const std::vector<std::string>& docs, size_t capacity) {
  Counted c{RepeatedLineCounter(capacity), {}, docs};
  std::vector<LineHash> lines;
  for (size_t d = 0; d < docs.size(); ++d) {
    lines.clear();
    SplitLines(docs[d], 0, d, 4, lines);
    for (const LineHash& l : lines) {
      c.counter.Add(l);
      ++c.truth[docs[d].substr(l.where.offset, l.where.length)];
    }
  }
  return c;
}

std::string TextOf(const Counted& c, const CountedLine& l) {
  return c.docs[l.first.document].substr(l.first.offset, l.first.length);
}

TEST(SplitLines, TrimsSpacesTabsAndCrAndSkipsShortLines) {
  std::vector<LineHash> out;
  const std::string text = "  hello world \r\nab\n\t\tsecond line\t\n\nlast";
  SplitLines(text, 3, 9, 4, out);
  ASSERT_EQ(out.size(), 3u);
  std::vector<std::string> got;
  for (const LineHash& l : out) {
    EXPECT_EQ(l.where.shard, 3u);
    EXPECT_EQ(l.where.document, 9u);
    got.push_back(text.substr(l.where.offset, l.where.length));
  }
  EXPECT_THAT(got, ElementsAre("hello world", "second line", "last"));
  std::vector<LineHash> again;
  SplitLines("hello world", 0, 0, 4, again);
  EXPECT_EQ(again[0].hash, out[0].hash);  // the same text hashes the same wherever it is
}

TEST(RepeatedLineCounter, ExactWhileTheTableDoesNotFill) {
  const Counted c = CountAll(SkewedDocuments(400, 300, 1), 1 << 16);
  EXPECT_EQ(c.counter.prunes(), 0u);
  EXPECT_EQ(c.counter.undercount_bound(), 0u);
  const std::vector<CountedLine> freq = c.counter.MostFrequent(1000);
  size_t repeated = 0;
  for (const auto& [text, n] : c.truth) repeated += n >= 2;
  EXPECT_EQ(freq.size(), repeated);
  for (size_t i = 0; i < freq.size(); ++i) {
    EXPECT_EQ(freq[i].count, c.truth.at(TextOf(c, freq[i])));
    if (i) {
      EXPECT_GE(freq[i - 1].count, freq[i].count);
    }
  }
  const std::vector<CountedLine> longest = c.counter.Longest(10);
  for (size_t i = 1; i < longest.size(); ++i) EXPECT_GE(longest[i - 1].first.length, longest[i].first.length);
  size_t max_repeated_len = 0;
  for (const auto& [text, n] : c.truth)
    if (n >= 2) max_repeated_len = std::max(max_repeated_len, text.size());
  EXPECT_EQ(longest[0].first.length, max_repeated_len);
}

TEST(RepeatedLineCounter, PrunedCountsAreWithinTheReportedBound) {
  const Counted c = CountAll(SkewedDocuments(3000, 5000, 2), 256);
  EXPECT_GT(c.counter.prunes(), 0u);
  EXPECT_LE(c.counter.size(), 256u);
  const std::vector<CountedLine> freq = c.counter.MostFrequent(20);
  ASSERT_FALSE(freq.empty());
  for (const CountedLine& l : freq) {
    const uint64_t truth = c.truth.at(TextOf(c, l));
    EXPECT_LE(l.count, truth);
    EXPECT_GE(l.count + c.counter.undercount_bound(), truth);
  }
  // The most frequent line of the skewed corpus survives pruning.
  uint64_t best = 0;
  for (const auto& [text, n] : c.truth) best = std::max(best, n);
  EXPECT_GE(freq[0].count + c.counter.undercount_bound(), best);
}

}  // namespace
}  // namespace rwkvkit::corpus::stats

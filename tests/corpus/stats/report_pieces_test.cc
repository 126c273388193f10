// tests/corpus/stats/report_pieces_test.cc — escaping, number formatting, log-2 buckets,
// length percentiles, the dataset-card helpers and the SVG charts of the corpus report, each
// against hand-worked expectations or a brute-force reference.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "corpus/build/build_report.h"
#include "corpus/stats/corpus_stats.h"
#include "corpus/stats/dataset_card.h"
#include "corpus/stats/examples.h"
#include "corpus/stats/report_markdown.h"
#include "corpus/stats/svg_chart.h"
#include "corpus/stats/text_escape.h"

namespace rwkvkit::corpus::stats {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(DisplayText, KeepsUtf8AndEscapesControlsBackslashesAndInvalidBytes) {
  EXPECT_EQ(DisplayText("caf\xC3\xA9 \xE6\x97\xA5"), "caf\xC3\xA9 \xE6\x97\xA5");
  EXPECT_EQ(DisplayText("a\nb\tc\rd\\e"), "a\\nb\\tc\\rd\\\\e");
  EXPECT_EQ(DisplayText(std::string("\x01\x7F", 2)), "\\x01\\x7f");
  EXPECT_EQ(DisplayText("\xE6\x97"), "\\xe6\\x97");           // a character cut by a token boundary
  EXPECT_EQ(DisplayText("\xC0\xAF"), "\\xc0\\xaf");           // overlong
  EXPECT_EQ(DisplayText("\xED\xA0\x80"), "\\xed\\xa0\\x80");  // surrogate
  EXPECT_EQ(DisplayText("a\xC2\xA0"
                        "b\xE2\x80\x8B"
                        "\xEF\xBB\xBF"),
            "a\\u{00a0}b\\u{200b}\\u{feff}");  // NBSP, ZWSP, BOM
}

TEST(DisplayLines, KeepsLineFeedsAndEscapesTheRest) {
  EXPECT_EQ(DisplayLines("a\tb\nc\\d\n"), "a\\tb\nc\\\\d\n");
  EXPECT_EQ(DisplayLines(""), "");
}

TEST(YamlString, QuotesAndEscapesWhatYamlForbids) {
  EXPECT_EQ(YamlString("plain: # text"), "\"plain: # text\"");
  EXPECT_EQ(YamlString("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(YamlString(std::string("\x01\n\x7f", 3)), "\"\\x01\\x0a\\x7f\"");
  EXPECT_EQ(YamlString("\xC2\x80\xC2\x85\xEF\xBF\xBE\xE6\x97\xA5"), "\"\\u0080\xC2\x85\\ufffe\xE6\x97\xA5\"");
}

TEST(ClipCodePoints, CutsAfterWholeCodePoints) {
  bool cut = false;
  EXPECT_EQ(ClipCodePoints("\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E", 2, cut), "\xE6\x97\xA5\xE6\x9C\xAC");
  EXPECT_TRUE(cut);
  EXPECT_EQ(ClipCodePoints("abc", 3, cut), "abc");
  EXPECT_FALSE(cut);
  EXPECT_EQ(ClipCodePoints("\xFF\xFEx", 2, cut), "\xFF\xFE");  // an invalid byte is one character
  EXPECT_TRUE(cut);
}

// LengthQuantiles against a sorted copy of the values: the reported percentile is the low end
// of the bucket of the true nearest-rank percentile, exact below 128, within 1/64 above.
TEST(LengthQuantiles, MatchesSortedValuesWithinOneStep) {
  std::mt19937_64 rng(3);
  for (const uint64_t range : {uint64_t{50}, uint64_t{5000}, uint64_t{1} << 40}) {
    std::vector<uint64_t> values;
    LengthQuantiles q, a, b;
    for (int i = 0; i < 1001; ++i) {
      const uint64_t v = rng() % range;
      values.push_back(v);
      q.Add(v);
      (i % 3 ? a : b).Add(v);
    }
    a.Merge(b);
    std::sort(values.begin(), values.end());
    for (const uint32_t p : {1u, 10u, 50u, 90u, 99u, 100u}) {
      const uint64_t want = values[(values.size() * p + 99) / 100 - 1];
      const uint64_t got = q.Percentile(p);
      EXPECT_EQ(got, LengthQuantiles::BucketLow(LengthQuantiles::Bucket(want))) << range << " p" << p;
      EXPECT_LE(got, want);
      EXPECT_LE(want - got, want / 64) << "more than 1/64 under";
      if (want < 128) {
        EXPECT_EQ(got, want);
      }
      EXPECT_EQ(a.Percentile(p), got) << "merged halves differ";
    }
  }
  EXPECT_EQ(LengthQuantiles().Percentile(50), 0u);
  for (uint64_t v : {uint64_t{127}, uint64_t{128}, uint64_t{129}, uint64_t{130}, uint64_t{255}, uint64_t{256},
                     uint64_t{1000003}, UINT64_MAX}) {
    const size_t k = LengthQuantiles::Bucket(v);
    EXPECT_LE(LengthQuantiles::BucketLow(k), v);
    if (v < UINT64_MAX) {
      EXPECT_GT(LengthQuantiles::BucketLow(k + 1), v) << v;
    }
  }
}

TEST(DatasetCard, SizeCategoriesLanguagesAndLicenses) {
  EXPECT_EQ(SizeCategory(0), "n<1K");
  EXPECT_EQ(SizeCategory(999), "n<1K");
  EXPECT_EQ(SizeCategory(1000), "1K<n<10K");
  EXPECT_EQ(SizeCategory(4901), "1K<n<10K");
  EXPECT_EQ(SizeCategory(123456789), "100M<n<1B");
  EXPECT_EQ(SizeCategory(uint64_t{2} << 40), "n>1T");
  EXPECT_EQ(HubLanguage("en"), "en");
  EXPECT_EQ(HubLanguage("zh-Hant"), "zh");
  EXPECT_EQ(HubLanguage("haw"), "haw");
  EXPECT_EQ(HubLanguage("iw"), "he");  // CLD2's withdrawn codes
  EXPECT_EQ(HubLanguage("jw"), "jv");
  EXPECT_EQ(HubLanguage("code:python"), "code");
  EXPECT_EQ(HubLanguage("un"), "");
  EXPECT_EQ(HubLanguage("xx-Qaai"), "");
  EXPECT_EQ(HubLanguage("(undeclared)"), "");
  EXPECT_EQ(HubLicense("CC-BY-SA-3.0"), "cc-by-sa-3.0");
  EXPECT_EQ(HubLicense("MIT"), "mit");
  EXPECT_EQ(HubLicense("GPL-2.0-or-later OR CC-BY-SA-3.0"), "");
}

TEST(HtmlAndMarkdownEscape, NeutralizeMarkup) {
  EXPECT_EQ(HtmlEscape("<a href='x'>&\"</a>"), "&lt;a href=&#39;x&#39;&gt;&amp;&quot;&lt;/a&gt;");
  EXPECT_EQ(MarkdownEscape("a|b*c_d`e"), "a\\|b\\*c\\_d\\`e");
  EXPECT_EQ(ClipChars("\xD0\x90\xD0\x91\xD0\x92", 2), "\xD0\x90\xD0\x91\xE2\x80\xA6");  // "АБ…": characters, not bytes
  EXPECT_EQ(ClipChars("abc", 3), "abc");
  EXPECT_EQ(ShowSpaces(" a b"),
            "\xE2\x90\xA3"
            "a"
            "\xE2\x90\xA3"
            "b");
}

TEST(Numbers, GroupDigitsAndHumanUnits) {
  EXPECT_EQ(GroupDigits(0), "0");
  EXPECT_EQ(GroupDigits(999), "999");
  EXPECT_EQ(GroupDigits(1000), "1,000");
  EXPECT_EQ(GroupDigits(4802955), "4,802,955");
  EXPECT_EQ(HumanBytes(950), "950 B");
  EXPECT_EQ(HumanBytes(15600000), "15.6 MB");
  EXPECT_EQ(HumanCount(950), "950");
  EXPECT_EQ(HumanCount(4802955), "4.80 M");
  EXPECT_EQ(HumanCount(12345), "12.3 k");
  EXPECT_EQ(Ratio(1, 0), 0.0);
}

TEST(Histogram, Log2Buckets) {
  EXPECT_EQ(Histogram::Bucket(0), 0);
  EXPECT_EQ(Histogram::Bucket(1), 1);
  EXPECT_EQ(Histogram::Bucket(2), 2);
  EXPECT_EQ(Histogram::Bucket(3), 2);
  EXPECT_EQ(Histogram::Bucket(1023), 10);
  EXPECT_EQ(Histogram::Bucket(1024), 11);
  for (int k = 1; k < 40; ++k) {
    EXPECT_EQ(Histogram::Bucket(Histogram::BucketLow(k)), k);
    EXPECT_EQ(Histogram::Bucket(Histogram::BucketHigh(k) - 1), k);
  }
  Histogram h;
  for (uint64_t v : {5, 6, 7, 8, 100}) h.Add(v);
  EXPECT_EQ(h.counts[3], 3u);  // [4, 8)
  EXPECT_EQ(h.counts[4], 1u);  // [8, 16)
  EXPECT_EQ(h.counts[7], 1u);  // [64, 128)
  EXPECT_EQ(h.n, 5u);
  EXPECT_EQ(h.sum, 126u);
  EXPECT_EQ(h.min, 5u);
  EXPECT_EQ(h.max, 100u);
  EXPECT_EQ(BucketLabel(4, 8),
            "4\xE2\x80\x93"
            "7");
  EXPECT_EQ(BucketLabel(1, 2), "1");
}

TEST(SvgChart, OneBarPerItemScaledToTheLargest) {
  const std::string svg = HorizontalBarChart({{"a<b", 10, "10"}, {"c", 5, "5"}, {"zero", 0, "0"}}, "T", "#123456");
  EXPECT_THAT(svg, HasSubstr("<svg "));
  EXPECT_THAT(svg, HasSubstr("a&lt;b"));
  EXPECT_THAT(svg, Not(HasSubstr("a<b")));
  EXPECT_THAT(svg, HasSubstr("width=\"330.0\""));  // the largest bar fills the plot (560 - 150 - 80)
  EXPECT_THAT(svg, HasSubstr("width=\"165.0\""));  // half of it
  EXPECT_THAT(svg, HasSubstr("width=\"0.0\""));
  size_t rects = 0;
  for (size_t p = svg.find("<rect"); p != std::string::npos; p = svg.find("<rect", p + 1)) ++rects;
  EXPECT_EQ(rects, 3u);
  const std::string cols = ColumnChart({{"1", 3, "3"}, {"2", 0, "0"}}, "H", "#654321");
  EXPECT_THAT(cols, HasSubstr("<title>H</title>"));
  EXPECT_THAT(cols, HasSubstr("fill=\"#654321\""));
}

}  // namespace
}  // namespace rwkvkit::corpus::stats

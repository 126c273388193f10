// tests/corpus/filters/text_units_test.cc — the splitting and counting the filters rely on.
#include "corpus/filters/text_units.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace rwkvkit::corpus::filters {
namespace {

using ::testing::ElementsAre;

std::vector<std::string_view> Words(std::string_view s) {
  std::vector<std::string_view> w;
  SplitWords(s, w);
  return w;
}

TEST(SplitWords, SplitsPunctuationRunsOff) {
  EXPECT_THAT(Words("Hello, world... (yes)"), ElementsAre("Hello", ",", "world", "...", "(", "yes", ")"));
  EXPECT_THAT(Words("  a\u00a0b\u3000c\n"), ElementsAre("a", "b", "c"));
  EXPECT_THAT(Words("Grüße, «мир»!"), ElementsAre("Grüße", ",", "«", "мир", "»!"));
  EXPECT_THAT(Words(""), ElementsAre());
}

TEST(CodePoints, CountsCodePointsNotBytes) {
  EXPECT_EQ(CodePoints("abc"), 3u);
  EXPECT_EQ(CodePoints("Grüße"), 5u);
  EXPECT_EQ(CodePoints("日本語🙂"), 4u);
}

TEST(SplitLines, MatchesPythonSplitlines) {
  EXPECT_THAT(SplitLines("a\nb\r\nc\rd\u2028e"), ElementsAre("a", "b", "c", "d", "e"));
  EXPECT_THAT(SplitLines("a\n\nb\n"), ElementsAre("a", "", "b"));
  EXPECT_THAT(SplitLines(""), ElementsAre());
}

TEST(SplitOnNewlineRuns, MatchesReSplit) {
  EXPECT_THAT(SplitOnNewlineRuns("a\n\nb\n\n\nc\nd", 2), ElementsAre("a", "b", "c\nd"));
  EXPECT_THAT(SplitOnNewlineRuns("\na\n\nb", 1), ElementsAre("", "a", "b"));
}

TEST(Strip, PythonWhitespace) {
  EXPECT_EQ(Strip(" \t\u00a0x y\u3000\n"), "x y");
  EXPECT_EQ(LStrip("  - a "), "- a ");
  EXPECT_EQ(RStrip(" a ... "), " a ...");
}

TEST(Classes, PunctAlphaTerminal) {
  EXPECT_TRUE(IsDatatrovePunct(U'#'));
  EXPECT_TRUE(IsDatatrovePunct(U'\u2026'));
  EXPECT_TRUE(IsDatatrovePunct(U'\uff11'));  // datatrove's set includes the fullwidth digit one
  EXPECT_FALSE(IsDatatrovePunct(U'a'));
  EXPECT_TRUE(IsAlpha(U'\u00e9'));
  EXPECT_TRUE(IsAlpha(U'\u4e2d'));
  EXPECT_FALSE(IsAlpha(U'7'));
  EXPECT_TRUE(IsSentenceTerminal(U'.'));
  EXPECT_TRUE(IsSentenceTerminal(U'\u3002'));
  EXPECT_TRUE(IsSentenceTerminal(U'\u0964'));  // Devanagari danda
  EXPECT_FALSE(IsSentenceTerminal(U'"'));
  EXPECT_FALSE(IsSentenceTerminal(U','));
  EXPECT_EQ(CountOf("a....b", "..."), 1u);
}

}  // namespace
}  // namespace rwkvkit::corpus::filters

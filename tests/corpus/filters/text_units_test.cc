// tests/corpus/filters/text_units_test.cc — the splitting and counting the filters rely on.
#include "corpus/filters/text_units.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

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

// Random texts over ASCII letters, digits, punctuation, white space, controls and a few non-ASCII
// letters and marks, so that words mix ASCII runs with other characters.
std::vector<std::string> RandomTexts() {
  const std::vector<std::string> pieces = {"a", "Z", "7", "0", ".", ",", "#", "-", "_", " ", "\n", "\t", "\x01",
                                           "\x7f", "é", "ß", "мир", "\u2014", "\u00ab", "\u0964", "\u3002", "\U0001F600",
                                           "\u00a0", "x", "yz"};
  std::mt19937 rng(11);
  std::vector<std::string> texts;
  for (int t = 0; t < 400; ++t) {
    std::string s;
    const size_t n = rng() % 60;
    for (size_t i = 0; i < n; ++i) s += pieces[rng() % pieces.size()];
    texts.push_back(s);
  }
  return texts;
}

// The one-pass analysis agrees with the separate functions it replaces.
TEST(TextUnits, OnePassMatchesTheSeparateFunctions) {
  std::vector<std::string> texts = {"Hello, world... (yes)\nsecond line \u2014 done.", "  Grüße, «мир»!\n\n",
                                    "\u092a\u093e\u0920 \u0964 x##y", ""};
  for (std::string& t : RandomTexts()) texts.push_back(std::move(t));
  for (const std::string& text : texts) {
    TextUnits u;
    u.Analyze(text, /*words=*/true);
    EXPECT_EQ(u.code_points, CodePoints(text)) << text;
    EXPECT_EQ(u.newlines, CountOf(text, "\n")) << text;
    std::vector<std::string_view> words;
    SplitWords(text, words);
    ASSERT_EQ(u.words, words) << text;
    for (size_t i = 0; i < words.size(); ++i) {
      EXPECT_EQ(u.word_code_points[i], CodePoints(words[i]));
      bool non_symbol = false, alpha = false;
      for (size_t k = 0; k < words[i].size();) {
        const char32_t c = NextCodePoint(words[i], k);
        non_symbol = non_symbol || !IsDatatrovePunct(c);
        alpha = alpha || IsAlpha(c);
      }
      EXPECT_EQ((u.word_flags[i] & TextUnits::kNonSymbol) != 0, non_symbol) << words[i];
      EXPECT_EQ((u.word_flags[i] & TextUnits::kAlpha) != 0, alpha) << words[i];
    }
    TextUnits lines_only;
    lines_only.Analyze(text, /*words=*/false);
    EXPECT_EQ(lines_only.code_points, u.code_points);
    EXPECT_TRUE(lines_only.words.empty());
  }
  EXPECT_TRUE(IsDatatrovePunct(U'\u0964'));  // TERMINAL_PUNCTUATION is part of PUNCTUATION_SET
  EXPECT_TRUE(IsDatatrovePunct(U'\u203c'));
}

}  // namespace
}  // namespace rwkvkit::corpus::filters

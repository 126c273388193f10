// tests/corpus/dedup/shingles_test.cc — the simplification rules, exactly; word segmentation
// of CJK and Thai; the ASCII fast path against the ICU path; shingle hashing.
#include "corpus/dedup/shingles.h"

#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <xxhash.h>

namespace rwkvkit::corpus {
namespace {

std::vector<std::string> Words(std::string_view text, bool force_icu = false) {
  WordSpans w;
  SplitWords(text, w, force_icu);
  std::vector<std::string> out;
  for (size_t i = 0; i < w.size(); ++i) out.push_back(w.text.substr(w.begin[i], w.end[i] - w.begin[i]));
  return out;
}

TEST(SimplifyText, LowercasePunctuationWhitespace) {
  EXPECT_EQ(SimplifyText("  Hello,\tWORLD!!\n\n  (again)  "), "hello world again");
  EXPECT_EQ(SimplifyText("a\u2014b\u00abc\u00bbd$e+f_g"), "a b c d e f g");
  EXPECT_EQ(SimplifyText("x\u3001y\u3002z\uff01"), "x y z");  // CJK punctuation
  EXPECT_EQ(SimplifyText("a\u00a0b\u2003c\u200bd"), "a b c d");  // NBSP, em space, ZWSP
  EXPECT_EQ(SimplifyText(""), "");
  EXPECT_EQ(SimplifyText(" ... "), "");
}

TEST(SimplifyText, DigitRunsFoldToOneZero) {
  EXPECT_EQ(SimplifyText("Tel 0123-456 7"), "tel 0 0 0");
  EXPECT_EQ(SimplifyText("abc123def4"), "abc0def0");
  EXPECT_EQ(SimplifyText("3.14"), "0 0");
  EXPECT_EQ(SimplifyText("\uff11\uff12\u0663"), "0");  // fullwidth and Arabic-Indic digits
}

TEST(SimplifyText, DiacriticsRemovedLocaleIndependentLowercase) {
  EXPECT_EQ(SimplifyText("Café Ñandú Über"), "cafe nandu uber");
  EXPECT_EQ(SimplifyText("\u0130STANBUL"), "istanbul");  // İ → i + U+0307, mark dropped
  EXPECT_EQ(SimplifyText("\u039a\u03b1\u03bb\u03ae\u03bc\u03ad\u03c1\u03b1"), "\u03ba\u03b1\u03bb\u03b7\u03bc\u03b5\u03c1\u03b1");
}

TEST(SimplifyText, ScriptMarksAndKanaVoicingKept) {
  EXPECT_EQ(SimplifyText("\u304c"), "\u304b\u3099");  // が in NFD keeps its voicing mark
  EXPECT_EQ(SimplifyText("\u0e17\u0e35\u0e48"), "\u0e17\u0e35\u0e48");  // Thai vowel + tone
}

TEST(SplitWords, CjkAndThaiGetDictionaryWords) {
  EXPECT_GE(Words("我们今天去北京大学学习中文。").size(), 4u);
  EXPECT_GE(Words("私は東京大学で日本語を勉強しています。").size(), 5u);
  EXPECT_GE(Words("ภาษาไทยเป็นภาษาที่สวยงามมาก").size(), 4u);
  EXPECT_EQ(Words("Hello, wörld! 42x"), (std::vector<std::string>{"hello", "world", "0x"}));
}

TEST(SplitWords, AsciiFastPathMatchesIcu) {
  std::mt19937_64 rng(7);
  const std::string alphabet = "abcXYZ0189 \t\n.,;:'\"!?-_()[]{}<>$+=^`|~/\\@#%&*\x01\x7f";
  for (int t = 0; t < 2000; ++t) {
    std::string s(rng() % 40, ' ');
    for (char& c : s) c = alphabet[rng() % alphabet.size()];
    WordSpans fast, icu;
    SplitWords(s, fast, false);
    SplitWords(s, icu, true);
    ASSERT_EQ(fast.text, icu.text) << s;
    ASSERT_EQ(fast.begin, icu.begin) << s;
    ASSERT_EQ(fast.end, icu.end) << s;
  }
}

TEST(ShingleHashes, WordNgramsJoinedBySpace) {
  WordSpans w;
  std::vector<uint64_t> h;
  SplitWords("One two, THREE", w);
  ShingleHashes(w, 5, h);  // fewer than n words: one shingle of them all
  ASSERT_EQ(h.size(), 1u);
  EXPECT_EQ(h[0], XXH3_64bits("one two three", 13));
  SplitWords("a b c d e f", w);
  ShingleHashes(w, 5, h);
  ASSERT_EQ(h.size(), 2u);
  EXPECT_EQ(h[1], XXH3_64bits("b c d e f", 9));
  SplitWords("东京大学", w);  // CJK words are joined by a space inside a shingle too
  ShingleHashes(w, 5, h);
  ASSERT_EQ(h.size(), 1u);
  EXPECT_EQ(h[0], XXH3_64bits(w.text.data(), w.text.size()));
  SplitWords(" !! ", w);
  ShingleHashes(w, 5, h);
  EXPECT_TRUE(h.empty());
}

}  // namespace
}  // namespace rwkvkit::corpus

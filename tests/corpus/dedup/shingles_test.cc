// tests/corpus/dedup/shingles_test.cc — the simplification rules, exactly; word segmentation
// of CJK and Thai; the ASCII fast path against the ICU path; shingle hashing; SimplifyText
// against a straightforward reimplementation on random multilingual text.
#include "corpus/dedup/shingles.h"

#include <random>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <unicode/locid.h>
#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/uscript.h>
#include <xxhash.h>

namespace rwkvkit::corpus::dedup {
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

// Random text over letters of space-delimited scripts (Latin with diacritics, Greek, Cyrillic,
// Armenian, Hebrew, Arabic, Georgian, Ethiopic), digits, punctuation and spaces takes the
// split-at-spaces path; mixed with Devanagari signs, Thai, kana, Han, Hangul, ZWJ, soft hyphen
// and surrogate pairs it must fall back. Either way the words equal the BreakIterator's.
TEST(SplitWords, SpaceDelimitedFastPathMatchesIcu) {
  const std::vector<std::pair<UChar32, UChar32>> fast = {
      {0x41, 0x5A},   {0x61, 0x7A},   {0x30, 0x39},   {0xC0, 0x24F},  {0x391, 0x3C9},
      {0x400, 0x4FF}, {0x531, 0x587}, {0x5D0, 0x5EA}, {0x620, 0x64A}, {0x10D0, 0x10FA},
      {0x1200, 0x1248}, {0x20, 0x2F}, {0x660, 0x669}, {0x300, 0x36F}};
  const std::vector<std::pair<UChar32, UChar32>> slow = {
      {0x900, 0x97F}, {0xE01, 0xE3A}, {0x3041, 0x30FF}, {0x4E00, 0x4E40}, {0xAC00, 0xAC40},
      {0x200C, 0x200D}, {0xAD, 0xAD}, {0x1D400, 0x1D433}, {0x5F3, 0x5F4}, {0x2019, 0x2019}};
  // Letters whose lowercase is longer in UTF-8 (U+023A -> U+2C65, 2 -> 3 bytes): the most output
  // per input byte.
  for (const std::string s : {"\u023A\u023A\u023A\u023A\u023A\u023A\u023A\u023A", "\u023A \u023E,\u023A"}) {
    WordSpans a, b;
    SplitWords(s, a, false);
    SplitWords(s, b, true);
    ASSERT_EQ(a.text, b.text) << s;
    ASSERT_EQ(a.begin, b.begin) << s;
  }
  std::mt19937_64 rng(11);
  for (int t = 0; t < 3000; ++t) {
    std::string s;
    const int len = static_cast<int>(rng() % 60);
    const bool mixed = t % 3 == 0;
    for (int i = 0; i < len; ++i) {
      const auto& pool = mixed && rng() % 4 == 0 ? slow : fast;
      const auto& r = pool[rng() % pool.size()];
      icu::UnicodeString(r.first + static_cast<UChar32>(rng() % (r.second - r.first + 1))).toUTF8String(s);
    }
    WordSpans a, b;
    SplitWords(s, a, false);
    SplitWords(s, b, true);
    ASSERT_EQ(a.text, b.text) << s;
    ASSERT_EQ(a.begin, b.begin) << s;
    ASSERT_EQ(a.end, b.end) << s;
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

// The simplification as first written, with ICU's property functions for every code point and
// UnicodeString appends: SimplifyText (BMP table, reused buffers) must give the same text.
std::string ReferenceSimplify(std::string_view in) {
  icu::UnicodeString s = icu::UnicodeString::fromUTF8(
      icu::StringPiece(in.data(), static_cast<int32_t>(in.size())));
  s.toLower(icu::Locale::getRoot());
  UErrorCode ec = U_ZERO_ERROR;
  const icu::UnicodeString d = icu::Normalizer2::getNFDInstance(ec)->normalize(s, ec);
  EXPECT_TRUE(U_SUCCESS(ec));
  icu::UnicodeString out;
  bool pending_space = false, in_digits = false;
  for (int32_t i = 0; i < d.length();) {
    const UChar32 c = d.char32At(i);
    i += U16_LENGTH(c);
    const uint32_t mask = U_GET_GC_MASK(c);
    ec = U_ZERO_ERROR;
    bool drop = false, digit = false, boundary = false;
    if (c == 0x3099 || c == 0x309A) {
    } else if (c == 0x200B) {
      boundary = true;
    } else if (mask & U_GC_MN_MASK) {
      drop = uscript_getScript(c, &ec) == USCRIPT_INHERITED;
    } else if (mask & U_GC_ND_MASK) {
      digit = true;
    } else if ((mask & (U_GC_P_MASK | U_GC_S_MASK | U_GC_CC_MASK | U_GC_Z_MASK)) ||
               u_isUWhiteSpace(c)) {
      boundary = true;
    }
    if (drop) continue;
    if (boundary) {
      pending_space = true;
      in_digits = false;
      continue;
    }
    if (digit && in_digits && !pending_space) continue;
    if (pending_space && out.length() > 0) out.append(static_cast<char16_t>(u' '));
    pending_space = false;
    in_digits = digit;
    out.append(digit ? static_cast<UChar32>(u'0') : c);
  }
  std::string utf8;
  out.toUTF8String(utf8);
  return utf8;
}

TEST(SimplifyText, MatchesReferenceOnRandomMultilingualText) {
  // Code points from many blocks: ASCII, Latin-1 and Latin Extended with combining marks,
  // Greek, Cyrillic, Devanagari, Thai, kana and voicing marks, CJK, digits of several scripts,
  // fullwidth forms, surrogate pairs (math letters, emoji), U+200B, and invalid UTF-8 bytes.
  const std::vector<std::pair<UChar32, UChar32>> ranges = {
      {0x20, 0x7E},     {0xA0, 0x24F},    {0x300, 0x36F},   {0x370, 0x3FF},
      {0x400, 0x4FF},   {0x660, 0x669},   {0x900, 0x97F},   {0xE00, 0xE5B},
      {0x1E00, 0x1EFF}, {0x2000, 0x206F}, {0x3040, 0x30FF}, {0x4E00, 0x4E80},
      {0xFF00, 0xFF65}, {0x1D400, 0x1D4FF}, {0x1F600, 0x1F64F}, {0x1D7CE, 0x1D7FF}};
  std::mt19937_64 rng(43);
  for (int trial = 0; trial < 500; ++trial) {
    std::string text;
    const int len = static_cast<int>(rng() % 80);
    for (int i = 0; i < len; ++i) {
      if (rng() % 50 == 0) {
        text.push_back(static_cast<char>(0x80 + rng() % 0x40));  // a stray continuation byte
        continue;
      }
      const auto& r = ranges[rng() % ranges.size()];
      const UChar32 c = r.first + static_cast<UChar32>(rng() % (r.second - r.first + 1));
      icu::UnicodeString(c).toUTF8String(text);
    }
    ASSERT_EQ(SimplifyText(text), ReferenceSimplify(text)) << "trial " << trial;
    // The words are the simplified text's ICU segments either way.
    WordSpans a, b;
    SplitWords(text, a);
    SplitWords(text, b, /*force_icu=*/true);
    ASSERT_EQ(a.text, b.text);
  }
}

}  // namespace
}  // namespace rwkvkit::corpus::dedup

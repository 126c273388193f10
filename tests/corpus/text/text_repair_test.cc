// tests/corpus/text/text_repair_test.cc — every repair/normalization rule with exact bytes and
// exact counts. The invalid-UTF-8, surrogate, control and Unicode cases are those of
// the development corpus's malformed.jsonl (lines 7–22, 34–42), written inline so the test needs no
// file. Expected replacements follow Python's bytes.decode('utf-8', 'replace'); expected
// normal forms were computed with Python's unicodedata (Unicode 14) — none of the characters
// here changed between Unicode 14 and ICU 72's Unicode 15.
#include "corpus/text/text_repair.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unicode/bytestream.h>
#include <unicode/normalizer2.h>

#include <cstdint>
#include <ostream>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace rwkvkit::corpus::text {

void PrintTo(const RepairCounts& c, std::ostream* os) {
  *os << "{";
  for (const auto& f : kRepairCounterFields) {
    if (c.*f.member != 0) *os << " " << f.name << "=" << c.*f.member;
  }
  *os << " }";
}

namespace {

using ::testing::HasSubstr;

const std::string kFffd = "\xEF\xBF\xBD";

struct Result {
  std::string out;
  RepairCounts counts;
};

Result RepairText(std::string_view in, Normalization n = Normalization::kNfc) {
  auto repairer = TextRepairer::Create(n);
  EXPECT_TRUE(repairer.ok()) << repairer.status();
  Result r;
  r.out = "stale contents that Repair must replace";
  repairer->Repair(in, r.out, r.counts);
  return r;
}

// Checks `in` -> `out` with `counts` under every normalization that should agree.
void ExpectRepair(std::string_view in, std::string_view out, RepairCounts counts) {
  for (const Normalization n : {Normalization::kNfc, Normalization::kNfkc, Normalization::kNone}) {
    const Result r = RepairText(in, n);
    EXPECT_EQ(r.out, out) << NormalizationName(n);
    EXPECT_EQ(r.counts, counts) << NormalizationName(n);
  }
}

// --- Rule 1: invalid UTF-8, one U+FFFD per maximal subpart (malformed.jsonl lines 7–13) ---

TEST(TextRepairUtf8, LoneContinuationByte) {
  ExpectRepair("are\x80 born", "are" + kFffd + " born", {.invalid_utf8 = 1});
}

TEST(TextRepairUtf8, OverlongSlashIsTwoReplacements) {
  ExpectRepair("are\xC0\xAF born", "are" + kFffd + kFffd + " born", {.invalid_utf8 = 2});
}

TEST(TextRepairUtf8, ByteFF) {
  ExpectRepair("a\xFF" "b", "a" + kFffd + "b", {.invalid_utf8 = 1});
  ExpectRepair("a\xFF\xFE" "b", "a" + kFffd + kFffd + "b", {.invalid_utf8 = 2});
}

TEST(TextRepairUtf8, EncodedSurrogateIsThreeReplacements) {
  ExpectRepair("are\xED\xA0\x80 born", "are" + kFffd + kFffd + kFffd + " born", {.invalid_utf8 = 3});
}

TEST(TextRepairUtf8, TruncatedFourByteThenAsciiIsOneReplacement) {
  ExpectRepair("are\xF0\x9F\x98 born", "are" + kFffd + " born", {.invalid_utf8 = 1});
}

TEST(TextRepairUtf8, AboveU10FFFFIsFourReplacements) {
  ExpectRepair("are\xF4\x90\x80\x80 born", "are" + kFffd + kFffd + kFffd + kFffd + " born", {.invalid_utf8 = 4});
}

TEST(TextRepairUtf8, TruncatedAtEndOfText) {
  ExpectRepair("\xE3\x81\x99\xE3", "\xE3\x81\x99" + kFffd, {.invalid_utf8 = 1});
  ExpectRepair("ab\xF0\x9F\x98", "ab" + kFffd, {.invalid_utf8 = 1});
}

TEST(TextRepairUtf8, ExistingReplacementCharacterIsNotCounted) {
  ExpectRepair("a" + kFffd + "b", "a" + kFffd + "b", {});
}

// --- RepairJsonLine: lone surrogate escapes (lines 14–18) and invalid UTF-8 in a line ---

std::string JsonLine(std::string_view text) { return R"({"id": "x", "text": ")" + std::string(text) + R"("})"; }

TEST(RepairJsonLine, LoneHighSurrogate) {
  RepairCounts c;
  EXPECT_EQ(RepairJsonLine(JsonLine(R"(are\ud800 born)"), c), JsonLine(R"(are\ufffd born)"));
  EXPECT_EQ(c, (RepairCounts{.lone_surrogates = 1}));
}

TEST(RepairJsonLine, LoneLowSurrogate) {
  RepairCounts c;
  EXPECT_EQ(RepairJsonLine(JsonLine(R"(are\udc00 born)"), c), JsonLine(R"(are\ufffd born)"));
  EXPECT_EQ(c, (RepairCounts{.lone_surrogates = 1}));
}

TEST(RepairJsonLine, ReversedPairIsTwoLoneSurrogates) {
  RepairCounts c;
  EXPECT_EQ(RepairJsonLine(JsonLine(R"(are\udc00\ud800 born)"), c), JsonLine(R"(are\ufffd\ufffd born)"));
  EXPECT_EQ(c, (RepairCounts{.lone_surrogates = 2}));
}

TEST(RepairJsonLine, HighSurrogateAtEndOfText) {
  RepairCounts c;
  EXPECT_EQ(RepairJsonLine(JsonLine(R"(brotherhood.\ud83d)"), c), JsonLine(R"(brotherhood.\ufffd)"));
  EXPECT_EQ(c, (RepairCounts{.lone_surrogates = 1}));
  RepairCounts c2;  // the very end of the input
  EXPECT_EQ(RepairJsonLine(R"(\ud83d)", c2), R"(\ufffd)");
  EXPECT_EQ(c2, (RepairCounts{.lone_surrogates = 1}));
}

TEST(RepairJsonLine, ValidPairsAndOtherEscapesStay) {
  RepairCounts c;
  const std::string line = JsonLine(R"(are\ud83d\ude00 \uD83D\uDE00 born \u00e9 \u0000 \n \" \/ \\)");
  EXPECT_EQ(RepairJsonLine(line, c), line);
  EXPECT_EQ(c, RepairCounts{});
}

TEST(RepairJsonLine, UppercaseHexIsAnEscapeToo) {
  RepairCounts c;
  EXPECT_EQ(RepairJsonLine(R"(a\uD800b\uDFFFc)", c), R"(a\ufffdb\ufffdc)");
  EXPECT_EQ(c, (RepairCounts{.lone_surrogates = 2}));
}

TEST(RepairJsonLine, EscapedBackslashIsNotAnEscape) {
  RepairCounts c;
  EXPECT_EQ(RepairJsonLine(R"(a\\ud800b)", c), R"(a\\ud800b)");  // JSON text: a\ud800b (letters)
  EXPECT_EQ(RepairJsonLine(R"(a\\\ud800b)", c), R"(a\\\ufffdb)");  // a backslash, then an escape
  EXPECT_EQ(c, (RepairCounts{.lone_surrogates = 1}));
}

TEST(RepairJsonLine, HighBeforeAValidPair) {
  RepairCounts c;
  EXPECT_EQ(RepairJsonLine(R"(\ud800\ud83d\ude00)", c), R"(\ufffd\ud83d\ude00)");
  EXPECT_EQ(c, (RepairCounts{.lone_surrogates = 1}));
}

TEST(RepairJsonLine, HighFollowedByBrokenEscape) {
  RepairCounts c;
  EXPECT_EQ(RepairJsonLine(R"(\ud800\udc0)", c), R"(\ufffd\udc0)");
  EXPECT_EQ(RepairJsonLine(R"(\ud800\u)", c), R"(\ufffd\u)");
  EXPECT_EQ(c, (RepairCounts{.lone_surrogates = 2}));
}

TEST(RepairJsonLine, InvalidUtf8BecomesRawReplacementBytes) {
  RepairCounts c;
  EXPECT_EQ(RepairJsonLine(JsonLine("are\xED\xA0\x80 \\ud800 born\xE3"), c),
            JsonLine("are" + kFffd + kFffd + kFffd + " \\ufffd born" + kFffd));
  EXPECT_EQ(c, (RepairCounts{.invalid_utf8 = 4, .lone_surrogates = 1}));
}

TEST(RepairJsonLine, CleanLineIsUnchanged) {
  RepairCounts c;
  const std::string line = JsonLine("All human beings \xE4\xBA\xBA");
  EXPECT_EQ(RepairJsonLine(line, c), line);
  EXPECT_EQ(RepairJsonLine("", c), "");
  EXPECT_EQ(RepairJsonLine("\\", c), "\\");
  EXPECT_EQ(c, RepairCounts{});
}

// --- Rule 2: controls (lines 19–22), CR, BOM ---

TEST(TextRepairControls, EscapedNulIsRemoved) {
  ExpectRepair(std::string("are\0 born", 9), "are born", {.control_chars_removed = 1});
}

TEST(TextRepairControls, C0DelAndC1AreRemovedTabAndNewlineKept) {
  // malformed.jsonl line 22: \u0001 \b \u000b \f \u001f \u007f \u0085 \u009b inside "beings".
  ExpectRepair("being\x01\x08\x0B\x0C\x1F\x7F\xC2\x85\xC2\x9Bs are\tborn\nfree", "beings are\tborn\nfree",
               {.control_chars_removed = 8});
}

TEST(TextRepairControls, RawControlCharsLine21) {
  ExpectRepair("All human \x01" "beings are\x1B[0m born free\t and", "All human beings are[0m born free\t and",
               {.control_chars_removed = 2});
}

TEST(TextRepairControls, C1RangeEdges) {
  ExpectRepair("\xC2\x80" "a\xC2\x9F" "b", "ab", {.control_chars_removed = 2});
  // U+00A1 and U+00A9 share the C2 lead byte but are not controls (nor is U+00A0, but NFKC
  // folds that NO-BREAK SPACE to a space).
  ExpectRepair("a\xC2\xA1" "b\xC2\xA9", "a\xC2\xA1" "b\xC2\xA9", {});
}

TEST(TextRepairLines, CrLfBecomesLf) {
  ExpectRepair("a\r\nb\r\n", "a\nb\n", {.crlf_to_lf = 2});
}

TEST(TextRepairLines, LoneCrBecomesLf) {
  ExpectRepair("a\rb\r", "a\nb\n", {.lone_cr_to_lf = 2});
  ExpectRepair("a\r\r\nb", "a\n\nb", {.crlf_to_lf = 1, .lone_cr_to_lf = 1});
  // The pair is looked for in the input as it is: a control between CR and LF makes two ends.
  ExpectRepair("a\r\x01\nb", "a\n\nb", {.lone_cr_to_lf = 1, .control_chars_removed = 1});
}

TEST(TextRepairBom, LeadingBomRemoved) {
  ExpectRepair("\xEF\xBB\xBFhello", "hello", {.bom_removed = 1});
  ExpectRepair("\xEF\xBB\xBF", "", {.bom_removed = 1});
  ExpectRepair("\xEF\xBB\xBF\xEF\xBB\xBFhello", "hello", {.bom_removed = 2});
}

TEST(TextRepairBom, BomUncoveredByARemovedControlIsLeadingToo) {
  ExpectRepair("\x01\xEF\xBB\xBFhi", "hi", {.bom_removed = 1, .control_chars_removed = 1});
  ExpectRepair("\r\n\xEF\xBB\xBFhi", "\n\xEF\xBB\xBFhi", {.crlf_to_lf = 1});  // LF is text: BOM kept
}

TEST(TextRepairBom, BomInTheMiddleIsKept) {
  ExpectRepair("a\xEF\xBB\xBF" "b", "a\xEF\xBB\xBF" "b", {});
  ExpectRepair("\xFF\xEF\xBB\xBF", kFffd + "\xEF\xBB\xBF", {.invalid_utf8 = 1});
}

// --- Kept on purpose (lines 38–41) ---

TEST(TextRepairKeep, ZeroWidthCharacters) {
  // ZWSP U+200B, ZWNJ U+200C, ZWJ U+200D, WORD JOINER U+2060, ZWNBSP U+FEFF inside words.
  const std::string s = "All\xE2\x80\x8Bhuman\xE2\x80\x8C" "beings\xE2\x80\x8D" "are\xE2\x81\xA0" "born\xEF\xBB\xBF" "free";
  ExpectRepair(s, s, {});
  // ZWJ in an emoji sequence: man, ZWJ, laptop.
  ExpectRepair("\xF0\x9F\x91\xA8\xE2\x80\x8D\xF0\x9F\x92\xBB", "\xF0\x9F\x91\xA8\xE2\x80\x8D\xF0\x9F\x92\xBB", {});
}

TEST(TextRepairKeep, BidiControls) {
  // LRM U+200E, RLM U+200F, LRE..RLO U+202A..202E, LRI..PDI U+2066..2069 around Arabic.
  const std::string s =
      "\xE2\x80\x8E\xE2\x80\x8F\xE2\x80\xAA\xE2\x80\xAB\xE2\x80\xAC\xE2\x80\xAD\xE2\x80\xAE"
      "\xD9\x8A\xD9\x88\xD9\x84\xD8\xAF\xE2\x81\xA6\xE2\x81\xA7\xE2\x81\xA8\xE2\x81\xA9";
  ExpectRepair(s, s, {});
}

TEST(TextRepairKeep, LineAndParagraphSeparators) {
  const std::string s = "free\xE2\x80\xA8 and righ\xE2\x80\xA9ts";
  ExpectRepair(s, s, {});
}

TEST(TextRepairKeep, Noncharacters) {
  const std::string s = "\xE4\xBA\xBA\xEF\xBF\xBE\xEF\xBF\xBF\xF4\x8F\xBF\xBF\xE7\x94\xB1";  // U+FFFE U+FFFF U+10FFFF
  ExpectRepair(s, s, {});
}

// --- Rule 3: normalization (lines 34–37) ---

const std::string kVietNfc = "Ti\xE1\xBA\xBFng Vi\xE1\xBB\x87t";
const std::string kVietNfd = "Tie\xCC\x82\xCC\x81ng Vie\xCC\xA3\xCC\x82t";
const std::string kKoreanNfc = "\xED\x95\x9C\xEA\xB5\xAD\xEC\x96\xB4";
const std::string kKoreanJamo = "\xE1\x84\x92\xE1\x85\xA1\xE1\x86\xAB\xE1\x84\x80\xE1\x85\xAE\xE1\x86\xA8\xE1\x84\x8B\xE1\x85\xA5";

TEST(TextRepairNormalize, NfdVietnameseBecomesNfc) {
  const Result r = RepairText(kVietNfd);
  EXPECT_EQ(r.out, kVietNfc);
  EXPECT_EQ(r.counts, (RepairCounts{.normalized = 1}));  // one document, however many characters
  EXPECT_EQ(RepairText(kVietNfd, Normalization::kNfkc).out, kVietNfc);
  EXPECT_EQ(RepairText(kVietNfd, Normalization::kNone).out, kVietNfd);
  EXPECT_EQ(RepairText(kVietNfd, Normalization::kNone).counts, RepairCounts{});
  ExpectRepair(kVietNfc, kVietNfc, {});
}

TEST(TextRepairNormalize, ConjoiningJamoBecomeSyllables) {
  const Result r = RepairText(kKoreanJamo);
  EXPECT_EQ(r.out, kKoreanNfc);
  EXPECT_EQ(r.counts, (RepairCounts{.normalized = 1}));
  EXPECT_EQ(RepairText(kKoreanJamo, Normalization::kNone).out, kKoreanJamo);
  ExpectRepair(kKoreanNfc, kKoreanNfc, {});
}

TEST(TextRepairNormalize, NfkcFoldsCompatibilityCharactersNfcDoesNot) {
  // U+FB01 LATIN SMALL LIGATURE FI, U+FF21 FULLWIDTH A, U+2460 CIRCLED ONE, U+00B2 SUPERSCRIPT TWO.
  const std::string s = "\xEF\xAC\x81 \xEF\xBC\xA1 \xE2\x91\xA0 x\xC2\xB2";
  const Result nfkc = RepairText(s, Normalization::kNfkc);
  EXPECT_EQ(nfkc.out, "fi A 1 x2");
  EXPECT_EQ(nfkc.counts, (RepairCounts{.normalized = 1}));
  for (const Normalization n : {Normalization::kNfc, Normalization::kNone}) {
    const Result r = RepairText(s, n);
    EXPECT_EQ(r.out, s);
    EXPECT_EQ(r.counts, RepairCounts{});
  }
}

// NFC takes text whose code points are all below U+0300 (no byte >= 0xCC) as it is, without ICU:
// random such texts against ICU's own NFC, and NFKC still folds what lies below U+0300.
TEST(TextRepairNormalize, TextBelowU0300IsNfcAsItIs) {
  UErrorCode ec = U_ZERO_ERROR;
  const icu::Normalizer2* nfc = icu::Normalizer2::getNFCInstance(ec);
  ASSERT_TRUE(U_SUCCESS(ec));
  std::mt19937 rng(5);
  for (int doc = 0; doc < 500; ++doc) {
    std::string s;
    const size_t len = 1 + rng() % 60;
    for (size_t i = 0; i < len; ++i) {
      uint32_t c = 0x20 + rng() % (0x300 - 0x20);
      if (c >= 0x7F && c < 0xA0) c = 'a';  // DEL and C1 controls are removed (another rule)
      if (c < 0x80) {
        s.push_back(static_cast<char>(c));
      } else {
        s.push_back(static_cast<char>(0xC0 | (c >> 6)));
        s.push_back(static_cast<char>(0x80 | (c & 0x3F)));
      }
    }
    std::string icu_nfc;
    icu::StringByteSink<std::string> sink(&icu_nfc);
    nfc->normalizeUTF8(0, s, sink, nullptr, ec);
    ASSERT_TRUE(U_SUCCESS(ec));
    ASSERT_EQ(icu_nfc, s);
    const Result r = RepairText(s, Normalization::kNfc);
    EXPECT_EQ(r.out, s);
    EXPECT_EQ(r.counts, RepairCounts{});
  }
  const Result nfkc = RepairText("\xC2\xBD \xC4\xB2 \xC5\xBF", Normalization::kNfkc);  // ½ Ĳ ſ
  EXPECT_EQ(nfkc.out, "1\xE2\x81\x84" "2 IJ s");
  EXPECT_EQ(nfkc.counts, (RepairCounts{.normalized = 1}));
}

TEST(TextRepairNormalize, ControlRemovalCanCreateAComposition) {
  // "e" U+0001 U+0301: NFC as it stands; after the control goes, NFC composes it to U+00E9.
  const Result r = RepairText("e\x01\xCC\x81");
  EXPECT_EQ(r.out, "\xC3\xA9");
  EXPECT_EQ(r.counts, (RepairCounts{.control_chars_removed = 1, .normalized = 1}));
  EXPECT_EQ(RepairText("e\x01\xCC\x81", Normalization::kNone).out, "e\xCC\x81");
}

TEST(TextRepairNormalize, EverythingAtOnce) {
  const Result r = RepairText("\xEF\xBB\xBF" + kVietNfd + "\r\n\x80\x7F" + kKoreanJamo + "\r");
  EXPECT_EQ(r.out, kVietNfc + "\n" + kFffd + kKoreanNfc + "\n");
  EXPECT_EQ(r.counts, (RepairCounts{.invalid_utf8 = 1,
                                    .bom_removed = 1,
                                    .crlf_to_lf = 1,
                                    .lone_cr_to_lf = 1,
                                    .control_chars_removed = 1,
                                    .normalized = 1}));
}

TEST(TextRepair, EmptyAndAscii) {
  ExpectRepair("", "", {});
  const std::string ascii = "All human beings are born free and equal in dignity and rights.\n\tx";
  ExpectRepair(ascii, ascii, {});
}

TEST(TextRepair, LongTextTakesTheFastPathAndTheSlowPath) {
  std::string text;
  for (int i = 0; i < 20000; ++i) text += kVietNfc + " " + kKoreanNfc + " \xE4\xBA\xBA\xE4\xBA\xBA\n";
  ExpectRepair(text, text, {});
  const Result r = RepairText(text + kVietNfd);
  EXPECT_EQ(r.out, text + kVietNfc);
  EXPECT_EQ(r.counts, (RepairCounts{.normalized = 1}));
}

// --- Properties on random input: valid UTF-8 out, and a fixed point ---

// An independent validator: decodes each sequence to a code point and checks its range, with no
// lead-byte table (the decoder under test uses one).
bool IsValidUtf8(std::string_view s, std::vector<uint32_t>* code_points = nullptr) {
  size_t i = 0;
  while (i < s.size()) {
    const auto b0 = static_cast<unsigned char>(s[i]);
    size_t n = b0 < 0x80 ? 1 : (b0 >> 5) == 0x6 ? 2 : (b0 >> 4) == 0xE ? 3 : (b0 >> 3) == 0x1E ? 4 : 0;
    if (n == 0 || i + n > s.size()) return false;
    uint32_t cp = n == 1 ? b0 : n == 2 ? (b0 & 0x1F) : n == 3 ? (b0 & 0x0F) : (b0 & 0x07);
    for (size_t k = 1; k < n; ++k) {
      const auto b = static_cast<unsigned char>(s[i + k]);
      if ((b & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (b & 0x3F);
    }
    const uint32_t min_for_length[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < min_for_length[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    if (code_points != nullptr) code_points->push_back(cp);
    i += n;
  }
  return true;
}

std::string RandomInput(std::mt19937& rng) {
  static const std::vector<std::string> kPieces = {
      "a", "Z", " ", "\t", "\n", "\r", "\r\n", std::string(1, '\0'), "\x01", "\x1B", "\x7F", "\xC2\x85",
      "\xC2\xA0", "\xEF\xBB\xBF", "\xCC\x81", "\xCC\xA3", "e", "\xE1\x84\x92", "\xE1\x85\xA1", "\xE1\x86\xAB",
      "\xEF\xAC\x81", "\xEF\xBC\xA1", "\xE2\x80\x8D", "\xF0\x9F\x98\x80", "\x80", "\xC0", "\xED\xA0\x80",
      "\xF0\x9F\x98", "\xF4\x90\x80\x80", "\xFF", "\xE3", kFffd, "\xED\x95\x9C"};
  std::uniform_int_distribution<int> len(0, 24);
  std::uniform_int_distribution<size_t> pick(0, kPieces.size() - 1);
  std::uniform_int_distribution<int> byte(0, 255);
  std::string s;
  const int n = len(rng);
  for (int i = 0; i < n; ++i) {
    if (rng() % 3 == 0) s.push_back(static_cast<char>(byte(rng)));
    else s += kPieces[pick(rng)];
  }
  return s;
}

TEST(TextRepairProperties, ValidOutputAndIdempotentOnRandomBytes) {
  std::mt19937 rng(20240611);
  for (const Normalization n : {Normalization::kNfc, Normalization::kNfkc, Normalization::kNone}) {
    auto repairer = TextRepairer::Create(n);
    ASSERT_TRUE(repairer.ok());
    for (int trial = 0; trial < 3000; ++trial) {
      const std::string in = RandomInput(rng);
      std::string once, twice;
      RepairCounts first, second;
      repairer->Repair(in, once, first);
      repairer->Repair(once, twice, second);
      std::vector<uint32_t> cps;
      ASSERT_TRUE(IsValidUtf8(once, &cps)) << testing::PrintToString(in);
      ASSERT_EQ(twice, once) << testing::PrintToString(in);
      ASSERT_EQ(second, RepairCounts{}) << testing::PrintToString(in);
      ASSERT_TRUE(cps.empty() || cps[0] != 0xFEFF) << testing::PrintToString(in);
      for (const uint32_t cp : cps) {
        const bool control = (cp < 0x20 && cp != '\t' && cp != '\n') || (cp >= 0x7F && cp <= 0x9F);
        ASSERT_FALSE(control) << testing::PrintToString(in) << " U+" << std::hex << cp;
      }
    }
  }
}

// --- API ---

TEST(ParseNormalization, NamesAndErrors) {
  EXPECT_EQ(ParseNormalization("nfc").value(), Normalization::kNfc);
  EXPECT_EQ(ParseNormalization("nfkc").value(), Normalization::kNfkc);
  EXPECT_EQ(ParseNormalization("none").value(), Normalization::kNone);
  for (const char* bad : {"NFC", "nfd", "", "nfkc_cf"}) {
    const auto n = ParseNormalization(bad);
    EXPECT_EQ(n.status().code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_THAT(std::string(n.status().message()), HasSubstr("expected nfc, nfkc or none")) << bad;
  }
}

TEST(RepairCounts, SumAndFieldList) {
  RepairCounts a{.invalid_utf8 = 1, .lone_surrogates = 2, .bom_removed = 3, .crlf_to_lf = 4,
                 .lone_cr_to_lf = 5, .control_chars_removed = 6, .normalized = 7};
  a += a;
  EXPECT_EQ(a, (RepairCounts{.invalid_utf8 = 2, .lone_surrogates = 4, .bom_removed = 6, .crlf_to_lf = 8,
                             .lone_cr_to_lf = 10, .control_chars_removed = 12, .normalized = 14}));
  EXPECT_EQ(a.repairs(), 2u + 4 + 6 + 8 + 10 + 12);
  std::set<std::string_view> names;
  for (const auto& f : kRepairCounterFields) names.insert(f.name);
  EXPECT_EQ(names.size(), sizeof(RepairCounts) / sizeof(uint64_t));  // every member listed once
}

}  // namespace
}  // namespace rwkvkit::corpus::text

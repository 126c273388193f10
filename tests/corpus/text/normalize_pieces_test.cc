// tests/corpus/text/normalize_pieces_test.cc — piecewise ICU normalization (documents over the
// int32_t StringPiece limit) gives the same bytes as one call, checked with tiny pieces.
#include "corpus/text/internal/normalize_pieces.h"

#include <gtest/gtest.h>
#include <unicode/normalizer2.h>

#include <string>

namespace rwkvkit::corpus::text::internal {
namespace {

const icu::Normalizer2& Nfc() {
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* n = icu::Normalizer2::getNFCInstance(status);
  EXPECT_TRUE(U_SUCCESS(status));
  return *n;
}

// NFD Vietnamese, conjoining jamo, a 4-byte character, a run of five combining marks.
const std::string kText =
    "Tie\xCC\x82\xCC\x81ng Vie\xCC\xA3\xCC\x82t \xE1\x84\x92\xE1\x85\xA1\xE1\x86\xAB\xE1\x84\x80\xE1\x85\xAE"
    "\xF0\x9F\x98\x80 a\xCC\x81\xCC\x82\xCC\x83\xCC\x84\xCC\x85" "b";

TEST(NormalizePieces, AnyPieceSizeGivesTheWholeResult) {
  std::string whole;
  ASSERT_TRUE(NormalizeInPieces(Nfc(), kText, kText.size(), whole));
  ASSERT_NE(whole, kText);
  for (size_t piece = 1; piece <= kText.size(); ++piece) {
    std::string out;
    ASSERT_TRUE(NormalizeInPieces(Nfc(), kText, piece, out));
    // A window without any boundary (the five-mark run needs 11+ bytes) may cut inside a
    // combining sequence; from 12 bytes on every cut must be at a boundary.
    if (piece >= 12) {
      EXPECT_EQ(out, whole) << piece;
      EXPECT_FALSE(IsNormalizedInPieces(Nfc(), kText, piece)) << piece;
    }
    EXPECT_TRUE(IsNormalizedInPieces(Nfc(), whole, piece)) << piece;
  }
}

TEST(NormalizePieces, PieceEndsAreCodePointStartsAndMakeProgress) {
  for (size_t piece = 1; piece <= kText.size(); ++piece) {
    size_t begin = 0;
    while (begin < kText.size()) {
      const size_t end = NormalizePieceEnd(Nfc(), kText, begin, piece);
      ASSERT_GT(end, begin);
      ASSERT_TRUE(end == kText.size() || (static_cast<unsigned char>(kText[end]) & 0xC0) != 0x80);
      begin = end;
    }
  }
}

}  // namespace
}  // namespace rwkvkit::corpus::text::internal

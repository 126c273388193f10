// corpus/text/internal/normalize_pieces.cc — see normalize_pieces.h.
#include "corpus/text/internal/normalize_pieces.h"

#include <unicode/bytestream.h>
#include <unicode/normalizer2.h>
#include <unicode/stringpiece.h>
#include <unicode/utf8.h>

#include <cstdint>

namespace rwkvkit::corpus::text::internal {
namespace {

bool IsContinuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

icu::StringPiece Piece(std::string_view text, size_t begin, size_t end) {
  return icu::StringPiece(text.data() + begin, static_cast<int32_t>(end - begin));
}

}  // namespace

size_t NormalizePieceEnd(const icu::Normalizer2& normalizer, std::string_view text, size_t start,
                         size_t max_piece) {
  if (text.size() - start <= max_piece) return text.size();
  size_t cut = start + max_piece;
  while (cut > start && IsContinuation(text[cut])) --cut;
  for (size_t p = cut; p > start;) {
    const auto* s = reinterpret_cast<const uint8_t*>(text.data() + p);
    const auto avail = static_cast<int32_t>(text.size() - p < 4 ? text.size() - p : 4);
    int32_t i = 0;
    UChar32 c = 0;
    U8_NEXT(s, i, avail, c);
    if (normalizer.hasBoundaryBefore(c)) return p;
    do --p; while (p > start && IsContinuation(text[p]));
  }
  // No boundary in the whole window: cut at a code point start, or, with a window shorter than
  // the first character, just after that character.
  if (cut > start) return cut;
  size_t end = start + 1;
  while (end < text.size() && IsContinuation(text[end])) ++end;
  return end;
}

bool IsNormalizedInPieces(const icu::Normalizer2& normalizer, std::string_view text, size_t max_piece) {
  for (size_t begin = 0; begin < text.size();) {
    const size_t end = NormalizePieceEnd(normalizer, text, begin, max_piece);
    UErrorCode status = U_ZERO_ERROR;
    const bool yes = normalizer.isNormalizedUTF8(Piece(text, begin, end), status);
    if (U_FAILURE(status) || !yes) return false;
    begin = end;
  }
  return true;
}

bool NormalizeInPieces(const icu::Normalizer2& normalizer, std::string_view text, size_t max_piece,
                       std::string& out) {
  icu::StringByteSink<std::string> sink(&out);
  for (size_t begin = 0; begin < text.size();) {
    const size_t end = NormalizePieceEnd(normalizer, text, begin, max_piece);
    UErrorCode status = U_ZERO_ERROR;
    normalizer.normalizeUTF8(0, Piece(text, begin, end), sink, /*edits=*/nullptr, status);
    if (U_FAILURE(status)) return false;
    begin = end;
  }
  return true;
}

}  // namespace rwkvkit::corpus::text::internal

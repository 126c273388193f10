// corpus/text/internal/normalize_pieces.h — ICU normalization of UTF-8 longer than int32_t.
//
// ICU's UTF-8 entry points take a StringPiece (int32_t length), so a document is handled in
// pieces of at most `max_piece` bytes, each ending just before a code point with a
// normalization boundary before it (Normalizer2::hasBoundaryBefore); normalizing the pieces
// one by one then gives the same bytes as normalizing the whole. TextRepairer uses ~1 GiB
// pieces; tests use tiny ones to check the splitting.
//
// Text must be valid UTF-8. Thread-safe: no state. Depends on ICU (uc).
#ifndef RWKVKIT_CORPUS_TEXT_INTERNAL_NORMALIZE_PIECES_H_
#define RWKVKIT_CORPUS_TEXT_INTERNAL_NORMALIZE_PIECES_H_

#include <cstddef>
#include <string>
#include <string_view>

#include <unicode/uversion.h>

U_NAMESPACE_BEGIN  // icu is an alias of the versioned namespace (icu_72), so declare it ICU's way
class Normalizer2;
U_NAMESPACE_END

namespace rwkvkit::corpus::text::internal {

inline constexpr size_t kMaxNormalizePiece = size_t{1} << 30;

// Where the piece starting at `start` ends (exclusive): text.size() if the rest fits, else a
// boundary at most `max_piece` bytes on. If a run of max_piece bytes has no boundary at all
// (pathological: a gigabyte of combining marks) the cut falls on a code point start instead,
// and the pieces' results may then differ from the whole's.
size_t NormalizePieceEnd(const icu::Normalizer2& normalizer, std::string_view text, size_t start,
                         size_t max_piece);

// False on ICU failure too (the caller then normalizes, which is always correct).
bool IsNormalizedInPieces(const icu::Normalizer2& normalizer, std::string_view text, size_t max_piece);

// Appends the normal form of `text` to `out`. Returns false if ICU failed (out of memory);
// `out` then holds a prefix of the result.
bool NormalizeInPieces(const icu::Normalizer2& normalizer, std::string_view text, size_t max_piece,
                       std::string& out);

}  // namespace rwkvkit::corpus::text::internal

#endif  // RWKVKIT_CORPUS_TEXT_INTERNAL_NORMALIZE_PIECES_H_

// corpus/text/text_repair.h — the repair + normalize stage: any bytes in, valid normalized UTF-8 out.
//
// Rules, applied in this order (docs/formats/text_repair.md has the table with examples, why
// this order, and what is kept on purpose):
//   1. each maximal subpart of ill-formed UTF-8 becomes one U+FFFD (= Python's 'replace');
//   2. CR LF and lone CR become LF; C0 controls except TAB and LF, DEL and C1 are removed;
//      leading U+FEFF (every one at the start of the output) are removed;
//   3. Unicode normalization: NFC (default), NFKC or none.
// The output is a fixed point: Repair(Repair(x)) == Repair(x) with zero new counts. Lone
// surrogate escapes in JSON are handled by RepairJsonLine() before the line is parsed.
// Does not fix mojibake, uncurl quotes, collapse whitespace, or lowercase.
//
// Thread-safety: TextRepairer is immutable after Create() and safe to share between threads
// (ICU's Normalizer2 instances are process-wide, thread-safe singletons). Depends on ICU (uc).
#ifndef RWKVKIT_CORPUS_TEXT_TEXT_REPAIR_H_
#define RWKVKIT_CORPUS_TEXT_TEXT_REPAIR_H_

#include <cstdint>
#include <string>
#include <string_view>

#include <unicode/uversion.h>

#include "absl/status/statusor.h"

U_NAMESPACE_BEGIN  // icu is an alias of the versioned namespace (icu_72), so declare it ICU's way
class Normalizer2;
U_NAMESPACE_END

namespace rwkvkit::corpus::text {

enum class Normalization { kNfc, kNfkc, kNone };

// ParseNormalization()
// "nfc" | "nfkc" | "none" (the --normalize flag); anything else is kInvalidArgument.
absl::StatusOr<Normalization> ParseNormalization(std::string_view name);
std::string_view NormalizationName(Normalization n);

// Counters of one document, or of many summed by the pipeline (build.json lists them by the
// names in kRepairCounterFields).
struct RepairCounts {
  uint64_t invalid_utf8 = 0;           // ill-formed UTF-8 subparts replaced by U+FFFD
  uint64_t lone_surrogates = 0;        // \uD800..\uDFFF escapes without a partner -> \ufffd (RepairJsonLine)
  uint64_t bom_removed = 0;            // leading U+FEFF removed
  uint64_t crlf_to_lf = 0;             // CR LF pairs turned into LF
  uint64_t lone_cr_to_lf = 0;          // CR not followed by LF turned into LF
  uint64_t control_chars_removed = 0;  // C0 (except TAB, LF; CR has its own rules), DEL, C1 removed
  uint64_t normalized = 0;             // documents changed by NFC/NFKC

  RepairCounts& operator+=(const RepairCounts& other);
  bool operator==(const RepairCounts&) const = default;
  // Sum of every counter but `normalized`: 0 means no repair rule fired.
  uint64_t repairs() const;
};

struct RepairCounterField {
  std::string_view name;
  uint64_t RepairCounts::*member;
};

// Every counter with its build.json name, in declaration order:
//   for (const auto& f : kRepairCounterFields) json[f.name] = counts.*f.member;
inline constexpr RepairCounterField kRepairCounterFields[] = {
    {"invalid_utf8", &RepairCounts::invalid_utf8},
    {"lone_surrogates", &RepairCounts::lone_surrogates},
    {"bom_removed", &RepairCounts::bom_removed},
    {"crlf_to_lf", &RepairCounts::crlf_to_lf},
    {"lone_cr_to_lf", &RepairCounts::lone_cr_to_lf},
    {"control_chars_removed", &RepairCounts::control_chars_removed},
    {"normalized", &RepairCounts::normalized},
};

class TextRepairer {
 public:
  // Create()
  // kInternal if ICU cannot load its normalization data.
  static absl::StatusOr<TextRepairer> Create(Normalization n);

  // Repair()
  // Writes the repaired form of `in` (any bytes) to `out` (replacing its contents): valid UTF-8,
  // in the chosen normal form. Adds what it did to `counts`. `in` and `out` must not overlap.
  // Fast path: valid UTF-8 without BOM/CR/controls that is already normalized is copied as is,
  // without ICU strings (measured on sample.jsonl: see docs/formats/text_repair.md).
  // Documents are normalized in pieces of at most ~1 GiB split at normalization boundaries
  // (ICU's StringPiece length is int32_t), which gives the same result as one piece.
  void Repair(std::string_view in, std::string& out, RepairCounts& counts) const;

  Normalization normalization() const { return normalization_; }

 private:
  TextRepairer(Normalization n, const icu::Normalizer2* normalizer) : normalization_(n), normalizer_(normalizer) {}
  bool IsNormalized(std::string_view text) const;
  void Normalize(std::string_view text, std::string& out) const;

  Normalization normalization_;
  const icu::Normalizer2* normalizer_;  // nullptr for kNone; owned by ICU
};

// ReplaceInvalidUtf8()
// Rule 1 alone: `in` with each maximal subpart of ill-formed UTF-8 replaced by U+FFFD, adding
// the replacements to `invalid_utf8` (the one home of that repair, for TextRepairer and
// RepairJsonLine).
std::string ReplaceInvalidUtf8(std::string_view in, uint64_t& invalid_utf8);

// RepairJsonLine()
// For a JSONL line that the JSON parser rejects for invalid UTF-8 or that carries lone
// surrogate escapes: returns the line with each ill-formed UTF-8 subpart replaced by the raw
// bytes EF BF BD (counted in invalid_utf8) and each \uXXXX escape of a lone surrogate (a high
// one not directly followed by a low escape, a low one not directly preceded by a high escape)
// replaced by \ufffd (counted in lone_surrogates). Valid pairs such as \ud83d\ude00 stay.
// Escapes are found by scanning backslash sequences, so "\\ud800" (an escaped backslash and
// the letters "ud800") is not an escape; the scan does not check that it is inside a string,
// which only matters for lines that are not valid JSON anyway.
std::string RepairJsonLine(std::string_view line, RepairCounts& counts);

}  // namespace rwkvkit::corpus::text

#endif  // RWKVKIT_CORPUS_TEXT_TEXT_REPAIR_H_

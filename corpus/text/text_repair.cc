// corpus/text/text_repair.cc — see text_repair.h.
//
// Performance notes (sample.jsonl texts, 5.3 MB, 1417 documents; numbers in
// docs/formats/text_repair.md):
// - The fast path is three read-only passes and one copy: simdjson::validate_utf8 (SIMD, skipped
//   for pure ASCII), a table-driven byte scan for CR/controls/C1/BOM that also ORs the bytes to
//   learn whether the text is ASCII (ASCII is inert under NFC and NFKC, so ICU is not called),
//   for NFC a vectorized check that no byte starts a code point of U+0300 or above (text below
//   U+0300 is in NFC: no ICU call for most Latin-script text), and Normalizer2::isNormalizedUTF8,
//   which works on UTF-8 directly (no UTF-16 copy).
// - Invalid UTF-8 is repaired with tokenizer::Utf8StreamDecoder (kReplace), the project's one
//   maximal-subpart implementation, rather than ICU's converter: same result, no UTF-16 round
//   trip, and the replacement count comes for free.
// - The normalized counter compares the output with the input instead of trusting
//   isNormalizedUTF8 == false, which is only a "maybe" for piecewise checks.
#include "corpus/text/text_repair.h"

#include <unicode/normalizer2.h>
#include <unicode/utypes.h>

#include <array>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "corpus/text/internal/normalize_pieces.h"
#include "simdjson.h"
#include "tokenizer/utf8_stream_decoder.h"

namespace rwkvkit::corpus::text {
namespace {

constexpr std::string_view kBom = "\xEF\xBB\xBF";

// Bytes that may start something the line/control pass changes: C0 except TAB and LF (CR
// included), DEL, and 0xC2, the lead byte of U+0080..U+00BF (C1 controls are C2 80..C2 9F).
constexpr std::array<bool, 256> MakeSuspectTable() {
  std::array<bool, 256> t{};
  for (int b = 0; b < 0x20; ++b) t[b] = b != '\t' && b != '\n';
  t[0x7F] = true;
  t[0xC2] = true;
  return t;
}
constexpr std::array<bool, 256> kSuspect = MakeSuspectTable();

bool IsC1Second(unsigned char b) { return b >= 0x80 && b <= 0x9F; }

struct Scan {
  bool needs_cleaning = false;  // a CR, control or leading BOM is present
  bool ascii = true;
};

// One pass over valid UTF-8 (or raw bytes: a C2 byte is a lead byte either way).
Scan ScanText(std::string_view s) {
  Scan scan;
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const size_t n = s.size();
  unsigned char all = 0;
  for (size_t i = 0; i < n; ++i) {
    const unsigned char b = p[i];
    all |= b;
    if (kSuspect[b] && (b != 0xC2 || (i + 1 < n && IsC1Second(p[i + 1])))) {
      scan.needs_cleaning = true;
      scan.ascii = false;  // unknown past here; only used to skip the normalization check
      return scan;
    }
  }
  scan.ascii = (all & 0x80) == 0;
  scan.needs_cleaning = s.substr(0, kBom.size()) == kBom;
  return scan;
}

// True when every byte is below 0xCC, the lead byte of U+0300..U+033F: in valid UTF-8, every code
// point is below U+0300, where every character is NFC_Quick_Check=Yes with combining class 0, so
// the text is in NFC (not NFKC: U+00A0, U+00BD... have compatibility mappings). No early exit,
// so the compiler vectorizes it.
bool AllBelowCombiningMarks(std::string_view s) {
  bool any = false;
  for (const char c : s) any |= static_cast<unsigned char>(c) >= 0xCC;
  return !any;
}

// Rule 2 over valid UTF-8: CR LF -> LF, lone CR -> LF, controls removed, leading BOMs removed.
void CleanLinesAndControls(std::string_view s, std::string& out, RepairCounts& counts) {
  out.clear();
  out.reserve(s.size());
  const auto byte = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
  size_t i = 0;
  while (i < s.size()) {
    if (out.empty() && s.substr(i, kBom.size()) == kBom) {
      ++counts.bom_removed;
      i += kBom.size();
      continue;
    }
    const unsigned char b = byte(i);
    if (b == '\r') {
      const bool pair = i + 1 < s.size() && s[i + 1] == '\n';
      if (pair) {
        ++counts.crlf_to_lf;  // the LF itself is copied next
      } else {
        ++counts.lone_cr_to_lf;
        out.push_back('\n');
      }
      ++i;
    } else if (b == 0xC2 && i + 1 < s.size() && IsC1Second(byte(i + 1))) {
      ++counts.control_chars_removed;
      i += 2;
    } else if (kSuspect[b] && b != 0xC2) {
      ++counts.control_chars_removed;
      ++i;
    } else {
      size_t j = i + 1;
      while (j < s.size() && !kSuspect[byte(j)]) ++j;
      out.append(s.substr(i, j - i));
      i = j;
    }
  }
}

}  // namespace

std::string ReplaceInvalidUtf8(std::string_view in, uint64_t& invalid_utf8) {
  tokenizer::Utf8StreamDecoder decoder(tokenizer::Utf8Mode::kReplace);
  std::string out;
  out.reserve(in.size() + 16);
  decoder.Feed(in, out).IgnoreError();  // kReplace never fails
  decoder.Finish(out).IgnoreError();
  invalid_utf8 += decoder.replacements();
  return out;
}

absl::StatusOr<Normalization> ParseNormalization(std::string_view name) {
  if (name == "nfc") return Normalization::kNfc;
  if (name == "nfkc") return Normalization::kNfkc;
  if (name == "none") return Normalization::kNone;
  return absl::InvalidArgumentError(
      absl::StrCat("unknown normalization (saw \"", std::string(name), "\", expected nfc, nfkc or none)"));
}

std::string_view NormalizationName(Normalization n) {
  switch (n) {
    case Normalization::kNfc: return "nfc";
    case Normalization::kNfkc: return "nfkc";
    case Normalization::kNone: return "none";
  }
  return "?";
}

RepairCounts& RepairCounts::operator+=(const RepairCounts& other) {
  for (const auto& f : kRepairCounterFields) this->*f.member += other.*f.member;
  return *this;
}

uint64_t RepairCounts::repairs() const {
  uint64_t sum = 0;
  for (const auto& f : kRepairCounterFields) {
    if (f.member != &RepairCounts::normalized) sum += this->*f.member;
  }
  return sum;
}

absl::StatusOr<TextRepairer> TextRepairer::Create(Normalization n) {
  if (n == Normalization::kNone) return TextRepairer(n, nullptr);
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* normalizer = n == Normalization::kNfc ? icu::Normalizer2::getNFCInstance(status)
                                                                 : icu::Normalizer2::getNFKCInstance(status);
  if (U_FAILURE(status) || normalizer == nullptr) {
    return absl::InternalError(absl::StrCat("ICU cannot load the ", std::string(NormalizationName(n)),
                                            " normalizer: ", u_errorName(status)));
  }
  return TextRepairer(n, normalizer);
}

bool TextRepairer::IsNormalized(std::string_view text) const {
  return internal::IsNormalizedInPieces(*normalizer_, text, internal::kMaxNormalizePiece);
}

void TextRepairer::Normalize(std::string_view text, std::string& out) const {
  out.clear();
  out.reserve(text.size() + text.size() / 8);
  if (!internal::NormalizeInPieces(*normalizer_, text, internal::kMaxNormalizePiece, out)) {
    out.assign(text);  // ICU ran out of memory: keep the repaired, unnormalized text
  }
}

void TextRepairer::Repair(std::string_view in, std::string& out, RepairCounts& counts) const {
  Scan scan = ScanText(in);
  const bool valid = scan.ascii || simdjson::validate_utf8(in.data(), in.size());
  if (valid && !scan.needs_cleaning &&
      (scan.ascii || normalizer_ == nullptr ||
       (normalization_ == Normalization::kNfc && AllBelowCombiningMarks(in)) || IsNormalized(in))) {
    out.assign(in);  // the fast path: nothing to do
    return;
  }
  std::string repaired;  // rule 1
  std::string_view text = in;
  if (!valid) {
    repaired = ReplaceInvalidUtf8(in, counts.invalid_utf8);
    text = repaired;
    scan = ScanText(text);
  }
  std::string cleaned;  // rule 2
  if (scan.needs_cleaning) {
    CleanLinesAndControls(text, cleaned, counts);
    text = cleaned;
  }
  if (normalizer_ == nullptr || IsNormalized(text)) {  // rule 3
    out.assign(text);
    return;
  }
  Normalize(text, out);
  if (out != text) ++counts.normalized;
}

}  // namespace rwkvkit::corpus::text

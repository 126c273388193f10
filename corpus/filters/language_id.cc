// corpus/filters/language_id.cc — see language_id.h.
#include "corpus/filters/language_id.h"

#include <cld2/public/compact_lang_det.h>

#include <climits>

namespace CLD2 {
// Declared in cld2/internal/lang_script.h, exported by libcld2.
const char* LanguageCode(Language lang);
}  // namespace CLD2

namespace rwkvkit::corpus::filters {

std::string_view LanguageIdPrefix(std::string_view text, size_t max_bytes) {
  if (text.size() <= max_bytes) return text;
  size_t end = max_bytes;
  // The last ASCII whitespace in the 64 bytes up to the limit ends the prefix (the word after
  // it is not cut); without one (text written without spaces), the last character boundary.
  for (size_t i = end; i > 0 && i + 64 > end; --i) {
    const char c = text[i - 1];
    if (c == ' ' || c == '\n' || c == '\t' || c == '\r') return text.substr(0, i - 1);
  }
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return text.substr(0, end);
}

namespace {
LanguageGuess Cld2(std::string_view text) {
  CLD2::Language top3[3];
  int percent3[3];
  int text_bytes = 0;
  bool reliable = false;
  const int len = static_cast<int>(std::min<size_t>(text.size(), INT_MAX));
  const CLD2::Language lang =
      CLD2::ExtDetectLanguageSummary(text.data(), len, /*is_plain_text=*/true, top3, percent3, &text_bytes, &reliable);
  LanguageGuess g;
  g.reliable = reliable;
  g.percent = percent3[0];
  const std::string_view code = CLD2::LanguageCode(lang);
  if (code == "zh") g.code = "zh-Hans";
  else if (code == "iw") g.code = "he";
  else g.code = std::string(code);
  return g;
}
}  // namespace

LanguageGuess IdentifyLanguage(std::string_view text, size_t max_bytes) {
  const std::string_view prefix = LanguageIdPrefix(text, max_bytes);
  LanguageGuess g = Cld2(prefix);
  if (prefix.size() < text.size() && !g.reliable) g = Cld2(text);
  return g;
}

bool WrittenWithoutSpaces(std::string_view code) {
  const std::string_view primary = code.substr(0, code.find('-'));
  return primary == "zh" || primary == "ja" || primary == "th" || primary == "lo" || primary == "km" ||
         primary == "my" || primary == "bo";
}

}  // namespace rwkvkit::corpus::filters

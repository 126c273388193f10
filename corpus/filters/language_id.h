// corpus/filters/language_id.h — language identification with CLD2 (Compact Language Detector 2).
//
// Debian's libcld2 carries its model compiled in (no file to load). IdentifyLanguage is pure
// and thread-safe (CLD2 keeps no mutable state). Codes are CLD2's, made BCP-47-like: "en",
// "de", "pt", "zh-Hans" (CLD2's Chinese), "zh-Hant", "ja", "he" (CLD2 says "iw"), and "un"
// when CLD2 cannot tell (too little text, or none of its languages).
#ifndef RWKVKIT_CORPUS_FILTERS_LANGUAGE_ID_H_
#define RWKVKIT_CORPUS_FILTERS_LANGUAGE_ID_H_

#include <string>
#include <string_view>

namespace rwkvkit::corpus::filters {

struct LanguageGuess {
  std::string code = "un";
  int percent = 0;        // share of the text's letters CLD2 gave the top language (0..100)
  bool reliable = false;  // CLD2's is_reliable
};

// `text` must be valid UTF-8.
LanguageGuess IdentifyLanguage(std::string_view text);

// True for languages written without spaces between words (zh, ja, th, lo, km, my, bo), on
// which the word-based filter rules are not applied.
bool WrittenWithoutSpaces(std::string_view code);

}  // namespace rwkvkit::corpus::filters

#endif  // RWKVKIT_CORPUS_FILTERS_LANGUAGE_ID_H_

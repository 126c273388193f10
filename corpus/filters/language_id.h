// corpus/filters/language_id.h — language identification with CLD2 (Compact Language Detector 2).
//
// Debian's libcld2 carries its model compiled in (no file to load). IdentifyLanguage is pure
// and thread-safe (CLD2 keeps no mutable state). Codes are CLD2's, made BCP-47-like: "en",
// "de", "pt", "zh-Hans" (CLD2's Chinese), "zh-Hant", "ja", "he" (CLD2 says "iw"), and "un"
// when CLD2 cannot tell (too little text, or none of its languages).
#ifndef RWKVKIT_CORPUS_FILTERS_LANGUAGE_ID_H_
#define RWKVKIT_CORPUS_FILTERS_LANGUAGE_ID_H_

#include <cstddef>
#include <string>
#include <string_view>

namespace rwkvkit::corpus::filters {

struct LanguageGuess {
  std::string code = "un";
  int percent = 0;        // share of the text's letters CLD2 gave the top language (0..100)
  bool reliable = false;  // CLD2's is_reliable
};

// Reads all of `text` by default. With `max_bytes`, CLD2 reads a prefix of at most that many
// bytes (LanguageIdPrefix), and the whole text only when it calls the prefix's guess
// unreliable. `text` must be valid UTF-8.
inline constexpr size_t kWholeText = ~size_t{0};
LanguageGuess IdentifyLanguage(std::string_view text, size_t max_bytes = kWholeText);

// The default prefix the filters identify a document's language on (FilterOptions::
// language_id_prefix; the table it was chosen from is in docs/filters.md).
inline constexpr size_t kLanguageIdPrefixBytes = 512;

// The prefix IdentifyLanguage reads first: cut before the last ASCII whitespace in the 64
// bytes below `max_bytes` (so no word is cut in two), else at a character boundary.
std::string_view LanguageIdPrefix(std::string_view text, size_t max_bytes);

// True for languages written without spaces between words (zh, ja, th, lo, km, my, bo), on
// which the word-based filter rules are not applied.
bool WrittenWithoutSpaces(std::string_view code);

}  // namespace rwkvkit::corpus::filters

#endif  // RWKVKIT_CORPUS_FILTERS_LANGUAGE_ID_H_

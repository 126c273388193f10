// corpus/filters/text_units.h — the units datatrove's filters count in, over UTF-8 text.
//
// Lengths are in code points (Python's len()). Whitespace is Python's str.isspace(); the
// punctuation set is datatrove's PUNCTUATION_SET (utils/text.py: PUNCTUATION plus
// TERMINAL_PUNCTUATION, taken as Unicode Sentence_Terminal). Words: the text is split on
// whitespace, and every run of punctuation (datatrove's set or Unicode category P) becomes a
// token of its own, as a word tokenizer would split "end." into "end" and ".". This stands in
// for datatrove's per-language word tokenizers (NLTK/spaCy) on languages that put spaces
// between words; it is not meant for zh/ja/th (see document_filters.h). Input must be valid
// UTF-8 (the repair stage guarantees it).
#ifndef RWKVKIT_CORPUS_FILTERS_TEXT_UNITS_H_
#define RWKVKIT_CORPUS_FILTERS_TEXT_UNITS_H_

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace rwkvkit::corpus::filters {

// Decodes the code point at s[i] and advances i.
char32_t NextCodePoint(std::string_view s, size_t& i);
size_t CodePoints(std::string_view s);

bool IsPySpace(char32_t c);          // Python str.isspace()
bool IsDatatrovePunct(char32_t c);   // in datatrove's PUNCTUATION_SET (PUNCTUATION + TERMINAL_PUNCTUATION)
bool IsAlpha(char32_t c);            // Python str.isalpha(): general category L*
bool IsSentenceTerminal(char32_t c); // Unicode Sentence_Terminal (datatrove's TERMINAL_PUNCTUATION)

// Python str.strip() / lstrip() / rstrip().
std::string_view Strip(std::string_view s);
std::string_view LStrip(std::string_view s);
std::string_view RStrip(std::string_view s);

// Python str.splitlines() (no line ends kept): `out` is cleared and filled.
void SplitLines(std::string_view s, std::vector<std::string_view>& out);
std::vector<std::string_view> SplitLines(std::string_view s);
// Python re.split(r"\n{min_run,}", s): pieces between runs of at least `min_run` '\n'.
void SplitOnNewlineRuns(std::string_view s, size_t min_run, std::vector<std::string_view>& out);
std::vector<std::string_view> SplitOnNewlineRuns(std::string_view s, size_t min_run);

// Words and punctuation tokens, in order (see the banner).
void SplitWords(std::string_view s, std::vector<std::string_view>& out);

// What the filters count in one text, found in one pass over it and shared by all of them
// (quality_filters.h). Reused from document to document without reallocating.
struct TextUnits {
  enum WordFlag : uint8_t { kNonSymbol = 1, kAlpha = 2 };  // a char outside PUNCTUATION_SET; a letter
  std::string_view text;
  size_t code_points = 0;
  size_t newlines = 0;  // '\n' characters
  bool has_words = false;  // the word members below were filled
  std::vector<std::string_view> words;  // SplitWords
  std::vector<uint32_t> word_code_points;
  std::vector<uint8_t> word_flags;

  // `words`: also split into words (the word rules need them; the line rules do not).
  void Analyze(std::string_view s, bool words);
};

// Non-overlapping occurrences of `needle` (Python str.count).
size_t CountOf(std::string_view s, std::string_view needle);

}  // namespace rwkvkit::corpus::filters

#endif  // RWKVKIT_CORPUS_FILTERS_TEXT_UNITS_H_

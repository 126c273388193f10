// corpus/filters/c4_filter.h — datatrove's C4QualityFilter (pipeline/filters/c4_filters.py), with
// its defaults and reason names. It both judges and edits a document: lines that fail a line
// rule are removed from the text, as datatrove does (doc.text = "\n".join(kept lines).strip()).
//
// Lines are Python's str.splitlines() of the text, each stripped; for each line, in datatrove's
// order: too long a word (line removed), citations cut out, no terminal punctuation (removed),
// too few words (removed), "lorem ipsum" (document dropped), "javascript" (removed), '{'
// (document dropped), a policy/cookie phrase (removed), else kept and its sentences counted;
// too few sentences in the kept lines drops the document. docs/filters.md ("Rules and
// thresholds", "C4 edits the text") lists each rule with its default and reason.
//
// Differences from datatrove (docs/filters.md): sentences are counted by CountSentences below,
// not NLTK's Punkt model; lowercasing for the phrase tests is Python's str.lower() restricted to
// what can produce ASCII. Setting an int option to -1 turns its rule off, as in datatrove.
#ifndef RWKVKIT_CORPUS_FILTERS_C4_FILTER_H_
#define RWKVKIT_CORPUS_FILTERS_C4_FILTER_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "corpus/filters/verdict.h"

namespace rwkvkit::corpus::filters {

struct C4QualityOptions {
  bool remove_citations = true;
  bool filter_no_terminal_punct = true;
  int min_num_sentences = 5;    // -1: off
  int min_words_per_line = 3;   // -1: off
  int max_word_length = 1000;   // -1: off
  bool filter_lorem_ipsum = true;
  bool filter_javascript = true;
  bool filter_curly_bracket = true;
  bool filter_policy = true;
};

// Lines removed from the documents C4 kept, by rule (datatrove's line-filter-* stats).
struct C4LineCounts {
  uint64_t too_long_word = 0;
  uint64_t no_terminal_punct = 0;
  uint64_t too_few_words = 0;
  uint64_t javascript = 0;
  uint64_t policy = 0;
  uint64_t Total() const { return too_long_word + no_terminal_punct + too_few_words + javascript + policy; }
  C4LineCounts& operator+=(const C4LineCounts& o);
};

// Sentences in one stripped line: 1 + the number of places where a run of '.', '!' or '?',
// with any closing quotes or brackets right after it (" ' ) ] » ” ’), is followed by whitespace
// and then more text. (A stand-in for Punkt on ordinary prose; "e.g. this" counts 2 here, 1
// there.)
size_t CountSentences(std::string_view line);

// Judges `text`. When kept, `*kept_text` receives the edited text and `*lines` gains the removed
// lines; on a drop `*lines` is untouched and `*kept_text` unspecified. `kept_text` must not alias
// `text`.
Verdict C4Quality(std::string_view text, const C4QualityOptions& o, std::string* kept_text, C4LineCounts* lines);

}  // namespace rwkvkit::corpus::filters

#endif  // RWKVKIT_CORPUS_FILTERS_C4_FILTER_H_

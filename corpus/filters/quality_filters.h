// corpus/filters/quality_filters.h — datatrove's heuristic quality filters, with its defaults.
//
// Each filter is a pure function of (text, options) returning Keep or Drop{reason}, with
// datatrove's reason names. Ratios and lengths are those of datatrove's code (lengths in code
// points); words come from SplitWords (text_units.h) instead of datatrove's NLTK/spaCy
// tokenizers. Rules that count words are meant for languages written with spaces:
// `word_rules = false` turns them off (document_filters.h decides).
//
//   GopherQualityFilter (gopher_quality_filter.py): non-symbol words 50..100000 (gopher_short_doc,
//     gopher_long_doc); mean non-symbol word length 3..10 (gopher_below_avg_threshold,
//     gopher_above_avg_threshold); '#' per word <= 0.1 (gopher_too_many_hashes); ("..." + "…") per
//     word <= 0.1 (gopher_too_many_ellipsis); lines starting with '•' or '-' <= 0.9
//     (gopher_too_many_bullets); lines ending with "..." or "…" <= 0.3 (gopher_too_many_end_ellipsis);
//     words with a letter >= 0.8 (gopher_below_alpha_threshold); >= 2 distinct stop words of
//     {the be to of and that have with}, case-sensitive (gopher_enough_stop_words; English only).
//   GopherRepetitionFilter (gopher_repetition_filter.py): duplicate paragraphs (split on \n{2,}
//     of the stripped text) <= 0.3 of paragraphs (dup_para_frac) and their chars <= 0.2 of the
//     text (dup_para_char_frac); duplicate lines (split on \n+) <= 0.3 (dup_line_frac), chars <=
//     0.2 (dup_line_char_frac); the most frequent n-gram's chars (joined with spaces, times its
//     count) <= 0.20/0.18/0.16 of the text for n = 2/3/4 (top_{n}_gram); chars of repeated
//     n-grams (greedy, non-overlapping, joined without spaces) <= 0.15..0.10 for n = 5..10
//     (duplicated_{n}_n_grams).
//   FineWebQualityFilter (fineweb_quality_filter.py), over the non-blank '\n' lines: lines ending
//     in a Sentence_Terminal char >= 0.12 (line_punct_ratio); lines of <= 30 chars <= 0.67
//     (short_line_ratio); duplicate lines' chars / chars other than '\n' <= 0.01
//     (char_dup_ratio); '\n' per word <= 0.3 (list_ratio); no non-blank line: "empty".
// A comparison that datatrove writes as `ratio > max` drops only above the threshold, so a
// document exactly at a threshold is kept (and `ratio < min` likewise).
//
// Speed: the filters share one TextUnits (one pass: code points, newlines, words with their
// lengths and classes). The n-gram rules never build n-gram strings: each n-gram is a slice of
// the word stream (the text without its whitespace), hashed by a polynomial rolling hash from
// per-word prefix values in O(1); hash-equal n-grams are compared byte by byte (and, for the
// top-n-gram rule, word boundary by word boundary), so verdicts are exactly those of the string
// version. RepetitionScratch keeps the buffers and hash tables from document to document.
#ifndef RWKVKIT_CORPUS_FILTERS_QUALITY_FILTERS_H_
#define RWKVKIT_CORPUS_FILTERS_QUALITY_FILTERS_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "corpus/filters/text_units.h"
#include "corpus/filters/verdict.h"

namespace rwkvkit::corpus::filters {

struct GopherQualityOptions {
  size_t min_doc_words = 50;
  size_t max_doc_words = 100000;
  double min_avg_word_length = 3;
  double max_avg_word_length = 10;
  double max_symbol_word_ratio = 0.1;
  double max_bullet_lines_ratio = 0.9;
  double max_ellipsis_lines_ratio = 0.3;
  double max_non_alpha_words_ratio = 0.8;  // datatrove's name: the minimum share of words with a letter
  size_t min_stop_words = 2;
  std::vector<std::string> stop_words = {"the", "be", "to", "of", "and", "that", "have", "with"};
};

struct GopherRepetitionOptions {
  double dup_line_frac = 0.3;
  double dup_para_frac = 0.3;
  double dup_line_char_frac = 0.2;
  double dup_para_char_frac = 0.2;
  std::vector<std::pair<int, double>> top_n_grams = {{2, 0.20}, {3, 0.18}, {4, 0.16}};
  std::vector<std::pair<int, double>> dup_n_grams = {{5, 0.15}, {6, 0.14}, {7, 0.13},
                                                     {8, 0.12}, {9, 0.11}, {10, 0.10}};
};

struct FineWebQualityOptions {
  double line_punct_thr = 0.12;
  bool line_punct_exclude_zero = false;
  double short_line_thr = 0.67;
  size_t short_line_length = 30;
  double char_duplicates_ratio = 0.01;
  double new_line_ratio = 0.3;
};

// Buffers and hash tables of the n-gram rules, reused across documents (one per thread).
class RepetitionScratch {
 public:
  RepetitionScratch();
  ~RepetitionScratch();
  RepetitionScratch(const RepetitionScratch&) = delete;
  RepetitionScratch& operator=(const RepetitionScratch&) = delete;
  struct Impl;
  Impl& impl() { return *impl_; }

 private:
  std::unique_ptr<Impl> impl_;
};

// `stop_word_rule`: apply the stop-word rule (English text only). Needs u.has_words.
Verdict GopherQuality(const TextUnits& u, const GopherQualityOptions& o, bool stop_word_rule);
// `word_rules = false` skips the n-gram rules (the paragraph and line rules still apply); with
// them, u.has_words must hold.
Verdict GopherRepetition(const TextUnits& u, const GopherRepetitionOptions& o, bool word_rules,
                         RepetitionScratch& scratch);
// `word_rules = false` skips the newline-per-word rule; with it, u.has_words must hold.
Verdict FineWebQuality(const TextUnits& u, const FineWebQualityOptions& o, bool word_rules);

// The same on a plain text (analyzes it first; for tests and one-off use).
Verdict GopherQuality(std::string_view text, const GopherQualityOptions& o, bool stop_word_rule);
Verdict GopherRepetition(std::string_view text, const GopherRepetitionOptions& o, bool word_rules);
Verdict FineWebQuality(std::string_view text, const FineWebQualityOptions& o, bool word_rules);

}  // namespace rwkvkit::corpus::filters

#endif  // RWKVKIT_CORPUS_FILTERS_QUALITY_FILTERS_H_

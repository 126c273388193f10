// corpus/filters/quality_filters.h — datatrove's heuristic quality filters, with its defaults.
//
// Each filter is a pure function of (text, options) returning Keep or Drop{reason}, with
// datatrove's reason names, ratios and lengths (lengths in code points); words come from
// SplitWords (text_units.h) instead of datatrove's NLTK/spaCy tokenizers. Rules that count
// words are meant for languages written with spaces: `word_rules = false` turns them off
// (document_filters.h decides). A document exactly at a threshold is kept, as in datatrove.
//
//   GopherQualityFilter (gopher_quality_filter.py), GopherRepetitionFilter
//   (gopher_repetition_filter.py), FineWebQualityFilter (fineweb_quality_filter.py): every rule,
//   threshold and reason is listed in docs/filters.md, "Rules and thresholds".
//
// The filters share one TextUnits pass; the n-gram rules hash slices of the word stream instead
// of building strings, with the same verdicts (docs/filters.md, "Speed"). RepetitionScratch
// keeps the buffers and hash tables from document to document.
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

// corpus/filters/document_filters.h — language identification, then the quality filters, for
// one document (the `--filters on` step of the build's parallel stage).
//
// Order: CLD2 language id (always, for the per-source language counts), then, unless the
// source is code (manifest language "code:..."), Gopher quality, Gopher repetition and FineWeb
// quality with datatrove's defaults; the first drop wins. On languages written without spaces
// (zh, ja, th, lo, km, my, bo; language_id.h) the word-based rules are skipped: the whole
// Gopher quality filter, the Gopher n-gram rules and FineWeb's newline-per-word rule; the line
// and paragraph rules still apply. The stop-word rule runs only on text identified as "en".
// Pure and thread-safe: the options are read-only.
#ifndef RWKVKIT_CORPUS_FILTERS_DOCUMENT_FILTERS_H_
#define RWKVKIT_CORPUS_FILTERS_DOCUMENT_FILTERS_H_

#include <string_view>

#include "corpus/filters/language_id.h"
#include "corpus/filters/quality_filters.h"
#include "corpus/filters/verdict.h"

namespace rwkvkit::corpus::filters {

struct FilterOptions {
  bool gopher_quality = true;
  bool gopher_repetition = true;
  bool fineweb_quality = true;
  GopherQualityOptions gopher_quality_options;
  GopherRepetitionOptions gopher_repetition_options;
  FineWebQualityOptions fineweb_quality_options;
};

// The drop reasons are the filters' own (quality_filters.h); `lang` receives the language.
Verdict FilterDocument(std::string_view text, bool code_source, const FilterOptions& o, LanguageGuess& lang);

}  // namespace rwkvkit::corpus::filters

#endif  // RWKVKIT_CORPUS_FILTERS_DOCUMENT_FILTERS_H_

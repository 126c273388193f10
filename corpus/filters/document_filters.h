// corpus/filters/document_filters.h — language identification, the language lists, then the
// quality filters, for one document (the `--filters on` step of the build's parallel stage).
//
// Order: CLD2 language id (always); the source's language lists (keep/drop, reason
// "language"); then the enabled filters GopherRepetitionFilter, GopherQualityFilter,
// C4QualityFilter, FineWebQualityFilter. The first drop wins. C4 edits the text it keeps
// (c4_filter.h) and the filters after it see the edited text. Which rules are skipped on
// languages written without spaces, and the English-only stop-word rule: docs/filters.md.
//
// Which filters run is the source's setting (manifest `filters`, data_manifests/README.md):
// Gopher repetition, Gopher quality and FineWeb quality by default, C4 only when enabled; code
// sources (language "code:...") none unless their own `filters` enable them.
#ifndef RWKVKIT_CORPUS_FILTERS_DOCUMENT_FILTERS_H_
#define RWKVKIT_CORPUS_FILTERS_DOCUMENT_FILTERS_H_

#include <string>
#include <string_view>
#include <vector>

#include "corpus/filters/c4_filter.h"
#include "corpus/filters/language_id.h"
#include "corpus/filters/quality_filters.h"
#include "corpus/filters/text_units.h"
#include "corpus/filters/verdict.h"

namespace rwkvkit::corpus::filters {

struct FilterOptions {
  bool gopher_repetition = true;
  bool gopher_quality = true;
  bool c4 = false;
  bool fineweb_quality = true;
  GopherRepetitionOptions gopher_repetition_options;
  GopherQualityOptions gopher_quality_options;
  C4QualityOptions c4_options;
  FineWebQualityOptions fineweb_quality_options;
  // Language lists (CLD2 codes; "zh" also matches "zh-Hans" and "zh-Hant"). Empty keep: all.
  std::vector<std::string> keep_languages;
  std::vector<std::string> drop_languages;
  // CLD2 reads this many bytes of each document first, and the whole text only when it calls
  // that guess unreliable (IdentifyLanguage); 0 reads the whole text.
  size_t language_id_prefix = kLanguageIdPrefixBytes;
};

// True when `code` passes the keep and drop lists. An entry matches a code equal to it or
// starting with it and a '-' ("pt" matches "pt", "zh" matches "zh-Hant").
bool LanguageAllowed(std::string_view code, const FilterOptions& o);

// What FilterDocument found: the verdict (filter "language" and the code as the reason when a
// language list dropped it), the language, and the lines C4 removed from a kept document.
struct FilterOutcome {
  Verdict verdict;
  LanguageGuess language;
  bool text_changed = false;  // C4 edited the text
  C4LineCounts c4_lines;
};

// The per-thread filter runner: keeps the buffers of the filters between documents.
class DocumentFilter {
 public:
  // Runs the step on `text`; when C4 keeps the document with lines removed, `text` is replaced
  // by the edited text.
  void Run(std::string& text, const FilterOptions& o, FilterOutcome& out);

 private:
  TextUnits units_;
  RepetitionScratch repetition_;
  std::string edited_;
};

// One document, for tests and one-off use; the edited text is discarded.
Verdict FilterDocument(std::string_view text, const FilterOptions& o, LanguageGuess& lang);

}  // namespace rwkvkit::corpus::filters

#endif  // RWKVKIT_CORPUS_FILTERS_DOCUMENT_FILTERS_H_

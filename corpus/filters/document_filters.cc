// corpus/filters/document_filters.cc — see document_filters.h.
#include "corpus/filters/document_filters.h"

namespace rwkvkit::corpus::filters {

Verdict FilterDocument(std::string_view text, bool code_source, const FilterOptions& o, LanguageGuess& lang) {
  lang = IdentifyLanguage(text);
  if (code_source) return Keep();
  const bool spaced = !WrittenWithoutSpaces(lang.code);
  if (o.gopher_quality && spaced)
    if (Verdict v = GopherQuality(text, o.gopher_quality_options, /*stop_word_rule=*/lang.code == "en"); !v.keep())
      return v;
  if (o.gopher_repetition)
    if (Verdict v = GopherRepetition(text, o.gopher_repetition_options, spaced); !v.keep()) return v;
  if (o.fineweb_quality)
    if (Verdict v = FineWebQuality(text, o.fineweb_quality_options, spaced); !v.keep()) return v;
  return Keep();
}

}  // namespace rwkvkit::corpus::filters

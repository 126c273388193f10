// corpus/filters/document_filters.cc — see document_filters.h.
#include "corpus/filters/document_filters.h"

namespace rwkvkit::corpus::filters {
namespace {

bool Matches(std::string_view entry, std::string_view code) {
  return code == entry || (code.size() > entry.size() && code.starts_with(entry) && code[entry.size()] == '-');
}

bool Listed(std::string_view code, const std::vector<std::string>& list) {
  for (const std::string& e : list)
    if (Matches(e, code)) return true;
  return false;
}

}  // namespace

bool LanguageAllowed(std::string_view code, const FilterOptions& o) {
  if (!o.keep_languages.empty() && !Listed(code, o.keep_languages)) return false;
  return !Listed(code, o.drop_languages);
}

void DocumentFilter::Run(std::string& text, const FilterOptions& o, FilterOutcome& out) {
  out = FilterOutcome{};
  out.language = IdentifyLanguage(text, o.language_id_prefix == 0 ? kWholeText : o.language_id_prefix);
  if (!LanguageAllowed(out.language.code, o)) {
    out.verdict = Drop("language", "language");
    return;
  }
  const bool spaced = !WrittenWithoutSpaces(out.language.code);
  const bool any_words = spaced && (o.gopher_repetition || o.gopher_quality || o.fineweb_quality);
  if (o.gopher_repetition || o.gopher_quality || o.fineweb_quality) units_.Analyze(text, any_words);
  if (o.gopher_repetition)
    if (Verdict v = GopherRepetition(units_, o.gopher_repetition_options, spaced, repetition_); !v.keep()) {
      out.verdict = v;
      return;
    }
  if (o.gopher_quality && spaced)
    if (Verdict v = GopherQuality(units_, o.gopher_quality_options, /*stop_word_rule=*/out.language.code == "en");
        !v.keep()) {
      out.verdict = v;
      return;
    }
  if (o.c4) {
    C4LineCounts lines;
    if (Verdict v = C4Quality(text, o.c4_options, &edited_, &lines); !v.keep()) {
      out.verdict = v;
      return;
    }
    out.c4_lines = lines;
    if (edited_ != text) {
      text.swap(edited_);
      out.text_changed = true;
      // datatrove would pass an empty document on; a build has nothing to tokenize in it.
      if (text.empty()) {
        out.verdict = Drop("c4", "empty");
        return;
      }
      if (o.fineweb_quality) units_.Analyze(text, any_words);
    }
  }
  if (o.fineweb_quality)
    if (Verdict v = FineWebQuality(units_, o.fineweb_quality_options, spaced); !v.keep()) {
      out.verdict = v;
      return;
    }
}

Verdict FilterDocument(std::string_view text, const FilterOptions& o, LanguageGuess& lang) {
  DocumentFilter f;
  FilterOutcome out;
  std::string t(text);
  f.Run(t, o, out);
  lang = out.language;
  return out.verdict;
}

}  // namespace rwkvkit::corpus::filters

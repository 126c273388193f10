// corpus/filters/c4_filter.cc — see c4_filter.h.
#include "corpus/filters/c4_filter.h"

#include <unicode/uchar.h>

#include <array>

#include "corpus/filters/text_units.h"

namespace rwkvkit::corpus::filters {
namespace {

constexpr std::array<std::string_view, 6> kPolicy = {"terms of use",   "privacy policy", "cookie policy",
                                                     "uses cookies",   "use of cookies", "use cookies"};

bool IsTerminal(char32_t c) { return c == '.' || c == '!' || c == '?'; }
bool IsCloser(char32_t c) {
  return c == '"' || c == '\'' || c == ')' || c == ']' || c == 0xBB || c == 0x201D || c == 0x2019;
}

// Whitespace-separated words of `line` (str.split()): their number, and whether one is longer
// than `max_len` code points (max_len < 0: never).
size_t SplitCount(std::string_view line, int max_len, bool& too_long) {
  size_t words = 0, run = 0;
  too_long = false;
  for (size_t i = 0; i < line.size();) {
    if (IsPySpace(NextCodePoint(line, i))) {
      run = 0;
      continue;
    }
    if (run++ == 0) ++words;
    if (max_len >= 0 && run > static_cast<size_t>(max_len)) too_long = true;
  }
  return words;
}

// CITATION_REGEX = r"\[\d*]|\[edit]|\[citation needed]" removed from `line` into `out`.
// Returns false (and leaves `out` alone) when there is nothing to remove.
bool RemoveCitations(std::string_view line, std::string& out) {
  if (line.find('[') == std::string_view::npos) return false;
  out.clear();
  bool removed = false;
  size_t i = 0;
  while (i < line.size()) {
    if (line[i] != '[') {
      out.push_back(line[i++]);
      continue;
    }
    size_t end = std::string_view::npos;
    size_t j = i + 1;
    while (j < line.size()) {  // \d*
      size_t k = j;
      const char32_t c = NextCodePoint(line, k);
      if (u_charType(static_cast<UChar32>(c)) != U_DECIMAL_DIGIT_NUMBER) break;
      j = k;
    }
    if (j < line.size() && line[j] == ']') end = j + 1;
    else if (line.substr(i + 1, 5) == "edit]") end = i + 6;
    else if (line.substr(i + 1, 16) == "citation needed]") end = i + 17;
    if (end == std::string_view::npos) {
      out.push_back(line[i++]);
      continue;
    }
    removed = true;
    i = end;
  }
  return removed;
}

// Python's line.lower() as far as ASCII phrases can tell (see c4_filter.h).
void LowerForPhrases(std::string_view line, std::string& out) {
  out.clear();
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (c >= 'A' && c <= 'Z') {
      out.push_back(static_cast<char>(c + 32));
    } else if (c == '\xE2' && line.substr(i, 3) == "\u212A") {  // KELVIN SIGN -> 'k'
      out.push_back('k');
      i += 2;
    } else {
      out.push_back(c);
    }
  }
}

bool EndsWithTerminalPunct(std::string_view line) {
  if (line.empty()) return false;
  const char c = line.back();
  return (c == '.' || c == '?' || c == '!' || c == '"' || c == '\'') && !line.ends_with("...");
}

}  // namespace

C4LineCounts& C4LineCounts::operator+=(const C4LineCounts& o) {
  too_long_word += o.too_long_word;
  no_terminal_punct += o.no_terminal_punct;
  too_few_words += o.too_few_words;
  javascript += o.javascript;
  policy += o.policy;
  return *this;
}

size_t CountSentences(std::string_view line) {
  size_t count = 1;
  size_t i = 0;
  while (i < line.size()) {
    size_t k = i;
    if (!IsTerminal(NextCodePoint(line, k))) {
      i = k;
      continue;
    }
    size_t j = k;
    while (j < line.size()) {  // the rest of the run of . ! ?
      size_t m = j;
      if (!IsTerminal(NextCodePoint(line, m))) break;
      j = m;
    }
    while (j < line.size()) {  // closing quotes and brackets
      size_t m = j;
      if (!IsCloser(NextCodePoint(line, m))) break;
      j = m;
    }
    size_t after = j;
    bool space = false;
    while (after < line.size()) {
      size_t m = after;
      if (!IsPySpace(NextCodePoint(line, m))) break;
      space = true;
      after = m;
    }
    if (space && after < line.size()) ++count;
    i = j;
  }
  return count;
}

Verdict C4Quality(std::string_view text, const C4QualityOptions& o, std::string* kept_text, C4LineCounts* lines) {
  C4LineCounts removed;
  thread_local std::string cleaned, lower;
  std::string& out = *kept_text;
  out.clear();
  bool any_kept = false;
  size_t sentences = 0;
  size_t start = 0, i = 0;
  while (start < text.size()) {
    // The next line of str.splitlines(): up to \n \r \r\n \v \f \x1c-\x1e \x85 \u2028 \u2029.
    size_t end = text.size(), next = text.size();
    for (i = start; i < text.size();) {
      const size_t at = i;
      const auto b = static_cast<unsigned char>(text[i]);
      if (b >= 0x20 && b < 0x80) {  // fast path: printable ASCII is never a line end
        ++i;
        continue;
      }
      const char32_t c = NextCodePoint(text, i);
      if (c == '\n' || c == '\r' || c == 0x0B || c == 0x0C || (c >= 0x1C && c <= 0x1E) || c == 0x85 || c == 0x2028 ||
          c == 0x2029) {
        end = at;
        next = (c == '\r' && i < text.size() && text[i] == '\n') ? i + 1 : i;
        break;
      }
    }
    std::string_view line = Strip(text.substr(start, end - start));
    start = next;
    bool too_long = false;
    const size_t n_words = SplitCount(line, o.max_word_length, too_long);
    if (too_long) {
      ++removed.too_long_word;
      continue;
    }
    if (o.remove_citations && RemoveCitations(line, cleaned)) line = cleaned;
    if (o.filter_no_terminal_punct && !EndsWithTerminalPunct(line)) {
      ++removed.no_terminal_punct;
      continue;
    }
    if (o.min_words_per_line >= 0 && n_words < static_cast<size_t>(o.min_words_per_line)) {
      ++removed.too_few_words;
      continue;
    }
    LowerForPhrases(line, lower);
    if (o.filter_lorem_ipsum && lower.find("lorem ipsum") != std::string::npos) return Drop("c4", "lorem_ipsum");
    if (o.filter_javascript && lower.find("javascript") != std::string::npos) {
      ++removed.javascript;
      continue;
    }
    if (o.filter_curly_bracket && line.find('{') != std::string_view::npos) return Drop("c4", "curly_bracket");
    if (o.filter_policy) {
      bool policy = false;
      for (std::string_view p : kPolicy) policy = policy || lower.find(p) != std::string::npos;
      if (policy) {
        ++removed.policy;
        continue;
      }
    }
    if (o.min_num_sentences != -1) sentences += CountSentences(line);
    if (any_kept) out.push_back('\n');
    out.append(line);
    any_kept = true;
  }
  if (o.min_num_sentences >= 0 && sentences < static_cast<size_t>(o.min_num_sentences))
    return Drop("c4", "too_few_sentences");
  const std::string_view stripped = Strip(out);  // "\n".join(kept_lines).strip()
  const size_t lead = static_cast<size_t>(stripped.data() - out.data());
  out.resize(lead + stripped.size());
  out.erase(0, lead);
  *lines += removed;
  return Keep();
}

}  // namespace rwkvkit::corpus::filters

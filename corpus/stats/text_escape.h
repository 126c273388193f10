// corpus/stats/text_escape.h — escaping for the three report formats.
//
// DisplayText() makes token and line text readable and safe everywhere: valid UTF-8 passes
// through, `\` becomes `\\`, TAB/LF/CR become `\t` `\n` `\r`, other control bytes and bytes
// that are not valid UTF-8 become `\xNN`, and invisible or space-like code points (NBSP, the
// U+2000 spaces, zero-width characters, BOM, ...) become `\u{XXXX}`. The format escapers then
// apply on top. Pure.
#ifndef RWKVKIT_CORPUS_STATS_TEXT_ESCAPE_H_
#define RWKVKIT_CORPUS_STATS_TEXT_ESCAPE_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace rwkvkit::corpus::stats {

std::string DisplayText(std::string_view bytes);
// DisplayText of each line, the line feeds kept (example documents, shown as blocks).
std::string DisplayLines(std::string_view bytes);
// A YAML double-quoted scalar for `s` (valid UTF-8 expected: apply DisplayText first): " and
// \ escaped, and every character YAML does not allow unescaped (controls, C1 controls,
// U+FFFE/U+FFFF) as \xNN or \uXXXX, so any YAML parser reads back `s` exactly.
std::string YamlString(std::string_view s);
// Lowercase hex of the bytes, two digits each.
std::string HexBytes(std::string_view bytes);
// Text for HTML element content and attribute values: & < > " ' escaped.
std::string HtmlEscape(std::string_view s);
// Text for a Markdown table cell: \ ` * _ [ ] < > | # escaped with a backslash.
std::string MarkdownEscape(std::string_view s);
// At most `max_chars` code points of `s`, with "…" appended when it was cut.
std::string ClipChars(std::string_view s, size_t max_chars);
// Spaces shown as U+2423 (␣), so leading and trailing spaces of tokens stay visible.
std::string ShowSpaces(std::string_view s);

// 1234567 -> "1,234,567".
std::string GroupDigits(uint64_t n);
// Byte counts for people: "15.6 MB", "812 kB", "90 B" (SI, one decimal).
std::string HumanBytes(uint64_t n);
// Counts for people: "4.80 M", "12.3 k", "950".
std::string HumanCount(uint64_t n);
// a / b (0 when b is 0).
double Ratio(uint64_t a, uint64_t b);
// Three decimals: 3.14159 -> "3.142" (bytes and characters per token).
std::string Fixed3(double v);
// a / b as a percentage with two decimals: "12.34%" (0.00% when b is 0).
std::string Percent(uint64_t a, uint64_t b);

}  // namespace rwkvkit::corpus::stats

#endif  // RWKVKIT_CORPUS_STATS_TEXT_ESCAPE_H_

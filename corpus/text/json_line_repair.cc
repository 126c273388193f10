// corpus/text/json_line_repair.cc — RepairJsonLine() (declared in text_repair.h).
//
// Runs before JSON parsing, on lines the parser rejected: JSON parsers refuse invalid UTF-8,
// and a lone surrogate escape cannot become UTF-8 at all (Python's json accepts \ud800 but
// str.encode('utf-8') then raises; simdjson reports a string error). Repairing the line and
// parsing again keeps the document, as the repair stage promises, instead of dropping it.
//
// Thread-safe: no state. Depends on simdjson (UTF-8 validation) and the tokenizer's decoder.
#include <string>
#include <string_view>

#include "corpus/text/text_repair.h"
#include "simdjson.h"

namespace rwkvkit::corpus::text {
namespace {

// The value of the 4 hex digits at s[pos..pos+4), or -1.
int Hex4(std::string_view s, size_t pos) {
  if (pos + 4 > s.size()) return -1;
  int value = 0;
  for (size_t k = pos; k < pos + 4; ++k) {
    const char c = s[k];
    int digit;
    if (c >= '0' && c <= '9') digit = c - '0';
    else if (c >= 'a' && c <= 'f') digit = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F') digit = c - 'A' + 10;
    else return -1;
    value = value * 16 + digit;
  }
  return value;
}

bool IsHigh(int u) { return u >= 0xD800 && u <= 0xDBFF; }
bool IsLow(int u) { return u >= 0xDC00 && u <= 0xDFFF; }

// The \uXXXX escape at s[pos] ('\\' 'u' + 4 hex digits), or -1.
int EscapeAt(std::string_view s, size_t pos) {
  if (pos + 1 >= s.size() || s[pos] != '\\' || s[pos + 1] != 'u') return -1;
  return Hex4(s, pos + 2);
}

}  // namespace

std::string RepairJsonLine(std::string_view line, RepairCounts& counts) {
  std::string utf8;
  std::string_view s = line;
  if (!simdjson::validate_utf8(line.data(), line.size())) {
    utf8 = ReplaceInvalidUtf8(line, counts.invalid_utf8);
    s = utf8;
  }
  std::string out;
  out.reserve(s.size());
  size_t copied = 0;  // s[0, copied) is in out
  size_t i = 0;
  while ((i = s.find('\\', i)) != std::string_view::npos) {
    const int u = EscapeAt(s, i);
    if (u < 0) {  // another escape (\\, \", \n ...) or a broken one: skip the escaped byte
      i += 2;
      continue;
    }
    if (IsHigh(u) && IsLow(EscapeAt(s, i + 6))) {
      i += 12;  // a valid pair
      continue;
    }
    if (IsHigh(u) || IsLow(u)) {
      out.append(s.substr(copied, i - copied));
      out.append("\\ufffd");
      ++counts.lone_surrogates;
      copied = i + 6;
    }
    i += 6;
  }
  if (copied == 0 && utf8.empty()) return std::string(line);
  out.append(s.substr(copied));
  return out;
}

}  // namespace rwkvkit::corpus::text

// corpus/stats/text_escape.cc — see text_escape.h.
#include "corpus/stats/text_escape.h"

#include <algorithm>

#include "absl/strings/str_format.h"
#include "base/utf8.h"

namespace rwkvkit::corpus::stats {
namespace {

using base::Utf8SequenceLength;

// Code points that print as nothing or as a plain space: shown as \u{XXXX}.
bool IsInvisible(uint32_t cp) {
  return cp == 0x85 || cp == 0xA0 || cp == 0xAD || cp == 0x1680 || cp == 0x180E || (cp >= 0x2000 && cp <= 0x200F) ||
         (cp >= 0x2028 && cp <= 0x202F) || (cp >= 0x205F && cp <= 0x2064) || cp == 0x3000 || cp == 0xFEFF;
}

uint32_t DecodeCodePoint(std::string_view s, size_t i, size_t len) {
  const auto b = [&](size_t k) { return static_cast<uint32_t>(static_cast<unsigned char>(s[i + k])); };
  if (len == 1) return b(0);
  if (len == 2) return ((b(0) & 0x1F) << 6) | (b(1) & 0x3F);
  if (len == 3) return ((b(0) & 0x0F) << 12) | ((b(1) & 0x3F) << 6) | (b(2) & 0x3F);
  return ((b(0) & 0x07) << 18) | ((b(1) & 0x3F) << 12) | ((b(2) & 0x3F) << 6) | (b(3) & 0x3F);
}

}  // namespace

std::string DisplayText(std::string_view bytes) {
  std::string out;
  for (size_t i = 0; i < bytes.size();) {
    const auto c = static_cast<unsigned char>(bytes[i]);
    const size_t len = Utf8SequenceLength(bytes, i);
    if (len == 0 || c < 0x20 || c == 0x7F) {
      if (c == '\n')
        out += "\\n";
      else if (c == '\t')
        out += "\\t";
      else if (c == '\r')
        out += "\\r";
      else
        out += absl::StrFormat("\\x%02x", c);
      ++i;
    } else if (c == '\\') {
      out += "\\\\";
      ++i;
    } else if (const uint32_t cp = DecodeCodePoint(bytes, i, len); IsInvisible(cp)) {
      out += absl::StrFormat("\\u{%04x}", cp);
      i += len;
    } else {
      out.append(bytes.substr(i, len));
      i += len;
    }
  }
  return out;
}

std::string DisplayLines(std::string_view bytes) {
  std::string out;
  for (size_t start = 0; start <= bytes.size();) {
    const size_t end = std::min(bytes.find('\n', start), bytes.size());
    if (start) out.push_back('\n');
    out += DisplayText(bytes.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

std::string YamlString(std::string_view s) {
  std::string out = "\"";
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    const size_t len = Utf8SequenceLength(s, i);
    const uint32_t cp = len ? DecodeCodePoint(s, i, len) : c;
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(static_cast<char>(c));
    } else if (len == 0 || cp < 0x20 || cp == 0x7F) {
      out += absl::StrFormat("\\x%02x", cp);  // a byte that is not UTF-8 reads back as U+00NN
    } else if ((cp >= 0x80 && cp < 0xA0 && cp != 0x85) || cp == 0xFFFE || cp == 0xFFFF) {
      out += absl::StrFormat("\\u%04x", cp);
    } else {
      out.append(s.substr(i, len));
    }
    i += len ? len : 1;
  }
  return out + "\"";
}

std::string HexBytes(std::string_view bytes) {
  std::string out;
  for (const char ch : bytes) out += absl::StrFormat("%02x", static_cast<unsigned char>(ch));
  return out;
}

std::string HtmlEscape(std::string_view s) {
  std::string out;
  for (const char ch : s) {
    switch (ch) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out.push_back(ch);
    }
  }
  return out;
}

std::string MarkdownEscape(std::string_view s) {
  std::string out;
  for (const char ch : s) {
    if (std::string_view("\\`*_[]<>|#").find(ch) != std::string_view::npos) out.push_back('\\');
    out.push_back(ch);
  }
  return out;
}

std::string ClipChars(std::string_view s, size_t max_chars) {
  size_t chars = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80 && chars++ == max_chars)
      return std::string(s.substr(0, i)) + "\xE2\x80\xA6";
  }
  return std::string(s);
}

std::string ShowSpaces(std::string_view s) {
  std::string out;
  for (const char ch : s) {
    if (ch == ' ')
      out += "\xE2\x90\xA3";
    else
      out.push_back(ch);
  }
  return out;
}

std::string GroupDigits(uint64_t n) {
  std::string digits = absl::StrFormat("%d", n), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return out;
}

std::string HumanBytes(uint64_t n) {
  const char* units[] = {"B", "kB", "MB", "GB", "TB", "PB"};
  double v = static_cast<double>(n);
  int u = 0;
  while (v >= 1000 && u < 5) {
    v /= 1000;
    ++u;
  }
  return u == 0 ? absl::StrFormat("%d B", n) : absl::StrFormat("%.1f %s", v, units[u]);
}

std::string HumanCount(uint64_t n) {
  if (n < 1000) return absl::StrFormat("%d", n);
  const char* units[] = {"", "k", "M", "G", "T"};
  double v = static_cast<double>(n);
  int u = 0;
  while (v >= 1000 && u < 4) {
    v /= 1000;
    ++u;
  }
  // One literal per call: clang checks absl::StrFormat's format at compile time.
  if (v < 10) return absl::StrFormat("%.2f %s", v, units[u]);
  if (v < 100) return absl::StrFormat("%.1f %s", v, units[u]);
  return absl::StrFormat("%.0f %s", v, units[u]);
}

double Ratio(uint64_t a, uint64_t b) { return b ? static_cast<double>(a) / static_cast<double>(b) : 0.0; }

std::string Fixed3(double v) { return absl::StrFormat("%.3f", v); }

std::string Percent(uint64_t a, uint64_t b) { return absl::StrFormat("%.2f%%", 100.0 * Ratio(a, b)); }

}  // namespace rwkvkit::corpus::stats

// corpus/filters/text_units.cc — see text_units.h.
#include "corpus/filters/text_units.h"

#include <unicode/uchar.h>

#include <algorithm>
#include <cstring>

namespace rwkvkit::corpus::filters {
namespace {

// datatrove's PUNCTUATION (utils/text.py) without its control characters, which IsDatatrovePunct
// tests by range.
constexpr std::string_view kPunctuation =
    "!/\u2014\u201d:\uff05\uff11\u3008&(\u3001\u2501\\\u3010#%\u300c\u300d\uff0c\u3011\uff1b+^]~\u201c\u300a\u201e';"
    "\u2019{|\u2236\u00b4[=-`*\uff0e\uff08\u2013\uff1f\uff01\uff1a$\uff5e\u00ab\u3009,><\u300b)?\uff09\u3002\u2026@_.\"}"
    "\u25ba\u00bb";

const std::vector<char32_t>& PunctuationTable() {
  static const std::vector<char32_t> table = [] {
    std::vector<char32_t> t;
    for (size_t i = 0; i < kPunctuation.size();) t.push_back(NextCodePoint(kPunctuation, i));
    std::sort(t.begin(), t.end());
    return t;
  }();
  return table;
}

// Character classes, computed from their definitions below.
enum Class : uint8_t { kSpace = 1, kDtPunct = 2, kPunctToken = 4, kAlphaClass = 8 };

bool SlowIsDatatrovePunct(char32_t c) {
  if (c <= 8 || c == 11 || c == 12 || (c >= 13 && c <= 31) || (c >= 127 && c <= 159)) return true;
  const std::vector<char32_t>& t = PunctuationTable();
  return std::binary_search(t.begin(), t.end(), c) || u_hasBinaryProperty(static_cast<UChar32>(c), UCHAR_S_TERM);
}

bool SlowIsAlpha(char32_t c) {
  if (c < 0x80) return (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
  return u_isalpha(static_cast<UChar32>(c));
}

uint8_t SlowClass(char32_t c) {
  uint8_t k = 0;
  if (IsPySpace(c)) k |= kSpace;
  if (SlowIsDatatrovePunct(c)) k |= kDtPunct;
  if ((k & kDtPunct) || (c >= 0x80 && u_ispunct(static_cast<UChar32>(c)))) k |= kPunctToken;
  if (SlowIsAlpha(c)) k |= kAlphaClass;
  return k;
}

// The classes of the Basic Multilingual Plane, one byte each (64 KiB, built once).
const uint8_t* BmpClasses() {
  static const std::vector<uint8_t> table = [] {
    std::vector<uint8_t> t(0x10000);
    for (char32_t c = 0; c < 0x10000; ++c) t[c] = SlowClass(c);
    return t;
  }();
  return table.data();
}

inline uint8_t ClassOf(char32_t c) { return c < 0x10000 ? BmpClasses()[c] : SlowClass(c); }

}  // namespace

char32_t NextCodePoint(std::string_view s, size_t& i) {
  const auto b = static_cast<unsigned char>(s[i]);
  if (b < 0x80) {
    ++i;
    return b;
  }
  int n = b >= 0xF0 ? 3 : b >= 0xE0 ? 2 : 1;
  char32_t c = b & (0x3F >> n);
  ++i;
  for (; n > 0 && i < s.size(); --n, ++i) c = (c << 6) | (static_cast<unsigned char>(s[i]) & 0x3F);
  return c;
}

size_t CodePoints(std::string_view s) {
  size_t n = 0;
  for (char ch : s) n += (static_cast<unsigned char>(ch) & 0xC0) != 0x80;
  return n;
}

bool IsPySpace(char32_t c) {
  if (c < 0x80) return (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20);
  return c == 0x85 || c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 ||
         c == 0x202F || c == 0x205F || c == 0x3000;
}

bool IsDatatrovePunct(char32_t c) { return (ClassOf(c) & kDtPunct) != 0; }

bool IsAlpha(char32_t c) { return (ClassOf(c) & kAlphaClass) != 0; }

bool IsSentenceTerminal(char32_t c) { return u_hasBinaryProperty(static_cast<UChar32>(c), UCHAR_S_TERM); }

std::string_view LStrip(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto b = static_cast<unsigned char>(s[i]);
    if (b < 0x80) {  // ASCII: no decoding
      if (!IsPySpace(b)) break;
      ++i;
      continue;
    }
    size_t j = i;
    if (!IsPySpace(NextCodePoint(s, j))) break;
    i = j;
  }
  return s.substr(i);
}

std::string_view RStrip(std::string_view s) {
  size_t end = s.size();
  while (end > 0) {
    const auto b = static_cast<unsigned char>(s[end - 1]);
    if (b < 0x80) {  // ASCII: no decoding
      if (!IsPySpace(b)) break;
      --end;
      continue;
    }
    size_t start = end - 1;
    while (start > 0 && (static_cast<unsigned char>(s[start]) & 0xC0) == 0x80) --start;
    size_t j = start;
    if (!IsPySpace(NextCodePoint(s, j))) break;
    end = start;
  }
  return s.substr(0, end);
}

std::string_view Strip(std::string_view s) { return RStrip(LStrip(s)); }

// The line ends of str.splitlines() are \n \r \v \f \x1c \x1d \x1e (one byte each), U+0085 (C2 85)
// and U+2028/U+2029 (E2 80 A8/A9); "\r\n" is one end. In valid UTF-8 the bytes C2 and E2 only
// start a character, so a byte scan finds them without decoding.
void SplitLines(std::string_view s, std::vector<std::string_view>& lines) {
  lines.clear();
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const size_t n = s.size();
  size_t start = 0, i = 0;
  while (i < n) {
    // Eight bytes at a time while none is below 0x20 or equal to C2 or E2 (SWAR: a byte of
    // x - 0x01..01 & ~x & 0x80..80 is set where x's byte was zero).
    constexpr uint64_t kOnes = 0x0101010101010101ull, kHigh = 0x8080808080808080ull;
    while (i + 8 <= n) {
      uint64_t x;
      std::memcpy(&x, p + i, 8);
      const uint64_t c2 = x ^ (kOnes * 0xC2), e2 = x ^ (kOnes * 0xE2);
      const uint64_t below20 = (x - kOnes * 0x20) & ~x;  // high bit set where a byte < 0x20 (ASCII bytes)
      if (((below20 | ((c2 - kOnes) & ~c2) | ((e2 - kOnes) & ~e2)) & kHigh) != 0) break;
      i += 8;
    }
    if (i >= n) break;
    const unsigned char b = p[i];
    size_t len = 0;  // bytes of the line end at i
    if (b < 0x20) {
      if (b == '\n' || b == '\r' || b == 0x0B || b == 0x0C || (b >= 0x1C && b <= 0x1E)) len = 1;
    } else if (b == 0xC2) {
      if (i + 1 < n && p[i + 1] == 0x85) len = 2;
    } else if (b == 0xE2) {
      if (i + 2 < n && p[i + 1] == 0x80 && (p[i + 2] == 0xA8 || p[i + 2] == 0xA9)) len = 3;
    }
    if (len == 0) {
      ++i;
      continue;
    }
    lines.push_back(s.substr(start, i - start));
    i += len;
    if (b == '\r' && i < n && p[i] == '\n') ++i;
    start = i;
  }
  if (start < n) lines.push_back(s.substr(start));
}

std::vector<std::string_view> SplitLines(std::string_view s) {
  std::vector<std::string_view> lines;
  SplitLines(s, lines);
  return lines;
}

void SplitOnNewlineRuns(std::string_view s, size_t min_run, std::vector<std::string_view>& parts) {
  parts.clear();
  size_t start = 0, i = 0;
  while (i < s.size()) {
    const size_t nl = s.find('\n', i);
    if (nl == std::string_view::npos) break;
    size_t j = nl;
    while (j < s.size() && s[j] == '\n') ++j;
    if (j - nl >= min_run) {
      parts.push_back(s.substr(start, nl - start));
      start = j;
    }
    i = j;
  }
  parts.push_back(s.substr(start));
}

std::vector<std::string_view> SplitOnNewlineRuns(std::string_view s, size_t min_run) {
  std::vector<std::string_view> parts;
  SplitOnNewlineRuns(s, min_run, parts);
  return parts;
}

void SplitWords(std::string_view s, std::vector<std::string_view>& out) {
  out.clear();
  enum Kind { kNone, kWord, kPunct } kind = kNone;
  size_t start = 0, i = 0;
  while (i < s.size()) {
    const size_t at = i;
    const uint8_t cls = ClassOf(NextCodePoint(s, i));
    const Kind k = (cls & kSpace) ? kNone : (cls & kPunctToken) ? kPunct : kWord;
    if (k == kind) continue;
    if (kind != kNone) out.push_back(s.substr(start, at - start));
    kind = k;
    start = at;
  }
  if (kind != kNone) out.push_back(s.substr(start));
}

void TextUnits::Analyze(std::string_view s, bool split_words) {
  text = s;
  has_words = split_words;
  words.clear();
  word_code_points.clear();
  word_flags.clear();
  // Counters in locals: as members they would be stored at every character (the pushes below
  // may alias them).
  size_t n_code_points = 0, n_newlines = 0;
  if (!split_words) {
    for (const char ch : s) {
      n_code_points += (static_cast<unsigned char>(ch) & 0xC0) != 0x80;
      n_newlines += ch == '\n';
    }
    code_points = n_code_points;
    newlines = n_newlines;
    return;
  }
  enum Kind { kNone, kWord, kPunct } kind = kNone;
  const uint8_t* const bmp = BmpClasses();  // once, not per character
  size_t start = 0, i = 0;
  uint32_t cps = 0;
  uint8_t flags = 0;
  auto close = [&](size_t end) {
    words.push_back(s.substr(start, end - start));
    word_code_points.push_back(cps);
    word_flags.push_back(flags);
  };
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const size_t n = s.size();
  while (i < n) {
    const size_t at = i;
    // NextCodePoint's decoding, inline (so that the index stays in a register).
    char32_t c = p[i++];
    if (c >= 0x80) {
      const int more = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : 1;
      c &= 0x3Fu >> more;
      for (int k = 0; k < more && i < n; ++k, ++i) c = (c << 6) | (p[i] & 0x3F);
    }
    ++n_code_points;
    n_newlines += c == '\n';
    const uint8_t cls = c < 0x10000 ? bmp[c] : SlowClass(c);
    const Kind k = (cls & kSpace) ? kNone : (cls & kPunctToken) ? kPunct : kWord;
    if (k != kind) {
      if (kind != kNone) close(at);
      kind = k;
      start = at;
      cps = 0;
      flags = 0;
    }
    if (k == kNone) continue;
    ++cps;
    if (!(cls & kDtPunct)) flags |= kNonSymbol;
    if (cls & kAlphaClass) flags |= kAlpha;
  }
  if (kind != kNone) close(s.size());
  code_points = n_code_points;
  newlines = n_newlines;
}

size_t CountOf(std::string_view s, std::string_view needle) {
  size_t n = 0;
  for (size_t p = s.find(needle); p != std::string_view::npos; p = s.find(needle, p + needle.size())) ++n;
  return n;
}

}  // namespace rwkvkit::corpus::filters

// corpus/dedup/shingles.cc — see shingles.h for the rules.
//
// Performance notes: the ASCII fast path skips three ICU passes (UTF-8 → UTF-16, lowercase,
// NFD) and the BreakIterator, which dominate the ICU path; shingles are hashed in place in the
// space-joined word text, so no per-shingle string is built.
#include "corpus/dedup/shingles.h"

#include <memory>

#include <unicode/brkiter.h>
#include <unicode/locid.h>
#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/uscript.h>
#include <unicode/unistr.h>
#include <unicode/ustring.h>
#include <unicode/utf16.h>
#include <unicode/utf8.h>
#include <xxhash.h>

namespace rwkvkit::corpus {
namespace {

enum class CharClass { kKeep, kDrop, kDigit, kBoundary };

CharClass Classify(UChar32 c) {
  if (c == 0x3099 || c == 0x309A) return CharClass::kKeep;  // kana voicing marks
  if (c == 0x200B) return CharClass::kBoundary;               // zero width space
  const uint32_t mask = U_GET_GC_MASK(c);
  if (mask & U_GC_MN_MASK) {
    UErrorCode ec = U_ZERO_ERROR;
    return uscript_getScript(c, &ec) == USCRIPT_INHERITED ? CharClass::kDrop : CharClass::kKeep;
  }
  if (mask & U_GC_ND_MASK) return CharClass::kDigit;
  if (mask & (U_GC_P_MASK | U_GC_S_MASK | U_GC_CC_MASK | U_GC_Z_MASK)) return CharClass::kBoundary;
  if (u_isUWhiteSpace(c)) return CharClass::kBoundary;
  return CharClass::kKeep;
}

// Classify for every BMP code point, computed once (64 KiB): the simplification loop looks up
// most characters here instead of calling ICU's property functions.
const CharClass* BmpClasses() {
  static const CharClass* table = [] {
    auto* t = new CharClass[0x10000];
    for (UChar32 c = 0; c < 0x10000; ++c) t[c] = Classify(c);
    return t;
  }();
  return table;
}

// ICU buffers reused across calls on one thread.
struct SimplifyBuffers {
  icu::UnicodeString lowered, decomposed;
};

// Rules 1-4 of shingles.h on UTF-16; `out` holds no leading, trailing or doubled spaces.
void SimplifyIcu(std::string_view in, SimplifyBuffers& b, std::u16string& out) {
  {  // what UnicodeString::fromUTF8 does (U+FFFD for invalid sequences), into a reused buffer
    const int32_t cap = static_cast<int32_t>(in.size()) + 1;  // UTF-16 units <= UTF-8 bytes
    char16_t* buf = b.lowered.getBuffer(cap);
    int32_t len = 0;
    UErrorCode ec = U_ZERO_ERROR;
    u_strFromUTF8WithSub(buf, cap, &len, in.data(), static_cast<int32_t>(in.size()), 0xFFFD,
                         nullptr, &ec);
    b.lowered.releaseBuffer(U_SUCCESS(ec) ? len : 0);
  }
  b.lowered.toLower(icu::Locale::getRoot());
  UErrorCode ec = U_ZERO_ERROR;
  const icu::Normalizer2* nfd = icu::Normalizer2::getNFDInstance(ec);
  const icu::UnicodeString* d = &b.lowered;
  if (U_SUCCESS(ec)) {
    nfd->normalize(b.lowered, b.decomposed, ec);
    if (U_SUCCESS(ec)) d = &b.decomposed;  // else no normalization data: marks stay composed
  }
  const CharClass* bmp = BmpClasses();
  const char16_t* src = d->getBuffer();
  const int32_t n = d->length();
  out.resize(static_cast<size_t>(n));  // the output is never longer than the input
  char16_t* o = out.data();
  size_t len = 0;
  bool pending_space = false, in_digits = false;
  for (int32_t i = 0; i < n;) {
    UChar32 c = src[i];
    CharClass k;
    if (U16_IS_SURROGATE(c)) {
      U16_NEXT(src, i, n, c);
      k = Classify(c);
    } else {
      ++i;
      k = bmp[c];
    }
    if (k == CharClass::kDrop) continue;
    if (k == CharClass::kBoundary) {
      pending_space = true;
      in_digits = false;
      continue;
    }
    if (k == CharClass::kDigit && in_digits && !pending_space) continue;
    if (pending_space && len > 0) o[len++] = u' ';
    pending_space = false;
    in_digits = k == CharClass::kDigit;
    if (in_digits) {
      o[len++] = u'0';
    } else if (c <= 0xFFFF) {
      o[len++] = static_cast<char16_t>(c);
    } else {
      o[len++] = U16_LEAD(c);
      o[len++] = U16_TRAIL(c);
    }
  }
  out.resize(len);
}

void AppendUtf8(const char16_t* s, int32_t n, std::string& out) {
  for (int32_t i = 0; i < n;) {
    if (s[i] < 0x80) {
      out.push_back(static_cast<char>(s[i++]));
      continue;
    }
    UChar32 c;
    U16_NEXT(s, i, n, c);
    uint8_t buf[4];
    int32_t k = 0;
    U8_APPEND_UNSAFE(buf, k, c);
    out.append(reinterpret_cast<const char*>(buf), k);
  }
}

// Per-thread ICU state: BreakIterator is not thread-safe (shingles.h).
struct IcuScratch {
  std::unique_ptr<icu::BreakIterator> words;
  SimplifyBuffers buffers;
  std::u16string simplified;
  bool tried = false;
};

IcuScratch& Scratch() {
  thread_local IcuScratch s;
  if (!s.tried) {
    s.tried = true;
    UErrorCode ec = U_ZERO_ERROR;
    s.words.reset(icu::BreakIterator::createWordInstance(icu::Locale::getRoot(), ec));
    if (U_FAILURE(ec)) s.words.reset();
  }
  return s;
}

void AddWord(const char16_t* s, int32_t n, WordSpans& w) {
  if (!w.text.empty()) w.text.push_back(' ');
  w.begin.push_back(static_cast<uint32_t>(w.text.size()));
  AppendUtf8(s, n, w.text);
  w.end.push_back(static_cast<uint32_t>(w.text.size()));
}

void SplitIcu(std::string_view in, WordSpans& w) {
  IcuScratch& s = Scratch();
  SimplifyIcu(in, s.buffers, s.simplified);
  const char16_t* buf = s.simplified.data();
  const int32_t len = static_cast<int32_t>(s.simplified.size());
  if (len == 0) return;
  w.text.reserve(static_cast<size_t>(len) * 3);
  if (s.words == nullptr) {  // no break iterator data: fall back to the spaces
    int32_t start = 0;
    for (int32_t i = 0; i <= len; ++i) {
      if (i == len || buf[i] == u' ') {
        if (i > start) AddWord(buf + start, i - start, w);
        start = i + 1;
      }
    }
    return;
  }
  const icu::UnicodeString alias(false, buf, len);  // read-only alias, no copy
  s.words->setText(alias);
  int32_t start = s.words->first();
  for (int32_t end = s.words->next(); end != icu::BreakIterator::DONE;
       start = end, end = s.words->next()) {
    if (end - start == 1 && buf[start] == u' ') continue;  // the separators are not words
    AddWord(buf + start, end - start, w);
  }
}

void SplitAscii(std::string_view in, WordSpans& w) {
  bool in_word = false, in_digits = false;
  for (unsigned char c : in) {
    if (c >= 'A' && c <= 'Z') c = static_cast<unsigned char>(c + ('a' - 'A'));
    const bool letter = c >= 'a' && c <= 'z';
    const bool digit = c >= '0' && c <= '9';
    if (!letter && !digit) {
      if (in_word) w.end.push_back(static_cast<uint32_t>(w.text.size()));
      in_word = in_digits = false;
      continue;
    }
    if (!in_word) {
      if (!w.text.empty()) w.text.push_back(' ');
      w.begin.push_back(static_cast<uint32_t>(w.text.size()));
      in_word = true;
    }
    if (digit && in_digits) continue;
    in_digits = digit;
    w.text.push_back(digit ? '0' : static_cast<char>(c));
  }
  if (in_word) w.end.push_back(static_cast<uint32_t>(w.text.size()));
}

bool IsAscii(std::string_view s) {
  unsigned char any = 0;
  for (unsigned char c : s) any |= c;
  return any < 0x80;
}

}  // namespace

void SplitWords(std::string_view utf8_text, WordSpans& words, bool force_icu) {
  words.text.clear();
  words.begin.clear();
  words.end.clear();
  if (!force_icu && IsAscii(utf8_text)) {
    SplitAscii(utf8_text, words);
  } else {
    SplitIcu(utf8_text, words);
  }
}

std::string SimplifyText(std::string_view utf8_text) {
  SimplifyBuffers b;
  std::u16string s;
  SimplifyIcu(utf8_text, b, s);
  std::string out;
  AppendUtf8(s.data(), static_cast<int32_t>(s.size()), out);
  return out;
}

void ShingleHashes(const WordSpans& words, int ngram, std::vector<uint64_t>& hashes) {
  hashes.clear();
  const size_t n = words.size();
  if (n == 0 || ngram < 1) return;
  const size_t g = static_cast<size_t>(ngram);
  const char* t = words.text.data();
  if (n < g) {
    hashes.push_back(XXH3_64bits(t + words.begin[0], words.end[n - 1] - words.begin[0]));
    return;
  }
  hashes.reserve(n - g + 1);
  for (size_t i = 0; i + g <= n; ++i) {
    hashes.push_back(XXH3_64bits(t + words.begin[i], words.end[i + g - 1] - words.begin[i]));
  }
}

}  // namespace rwkvkit::corpus

// corpus/dedup/shingles.cc — see shingles.h for the rules.
//
// Performance notes: the ASCII fast path skips three ICU passes (UTF-8 → UTF-16, lowercase,
// NFD) and the BreakIterator, which dominate the ICU path; shingles are hashed in place in the
// space-joined word text, so no per-shingle string is built. Non-ASCII text whose every
// character simplifies on its own to a space-delimited letter, a digit, a boundary or nothing
// (SplitSimple: most Latin, Cyrillic, Greek, Arabic text) is simplified and split in one pass
// over its UTF-8 with a per-code-point table that ICU computed once. A simplified text whose characters
// are all space-delimited letters and digits (SpaceDelimited below: most Latin, Cyrillic, Greek,
// Arabic, Hebrew... text) is split at its spaces instead of by the BreakIterator (which was ~25%
// of the signature time on the demo corpus), with the same words (tested against the iterator).
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

#include "base/utf8.h"

namespace rwkvkit::corpus::dedup {
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

// `F` for every BMP code point, computed once (64 K entries): the loops below look up most
// characters here instead of calling ICU's property functions.
template <typename T, T (*F)(UChar32)>
const T* BmpTable() {
  static const T* table = [] {
    auto* t = new T[0x10000];
    for (UChar32 c = 0; c < 0x10000; ++c) t[c] = F(c);
    return t;
  }();
  return table;
}

// True for a code point that UAX#29 and ICU's root word rules never separate from a neighbour
// of the same kind and always separate from a space: Word_Break ALetter, Hebrew_Letter or
// Numeric (WB5, WB8-WB10), and not in a script ICU segments with a dictionary or by its own
// rules (Line_Break Complex_Context: Thai, Lao, Khmer, Myanmar; Han, Hiragana, Katakana) nor
// Hangul. A simplified text of such characters and single spaces has its spaces as its only
// word boundaries.
bool SpaceDelimited(UChar32 c) {
  const int32_t wb = u_getIntPropertyValue(c, UCHAR_WORD_BREAK);
  if (wb != U_WB_ALETTER && wb != U_WB_HEBREW_LETTER && wb != U_WB_NUMERIC) return false;
  if (u_getIntPropertyValue(c, UCHAR_LINE_BREAK) == U_LB_COMPLEX_CONTEXT) return false;
  UErrorCode ec = U_ZERO_ERROR;
  const UScriptCode sc = uscript_getScript(c, &ec);
  return U_SUCCESS(ec) && sc != USCRIPT_HAN && sc != USCRIPT_HIRAGANA && sc != USCRIPT_KATAKANA &&
         sc != USCRIPT_HANGUL;
}

// True when the simplified text's words are exactly its space-separated runs.
bool SplitsAtSpaces(const char16_t* s, int32_t n) {
  const bool* ok = BmpTable<bool, SpaceDelimited>();
  for (int32_t i = 0; i < n; ++i)
    if (s[i] != u' ' && !ok[s[i]]) return false;  // surrogates are not in the table: false
  return true;
}

// What one code point becomes under rules 1-4 when that does not depend on its neighbours.
enum class Simple : uint8_t { kComplex, kDrop, kDigit, kBoundary, kChar };

// Lowercase (root) → NFD → Classify of each part, for one BMP code point: kDrop when every part
// is dropped, kDigit / kBoundary when that is all that remains, kChar when exactly one kept
// character remains that is in the BMP, SpaceDelimited and of canonical combining class 0
// (`out`); otherwise kComplex. This is context-free: in the root locale only U+03A3 (final
// sigma) lowercases by context, and canonical reordering only moves marks of class > 0, which
// here are all dropped, never across a kept character.
Simple SimpleOf(UChar32 c, char16_t& out) {
  out = 0;
  if (U16_IS_SURROGATE(c) || c == 0x03A3) return Simple::kComplex;
  icu::UnicodeString lowered(c);
  lowered.toLower(icu::Locale::getRoot());
  UErrorCode ec = U_ZERO_ERROR;
  const icu::Normalizer2* nfd = icu::Normalizer2::getNFDInstance(ec);
  if (U_FAILURE(ec)) return Simple::kComplex;
  const icu::UnicodeString d = nfd->normalize(lowered, ec);
  if (U_FAILURE(ec)) return Simple::kComplex;
  int kept = 0, digits = 0, boundaries = 0;
  for (int32_t i = 0; i < d.length();) {
    const UChar32 p = d.char32At(i);
    i += U16_LENGTH(p);
    switch (Classify(p)) {
      case CharClass::kDrop: break;
      case CharClass::kDigit: ++digits; break;
      case CharClass::kBoundary: ++boundaries; break;
      case CharClass::kKeep:
        if (p > 0xFFFF || !SpaceDelimited(p) || u_getCombiningClass(p) != 0) return Simple::kComplex;
        ++kept;
        out = static_cast<char16_t>(p);
        break;
    }
  }
  if (kept + digits + boundaries == 0) return Simple::kDrop;
  if (kept == 1 && digits + boundaries == 0) return Simple::kChar;
  if (digits == 1 && kept + boundaries == 0) return Simple::kDigit;
  if (boundaries == 1 && kept + digits == 0) return Simple::kBoundary;
  return Simple::kComplex;
}

struct SimpleTable {
  Simple kind[0x10000];
  char16_t out[0x10000];
};

// SimpleOf for every BMP code point, computed once (192 KiB).
const SimpleTable& Simples() {
  static const SimpleTable* table = [] {
    auto* t = new SimpleTable;
    for (UChar32 c = 0; c < 0x10000; ++c) t->kind[c] = SimpleOf(c, t->out[c]);
    return t;
  }();
  return *table;
}

// Rules 1-4 and the split at spaces in one pass over the UTF-8 text, without ICU, for a text
// whose every code point is context-free (SimpleOf) and becomes nothing, a digit, a boundary or
// a space-delimited character (most Latin, Cyrillic, Greek and Arabic text). Returns false at
// the first other code point or invalid UTF-8; the caller then clears `w` and takes the ICU
// path. Same state machine as SimplifyIcu + the split at spaces, so the same words.
bool SplitSimple(std::string_view in, WordSpans& w) {
  const SimpleTable& t = Simples();
  const auto* s = reinterpret_cast<const uint8_t*>(in.data());
  const int32_t n = static_cast<int32_t>(in.size());
  // Written through a pointer, not appended: a character of 1-3 bytes becomes at most one of
  // the same length or, 2 bytes lowercased, of 3; a space stands for a boundary character read.
  w.text.resize(in.size() + in.size() / 2 + 1);
  char* const o = w.text.data();
  size_t len = 0;
  bool in_word = false, in_digits = false;
  for (int32_t i = 0; i < n;) {
    UChar32 c;
    U8_NEXT(s, i, n, c);
    if (c < 0 || c > 0xFFFF) return false;
    const Simple k = t.kind[c];
    if (k == Simple::kComplex) return false;
    if (k == Simple::kDrop) continue;
    if (k == Simple::kBoundary) {
      if (in_word) w.end.push_back(static_cast<uint32_t>(len));
      in_word = in_digits = false;
      continue;
    }
    if (k == Simple::kDigit && in_digits) continue;
    if (!in_word) {
      if (len > 0) o[len++] = ' ';
      w.begin.push_back(static_cast<uint32_t>(len));
      in_word = true;
    }
    in_digits = k == Simple::kDigit;
    const char16_t ch = in_digits ? u'0' : t.out[c];
    if (ch < 0x80) {
      o[len++] = static_cast<char>(ch);
    } else {
      int32_t at = 0;
      U8_APPEND_UNSAFE(reinterpret_cast<uint8_t*>(o + len), at, ch);
      len += static_cast<size_t>(at);
    }
  }
  if (in_word) w.end.push_back(static_cast<uint32_t>(len));
  w.text.resize(len);
  return true;
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
  const CharClass* bmp = BmpTable<CharClass, Classify>();
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

void AppendUtf16AsUtf8(const char16_t* s, int32_t n, std::string& out) {
  for (int32_t i = 0; i < n;) {
    if (s[i] < 0x80) {
      out.push_back(static_cast<char>(s[i++]));
      continue;
    }
    UChar32 c;
    U16_NEXT(s, i, n, c);
    base::AppendUtf8(static_cast<uint32_t>(c), out);
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
  AppendUtf16AsUtf8(s, n, w.text);
  w.end.push_back(static_cast<uint32_t>(w.text.size()));
}

// `space_fast_path`: split at the spaces when SplitsAtSpaces says that gives the iterator's words.
void SplitIcu(std::string_view in, WordSpans& w, bool space_fast_path) {
  IcuScratch& s = Scratch();
  SimplifyIcu(in, s.buffers, s.simplified);
  const char16_t* buf = s.simplified.data();
  const int32_t len = static_cast<int32_t>(s.simplified.size());
  if (len == 0) return;
  w.text.reserve(static_cast<size_t>(len) * 3);
  // Without break iterator data, fall back to the spaces.
  if (s.words == nullptr || (space_fast_path && SplitsAtSpaces(buf, len))) {
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
  // Never longer than the input: a space stands for a boundary character read.
  w.text.resize(in.size());
  char* const o = w.text.data();
  size_t len = 0;
  bool in_word = false, in_digits = false;
  for (unsigned char c : in) {
    if (c >= 'A' && c <= 'Z') c = static_cast<unsigned char>(c + ('a' - 'A'));
    const bool letter = c >= 'a' && c <= 'z';
    const bool digit = c >= '0' && c <= '9';
    if (!letter && !digit) {
      if (in_word) w.end.push_back(static_cast<uint32_t>(len));
      in_word = in_digits = false;
      continue;
    }
    if (!in_word) {
      if (len > 0) o[len++] = ' ';
      w.begin.push_back(static_cast<uint32_t>(len));
      in_word = true;
    }
    if (digit && in_digits) continue;
    in_digits = digit;
    o[len++] = digit ? '0' : static_cast<char>(c);
  }
  if (in_word) w.end.push_back(static_cast<uint32_t>(len));
  w.text.resize(len);
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
    return;
  }
  if (!force_icu && SplitSimple(utf8_text, words)) return;
  words.text.clear();
  words.begin.clear();
  words.end.clear();
  SplitIcu(utf8_text, words, /*space_fast_path=*/!force_icu);
}

std::string SimplifyText(std::string_view utf8_text) {
  SimplifyBuffers b;
  std::u16string s;
  SimplifyIcu(utf8_text, b, s);
  std::string out;
  AppendUtf16AsUtf8(s.data(), static_cast<int32_t>(s.size()), out);
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

}  // namespace rwkvkit::corpus::dedup

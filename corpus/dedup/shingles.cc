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

// Rules 1-4 of shingles.h on UTF-16; `out` holds no leading, trailing or doubled spaces.
void SimplifyIcu(std::string_view in, icu::UnicodeString& out) {
  icu::UnicodeString s =
      icu::UnicodeString::fromUTF8(icu::StringPiece(in.data(), static_cast<int32_t>(in.size())));
  s.toLower(icu::Locale::getRoot());
  UErrorCode ec = U_ZERO_ERROR;
  const icu::Normalizer2* nfd = icu::Normalizer2::getNFDInstance(ec);
  icu::UnicodeString d;
  if (U_SUCCESS(ec)) d = nfd->normalize(s, ec);
  if (U_FAILURE(ec)) d = s;  // no normalization data: marks stay composed
  out.remove();
  bool pending_space = false, in_digits = false;
  for (int32_t i = 0; i < d.length();) {
    const UChar32 c = d.char32At(i);
    i += U16_LENGTH(c);
    const CharClass k = Classify(c);
    if (k == CharClass::kDrop) continue;
    if (k == CharClass::kBoundary) {
      pending_space = true;
      in_digits = false;
      continue;
    }
    if (k == CharClass::kDigit && in_digits && !pending_space) continue;
    if (pending_space && out.length() > 0) out.append(static_cast<char16_t>(u' '));
    pending_space = false;
    in_digits = k == CharClass::kDigit;
    out.append(in_digits ? static_cast<UChar32>(u'0') : c);
  }
}

void AppendUtf8(const char16_t* s, int32_t n, std::string& out) {
  for (int32_t i = 0; i < n;) {
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
  icu::UnicodeString simplified;
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
  SimplifyIcu(in, s.simplified);
  const char16_t* buf = s.simplified.getBuffer();
  const int32_t len = s.simplified.length();
  if (len == 0) return;
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
  s.words->setText(s.simplified);
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
  icu::UnicodeString s;
  SimplifyIcu(utf8_text, s);
  std::string out;
  AppendUtf8(s.getBuffer(), s.length(), out);
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

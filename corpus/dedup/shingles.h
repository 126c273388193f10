// corpus/dedup/shingles.h — text simplification, word segmentation and word-shingle hashes for
// near-duplicate detection (docs/near_dedup.md).
//
// The rules follow datatrove's `simplify_text` (docs/near_dedup.md), in this order:
//   1. lowercase, ICU root locale (locale-independent: no Turkish dotless i);
//   2. NFD, then drop non-spacing marks (Mn) of the Inherited script, i.e. diacritics such as
//      U+0301; script-specific marks (Thai, Devanagari vowel signs) are kept, because removing
//      them breaks the dictionary word segmentation of those scripts, and so are the kana
//      voicing marks U+3099/U+309A (か and が stay distinct words);
//   3. every maximal run of decimal digits (Nd) becomes one "0" (datatrove's `\d+` → "0");
//   4. punctuation (P*), symbols (S*), controls (Cc), separators (Z*), white space and U+200B
//      become a word boundary; runs of boundaries collapse to one space, none at either end.
// Words are the word-status segments of ICU's UAX#29 word BreakIterator (root locale) over the
// simplified text, so Chinese, Japanese and Thai get dictionary words; the spaces between them
// are not words. A shingle is n consecutive words joined by one space (UTF-8); a text with
// 1..n-1 words has one shingle of all its words; an empty text (no words) has none. Each
// shingle is hashed with 64-bit XXH3 (seed 0).
//
// Pure-ASCII input takes a byte-level fast path that yields the same words as ICU would: after
// the rules, ASCII text is [a-z0 ] only, where UAX#29 breaks exactly at spaces (tested). Two
// more fast paths give the same words (tested against the BreakIterator on random text and on
// every demo-corpus document): text whose every code point simplifies on its own (a BMP table
// built once with ICU) to a space-delimited letter, a digit, a boundary or nothing is simplified
// and split in one UTF-8 pass; other text is simplified with ICU and, when it holds only
// space-delimited letters and digits (Word_Break ALetter/Hebrew_Letter/Numeric, no dictionary
// script, no Hangul), split at its spaces without the BreakIterator.
//
// Thread-safety: every function is safe to call from many threads. ICU BreakIterator instances
// are not thread-safe, so each thread keeps its own clone in a thread_local scratch object
// (created on the thread's first non-ASCII text, freed at thread exit).
// Heavy dependency: ICU (uc + i18n), xxHash.
#ifndef RWKVKIT_CORPUS_DEDUP_SHINGLES_H_
#define RWKVKIT_CORPUS_DEDUP_SHINGLES_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace rwkvkit::corpus {

// Words of a simplified text, joined by single spaces: the words are `text`'s substrings
// [begin[i], end[i]). Shingle i spans [begin[i], end[i + n - 1]) and is hashed in place.
struct WordSpans {
  std::string text;
  std::vector<uint32_t> begin, end;
  size_t size() const { return begin.size(); }
};

// Simplifies `utf8_text` and splits it into words (rules above). Invalid UTF-8 sequences decode
// to U+FFFD (a symbol, so a word boundary). `force_icu` disables the fast paths (tests): ASCII
// text, and simplified text of space-delimited scripts only, split without the BreakIterator.
void SplitWords(std::string_view utf8_text, WordSpans& words, bool force_icu = false);

// The simplified text alone (rules 1-4), as UTF-8. For tests and docs; the hot path never
// materializes it separately.
std::string SimplifyText(std::string_view utf8_text);

// XXH3-64 of each shingle of `ngram` words, in text order (duplicates kept). Empty for a text
// without words. `ngram` must be >= 1.
void ShingleHashes(const WordSpans& words, int ngram, std::vector<uint64_t>& hashes);

}  // namespace rwkvkit::corpus

#endif  // RWKVKIT_CORPUS_DEDUP_SHINGLES_H_

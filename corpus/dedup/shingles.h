// corpus/dedup/shingles.h — text simplification, word segmentation and word-shingle hashes for
// near-duplicate detection (docs/near_dedup.md, "Algorithm" steps 1-3, has the full rules).
//
// SimplifyText follows datatrove's `simplify_text`: lowercase (ICU root locale), NFD and drop
// Inherited-script non-spacing marks, each run of decimal digits becomes "0", punctuation,
// symbols, controls, separators, white space and U+200B become one space (none at either end).
// Script-specific marks and the kana voicing marks are kept on purpose.
// Words are the word-status segments of ICU's UAX#29 word BreakIterator (root locale) over the
// simplified text, found through exact fast paths where the text allows. A shingle is n
// consecutive words joined by one space; a text with 1..n-1 words has one shingle of all its
// words, an empty text none. Each shingle is hashed with 64-bit XXH3 (seed 0).
//
// Thread-safety: every function is safe to call from many threads (each thread keeps its own
// BreakIterator clone in a thread_local scratch object). Heavy dependency: ICU (uc + i18n), xxHash.
#ifndef RWKVKIT_CORPUS_DEDUP_SHINGLES_H_
#define RWKVKIT_CORPUS_DEDUP_SHINGLES_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace rwkvkit::corpus::dedup {

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

}  // namespace rwkvkit::corpus::dedup

#endif  // RWKVKIT_CORPUS_DEDUP_SHINGLES_H_

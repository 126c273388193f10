// corpus/filters/quality_filters.cc — see quality_filters.h.
#include "corpus/filters/quality_filters.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>

#include "absl/container/flat_hash_set.h"
#include "base/hash_mix.h"

namespace rwkvkit::corpus::filters {
namespace {

// Polynomial hash base (odd, so invertible mod 2^64) and its inverse.
constexpr uint64_t kBase = 0x9E3779B97F4A7C15ull;
constexpr uint64_t Inverse(uint64_t b) {
  uint64_t x = b;  // Newton's iteration: each step doubles the correct low bits
  for (int k = 0; k < 6; ++k) x *= 2 - b * x;
  return x;
}
constexpr uint64_t kBaseInverse = Inverse(kBase);
static_assert(kBase * kBaseInverse == 1);

// B^k and B^-k for the words of up to 63 bytes (longer ones multiply byte by byte).
template <uint64_t kB>
constexpr std::array<uint64_t, 64> Powers() {
  std::array<uint64_t, 64> t{};
  uint64_t x = 1;
  for (uint64_t& v : t) {
    v = x;
    x *= kB;
  }
  return t;
}
constexpr std::array<uint64_t, 64> kPowers = Powers<kBase>();
constexpr std::array<uint64_t, 64> kInversePowers = Powers<kBaseInverse>();

// datatrove's find_duplicates: (elements seen before, their chars).
template <typename Range>
std::pair<size_t, size_t> FindDuplicates(const Range& items, absl::flat_hash_set<std::string_view>& seen) {
  seen.clear();
  size_t elements = 0, chars = 0;
  for (std::string_view s : items) {
    if (seen.insert(s).second) continue;
    ++elements;
    chars += CodePoints(s);
  }
  return {elements, chars};
}

bool EndsWithTerminal(std::string_view line) {
  if (line.empty()) return false;
  size_t start = line.size() - 1;
  while (start > 0 && (static_cast<unsigned char>(line[start]) & 0xC0) == 0x80) --start;
  return IsSentenceTerminal(NextCodePoint(line, start));
}

std::string_view TopNGramReason(int n) {
  static constexpr std::array<std::string_view, 11> kReasons = {
      "top_n_gram",  "top_1_gram",  "top_2_gram",  "top_3_gram",  "top_4_gram",  "top_5_gram",
      "top_6_gram",  "top_7_gram",  "top_8_gram",  "top_9_gram",  "top_10_gram"};
  return n >= 1 && n <= 10 ? kReasons[n] : kReasons[0];
}

std::string_view DupNGramReason(int n) {
  static constexpr std::array<std::string_view, 11> kReasons = {
      "duplicated_n_grams",   "duplicated_1_n_grams", "duplicated_2_n_grams", "duplicated_3_n_grams",
      "duplicated_4_n_grams", "duplicated_5_n_grams", "duplicated_6_n_grams", "duplicated_7_n_grams",
      "duplicated_8_n_grams", "duplicated_9_n_grams", "duplicated_10_n_grams"};
  return n >= 1 && n <= 10 ? kReasons[n] : kReasons[0];
}

// A buffer reused from document to document keeps what the largest one needed; one that a huge
// document grew past 1M entries is given back before the next document.
template <typename V>
V& Trimmed(V& v) {
  if (v.capacity() > (size_t{1} << 20)) V().swap(v);
  return v;
}

constexpr std::string_view kGopherQuality = "gopher_quality";
constexpr std::string_view kGopherRepetition = "gopher_repetition";
constexpr std::string_view kFineWebQuality = "fineweb_quality";

}  // namespace

// The word stream of a text (its words concatenated, then kPad zero bytes so that 16-byte loads
// at any word stay inside it) with per-word values:
//   offset[i]  bytes of the stream before word i
//   chars[i]   code points of the words before word i
//   word_hash[i]  a hash of word i's bytes (top n-grams: an n-gram's hash combines its words')
// and, built only when a duplicated-n-gram walk runs (PrefixHashes):
//   prefix[i]  polynomial hash of the stream before word i (sum of byte * B^(distance to end))
//   power[i]   B^offset[i], inverse[i] = B^-offset[i]
// so the hash of words [i, i+n) joined without spaces is prefix[i+n] - prefix[i] * B^(its bytes)
// = prefix[i+n] - prefix[i] * power[i+n] * inverse[i].
struct RepetitionScratch::Impl {
  static constexpr size_t kPad = 16;
  std::string stream;
  std::vector<uint64_t> offset, chars, word_hash;
  std::vector<uint64_t> prefix, power, inverse;
  bool have_prefix = false;
  std::vector<uint64_t> gram_hash;  // of the current n
  size_t n = 0;
  bool word_boundaries = false;  // equality also needs the same word boundaries (top n-grams)
  uint32_t top_count = 0;  // how often TopNGramChars' n-gram occurs
  std::vector<std::pair<size_t, uint32_t>> top_counts;  // (n, top_count) of this document so far
  absl::flat_hash_set<std::string_view> seen_pieces;
  std::vector<std::string_view> paragraphs, lines;
  std::vector<uint8_t> prints;  // FindPrints
  std::vector<uint64_t> seen_bits;  // FindPrints' bit set
  int print_shift = 0;

  // Open addressing with linear probing over 8-byte (tag, first index) slots: the tag is the
  // gram hash's high half with the low bit set (0 means empty); the full hash and the bytes are
  // compared through `first`. Counts (top n-grams) are kept per first index. No per-document
  // allocation once grown.
  struct Slot {
    uint32_t tag;
    uint32_t first;
  };
  std::vector<Slot> table;
  std::vector<uint32_t> count;  // by first index
  size_t mask = 0;

  static size_t Capacity(size_t entries) {
    size_t cap = 16;
    while (cap < 2 * entries) cap <<= 1;
    return cap;
  }

  // Grows `v` to `cap` entries, or gives back what one huge document left behind (over 1M
  // entries and 8x the need), and clears it.
  template <typename T>
  static void ResetTo(std::vector<T>& v, size_t cap) {
    if (v.size() < cap || (v.size() > (size_t{1} << 20) && v.size() > 8 * cap)) std::vector<T>(cap).swap(v);
    std::memset(v.data(), 0, cap * sizeof(T));
  }

  void ResetTable(size_t entries) {
    const size_t cap = Capacity(entries);
    ResetTo(table, cap);
    mask = cap - 1;
  }

  // The slot of n-gram i: the one holding an equal n-gram seen before, or a fresh one for it.
  Slot& Find(uint32_t i) {
    const uint64_t h = gram_hash[i];
    const uint32_t tag = static_cast<uint32_t>(h >> 32) | 1;
    for (size_t k = h & mask;; k = (k + 1) & mask) {
      Slot& slot = table[k];
      if (slot.tag == 0) {
        slot = Slot{tag, i};
        return slot;
      }
      if (slot.tag == tag && Equal(slot.first, i)) return slot;
    }
  }

  bool Equal(uint32_t a, uint32_t b) const {
    if (a == b) return true;
    const uint64_t len = offset[a + n] - offset[a];
    if (len != offset[b + n] - offset[b] || gram_hash[a] != gram_hash[b]) return false;
    if (word_boundaries)
      for (size_t k = 1; k < n; ++k)
        if (offset[a + k] - offset[a] != offset[b + k] - offset[b]) return false;
    return std::memcmp(stream.data() + offset[a], stream.data() + offset[b], len) == 0;
  }

  uint64_t Load8(size_t at) const {
    uint64_t x;
    std::memcpy(&x, stream.data() + at, 8);
    return x;
  }

  void Build(const TextUnits& u) {
    const size_t w = u.words.size();
    if (stream.capacity() > (size_t{1} << 24) && stream.capacity() > 8 * u.text.size()) {
      // Give back the buffers one huge document left behind.
      std::string().swap(stream);
      for (auto* v : {&offset, &chars, &word_hash, &prefix, &power, &inverse, &gram_hash})
        std::vector<uint64_t>().swap(*v);
      std::vector<uint32_t>().swap(count);
      std::vector<uint8_t>().swap(prints);
    }
    have_prefix = false;
    // The stream is never longer than the text; words are copied 16 bytes at a time where they
    // fit (the bytes past a word are overwritten by the next one, or are padding).
    stream.resize(u.text.size() + 2 * kPad);
    offset.resize(w + 1);
    chars.resize(w + 1);
    word_hash.resize(w);
    offset[0] = chars[0] = 0;
    char* const out = stream.data();
    size_t at = 0;
    for (size_t i = 0; i < w; ++i) {
      const std::string_view word = u.words[i];
      const size_t len = word.size();
      if (len <= 16 && word.data() + 16 <= u.text.data() + u.text.size()) std::memcpy(out + at, word.data(), 16);
      else std::memcpy(out + at, word.data(), len);
      // The word's hash: its bytes 8 at a time (the last 1-8 masked) and its length.
      uint64_t h = len * kBase;
      size_t k = 0;
      for (; k + 8 < len; k += 8) h = base::Fmix64(h ^ Load8(at + k));
      const uint64_t tail = Load8(at + k) & (~uint64_t{0} >> (64 - 8 * (len - k)));
      word_hash[i] = (h ^ tail) * 0xC2B2AE3D27D4EB4Full;
      at += len;
      offset[i + 1] = at;
      chars[i + 1] = chars[i] + u.word_code_points[i];
    }
    std::memset(out + at, 0, kPad);
  }

  void PrefixHashes() {
    if (have_prefix) return;
    have_prefix = true;
    const size_t w = offset.size() - 1;
    prefix.resize(w + 1);
    power.resize(w + 1);
    inverse.resize(w + 1);
    prefix[0] = 0;
    power[0] = inverse[0] = 1;
    for (size_t i = 0; i < w; ++i) {
      const size_t len = offset[i + 1] - offset[i];
      uint64_t h = prefix[i], p = power[i], q = inverse[i];
      for (size_t k = offset[i]; k < offset[i + 1]; ++k) h = h * kBase + static_cast<unsigned char>(stream[k]);
      if (len < kPowers.size()) {
        p *= kPowers[len];
        q *= kInversePowers[len];
      } else {
        for (size_t k = 0; k < len; ++k) {
          p *= kBase;
          q *= kBaseInverse;
        }
      }
      prefix[i + 1] = h;
      power[i + 1] = p;
      inverse[i + 1] = q;
    }
  }

  // n-grams of words joined with " " (top n-grams: their words must match) or with "" (the
  // stream's bytes, duplicated n-grams).
  void HashGrams(size_t gram, bool boundaries) {
    n = gram;
    word_boundaries = boundaries;
    const size_t grams = offset.size() - n;  // words - n + 1
    gram_hash.resize(grams);
    if (boundaries) {
      for (size_t i = 0; i < grams; ++i) {
        uint64_t h = word_hash[i];
        for (size_t k = 1; k < n; ++k) h = h * 0x100000001b3ull + word_hash[i + k];
        gram_hash[i] = base::Fmix64(h);
      }
      return;
    }
    PrefixHashes();
    for (size_t i = 0; i < grams; ++i) gram_hash[i] = base::Fmix64(prefix[i + n] - prefix[i] * power[i + n] * inverse[i]);
  }

  // datatrove's find_top_duplicate over the n-grams joined with " ": chars of the most
  // frequent one (the first seen among equals, as Counter.most_common) times its count.
  size_t TopNGramChars(size_t gram) {
    HashGrams(gram, /*boundaries=*/true);
    const auto grams = static_cast<uint32_t>(gram_hash.size());
    ResetTable(grams);
    // The winner is the n-gram with the highest count whose first occurrence comes first: a
    // count that passes the best so far takes over; one that equals it wins if it was seen first.
    uint32_t best = 0, best_count = 0;
    count.assign(grams, 0);
    for (uint32_t i = 0; i < grams; ++i) {
      const Slot& slot = Find(i);
      const uint32_t c = ++count[slot.first];
      if (c > best_count || (c == best_count && slot.first < best)) {
        best_count = c;
        best = slot.first;
      }
    }
    top_count = best_count;
    if (best_count == 0) return 0;
    return (chars[best + n] - chars[best] + (n - 1)) * static_cast<size_t>(best_count);
  }

  // The code points of the longest n-gram joined with " " (an upper bound of any n-gram's).
  size_t LongestGramChars(size_t gram) const {
    uint64_t longest = 0;
    for (size_t i = 0; i + gram < chars.size(); ++i) longest = std::max(longest, chars[i + gram] - chars[i]);
    return longest + (gram - 1);
  }

  // Sets bit `h >> print_shift` of seen_bits; true if it was set already.
  bool SeenBefore(uint64_t h) {
    const uint64_t bit = h >> print_shift;
    uint64_t& word = seen_bits[bit >> 6];
    const uint64_t m = uint64_t{1} << (bit & 63);
    const bool seen = (word & m) != 0;
    word |= m;
    return seen;
  }

  // `prints`: for each word boundary e (0..words), whether the 8 (bit kStart8) or 16 (kStart16)
  // bytes of the stream that start at e, and the 8 (kEnd8) or 16 (kEnd16) bytes that end at e,
  // may have started (ended) at an earlier boundary. An n-gram (joined with "") equal to an
  // earlier one shares its first and its last L bytes with it, L = its length, and the earlier
  // one starts and ends at earlier boundaries: so it can repeat only where both bits of its
  // length's print are set (DuplicatedNGramBound). Only a necessary condition: the prints are
  // hashed into one bit set, and a collision sets a bit, never clears one.
  enum PrintBit : uint8_t { kStart8 = 1, kStart16 = 2, kEnd8 = 4, kEnd16 = 8 };
  void FindPrints() {
    const size_t bounds = offset.size();  // words + 1
    size_t bits = 64;
    while (bits < 128 * bounds) bits <<= 1;
    ResetTo(seen_bits, bits / 64);
    print_shift = 64 - static_cast<int>(std::countr_zero(bits));
    prints.assign(bounds, 0);
    for (size_t e = 0; e < bounds; ++e) {
      const size_t at = offset[e];
      uint8_t f = 0;
      const uint64_t a = Load8(at), b = Load8(at + 8);  // the padding keeps these inside
      const uint64_t s8 = a * 0x9E3779B97F4A7C15ull;
      f |= SeenBefore(s8) ? kStart8 : 0;
      f |= SeenBefore((s8 ^ b) * 0xC2B2AE3D27D4EB4Full) ? kStart16 : 0;
      if (at >= 8) {
        const uint64_t e8 = Load8(at - 8) * 0xFF51AFD7ED558CCDull;
        f |= SeenBefore(e8) ? kEnd8 : 0;
        if (at >= 16) f |= SeenBefore((e8 ^ Load8(at - 16)) * 0xC4CEB9FE1A85EC53ull) ? kEnd16 : 0;
      }
      prints[e] = f;
    }
  }

  // An upper bound of DuplicatedNGramChars(gram) from `prints`: the walk's repeats are n-grams
  // that may repeat (FindPrints) and do not overlap, so their chars are at most those of the
  // union of such n-grams.
  size_t DuplicatedNGramBound(size_t gram) const {
    const size_t grams = offset.size() - gram;
    size_t bound = 0, start = 0, end = 0;  // the current run of overlapping n-grams: [start, end)
    for (size_t i = 0; i < grams; ++i) {
      const uint64_t len = offset[i + gram] - offset[i];
      const bool may_repeat = len >= 16  ? (prints[i] & kStart16) && (prints[i + gram] & kEnd16)
                              : len >= 8 ? (prints[i] & kStart8) && (prints[i + gram] & kEnd8)
                                         : true;
      if (!may_repeat) continue;
      if (i > end) {
        bound += chars[end] - chars[start];
        start = i;
      }
      end = i + gram;
    }
    return bound + (chars[end] - chars[start]);
  }

  // datatrove's find_all_duplicate: walk the n-grams (joined with ""); a repeat adds its chars
  // and jumps n words ahead.
  size_t DuplicatedNGramChars(size_t gram) {
    HashGrams(gram, /*boundaries=*/false);
    const size_t grams = gram_hash.size();
    ResetTable(grams);
    size_t repeated = 0;
    for (size_t i = 0; i < grams;) {
      if (Find(static_cast<uint32_t>(i)).first == i) {  // new: inserted now
        ++i;
      } else {
        repeated += chars[i + n] - chars[i];
        i += n;
      }
    }
    return repeated;
  }
};

RepetitionScratch::RepetitionScratch() : impl_(std::make_unique<Impl>()) {}
RepetitionScratch::~RepetitionScratch() = default;

Verdict GopherQuality(const TextUnits& u, const GopherQualityOptions& o, bool stop_word_rule) {
  const size_t n_words = u.words.size();
  size_t non_symbol = 0, non_symbol_chars = 0, alpha = 0;
  for (size_t i = 0; i < n_words; ++i) {
    const uint8_t f = u.word_flags[i];
    if (f & TextUnits::kNonSymbol) {
      ++non_symbol;
      non_symbol_chars += u.word_code_points[i];
    }
    alpha += (f & TextUnits::kAlpha) != 0;
  }
  if (o.min_doc_words && non_symbol < o.min_doc_words) return Drop(kGopherQuality, "gopher_short_doc");
  if (o.max_doc_words && non_symbol > o.max_doc_words) return Drop(kGopherQuality, "gopher_long_doc");
  if (non_symbol > 0) {
    const double avg = static_cast<double>(non_symbol_chars) / static_cast<double>(non_symbol);
    if (o.min_avg_word_length && avg < o.min_avg_word_length) return Drop(kGopherQuality, "gopher_below_avg_threshold");
    if (o.max_avg_word_length && avg > o.max_avg_word_length) return Drop(kGopherQuality, "gopher_above_avg_threshold");
  }
  const std::string_view text = u.text;
  if (n_words > 0 && o.max_symbol_word_ratio) {
    const double n = static_cast<double>(n_words);
    if (static_cast<double>(CountOf(text, "#")) / n > o.max_symbol_word_ratio)
      return Drop(kGopherQuality, "gopher_too_many_hashes");
    if (static_cast<double>(CountOf(text, "...") + CountOf(text, "\u2026")) / n > o.max_symbol_word_ratio)
      return Drop(kGopherQuality, "gopher_too_many_ellipsis");
  }
  if (o.max_bullet_lines_ratio || o.max_ellipsis_lines_ratio) {
    // Reused from document to document (the filters run on one thread each).
    thread_local std::vector<std::string_view> lines;
    SplitLines(text, Trimmed(lines));
    if (!lines.empty()) {
      size_t bullets = 0, ellipsis = 0;
      for (std::string_view line : lines) {
        const std::string_view l = LStrip(line), r = RStrip(line);
        bullets += l.starts_with("\u2022") || l.starts_with("-");
        ellipsis += r.ends_with("...") || r.ends_with("\u2026");
      }
      const double n = static_cast<double>(lines.size());
      if (o.max_bullet_lines_ratio && static_cast<double>(bullets) / n > o.max_bullet_lines_ratio)
        return Drop(kGopherQuality, "gopher_too_many_bullets");
      if (o.max_ellipsis_lines_ratio && static_cast<double>(ellipsis) / n > o.max_ellipsis_lines_ratio)
        return Drop(kGopherQuality, "gopher_too_many_end_ellipsis");
    }
  }
  if (n_words > 0 && o.max_non_alpha_words_ratio &&
      static_cast<double>(alpha) / static_cast<double>(n_words) < o.max_non_alpha_words_ratio)
    return Drop(kGopherQuality, "gopher_below_alpha_threshold");
  if (stop_word_rule && o.min_stop_words) {
    // datatrove: len(stop_words ∩ set(words)) — distinct stop words.
    std::vector<bool> found(o.stop_words.size(), false);
    size_t distinct = 0;
    for (std::string_view w : u.words) {
      for (size_t k = 0; k < o.stop_words.size(); ++k)
        if (!found[k] && w == o.stop_words[k]) {
          found[k] = true;
          ++distinct;
        }
      if (distinct >= o.min_stop_words) break;
    }
    if (distinct < o.min_stop_words) return Drop(kGopherQuality, "gopher_enough_stop_words");
  }
  return Keep();
}

Verdict GopherRepetition(const TextUnits& u, const GopherRepetitionOptions& o, bool word_rules,
                         RepetitionScratch& scratch) {
  RepetitionScratch::Impl& s = scratch.impl();
  const std::string_view text = u.text;
  const double text_chars = static_cast<double>(u.code_points);
  if (text_chars == 0) return Drop(kGopherRepetition, "empty");
  std::vector<std::string_view>& paragraphs = s.paragraphs;
  SplitOnNewlineRuns(Strip(text), 2, Trimmed(paragraphs));
  auto [para_dups, para_chars] = FindDuplicates(paragraphs, s.seen_pieces);
  if (o.dup_para_frac && static_cast<double>(para_dups) / static_cast<double>(paragraphs.size()) > o.dup_para_frac)
    return Drop(kGopherRepetition, "dup_para_frac");
  if (o.dup_para_char_frac && static_cast<double>(para_chars) / text_chars > o.dup_para_char_frac)
    return Drop(kGopherRepetition, "dup_para_char_frac");
  std::vector<std::string_view>& lines = s.lines;
  SplitOnNewlineRuns(text, 1, Trimmed(lines));
  auto [line_dups, line_chars] = FindDuplicates(lines, s.seen_pieces);
  if (o.dup_line_frac && static_cast<double>(line_dups) / static_cast<double>(lines.size()) > o.dup_line_frac)
    return Drop(kGopherRepetition, "dup_line_frac");
  if (o.dup_line_char_frac && static_cast<double>(line_chars) / text_chars > o.dup_line_char_frac)
    return Drop(kGopherRepetition, "dup_line_char_frac");
  if (!word_rules) return Keep();
  const size_t words = u.words.size();
  if (words == 0) return Keep();
  // n-gram indexes are 32-bit: a document of 2^32 words or more (over 8 GB of text) skips the
  // n-gram rules.
  if (words >= UINT32_MAX) return Keep();
  s.Build(u);
  // The most frequent n-gram occurs at most as often as the most frequent m-gram for m < n (equal
  // n-grams have equal m-word prefixes), so the rule's value at n is at most that count times the
  // longest n-gram's length: when even that bound is not over the threshold, the n-gram table is
  // not built (the verdict is the same).
  s.top_counts.clear();
  for (const auto& [n, frac] : o.top_n_grams) {
    if (n < 1 || words < static_cast<size_t>(n)) continue;
    const auto gram = static_cast<size_t>(n);
    uint64_t count_bound = UINT64_MAX;
    for (const auto& [m, count] : s.top_counts)
      if (m < gram) count_bound = std::min<uint64_t>(count_bound, count);
    if (count_bound != UINT64_MAX &&
        !(static_cast<double>(count_bound * s.LongestGramChars(gram)) / text_chars > frac))
      continue;
    const size_t top_chars = s.TopNGramChars(gram);
    s.top_counts.emplace_back(gram, s.top_count);
    if (static_cast<double>(top_chars) / text_chars > frac) return Drop(kGopherRepetition, TopNGramReason(n));
  }
  // A walk runs only when the bound from the prints (FindPrints) could pass its threshold: the
  // same verdict, most walks saved on text that does not repeat itself.
  bool have_prints = false;
  for (const auto& [n, frac] : o.dup_n_grams) {
    if (n < 1 || words < static_cast<size_t>(n)) continue;
    const auto gram = static_cast<size_t>(n);
    if (!have_prints) {
      s.FindPrints();
      have_prints = true;
    }
    if (!(static_cast<double>(s.DuplicatedNGramBound(gram)) / text_chars > frac)) continue;
    if (static_cast<double>(s.DuplicatedNGramChars(gram)) / text_chars > frac)
      return Drop(kGopherRepetition, DupNGramReason(n));
  }
  return Keep();
}

Verdict FineWebQuality(const TextUnits& u, const FineWebQualityOptions& o, bool word_rules) {
  const std::string_view text = u.text;
  // Reused from document to document (the filters run on one thread each).
  thread_local std::vector<std::string_view> pieces, lines;
  thread_local absl::flat_hash_set<std::string_view> seen;
  SplitOnNewlineRuns(text, 1, Trimmed(pieces));
  Trimmed(lines).clear();
  for (std::string_view piece : pieces)
    if (!Strip(piece).empty()) lines.push_back(piece);
  if (lines.empty()) return Drop(kFineWebQuality, "empty");
  const double n = static_cast<double>(lines.size());
  size_t punct = 0, short_lines = 0;
  for (std::string_view line : lines) {
    punct += EndsWithTerminal(line);
    short_lines += CodePoints(line) <= o.short_line_length;
  }
  const double punct_ratio = static_cast<double>(punct) / n;
  if (punct_ratio < o.line_punct_thr && !(punct_ratio == 0 && o.line_punct_exclude_zero))
    return Drop(kFineWebQuality, "line_punct_ratio");
  if (static_cast<double>(short_lines) / n > o.short_line_thr) return Drop(kFineWebQuality, "short_line_ratio");
  const double chars = static_cast<double>(u.code_points - u.newlines);
  if (static_cast<double>(FindDuplicates(lines, seen).second) / chars > o.char_duplicates_ratio)
    return Drop(kFineWebQuality, "char_dup_ratio");
  if (word_rules &&
      (u.words.empty() || static_cast<double>(u.newlines) / static_cast<double>(u.words.size()) > o.new_line_ratio))
    return Drop(kFineWebQuality, "list_ratio");
  return Keep();
}

Verdict GopherQuality(std::string_view text, const GopherQualityOptions& o, bool stop_word_rule) {
  TextUnits u;
  u.Analyze(text, true);
  return GopherQuality(u, o, stop_word_rule);
}

Verdict GopherRepetition(std::string_view text, const GopherRepetitionOptions& o, bool word_rules) {
  TextUnits u;
  u.Analyze(text, word_rules);
  RepetitionScratch s;
  return GopherRepetition(u, o, word_rules, s);
}

Verdict FineWebQuality(std::string_view text, const FineWebQualityOptions& o, bool word_rules) {
  TextUnits u;
  u.Analyze(text, word_rules);
  return FineWebQuality(u, o, word_rules);
}

}  // namespace rwkvkit::corpus::filters

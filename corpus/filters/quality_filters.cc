// corpus/filters/quality_filters.cc — see quality_filters.h.
#include "corpus/filters/quality_filters.h"

#include <array>
#include <cstdint>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "corpus/filters/text_units.h"

namespace rwkvkit::corpus::filters {
namespace {

// datatrove's find_duplicates: (elements seen before, their chars).
std::pair<size_t, size_t> FindDuplicates(const std::vector<std::string_view>& items) {
  absl::flat_hash_set<std::string_view> seen;
  size_t elements = 0, chars = 0;
  for (std::string_view s : items) {
    if (seen.insert(s).second) continue;
    ++elements;
    chars += CodePoints(s);
  }
  return {elements, chars};
}

bool AnyNonPunct(std::string_view w) {
  for (size_t i = 0; i < w.size();)
    if (!IsDatatrovePunct(NextCodePoint(w, i))) return true;
  return false;
}

bool AnyAlpha(std::string_view w) {
  for (size_t i = 0; i < w.size();)
    if (IsAlpha(NextCodePoint(w, i))) return true;
  return false;
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

// datatrove's find_top_duplicate over the n-grams joined with " ": chars of the most frequent
// one (the first seen among equals, as Counter.most_common) times its count.
size_t TopNGramChars(const std::vector<std::string_view>& words, const std::vector<size_t>& lens, size_t n) {
  struct Entry {
    size_t count = 0, first = 0, chars = 0;
  };
  absl::flat_hash_map<std::string, Entry> counts;
  std::string key;
  for (size_t i = 0; i + n <= words.size(); ++i) {
    key.clear();
    size_t chars = n - 1;
    for (size_t k = 0; k < n; ++k) {
      if (k) key.push_back(' ');
      key.append(words[i + k]);
      chars += lens[i + k];
    }
    auto [it, inserted] = counts.try_emplace(key);
    if (inserted) it->second = Entry{0, i, chars};
    ++it->second.count;
  }
  const Entry* best = nullptr;
  for (const auto& [k, e] : counts)
    if (best == nullptr || e.count > best->count || (e.count == best->count && e.first < best->first)) best = &e;
  return best == nullptr ? 0 : best->chars * best->count;
}

// datatrove's find_all_duplicate: walk the n-grams (joined with ""); a repeat adds its chars and
// jumps n words ahead.
size_t DuplicatedNGramChars(const std::vector<std::string_view>& words, const std::vector<size_t>& lens, size_t n) {
  absl::flat_hash_set<std::string> seen;
  std::string key;
  size_t repeated = 0;
  for (size_t i = 0; i + n <= words.size();) {
    key.clear();
    size_t chars = 0;
    for (size_t k = 0; k < n; ++k) {
      key.append(words[i + k]);
      chars += lens[i + k];
    }
    if (seen.contains(key)) {
      repeated += chars;
      i += n;
    } else {
      seen.insert(key);
      ++i;
    }
  }
  return repeated;
}

}  // namespace

Verdict GopherQuality(std::string_view text, const GopherQualityOptions& o, bool stop_word_rule) {
  std::vector<std::string_view> words;
  SplitWords(text, words);
  const size_t n_words = words.size();
  size_t non_symbol = 0, non_symbol_chars = 0;
  for (std::string_view w : words)
    if (AnyNonPunct(w)) {
      ++non_symbol;
      non_symbol_chars += CodePoints(w);
    }
  if (o.min_doc_words && non_symbol < o.min_doc_words) return Drop("gopher_short_doc");
  if (o.max_doc_words && non_symbol > o.max_doc_words) return Drop("gopher_long_doc");
  if (non_symbol > 0) {
    const double avg = static_cast<double>(non_symbol_chars) / static_cast<double>(non_symbol);
    if (o.min_avg_word_length && avg < o.min_avg_word_length) return Drop("gopher_below_avg_threshold");
    if (o.max_avg_word_length && avg > o.max_avg_word_length) return Drop("gopher_above_avg_threshold");
  }
  if (n_words > 0 && o.max_symbol_word_ratio) {
    const double n = static_cast<double>(n_words);
    if (static_cast<double>(CountOf(text, "#")) / n > o.max_symbol_word_ratio) return Drop("gopher_too_many_hashes");
    if (static_cast<double>(CountOf(text, "...") + CountOf(text, "\u2026")) / n > o.max_symbol_word_ratio)
      return Drop("gopher_too_many_ellipsis");
  }
  const std::vector<std::string_view> lines = SplitLines(text);
  if (!lines.empty()) {
    size_t bullets = 0, ellipsis = 0;
    for (std::string_view line : lines) {
      const std::string_view l = LStrip(line), r = RStrip(line);
      bullets += l.starts_with("\u2022") || l.starts_with("-");
      ellipsis += r.ends_with("...") || r.ends_with("\u2026");
    }
    const double n = static_cast<double>(lines.size());
    if (o.max_bullet_lines_ratio && static_cast<double>(bullets) / n > o.max_bullet_lines_ratio)
      return Drop("gopher_too_many_bullets");
    if (o.max_ellipsis_lines_ratio && static_cast<double>(ellipsis) / n > o.max_ellipsis_lines_ratio)
      return Drop("gopher_too_many_end_ellipsis");
  }
  if (n_words > 0 && o.max_non_alpha_words_ratio) {
    size_t alpha = 0;
    for (std::string_view w : words) alpha += AnyAlpha(w);
    if (static_cast<double>(alpha) / static_cast<double>(n_words) < o.max_non_alpha_words_ratio)
      return Drop("gopher_below_alpha_threshold");
  }
  if (stop_word_rule && o.min_stop_words) {
    size_t stop = 0;
    for (std::string_view w : words)
      for (const std::string& s : o.stop_words)
        if (w == s) {
          ++stop;
          break;
        }
    if (stop < o.min_stop_words) return Drop("gopher_enough_stop_words");
  }
  return Keep();
}

Verdict GopherRepetition(std::string_view text, const GopherRepetitionOptions& o, bool word_rules) {
  const double text_chars = static_cast<double>(CodePoints(text));
  if (text_chars == 0) return Keep();
  const std::vector<std::string_view> paragraphs = SplitOnNewlineRuns(Strip(text), 2);
  auto [para_dups, para_chars] = FindDuplicates(paragraphs);
  if (o.dup_para_frac && static_cast<double>(para_dups) / static_cast<double>(paragraphs.size()) > o.dup_para_frac)
    return Drop("dup_para_frac");
  if (o.dup_para_char_frac && static_cast<double>(para_chars) / text_chars > o.dup_para_char_frac)
    return Drop("dup_para_char_frac");
  const std::vector<std::string_view> lines = SplitOnNewlineRuns(text, 1);
  auto [line_dups, line_chars] = FindDuplicates(lines);
  if (o.dup_line_frac && static_cast<double>(line_dups) / static_cast<double>(lines.size()) > o.dup_line_frac)
    return Drop("dup_line_frac");
  if (o.dup_line_char_frac && static_cast<double>(line_chars) / text_chars > o.dup_line_char_frac)
    return Drop("dup_line_char_frac");
  if (!word_rules) return Keep();
  std::vector<std::string_view> words;
  SplitWords(text, words);
  std::vector<size_t> lens(words.size());
  for (size_t i = 0; i < words.size(); ++i) lens[i] = CodePoints(words[i]);
  for (const auto& [n, frac] : o.top_n_grams) {
    if (n < 1 || words.size() < static_cast<size_t>(n)) continue;
    if (static_cast<double>(TopNGramChars(words, lens, static_cast<size_t>(n))) / text_chars > frac)
      return Drop(TopNGramReason(n));
  }
  for (const auto& [n, frac] : o.dup_n_grams) {
    if (n < 1) continue;
    if (static_cast<double>(DuplicatedNGramChars(words, lens, static_cast<size_t>(n))) / text_chars > frac)
      return Drop(DupNGramReason(n));
  }
  return Keep();
}

Verdict FineWebQuality(std::string_view text, const FineWebQualityOptions& o, bool word_rules) {
  std::vector<std::string_view> lines;
  size_t newlines = 0;
  for (std::string_view piece : SplitOnNewlineRuns(text, 1)) {
    if (!Strip(piece).empty()) lines.push_back(piece);
  }
  for (char c : text) newlines += c == '\n';
  if (lines.empty()) return Drop("empty");
  const double n = static_cast<double>(lines.size());
  size_t punct = 0, short_lines = 0;
  for (std::string_view line : lines) {
    punct += EndsWithTerminal(line);
    short_lines += CodePoints(line) <= o.short_line_length;
  }
  const double punct_ratio = static_cast<double>(punct) / n;
  if (punct_ratio < o.line_punct_thr && !(punct_ratio == 0 && o.line_punct_exclude_zero))
    return Drop("line_punct_ratio");
  if (static_cast<double>(short_lines) / n > o.short_line_thr) return Drop("short_line_ratio");
  const double chars = static_cast<double>(CodePoints(text) - newlines);
  if (static_cast<double>(FindDuplicates(lines).second) / chars > o.char_duplicates_ratio) return Drop("char_dup_ratio");
  if (word_rules) {
    std::vector<std::string_view> words;
    SplitWords(text, words);
    if (words.empty() || static_cast<double>(newlines) / static_cast<double>(words.size()) > o.new_line_ratio)
      return Drop("list_ratio");
  }
  return Keep();
}

}  // namespace rwkvkit::corpus::filters

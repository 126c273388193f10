// tests/corpus/filters/quality_filters_test.cc — every rule of the three filters at its exact
// threshold (kept at the threshold, dropped one step past it), with datatrove's reason names.
#include "corpus/filters/quality_filters.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "corpus/filters/document_filters.h"

namespace rwkvkit::corpus::filters {
namespace {

std::string Repeat(const std::string& word, int n, const std::string& sep = " ") {
  std::string s;
  for (int i = 0; i < n; ++i) s += (i ? sep : std::string()) + word;
  return s;
}

// A distinct all-letter word of length 4 for each i < 26^3.
std::string Word(int i) {
  std::string w = "k";
  for (int k = 0; k < 3; ++k, i /= 26) w.push_back(static_cast<char>('a' + i % 26));
  return w;
}

std::string_view Reason(const Verdict& v) { return v.keep() ? "keep" : v.reason; }

std::string_view GQ(const std::string& text, bool stop = false) { return Reason(GopherQuality(text, {}, stop)); }

TEST(GopherQuality, WordCount) {
  EXPECT_EQ(GQ(Repeat("abcd", 49)), "gopher_short_doc");
  EXPECT_EQ(GQ(Repeat("abcd", 50)), "keep");
  EXPECT_EQ(GQ(Repeat("abcd", 50) + " . , !"), "keep");            // symbol words are not words here
  EXPECT_EQ(GQ(Repeat("abcd", 49) + " . , !"), "gopher_short_doc");
  EXPECT_EQ(GQ(Repeat("abcd", 100000)), "keep");
  EXPECT_EQ(GQ(Repeat("abcd", 100001)), "gopher_long_doc");
}

TEST(GopherQuality, MeanWordLength) {
  EXPECT_EQ(GQ(Repeat("abc", 50)), "keep");
  EXPECT_EQ(GQ(Repeat("abc", 49) + " ab"), "gopher_below_avg_threshold");
  EXPECT_EQ(GQ(Repeat("abcdefghij", 50)), "keep");
  EXPECT_EQ(GQ(Repeat("abcdefghij", 49) + " abcdefghijk"), "gopher_above_avg_threshold");
  EXPECT_EQ(GQ(Repeat("äöüß", 50)), "keep");  // code points, not bytes (8 bytes each)
}

TEST(GopherQuality, HashAndEllipsisPerWord) {
  EXPECT_EQ(GQ(Repeat("abcd", 54) + " " + Repeat("#", 6)), "keep");  // 6 / 60 = 0.1
  EXPECT_EQ(GQ(Repeat("abcd", 53) + " " + Repeat("#", 7)), "gopher_too_many_hashes");
  EXPECT_EQ(GQ(Repeat("abcd", 54) + " " + Repeat("\u2026", 6) + " abcd"), "keep");  // 6 / 61
  EXPECT_EQ(GQ(Repeat("abcd", 53) + " " + Repeat("...", 7) + " abcd"), "gopher_too_many_ellipsis");  // 7 / 61
}

TEST(GopherQuality, BulletLines) {
  const std::string line = Repeat("abcd", 6);
  EXPECT_EQ(GQ(Repeat("  - " + line, 9, "\n") + "\n" + line), "keep");  // 9 of 10
  EXPECT_EQ(GQ(Repeat("\u2022 " + line, 10, "\n")), "gopher_too_many_bullets");
}

TEST(GopherQuality, EllipsisLines) {
  const std::string line = Repeat("abcd", 6);
  EXPECT_EQ(GQ(Repeat(line + "...", 3, "\n") + "\n" + Repeat(line, 7, "\n")), "keep");  // 3 of 10
  EXPECT_EQ(GQ(Repeat(line + "\u2026 ", 4, "\n") + "\n" + Repeat(line, 6, "\n")), "gopher_too_many_end_ellipsis");
}

TEST(GopherQuality, AlphabeticWords) {
  EXPECT_EQ(GQ(Repeat("abcd", 48) + " " + Repeat("1234", 12)), "keep");  // 48 / 60 = 0.8
  EXPECT_EQ(GQ(Repeat("abcd", 47) + " " + Repeat("1234", 13)), "gopher_below_alpha_threshold");
}

TEST(GopherQuality, StopWordsOnlyWhenAsked) {
  EXPECT_EQ(GQ(Repeat("abcd", 49) + " the", true), "gopher_enough_stop_words");
  EXPECT_EQ(GQ(Repeat("abcd", 48) + " The With", true), "gopher_enough_stop_words");  // case-sensitive
  EXPECT_EQ(GQ(Repeat("abcd", 48) + " the with", true), "keep");
  EXPECT_EQ(GQ(Repeat("abcd", 48) + " the the", true), "gopher_enough_stop_words");  // distinct, as datatrove
  EXPECT_EQ(GQ(Repeat("abcd", 49) + " the", false), "keep");
}

std::string_view GR(const std::string& text, const GopherRepetitionOptions& o = {}, bool words = false) {
  return Reason(GopherRepetition(text, o, words));
}

TEST(GopherRepetition, DuplicateParagraphs) {
  std::string unique;
  for (int i = 0; i < 6; ++i) absl::StrAppend(&unique, Repeat(Word(i), 8), "\n\n");
  EXPECT_EQ(GR(unique + Repeat("x", 4, "\n\n")), "keep");  // 3 of 10
  std::string five;
  for (int i = 0; i < 5; ++i) absl::StrAppend(&five, Repeat(Word(i), 8), "\n\n");
  EXPECT_EQ(GR(five + Repeat("x", 5, "\n\n")), "dup_para_frac");  // 4 of 10
}

TEST(GopherRepetition, DuplicateParagraphChars) {
  // 5 paragraphs, one repeat of d chars; len(text) = 100.
  auto text = [](int d, const std::string& sep) {
    const int a = (100 - 4 * static_cast<int>(sep.size()) - 2 * d) / 3, rest = 100 - 4 * static_cast<int>(sep.size()) - 2 * d - 2 * a;
    return absl::StrCat(std::string(a, 'a'), sep, std::string(a, 'b'), sep, std::string(rest, 'c'), sep,
                        std::string(d, 'd'), sep, std::string(d, 'd'));
  };
  ASSERT_EQ(text(20, "\n\n").size(), 100u);
  EXPECT_EQ(GR(text(20, "\n\n")), "keep");
  EXPECT_EQ(GR(text(21, "\n\n")), "dup_para_char_frac");
  ASSERT_EQ(text(20, "\n").size(), 100u);
  EXPECT_EQ(GR(text(20, "\n")), "keep");
  EXPECT_EQ(GR(text(21, "\n")), "dup_line_char_frac");
}

TEST(GopherRepetition, DuplicateLines) {
  std::string unique;
  for (int i = 0; i < 6; ++i) absl::StrAppend(&unique, Repeat(Word(i), 8), "\n");
  EXPECT_EQ(GR(unique + Repeat("x", 4, "\n")), "keep");  // 3 of 10
  std::string five;
  for (int i = 0; i < 5; ++i) absl::StrAppend(&five, Repeat(Word(i), 8), "\n");
  EXPECT_EQ(GR(five + Repeat("x", 5, "\n")), "dup_line_frac");
}

TEST(GopherRepetition, TopNGram) {
  GopherRepetitionOptions o;
  o.top_n_grams = {{2, 0.2}};
  o.dup_n_grams = {};
  // "ab cd" twice: 10 chars of a 50-char text is 0.2.
  EXPECT_EQ(GR("ab cd " + std::string(38, 'x') + " ab cd", o, true), "keep");
  EXPECT_EQ(GR("ab cd " + std::string(37, 'x') + " ab cd", o, true), "top_2_gram");
  EXPECT_EQ(GR("ab cd " + std::string(37, 'x') + " ab cd", o, false), "keep");  // no word rules
}

TEST(GopherRepetition, DuplicatedNGrams) {
  GopherRepetitionOptions o;
  o.top_n_grams = {};
  o.dup_n_grams = {{5, 0.15}};
  // "a b c d ee" twice: the repeat's 6 chars (joined without spaces) of 40 is 0.15.
  EXPECT_EQ(GR("a b c d ee " + std::string(18, 'x') + " a b c d ee", o, true), "keep");
  EXPECT_EQ(GR("a b c d ee " + std::string(17, 'x') + " a b c d ee", o, true), "duplicated_5_n_grams");
}

// datatrove's find_top_duplicate, written out: the most common n-gram joined with " " (the first
// seen among equals), its length in code points times its count.
size_t TopDuplicateChars(const std::vector<std::string_view>& words, size_t n) {
  std::map<std::string, std::pair<size_t, size_t>> seen;  // gram -> (count, first index)
  std::vector<std::string> order;
  for (size_t i = 0; i + n <= words.size(); ++i) {
    std::string gram(words[i]);
    for (size_t k = 1; k < n; ++k) gram.append(" ").append(words[i + k]);
    auto [it, fresh] = seen.try_emplace(gram, 0, i);
    ++it->second.first;
  }
  size_t best = 0, best_first = 0, best_chars = 0;
  for (const auto& [gram, cf] : seen)
    if (cf.first > best || (cf.first == best && cf.second < best_first)) {
      best = cf.first;
      best_first = cf.second;
      best_chars = CodePoints(gram);
    }
  return best * best_chars;
}

// Thresholds just under and just over each top-n-gram value of random texts from a small
// vocabulary (so n-grams repeat), with the earlier n just kept: the verdict is the first n whose
// value passes its threshold, as datatrove's loop decides, whichever n-gram tables are skipped.
TEST(GopherRepetition, TopNGramsAgainstTheirDefinition) {
  const std::vector<std::string> vocab = {"a", "of", "the", "river", "ünïcode", "x", "stone", "é", "long-word",
                                          "zz", "mountain", "b"};
  std::mt19937 rng(7);
  int checked = 0;
  for (int doc = 0; doc < 300; ++doc) {
    const size_t len = 5 + rng() % 120;
    const size_t distinct = 2 + rng() % (vocab.size() - 1);
    std::string text;
    for (size_t i = 0; i < len; ++i) text += (i ? " " : "") + vocab[rng() % distinct];
    std::vector<std::string_view> words;
    SplitWords(text, words);
    const double chars = static_cast<double>(CodePoints(text));
    double value[5] = {};
    for (size_t n = 2; n <= 4; ++n) value[n] = static_cast<double>(TopDuplicateChars(words, n)) / chars;
    for (size_t target = 2; target <= 4; ++target) {
      for (const double nudge : {-1e-9, 0.0, 1e-9}) {
        GopherRepetitionOptions o;
        o.dup_n_grams = {};
        o.dup_line_frac = o.dup_para_frac = o.dup_line_char_frac = o.dup_para_char_frac = 1;
        o.top_n_grams.clear();
        for (size_t n = 2; n <= 4; ++n)  // earlier n kept at their value, later ones at 1 (never)
          o.top_n_grams.push_back({static_cast<int>(n), n < target ? value[n] : n == target ? value[n] + nudge : 1.0});
        std::string want = "keep";
        for (const auto& [n, frac] : o.top_n_grams)
          if (value[n] > frac) {
            want = absl::StrCat("top_", n, "_gram");
            break;
          }
        EXPECT_EQ(GR(text, o, true), want) << text << " target " << target << " nudge " << nudge;
        ++checked;
      }
    }
  }
  EXPECT_EQ(checked, 2700);
}

// datatrove's find_all_duplicate, written out: walk the n-grams joined with "" (a set of those
// seen); a repeat adds its length in code points and jumps n words ahead.
size_t AllDuplicateChars(const std::vector<std::string_view>& words, size_t n) {
  std::set<std::string> seen;
  size_t repeated = 0;
  for (size_t i = 0; i + n <= words.size();) {
    std::string gram;
    for (size_t k = 0; k < n; ++k) gram.append(words[i + k]);
    if (seen.insert(gram).second) {
      ++i;
    } else {
      repeated += CodePoints(gram);
      i += n;
    }
  }
  return repeated;
}

// Thresholds just under (not below 0), at and just over each duplicated-n-gram value (n = 5..10) of random
// texts whose words also repeat across shifted boundaries ("ab c" and "a bc" join alike), long
// runs copied from earlier in the text, and short and long words (the 8- and 16-byte prints of
// the walk-skipping bound): the verdict is the first n whose value passes its threshold, as
// datatrove's loop decides. One scratch serves all texts, large and small, in turn.
TEST(GopherRepetition, DuplicatedNGramsAgainstTheirDefinition) {
  const std::vector<std::string> vocab = {"a",     "bc",   "ab",  "c",   ",",     "é",  "ünïcode-strings",
                                          "river", "of",   "the", "x",   "stone", ".",  "mountainside",
                                          "zz",    "ü",    "de",  "la",  "extraordinarily-long-words"};
  std::mt19937 rng(11);
  RepetitionScratch scratch;
  TextUnits units;
  int checked = 0, dropped = 0;
  for (int doc = 0; doc < 240; ++doc) {
    const size_t len = 5 + rng() % (doc % 3 == 0 ? 900 : 90);
    const size_t distinct = 2 + rng() % (vocab.size() - 1);
    std::vector<std::string> picked;
    for (size_t i = 0; i < len; ++i) {
      if (picked.size() > 12 && rng() % 40 == 0) {  // copy a run of earlier words
        const size_t from = rng() % (picked.size() - 6), run = 3 + rng() % 12;
        for (size_t k = 0; k < run && from + k < picked.size(); ++k) picked.push_back(picked[from + k]);
        continue;
      }
      picked.push_back(rng() % 3 == 0 ? Word(static_cast<int>(rng() % 5000)) : vocab[rng() % distinct]);
    }
    std::string text;
    for (const std::string& w : picked) text += (text.empty() ? "" : " ") + w;
    std::vector<std::string_view> words;
    SplitWords(text, words);
    const double chars = static_cast<double>(CodePoints(text));
    std::map<int, double> value;
    for (int n = 5; n <= 10; ++n) value[n] = static_cast<double>(AllDuplicateChars(words, static_cast<size_t>(n))) / chars;
    for (int target = 5; target <= 10; ++target) {
      for (const double nudge : {-1e-9, 0.0, 1e-9}) {
        GopherRepetitionOptions o;
        o.top_n_grams = {};
        o.dup_line_frac = o.dup_para_frac = o.dup_line_char_frac = o.dup_para_char_frac = 1;
        o.dup_n_grams.clear();
        for (int n = 5; n <= 10; ++n)  // earlier n kept at their value, later ones at 1 (never)
          o.dup_n_grams.push_back({n, n < target ? value[n] : n == target ? std::max(0.0, value[n] + nudge) : 1.0});
        std::string want = "keep";
        for (const auto& [n, frac] : o.dup_n_grams)
          if (value[n] > frac) {
            want = absl::StrCat("duplicated_", n, "_n_grams");
            break;
          }
        units.Analyze(text, true);
        EXPECT_EQ(Reason(GopherRepetition(units, o, true, scratch)), want)
            << text << " target " << target << " nudge " << nudge;
        dropped += want != "keep";
        ++checked;
      }
    }
    // The defaults, against the written-out values.
    std::string want = "keep";
    for (const auto& [n, frac] : GopherRepetitionOptions{}.dup_n_grams)
      if (value[n] > frac) {
        want = absl::StrCat("duplicated_", n, "_n_grams");
        break;
      }
    GopherRepetitionOptions o;
    o.top_n_grams = {};
    o.dup_line_frac = o.dup_para_frac = o.dup_line_char_frac = o.dup_para_char_frac = 1;
    units.Analyze(text, true);
    EXPECT_EQ(Reason(GopherRepetition(units, o, true, scratch)), want) << text;
  }
  EXPECT_EQ(checked, 240 * 18);
  EXPECT_GT(dropped, 240 * 3);  // most texts repeat some n-gram: their thresholds just under drop
}

TEST(GopherRepetition, DefaultsKeepOrdinaryProse) {
  std::string text;
  for (int i = 0; i < 300; ++i) absl::StrAppend(&text, Word(i), i % 12 == 11 ? ".\n\n" : " ");
  EXPECT_EQ(GR(text, {}, true), "keep");
}

std::string_view FW(const std::string& text, bool words = true) { return Reason(FineWebQuality(text, {}, words)); }

// A distinct line of exactly `len` code points (len >= 12), ending with `end`.
std::string Line(int i, int len, const std::string& end = ".") {
  std::string s = Word(i) + " ";
  while (static_cast<int>(s.size()) < len - 1) s += (s.size() % 6 == 5) ? ' ' : 'a';
  s.resize(static_cast<size_t>(len - 1));
  if (s.back() == ' ') s.back() = 'a';
  return s + end;
}

TEST(FineWebQuality, Empty) { EXPECT_EQ(FW("\n \n\t"), "empty"); }

TEST(FineWebQuality, LinePunctuation) {
  std::string keep, drop;
  for (int i = 0; i < 25; ++i) absl::StrAppend(&keep, Line(i, 60, i < 3 ? "." : "a"), "\n\n");  // 3 of 25 = 0.12
  for (int i = 0; i < 25; ++i) absl::StrAppend(&drop, Line(i, 60, i < 2 ? "\u3002" : "a"), "\n");  // 2 of 25
  EXPECT_EQ(FW(keep), "keep");
  EXPECT_EQ(FW(drop), "line_punct_ratio");
}

TEST(FineWebQuality, ShortLines) {
  std::string keep, drop;
  for (int i = 0; i < 100; ++i) absl::StrAppend(&keep, Line(i, i < 67 ? 30 : 31), "\n");  // 67 of 100 <= 30 chars
  for (int i = 0; i < 100; ++i) absl::StrAppend(&drop, Line(i, i < 68 ? 30 : 31), "\n");
  EXPECT_EQ(FW(keep), "keep");
  EXPECT_EQ(FW(drop), "short_line_ratio");
}

TEST(FineWebQuality, DuplicateLineChars) {
  // 1000 chars besides the '\n's; a line of d chars repeated once.
  auto text = [](int d) {
    std::string s;
    int left = 1000 - 2 * d;
    for (int i = 0; left > 0; ++i) {
      const int len = std::min(left, 98);
      absl::StrAppend(&s, Line(i, len), "\n");
      left -= len;
    }
    return absl::StrCat(s, Line(999, d), "\n", Line(999, d));
  };
  EXPECT_EQ(FW(text(10)), "keep");
  EXPECT_EQ(FW(text(11)), "char_dup_ratio");
}

TEST(FineWebQuality, NewlinesPerWord) {
  const std::string l = std::string(33, 'q');
  // 3 '\n' and 10 words ("." is a word): 0.3.
  const std::string keep = absl::StrCat(l, "a.\n", l, "b.\n", l, "c x.\n", l, "d y.");
  EXPECT_EQ(FW(keep), "keep");
  const std::string drop = absl::StrCat(keep, "\n", l, "e z.");  // 4 / 13
  EXPECT_EQ(FW(drop), "list_ratio");
  EXPECT_EQ(FW(drop, /*words=*/false), "keep");
}

TEST(FilterDocument, DisabledFiltersAndLanguageLists) {
  FilterOptions o;
  LanguageGuess lang;
  // Repetition runs first (FineWeb's order): "x =" is half of the 6 characters.
  EXPECT_EQ(Reason(FilterDocument("x = 1\n", o, lang)), "top_2_gram");
  o.gopher_repetition = false;
  EXPECT_EQ(Reason(FilterDocument("x = 1\n", o, lang)), "gopher_short_doc");
  o.gopher_quality = o.gopher_repetition = o.fineweb_quality = false;  // what a code source gets
  EXPECT_EQ(Reason(FilterDocument("x = 1\n", o, lang)), "keep");
  const std::string german = "Der schnelle braune Fuchs springt über den faulen Hund, und die Katze schläft "
                             "ruhig auf dem warmen Sofa im Wohnzimmer des alten Hauses.";
  o.keep_languages = {"en"};
  const Verdict v = FilterDocument(german, o, lang);
  EXPECT_EQ(lang.code, "de");
  EXPECT_EQ(v.filter, "language");
  o.keep_languages = {"de"};
  EXPECT_EQ(Reason(FilterDocument(german, o, lang)), "keep");
  o.drop_languages = {"de"};
  EXPECT_EQ(Reason(FilterDocument(german, o, lang)), "language");
  FilterOptions z;
  z.keep_languages = {"zh"};
  EXPECT_TRUE(LanguageAllowed("zh-Hant", z));
  EXPECT_TRUE(LanguageAllowed("zh", z));
  EXPECT_FALSE(LanguageAllowed("zhx", z));
}

}  // namespace
}  // namespace rwkvkit::corpus::filters

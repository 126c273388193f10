// tests/corpus/filters/c4_filter_test.cc — each rule of the C4 quality filter, the line removal
// and the sentence count (the per-document comparison with datatrove is datatrove_oracle_test.py).
#include "corpus/filters/c4_filter.h"

#include <gtest/gtest.h>

#include <string>

namespace rwkvkit::corpus::filters {
namespace {

struct Result {
  std::string reason;  // "keep" or the drop reason
  std::string text;    // the edited text when kept
  C4LineCounts lines;
};

Result C4(const std::string& text, const C4QualityOptions& o = {}) {
  Result r;
  const Verdict v = C4Quality(text, o, &r.text, &r.lines);
  r.reason = v.keep() ? "keep" : std::string(v.reason);
  if (!v.keep()) {
    EXPECT_EQ(v.filter, "c4");
  }
  return r;
}

const std::string kFive = "One two three. Four five six. Seven eight nine. Ten eleven twelve. End of it.";

TEST(C4Filter, SentenceCount) {
  EXPECT_EQ(CountSentences("One. Two! Three? Four"), 4u);
  EXPECT_EQ(CountSentences("He said \"stop.\" Then left."), 2u);
  EXPECT_EQ(CountSentences("Pi is 3.14 or so."), 1u);  // no space after the period
  EXPECT_EQ(CountSentences("Wait... what?!  Yes."), 3u);
  EXPECT_EQ(CountSentences("Trailing. "), 1u);
  EXPECT_EQ(CountSentences(""), 1u);
}

TEST(C4Filter, KeepsFiveSentencesDropsFour) {
  EXPECT_EQ(C4(kFive).reason, "keep");
  EXPECT_EQ(C4(kFive).text, kFive);
  EXPECT_EQ(C4("One two three. Four five six. Seven eight nine. Ten eleven twelve.").reason, "too_few_sentences");
}

TEST(C4Filter, RemovesLinesAndCountsThem) {
  const std::string text = "  " + kFive + "  \nno terminal punctuation here\nTwo words.\n" +
                           "Enable JavaScript to see this.\nRead our Privacy Policy now.\n" + std::string(1001, 'a') +
                           " b c.\nEllipsis at the end...\n";
  const Result r = C4(text);
  EXPECT_EQ(r.reason, "keep");
  EXPECT_EQ(r.text, kFive);
  EXPECT_EQ(r.lines.no_terminal_punct, 2u);
  EXPECT_EQ(r.lines.too_few_words, 1u);
  EXPECT_EQ(r.lines.javascript, 1u);
  EXPECT_EQ(r.lines.policy, 1u);
  EXPECT_EQ(r.lines.too_long_word, 1u);
  EXPECT_EQ(C4(std::string(1000, 'a') + " b c. " + kFive).reason, "keep");  // 1000 chars is not too long
}

TEST(C4Filter, Citations) {
  EXPECT_EQ(C4("One [1] two [edit] three. Four [citation needed] five six. Seven eight nine. Ten [] eleven "
                "twelve. End of it[23].")
                .text,
            "One  two  three. Four  five six. Seven eight nine. Ten  eleven twelve. End of it.");
  // A citation at the end leaves a line that no longer ends in punctuation.
  EXPECT_EQ(C4(kFive + " [2]").reason, "too_few_sentences");
  C4QualityOptions keep_citations;
  keep_citations.remove_citations = false;
  EXPECT_EQ(C4("[1] " + kFive, keep_citations).text, "[1] " + kFive);
}

TEST(C4Filter, DocumentRules) {
  EXPECT_EQ(C4(kFive + "\nLorem Ipsum dolor sit amet.").reason, "lorem_ipsum");
  EXPECT_EQ(C4(kFive + "\nA {curly} bracket here.").reason, "curly_bracket");
  EXPECT_EQ(C4(kFive + "\nA {curly} bracket here").reason, "keep");  // that line goes first (no punctuation)
  EXPECT_EQ(C4(kFive + "\nWe use Coo\u212Aies here.").lines.policy, 1u);  // KELVIN SIGN lowercases to k
  C4QualityOptions off;
  off.filter_lorem_ipsum = off.filter_curly_bracket = false;
  EXPECT_EQ(C4(kFive + "\nLorem ipsum {x} sit amet.", off).reason, "keep");
}

TEST(C4Filter, OptionsOff) {
  C4QualityOptions o;
  o.filter_no_terminal_punct = false;
  o.min_num_sentences = -1;
  o.min_words_per_line = -1;
  o.max_word_length = -1;
  const Result r = C4("a\n\n b \n" + std::string(2000, 'x'), o);
  EXPECT_EQ(r.reason, "keep");
  EXPECT_EQ(r.text, "a\n\nb\n" + std::string(2000, 'x'));
  EXPECT_EQ(r.lines.Total(), 0u);
}

}  // namespace
}  // namespace rwkvkit::corpus::filters

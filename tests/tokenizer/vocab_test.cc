// tests/tokenizer/vocab_test.cc — the vocab file grammar (tokenizer/vocab.h).
#include "tokenizer/vocab.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/tokenizer/test_vocab.h"

namespace rwkvkit::tokenizer {
namespace {

std::string Lit(std::string_view s) {
  absl::StatusOr<std::string> r = DecodePythonLiteral(s);
  EXPECT_TRUE(r.ok()) << s << ": " << r.status();
  return r.ok() ? *r : std::string("<error>");
}

TEST(DecodePythonLiteral, StrAndBytesQuotes) {
  EXPECT_EQ(Lit("'abc'"), "abc");
  EXPECT_EQ(Lit("\"it's\""), "it's");
  EXPECT_EQ(Lit("'\"\\''"), "\"'");
  EXPECT_EQ(Lit(" 'a b ' "), "a b ");  // surrounding spaces, inner spaces kept
  EXPECT_EQ(Lit("b'xyz'"), "xyz");
}

TEST(DecodePythonLiteral, HexEscapeMeansCodePointInStrButByteInBytes) {
  EXPECT_EQ(Lit("'\\x80'"), "\xC2\x80");  // str: U+0080, two UTF-8 bytes (World id 2423)
  EXPECT_EQ(Lit("'\\xa0'"), "\xC2\xA0");
  EXPECT_EQ(Lit("b'\\x80'"), "\x80");  // bytes: one raw byte (World id 129)
  EXPECT_EQ(Lit("b'\\xf0\\x9f'"), "\xF0\x9F");
  EXPECT_EQ(Lit("'\\x41'"), "A");
}

TEST(DecodePythonLiteral, AllEscapes) {
  EXPECT_EQ(Lit("'\\n\\t\\r\\\\'"), "\n\t\r\\");
  EXPECT_EQ(Lit("'\\a\\b\\f\\v'"), "\a\b\f\v");
  EXPECT_EQ(Lit("'\\u3000'"), "\xE3\x80\x80");
  EXPECT_EQ(Lit("'\\ufeff'"), "\xEF\xBB\xBF");
  EXPECT_EQ(Lit("'\\U0001F600'"), "\xF0\x9F\x98\x80");
  EXPECT_EQ(Lit("'\\0'"), std::string(1, '\0'));
  EXPECT_EQ(Lit("'\\101\\7'"), "A\x07");
  EXPECT_EQ(Lit("'\\q'"), "\\q");      // unknown escape: Python keeps the backslash
  EXPECT_EQ(Lit("b'\\u00e9'"), "\\u00e9");  // \u is not an escape in bytes
  EXPECT_EQ(Lit("r'\\n'"), "\\n");
}

TEST(DecodePythonLiteral, VerbatimUtf8AndAdjacentLiterals) {
  EXPECT_EQ(Lit("'今天'"), "今天");
  EXPECT_EQ(Lit("'ab' 'cd'"), "abcd");
}

TEST(ParseVocab, SyntheticVocabWithCrlf) {
  std::string text = testing::SyntheticVocabText({"ab", "abc"});
  std::string crlf;
  for (const char c : text) {
    if (c == '\n') crlf += '\r';
    crlf += c;
  }
  absl::StatusOr<Vocab> v = ParseVocab(crlf, "synthetic");
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(v->entries, 258u);
  EXPECT_EQ(v->tokens.size(), 259u);
  EXPECT_EQ(v->tokens[1], std::string(1, '\0'));
  EXPECT_EQ(v->tokens[256], "\xFF");
  EXPECT_EQ(v->tokens[258], "abc");
  EXPECT_FALSE(v->present[0]);
}

TEST(ParseVocab, WorldVocabFacts) {
  RWKVKIT_REQUIRE_WORLD_VOCAB(path);
  absl::StatusOr<Vocab> v = LoadVocabFile(*path);
  ASSERT_TRUE(v.ok()) << v.status();
  // Facts of the vocab file (docs/tokenizer.md "Vocab grammar"), read off the file independently of this parser.
  EXPECT_EQ(v->entries, 65529u);
  EXPECT_EQ(v->tokens.size(), 65530u);
  EXPECT_EQ(v->tokens[1], std::string(1, '\0'));
  EXPECT_EQ(v->tokens[129], "\x80");                 // b'\x80'
  EXPECT_EQ(v->tokens[2423], "\xC2\x80");             // '\x80' in a str literal
  EXPECT_EQ(v->tokens[3319], "\xF0\x9F");             // emoji lead pair
  EXPECT_EQ(v->tokens[65529], std::string(128, ' '));  // the longest token
  size_t total = 0;
  for (const std::string& t : v->tokens) total += t.size();
  EXPECT_EQ(total, 373358u);
}

}  // namespace
}  // namespace rwkvkit::tokenizer

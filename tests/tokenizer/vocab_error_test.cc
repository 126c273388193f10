// tests/tokenizer/vocab_error_test.cc — malformed vocab files: code and location.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/tokenizer/test_vocab.h"
#include "tokenizer/vocab.h"

namespace rwkvkit::tokenizer {
namespace {

using ::testing::HasSubstr;

// The synthetic vocab (256 byte lines) with `line` appended as line 257.
absl::Status ParseWithExtraLine(const std::string& line) {
  return ParseVocab(testing::SyntheticVocabText({}) + line + "\n", "v.txt").status();
}

void ExpectError(const absl::Status& s, absl::StatusCode code, const std::string& where, const std::string& what) {
  EXPECT_EQ(s.code(), code) << s;
  EXPECT_THAT(std::string(s.message()), HasSubstr(where)) << s;
  EXPECT_THAT(std::string(s.message()), HasSubstr(what)) << s;
}

TEST(VocabErrors, MalformedLines) {
  const auto kInvalid = absl::StatusCode::kInvalidArgument;
  ExpectError(ParseWithExtraLine("257"), kInvalid, "v.txt:257:", "expected `<id> <literal> <length>`");
  ExpectError(ParseWithExtraLine("x 'ab' 2"), kInvalid, "v.txt:257:", "id is not a decimal number");
  ExpectError(ParseWithExtraLine("257 'ab' two"), kInvalid, "v.txt:257:", "length is not a decimal number");
  ExpectError(ParseWithExtraLine("257 'ab' 3"), kInvalid, "v.txt:257:", "declared length 3 but the literal has 2 bytes");
  ExpectError(ParseWithExtraLine("257 'ab 2"), kInvalid, "v.txt:257:", "unterminated");
  ExpectError(ParseWithExtraLine("257 ab 2"), kInvalid, "v.txt:257:", "not a Python string literal");
  ExpectError(ParseWithExtraLine("257 '\\x4' 1"), kInvalid, "v.txt:257:", "two hex digits");
  ExpectError(ParseWithExtraLine("257 '\\ud800' 3"), kInvalid, "v.txt:257:", "surrogate");
  ExpectError(ParseWithExtraLine("257 b'\xC3\xA9' 2"), kInvalid, "v.txt:257:", "non-ASCII");
  ExpectError(ParseWithExtraLine("257 '\xC3' 1"), kInvalid, "v.txt:257:", "invalid UTF-8");
  ExpectError(ParseWithExtraLine("0 'ab' 2"), kInvalid, "v.txt:257:", "outside 1..65535");
  ExpectError(ParseWithExtraLine("65536 'ab' 2"), kInvalid, "v.txt:257:", "outside 1..65535");
  ExpectError(ParseWithExtraLine("257 '' 0"), kInvalid, "v.txt:257:", "empty token");
  ExpectError(ParseWithExtraLine(""), kInvalid, "v.txt:257:", "expected");
}

TEST(VocabErrors, DuplicatesAndMissingBytes) {
  ExpectError(ParseWithExtraLine("5 'ab' 2"), absl::StatusCode::kInvalidArgument, "v.txt:257:", "id 5 is defined twice");
  ExpectError(ParseWithExtraLine("257 'a' 1"), absl::StatusCode::kInvalidArgument, "v.txt:",
              "ids 98 and 257 have the same bytes");
  std::string text = testing::SyntheticVocabText({});
  text.erase(0, text.find('\n') + 1);  // drop the line of byte 0x00
  ExpectError(ParseVocab(text, "v.txt").status(), absl::StatusCode::kInvalidArgument, "v.txt:",
              "byte 0x00 has no single-byte token");
  ExpectError(ParseVocab("", "v.txt").status(), absl::StatusCode::kInvalidArgument, "v.txt", "no entries");
}

TEST(VocabErrors, MissingFile) {
  const absl::StatusOr<Vocab> v = LoadVocabFile("/nonexistent/rwkvkit/vocab.txt");
  EXPECT_EQ(v.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(v.status().message()), HasSubstr("/nonexistent/rwkvkit/vocab.txt"));
}

}  // namespace
}  // namespace rwkvkit::tokenizer

// tests/tokenizer/utf8_stream_decoder_test.cc — streaming UTF-8 decode, strict and replace.
// Expected replacements follow Python's bytes.decode('utf-8', 'replace') (the Unicode
// maximal-subpart practice); the cases below were checked with CPython 3.11.
#include "tokenizer/utf8_stream_decoder.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace rwkvkit::tokenizer {
namespace {

using ::testing::HasSubstr;

const std::string kFffd = "\xEF\xBF\xBD";

std::string ReplaceAll(std::string_view bytes) {
  Utf8StreamDecoder d(Utf8Mode::kReplace);
  std::string out;
  EXPECT_TRUE(d.Feed(bytes, out).ok());
  EXPECT_TRUE(d.Finish(out).ok());
  return out;
}

std::string ReplaceByteByByte(std::string_view bytes) {
  Utf8StreamDecoder d(Utf8Mode::kReplace);
  std::string out;
  for (const char c : bytes) EXPECT_TRUE(d.Feed(std::string_view(&c, 1), out).ok());
  EXPECT_TRUE(d.Finish(out).ok());
  return out;
}

TEST(Utf8StreamDecoder, HoldsBackASplitCharacter) {
  // '😀' is the World tokens [3319, 153, 129] = F0 9F | 98 | 80.
  Utf8StreamDecoder d(Utf8Mode::kStrict);
  std::string out;
  ASSERT_TRUE(d.Feed("a\xF0\x9F", out).ok());
  EXPECT_EQ(out, "a");
  EXPECT_EQ(d.pending(), 2u);
  ASSERT_TRUE(d.Feed("\x98", out).ok());
  EXPECT_EQ(out, "a");
  ASSERT_TRUE(d.Feed("\x80!", out).ok());
  EXPECT_EQ(out, "a\xF0\x9F\x98\x80!");
  EXPECT_EQ(d.pending(), 0u);
  EXPECT_TRUE(d.Finish(out).ok());
}

TEST(Utf8StreamDecoder, ReplacesMaximalSubparts) {
  EXPECT_EQ(ReplaceAll("\xF0\x9F\x98" "A"), kFffd + "A");              // truncated 4-byte sequence: one U+FFFD
  EXPECT_EQ(ReplaceAll("\xC0\xAF"), kFffd + kFffd);                     // overlong: C0 is never a lead byte
  EXPECT_EQ(ReplaceAll("\xED\xA0\x80"), kFffd + kFffd + kFffd);          // encoded surrogate
  EXPECT_EQ(ReplaceAll("\xF4\x90\x80\x80"), kFffd + kFffd + kFffd + kFffd);  // above U+10FFFF
  EXPECT_EQ(ReplaceAll("\x80" "x\xFF"), kFffd + "x" + kFffd);
  EXPECT_EQ(ReplaceAll("\xE4\xBD"), kFffd);                             // cut by the end of the stream
  EXPECT_EQ(ReplaceAll("\xE4\xBD\xA0"), "\xE4\xBD\xA0");
}

TEST(Utf8StreamDecoder, ChunkingDoesNotChangeTheResult) {
  const std::string mixed = "ok \xF0\x9F\x98\x80 \xE4\xBD\xA0\xE5 \xC3\x28 \xF0\x9F \xED\xA0\x80 \xE2\x82\xAC end\xE2\x82";
  EXPECT_EQ(ReplaceByteByByte(mixed), ReplaceAll(mixed));
}

TEST(Utf8StreamDecoder, StrictNamesTheOffset) {
  Utf8StreamDecoder d(Utf8Mode::kStrict);
  std::string out;
  ASSERT_TRUE(d.Feed("abc\xE4", out).ok());
  const absl::Status s = d.Feed("\x28", out);
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(std::string(s.message()), HasSubstr("byte 3"));
  Utf8StreamDecoder e(Utf8Mode::kStrict);
  std::string out2;
  ASSERT_TRUE(e.Feed("xy\xF0\x9F", out2).ok());
  const absl::Status f = e.Finish(out2);
  EXPECT_EQ(f.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(std::string(f.message()), HasSubstr("byte 2"));
}

}  // namespace
}  // namespace rwkvkit::tokenizer

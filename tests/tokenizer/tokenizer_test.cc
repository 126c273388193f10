// tests/tokenizer/tokenizer_test.cc — encode/decode against an independent naive encoder
// and against ids published for the reference tokenizer (docs/tokenizer.md "Verification").
#include "tokenizer/tokenizer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>

#include "tests/tokenizer/naive_encoder.h"
#include "tests/tokenizer/test_vocab.h"

namespace rwkvkit::tokenizer {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

Tokenizer SyntheticTokenizer(const std::vector<std::string>& extra) {
  absl::StatusOr<Vocab> v = ParseVocab(testing::SyntheticVocabText(extra), "synthetic");
  EXPECT_TRUE(v.ok()) << v.status();
  absl::StatusOr<Tokenizer> t = Tokenizer::FromVocab(*std::move(v));
  EXPECT_TRUE(t.ok()) << t.status();
  return *std::move(t);
}

TEST(Tokenizer, GreedyLongestMatchNotBestSegmentation) {
  // "abcd" with tokens ab, abc, cd: greedy takes abc then d (BPE-like or shortest-total
  // segmentations would give ab|cd).
  Tokenizer t = SyntheticTokenizer({"ab", "abc", "cd"});
  EXPECT_THAT(t.Encode("abcd"), ElementsAre(258, 'd' + 1));
  EXPECT_THAT(t.Encode("abab"), ElementsAre(257, 257));
  EXPECT_THAT(t.Encode(""), ElementsAre());
  // A prefix of a token that is not itself a token falls back to the longest token on the path.
  Tokenizer u = SyntheticTokenizer({"abcdef"});
  EXPECT_THAT(u.Encode("abcdx"), ElementsAre('a' + 1, 'b' + 1, 'c' + 1, 'd' + 1, 'x' + 1));
  EXPECT_THAT(u.Encode("abcdefabcde"), ElementsAre(257, 'a' + 1, 'b' + 1, 'c' + 1, 'd' + 1, 'e' + 1));
}

TEST(Tokenizer, SyntheticMatchesNaiveOnRandomInput) {
  std::mt19937_64 rng(7);
  std::vector<std::string> extra;
  for (int i = 0; i < 3000; ++i) {
    std::string tok;
    for (int k = 0, n = 2 + static_cast<int>(rng() % 6); k < n; ++k) tok.push_back("abcd \xE4\xBD\xA0"[rng() % 8]);
    if (std::find(extra.begin(), extra.end(), tok) == extra.end()) extra.push_back(tok);
  }
  absl::StatusOr<Vocab> v = ParseVocab(testing::SyntheticVocabText(extra), "synthetic");
  ASSERT_TRUE(v.ok()) << v.status();
  const testing::NaiveEncoder naive(*v);
  absl::StatusOr<Tokenizer> t = Tokenizer::FromVocab(*v);
  ASSERT_TRUE(t.ok());
  for (int round = 0; round < 200; ++round) {
    std::string s;
    for (int k = 0, n = static_cast<int>(rng() % 300); k < n; ++k) s.push_back("abcd \xE4\xBD\xA0\x01"[rng() % 9]);
    ASSERT_EQ(t->Encode(s), naive.Encode(s)) << "round " << round;
  }
}

TEST(Tokenizer, WorldVocabPublishedIds) {
  RWKVKIT_REQUIRE_WORLD_VOCAB(path);
  absl::StatusOr<Tokenizer> t = Tokenizer::Load(*path);
  ASSERT_TRUE(t.ok()) << t.status();
  // Ids published for the reference tokenizer (cahya-wirawan/rwkv-tokenizer tests, BBuf#6,
  // the 2026 HF conversion probes), listed in docs/tokenizer.md "Verification".
  EXPECT_THAT(t->Encode("Today is a beautiful day. 今天是美好的一天。"),
              ElementsAre(33520, 4600, 332, 59219, 21509, 47, 33, 10381, 11639, 13091, 15597, 11685, 14734, 10250,
                          11639, 10080));
  EXPECT_THAT(t->Encode("Another sentence."), ElementsAre(48358, 57192, 47));
  EXPECT_THAT(t->Encode(" Hello"), ElementsAre(36786));
  EXPECT_THAT(t->Encode("Hello "), ElementsAre(33155, 33));
  EXPECT_THAT(t->Encode("RWKV-7 tokenizer"), ElementsAre(1413, 1184, 46, 56, 60656));
  EXPECT_THAT(t->Encode(" hello\n"), ElementsAre(38685, 11));
  EXPECT_THAT(t->Encode("你好，世界！"), ElementsAre(10464, 11685, 19137, 10267, 14610, 19126));
  EXPECT_THAT(t->Encode(std::string("a\x00" "b\t\r\n", 6)), ElementsAre(98, 1, 99, 10, 263));
  EXPECT_THAT(t->Encode("\xF0\x9F\x98\x80"), ElementsAre(3319, 153, 129));  // 😀
  EXPECT_THAT(t->Encode(std::string(130, ' ')), ElementsAre(65529, 267));  // checked with the rwkv package
  EXPECT_EQ(t->vocab_size(), 65530u);
  EXPECT_EQ(t->max_token_bytes(), 128u);
  EXPECT_LT(t->MemoryBytes(), 8u << 20);  // "a few MB", docs/tokenizer.md
}

TEST(Tokenizer, WorldVocabMatchesNaiveOnStressInput) {
  RWKVKIT_REQUIRE_WORLD_VOCAB(path);
  absl::StatusOr<Vocab> v = LoadVocabFile(*path);
  ASSERT_TRUE(v.ok()) << v.status();
  const testing::NaiveEncoder naive(*v);
  absl::StatusOr<Tokenizer> t = Tokenizer::FromVocab(*v);
  ASSERT_TRUE(t.ok());
  std::mt19937_64 rng(2024);
  for (int round = 0; round < 24; ++round) {
    const std::string s = testing::StressInput(*v, rng, 1 + rng() % 8000);
    const std::vector<uint16_t> want = naive.Encode(s);
    ASSERT_EQ(t->Encode(s), want) << "round " << round << ", " << s.size() << " bytes";
    std::vector<uint16_t> single;
    t->EncodeSingleStream(s, single);
    ASSERT_EQ(single, want) << "round " << round;
    absl::StatusOr<std::string> back = t->Decode(want);
    ASSERT_TRUE(back.ok());
    ASSERT_EQ(*back, s);
  }
}

TEST(Tokenizer, EncodeIntoAppendsAndEncodeToBufferFits) {
  Tokenizer t = SyntheticTokenizer({"ab"});
  std::vector<uint16_t> out = {7};
  t.EncodeInto("abx", out);
  EXPECT_THAT(out, ElementsAre(7, 257, 'x' + 1));
  std::vector<uint16_t> buf(3);
  EXPECT_EQ(t.EncodeToBuffer("xyz", buf), 3u);  // worst case: one id per byte
  EXPECT_THAT(buf, ElementsAre('x' + 1, 'y' + 1, 'z' + 1));
}

TEST(Tokenizer, DecodeEndOfTextAndUnknownIds) {
  Tokenizer t = SyntheticTokenizer({"ab"});
  absl::StatusOr<std::string> s = t.Decode(std::vector<uint16_t>{257, kEndOfText, 'c' + 1});
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(*s, "abc");
  absl::StatusOr<std::string> bad = t.Decode(std::vector<uint16_t>{257, 300});
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_THAT(std::string(bad.status().message()), HasSubstr("token 300 (position 1)"));
  EXPECT_EQ(t.TokenLength(257), 2u);
  EXPECT_EQ(t.TokenLength(kEndOfText), 0u);
  EXPECT_EQ(t.TokenBytes(300), "");
  EXPECT_TRUE(t.IsValidId(0));
  EXPECT_FALSE(t.IsValidId(258));
}

}  // namespace
}  // namespace rwkvkit::tokenizer

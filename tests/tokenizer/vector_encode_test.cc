// tests/tokenizer/vector_encode_test.cc — the SIMD-lane walk equals the plain one-stream walk
// (and the independent naive encoder) on every instruction set this CPU runs: each test
// repeats itself under every compiled target the CPU supports (UseVectorWalkTarget), so one
// x86 machine checks AVX-512, AVX2 and SSE4.
#include "tokenizer/internal/vector_encode.h"

#include <gtest/gtest.h>

#include <random>
#include <set>
#include <string>
#include <vector>

#include "tests/tokenizer/naive_encoder.h"
#include "tests/tokenizer/test_vocab.h"
#include "tests/tokenizer/world_trie_test.h"
#include "tokenizer/internal/double_array.h"
#include "tokenizer/internal/vector_walk.h"
#include "tokenizer/internal/walk.h"
#include "tokenizer/tokenizer.h"

namespace rwkvkit::tokenizer {
namespace {

class VectorEncodeTest : public testing::WorldTrieTest {
 protected:
  void TearDown() override { internal::UseVectorWalkTarget(""); }

  // Runs `body` once per instruction set (a target the CPU supports and the build compiled).
  template <typename Fn>
  void ForEachTarget(Fn body) {
    for (const std::string& target : internal::VectorWalkTargetsOnThisCpu()) {
      ASSERT_TRUE(internal::UseVectorWalkTarget(target));
      SCOPED_TRACE(target);
      body();
      if (::testing::Test::HasFatalFailure()) return;
    }
    internal::UseVectorWalkTarget("");
  }
  std::vector<uint16_t> Plain(const std::string& s) const {
    std::vector<uint16_t> out(s.size());
    out.resize(internal::EncodeSpan(*trie_, reinterpret_cast<const uint8_t*>(s.data()), s.size(), out.data()));
    return out;
  }
  // The vector walk on tokens starting in [begin, end) of s, or nullopt where it does not apply.
  std::optional<std::vector<uint16_t>> Vector(const std::string& s, size_t begin, size_t end, size_t* end_pos) const {
    if (!internal::VectorEncodeFits(*trie_, s.size(), begin, end)) return std::nullopt;
    std::vector<uint16_t> out(end - begin + trie_->max_token_bytes());
    out.resize(internal::EncodeVectorRange(*trie_, reinterpret_cast<const uint8_t*>(s.data()), s.size(), begin, end,
                                           out.data(), end_pos));
    return out;
  }
};

TEST_F(VectorEncodeTest, WorldVocabHasAStopByte) {
  // No World token has byte 0 past its first byte, so a walk stops at a 0 as at the end.
  EXPECT_EQ(trie_->stop_byte(), 0);
  for (size_t id = 1; id < vocab_.tokens.size(); ++id) {
    if (vocab_.present[id]) {
      ASSERT_EQ(vocab_.tokens[id].find('\0', 1), std::string::npos) << id;
    }
  }
}

TEST_F(VectorEncodeTest, WholeInputsMatchPlainWalkAndNaiveEncoder) {
  std::mt19937_64 rng(13);
  std::vector<std::string> inputs;
  std::vector<std::vector<uint16_t>> want;
  const testing::NaiveEncoder naive(vocab_);
  for (int round = 0; round < 150; ++round) {
    // Sizes around the segment minimum, the lane counts and the 16 KB chunk, and long ones.
    const size_t approx = round < 50 ? 1 + rng() % 600 : round < 120 ? 1 + rng() % 40000 : 16384 + rng() % 300;
    inputs.push_back(testing::StressInput(vocab_, rng, approx));
    want.push_back(Plain(inputs.back()));
    if (round % 10 == 0) {
      ASSERT_EQ(naive.Encode(inputs.back()), want.back()) << "round " << round;
    }
  }
  ForEachTarget([&] {
    size_t walked = 0;
    for (size_t i = 0; i < inputs.size(); ++i) {
      size_t end_pos = 0;
      const std::optional<std::vector<uint16_t>> got = Vector(inputs[i], 0, inputs[i].size(), &end_pos);
      if (!got) continue;
      ++walked;
      ASSERT_EQ(*got, want[i]) << "input " << i << " size " << inputs[i].size();
      ASSERT_EQ(end_pos, inputs[i].size());
    }
    if (internal::VectorWalkLanes() > 0) {
      EXPECT_GT(walked, 100u) << internal::VectorWalkTarget();
    }
  });
}

TEST_F(VectorEncodeTest, FailuresInARowPastTheLastToken) {
  // In "ZiOoq" each of "Zi", "iO", "Oo" starts a longer token but is none itself, and the
  // next byte ends the walk: a lane fails three times in a row one byte past its last token,
  // each time backing off to a position whose bytes it must still hold (the first AVX-512
  // walk ran out of them here and emitted wrong ids).
  const testing::NaiveEncoder naive(vocab_);
  std::mt19937_64 rng(23);
  const char* const chains[] = {"ZiOoq", "EiOoq", "!-mAq", "ZiOv\xc3", "EiOu\xc5"};
  std::vector<std::string> inputs;
  for (int round = 0; round < 12; ++round) {
    std::string s;
    while (s.size() < static_cast<size_t>(200 + round * 150)) {
      s += chains[rng() % 5];
      for (int i = 0, n = static_cast<int>(rng() % 4); i < n; ++i) s.push_back(static_cast<char>(32 + rng() % 95));
    }
    ASSERT_EQ(naive.Encode(s), Plain(s)) << "round " << round;
    inputs.push_back(std::move(s));
  }
  absl::StatusOr<Tokenizer> tok = Tokenizer::FromVocab(vocab_);
  ASSERT_TRUE(tok.ok());
  ForEachTarget([&] {
    for (const std::string& s : inputs) ASSERT_EQ(tok->Encode(s), Plain(s)) << s.size();
  });
}

TEST_F(VectorEncodeTest, TextEndsInsideLongerTokens) {
  // The copy of the last chunk ends in stop bytes: a token cut by the end of the text must
  // end there, as in the plain walk ("Hel" of "Hello", a space run cut short).
  ForEachTarget([&] {
    std::mt19937_64 rng(17);
    for (int round = 0; round < 200; ++round) {
      std::string s = testing::StressInput(vocab_, rng, 100 + rng() % 3000);
      const size_t id = 1 + rng() % (vocab_.tokens.size() - 1);
      if (vocab_.present[id]) s += vocab_.tokens[id].substr(0, vocab_.tokens[id].size() / 2);
      size_t end_pos = 0;
      const std::optional<std::vector<uint16_t>> got = Vector(s, 0, s.size(), &end_pos);
      if (got) {
        ASSERT_EQ(*got, Plain(s)) << "round " << round;
      }
    }
  });
}

TEST_F(VectorEncodeTest, SpaceRunsCutOutOfPhase) {
  ForEachTarget([&] {
    for (const size_t run : {127u, 128u, 129u, 1000u, 16383u, 16385u, 70000u}) {
      std::string s = "x";
      s.append(run, ' ');
      s += 'y';
      s.append(run / 3 + 100, ' ');
      size_t end_pos = 0;
      const std::optional<std::vector<uint16_t>> got = Vector(s, 0, s.size(), &end_pos);
      if (got) {
        ASSERT_EQ(*got, Plain(s)) << run;
      }
    }
  });
}

TEST_F(VectorEncodeTest, RangesStitchedAtArbitraryCuts) {
  absl::StatusOr<Tokenizer> tok = Tokenizer::FromVocab(vocab_);
  ASSERT_TRUE(tok.ok());
  ForEachTarget([&] {
    std::mt19937_64 rng(5);
    for (int round = 0; round < 40; ++round) {
      // Odd rounds cut short ranges (down to one byte; those under 96 bytes take the scalar
      // walk on every target), even rounds long ones.
      const size_t max_cut = round % 2 == 1 ? 3000 : 20000;
      const std::string s = testing::StressInput(vocab_, rng, 100 + rng() % 60000);
      std::vector<size_t> cuts = {0};
      while (cuts.back() < s.size()) cuts.push_back(std::min(s.size(), cuts.back() + 1 + rng() % max_cut));
      std::vector<uint16_t> out;
      size_t pos = 0;
      for (size_t k = 0; k + 1 < cuts.size(); ++k) {
        std::vector<uint16_t> range;
        const size_t end = tok->EncodeRange(s, cuts[k], cuts[k + 1], range);
        ASSERT_GE(end, cuts[k + 1]);
        pos = tok->StitchRange(s, pos, cuts[k], range, out);
      }
      ASSERT_EQ(pos, s.size());
      ASSERT_EQ(out, Plain(s)) << "round " << round;
      ASSERT_EQ(tok->Encode(s), Plain(s)) << "round " << round;
    }
  });
}

TEST_F(VectorEncodeTest, VocabWithoutStopByteTakesTheScalarWalk) {
  // Every byte follows "a" in some token: no stop byte, so no vector walk, same ids.
  std::vector<std::string> extra;
  for (int b = 0; b < 256; ++b) extra.push_back(std::string("a") + static_cast<char>(b));
  absl::StatusOr<Vocab> v = ParseVocab(testing::SyntheticVocabText(extra), "synthetic");
  ASSERT_TRUE(v.ok()) << v.status();
  absl::StatusOr<std::unique_ptr<internal::DoubleArrayTrie>> trie = internal::DoubleArrayTrie::Build(*v);
  ASSERT_TRUE(trie.ok());
  EXPECT_EQ((*trie)->stop_byte(), -1);
  EXPECT_FALSE(internal::VectorEncodeFits(**trie, 100000, 0, 100000));
  absl::StatusOr<Tokenizer> tok = Tokenizer::FromVocab(*std::move(v));
  ASSERT_TRUE(tok.ok());
  const testing::NaiveEncoder naive(*ParseVocab(testing::SyntheticVocabText(extra), "synthetic"));
  std::mt19937_64 rng(3);
  std::string s;
  for (int i = 0; i < 20000; ++i) s.push_back(rng() % 3 == 0 ? 'a' : static_cast<char>(rng()));
  EXPECT_EQ(tok->Encode(s), naive.Encode(s));
}

}  // namespace
}  // namespace rwkvkit::tokenizer

namespace rwkvkit::tokenizer {
namespace {

// A trie with more cells than a lane tag's 17 bits hold (tries of up to kMaxCells + 256 cells
// are valid): the lane walk cannot tag its cells, so Encode takes the scalar walk, and the
// ids equal the naive encoder's on text made of its tokens. 48100 random 4-byte tokens (no
// byte 0 after the first, so byte 0 is a stop byte and only the cell count rules the lanes
// out) make 131261 cells.
TEST(VectorEncodeLimits, TrieWithMoreCellsThanTheLaneTagHoldsTakesTheScalarWalk) {
  std::mt19937 rng(7);
  std::vector<std::string> extra;
  std::set<std::string> seen;
  while (extra.size() < 48100) {
    std::string t;
    for (int k = 0; k < 4; ++k) t += static_cast<char>(k == 0 ? rng() % 256 : 1 + rng() % 255);
    if (seen.insert(t).second) extra.push_back(t);
  }
  const std::string text_vocab = testing::SyntheticVocabText(extra);
  absl::StatusOr<Vocab> v = ParseVocab(text_vocab, "synthetic");
  ASSERT_TRUE(v.ok()) << v.status();
  absl::StatusOr<std::unique_ptr<internal::DoubleArrayTrie>> trie = internal::DoubleArrayTrie::Build(*v);
  ASSERT_TRUE(trie.ok()) << trie.status();
  ASSERT_GT((*trie)->num_cells(), size_t{1} << internal::kLaneShift);
  ASSERT_GE((*trie)->stop_byte(), 0);
  EXPECT_FALSE(internal::VectorEncodeFits(**trie, 1 << 20, 0, 1 << 20));

  std::string text;
  for (int i = 0; i < 60000; ++i) text += extra[rng() % extra.size()];
  const testing::NaiveEncoder naive(*v);
  absl::StatusOr<Tokenizer> tok = Tokenizer::FromVocab(*std::move(v));
  ASSERT_TRUE(tok.ok());
  for (const std::string& target : internal::VectorWalkTargetsOnThisCpu()) {
    ASSERT_TRUE(internal::UseVectorWalkTarget(target));
    SCOPED_TRACE(target);
    EXPECT_EQ(tok->Encode(text), naive.Encode(text));
  }
  internal::UseVectorWalkTarget("");
}

}  // namespace
}  // namespace rwkvkit::tokenizer

// tests/tokenizer/segmented_encode_test.cc — the segmented walk and the stitching of
// independently encoded ranges equal the plain one-stream walk on every input.
#include "tokenizer/internal/segmented_encode.h"

#include <gtest/gtest.h>

#include <random>

#include "tests/tokenizer/naive_encoder.h"
#include "tests/tokenizer/test_vocab.h"
#include "tests/tokenizer/world_trie_test.h"
#include "tokenizer/internal/double_array.h"
#include "tokenizer/internal/walk.h"
#include "tokenizer/tokenizer.h"

namespace rwkvkit::tokenizer {
namespace {

class SegmentedEncodeTest : public testing::WorldTrieTest {
 protected:
  std::vector<uint16_t> Plain(const std::string& s) const {
    std::vector<uint16_t> out(s.size());
    out.resize(internal::EncodeSpan(*trie_, reinterpret_cast<const uint8_t*>(s.data()), s.size(), out.data()));
    return out;
  }
  std::vector<uint16_t> Segmented(const std::string& s, int lanes) const {
    std::vector<uint16_t> out(s.size());
    size_t end = 0;
    out.resize(internal::EncodeSegmentedRange(*trie_, reinterpret_cast<const uint8_t*>(s.data()), s.size(), 0,
                                              s.size(), out.data(), lanes, &end));
    EXPECT_EQ(end, s.size());
    return out;
  }
};

TEST_F(SegmentedEncodeTest, EveryLaneCountMatchesPlainWalk) {
  std::mt19937_64 rng(11);
  for (int round = 0; round < 60; ++round) {
    const std::string s = testing::StressInput(vocab_, rng, 1 + rng() % 40000);
    const std::vector<uint16_t> want = Plain(s);
    for (int lanes = 1; lanes <= 16; ++lanes) ASSERT_EQ(Segmented(s, lanes), want) << "round " << round << " lanes " << lanes;
  }
}

TEST_F(SegmentedEncodeTest, SpaceRunsCutOutOfPhase) {
  // 128-space tokens: a segment that starts inside a run is out of phase with the true
  // tokenization until the run ends, so stitching must re-encode across segments.
  for (const size_t run : {127u, 128u, 129u, 1000u, 5000u, 70000u}) {
    std::string s = "x";  // built by appends: GCC 12 warns (-Wrestrict) on "x" + std::string(...)
    s.append(run, ' ');
    s += 'y';
    s.append(run / 3, ' ');
    for (const int lanes : {2, 3, 8, 16}) ASSERT_EQ(Segmented(s, lanes), Plain(s)) << run << " " << lanes;
  }
}

}  // namespace
}  // namespace rwkvkit::tokenizer

// tests/tokenizer/batch_encoder_test.cc — parallel encoding equals sequential encoding for
// any thread count.
#include "tokenizer/batch_encoder.h"

#include <gtest/gtest.h>

#include <random>

#include "tests/tokenizer/naive_encoder.h"
#include "tests/tokenizer/test_vocab.h"

namespace rwkvkit::tokenizer {
namespace {

TEST(BatchEncoder, BatchEqualsPerDocumentEncode) {
  RWKVKIT_REQUIRE_WORLD_VOCAB(path);
  absl::StatusOr<Vocab> v = LoadVocabFile(*path);
  ASSERT_TRUE(v.ok());
  absl::StatusOr<Tokenizer> tok = Tokenizer::FromVocab(*v);
  ASSERT_TRUE(tok.ok());
  std::mt19937_64 rng(3);
  std::vector<std::string> docs;
  for (int i = 0; i < 400; ++i) docs.push_back(testing::StressInput(*v, rng, rng() % 5000));
  docs.emplace_back();  // an empty document has no ids
  const std::vector<std::string_view> views(docs.begin(), docs.end());
  for (const int threads : {1, 2, 0}) {
    const EncodedBatch b = EncodeBatch(*tok, views, threads);
    ASSERT_EQ(b.offsets.size(), docs.size() + 1);
    for (size_t i = 0; i < docs.size(); ++i) {
      const std::vector<uint16_t> want = tok->Encode(docs[i]);
      const auto got = b.Document(i);
      ASSERT_EQ(std::vector<uint16_t>(got.begin(), got.end()), want) << "doc " << i << " threads " << threads;
    }
  }
}

TEST(BatchEncoder, ParallelLargeInputEqualsEncode) {
  RWKVKIT_REQUIRE_WORLD_VOCAB(path);
  absl::StatusOr<Vocab> v = LoadVocabFile(*path);
  ASSERT_TRUE(v.ok());
  absl::StatusOr<Tokenizer> tok = Tokenizer::FromVocab(*v);
  ASSERT_TRUE(tok.ok());
  std::mt19937_64 rng(9);
  // Over 2 MB so that several 1 MB ranges are encoded on different threads; a long run of
  // spaces crosses a range boundary out of phase.
  std::string s = testing::StressInput(*v, rng, (1 << 20) - 500);
  s += std::string(3000, ' ');
  s += testing::StressInput(*v, rng, 2 << 20);
  const std::vector<uint16_t> want = tok->Encode(s);
  for (const int threads : {1, 2, 0}) {
    std::vector<uint16_t> got;
    EncodeParallel(*tok, s, threads, got);
    ASSERT_EQ(got, want) << "threads " << threads;
  }
}

}  // namespace
}  // namespace rwkvkit::tokenizer

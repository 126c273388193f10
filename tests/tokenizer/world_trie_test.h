// tests/tokenizer/world_trie_test.h — a gtest fixture with the real World vocab parsed and
// its double-array trie built (skipped when set-up has not installed the vocab), for the
// tests of the walks that take the trie itself.
#ifndef RWKVKIT_TESTS_TOKENIZER_WORLD_TRIE_TEST_H_
#define RWKVKIT_TESTS_TOKENIZER_WORLD_TRIE_TEST_H_

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "tests/tokenizer/test_vocab.h"
#include "tokenizer/internal/double_array.h"
#include "tokenizer/vocab.h"

namespace rwkvkit::tokenizer::testing {

class WorldTrieTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::optional<std::string> path = WorldVocabPath();
    if (!path) GTEST_SKIP() << "World vocab not installed: run tools/setup.sh";
    absl::StatusOr<Vocab> v = LoadVocabFile(*path);
    ASSERT_TRUE(v.ok()) << v.status();
    vocab_ = *std::move(v);
    absl::StatusOr<std::unique_ptr<internal::DoubleArrayTrie>> trie = internal::DoubleArrayTrie::Build(vocab_);
    ASSERT_TRUE(trie.ok());
    trie_ = *std::move(trie);
  }

  Vocab vocab_;
  std::unique_ptr<internal::DoubleArrayTrie> trie_;
};

}  // namespace rwkvkit::tokenizer::testing

#endif  // RWKVKIT_TESTS_TOKENIZER_WORLD_TRIE_TEST_H_

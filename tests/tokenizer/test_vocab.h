// tests/tokenizer/test_vocab.h — vocabs for tests: a small synthetic one written in the
// World file format, and the real World vocab installed by tools/setup.sh.
#ifndef RWKVKIT_TESTS_TOKENIZER_TEST_VOCAB_H_
#define RWKVKIT_TESTS_TOKENIZER_TEST_VOCAB_H_

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace rwkvkit::tokenizer::testing {

// A Python literal for arbitrary bytes, as a bytes literal with \xNN escapes.
inline std::string BytesLiteral(const std::string& bytes) {
  std::string out = "b'";
  char buf[8];
  for (const unsigned char c : bytes) {
    std::snprintf(buf, sizeof buf, "\\x%02x", c);
    out += buf;
  }
  return out + "'";
}

// Vocab text: ids 1..256 are the single bytes (as in the World vocab), then `extra` tokens.
inline std::string SyntheticVocabText(const std::vector<std::string>& extra) {
  std::string text;
  int id = 1;
  for (int b = 0; b < 256; ++b, ++id)
    text += std::to_string(id) + " " + BytesLiteral(std::string(1, static_cast<char>(b))) + " 1\n";
  for (const std::string& t : extra) text += std::to_string(id++) + " " + BytesLiteral(t) + " " + std::to_string(t.size()) + "\n";
  return text;
}

// The real World vocab: $RWKVKIT_VOCAB, else the copy tools/setup.sh installs.
inline std::optional<std::string> WorldVocabPath() {
  if (const char* env = std::getenv("RWKVKIT_VOCAB"); env != nullptr && *env != '\0') return std::string(env);
  std::error_code ec;
  if (std::filesystem::exists(RWKVKIT_INSTALLED_VOCAB, ec)) return std::string(RWKVKIT_INSTALLED_VOCAB);
  return std::nullopt;
}

}  // namespace rwkvkit::tokenizer::testing

// Skips a test that needs the real vocab when set-up has not installed it (the README's
// test command always runs set-up first, so in CI these tests run).
#define RWKVKIT_REQUIRE_WORLD_VOCAB(path_var)                                                     \
  const std::optional<std::string> path_var = ::rwkvkit::tokenizer::testing::WorldVocabPath(); \
  if (!path_var) GTEST_SKIP() << "World vocab not installed: run tools/setup.sh"

#endif  // RWKVKIT_TESTS_TOKENIZER_TEST_VOCAB_H_

// tests/tokenizer/compiled_file_test.cc — the compiled tokenizer file (<vocab>.compiled):
// Tokenizer::Load() takes it only when it matches the vocab, and then gives exactly the ids of
// a tokenizer built from the vocab (the demo corpus, invalid UTF-8, every token); stale,
// truncated, damaged and forged files are refused and the vocab is built instead.
#include "tokenizer/internal/compiled_file.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>

#include "tests/tokenizer/naive_encoder.h"
#include "tests/tokenizer/test_vocab.h"
#include "tokenizer/internal/double_array.h"
#include "tokenizer/tokenizer.h"

namespace rwkvkit::tokenizer {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

std::string ReadAll(const fs::path& p) {
  absl::StatusOr<std::string> s = ReadVocabFile(p);
  EXPECT_TRUE(s.ok()) << s.status();
  return s.ok() ? *s : std::string();
}

void WriteAll(const fs::path& p, std::string_view bytes) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  ASSERT_TRUE(out.good());
}

class CompiledFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) /
           ("compiled_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  // Writes `vocab_text` as v.txt and its compiled file beside it; returns the vocab path.
  fs::path WriteCompiledVocab(const std::string& vocab_text) {
    const fs::path vocab = dir_ / "v.txt";
    WriteAll(vocab, vocab_text);
    absl::StatusOr<std::string> compiled = Tokenizer::Compile(vocab_text, vocab.string());
    EXPECT_TRUE(compiled.ok()) << compiled.status();
    WriteAll(Tokenizer::CompiledPath(vocab), *compiled);
    return vocab;
  }
  fs::path dir_;
};

// Everything a caller can see of a tokenizer, compared id by id.
void ExpectSameTokenizer(const Tokenizer& got, const Tokenizer& want) {
  ASSERT_EQ(got.vocab_size(), want.vocab_size());
  EXPECT_EQ(got.num_entries(), want.num_entries());
  EXPECT_EQ(got.max_token_bytes(), want.max_token_bytes());
  for (uint32_t id = 0; id <= kMaxTokenId; ++id) {
    ASSERT_EQ(got.IsValidId(id), want.IsValidId(id)) << id;
    ASSERT_EQ(got.TokenBytes(id), want.TokenBytes(id)) << id;
    ASSERT_EQ(got.TokenLength(id), want.TokenLength(id)) << id;
  }
}

void ExpectSameIds(const Tokenizer& got, const Tokenizer& want, std::string_view text) {
  const std::vector<uint16_t> ids = want.Encode(text);
  ASSERT_EQ(got.Encode(text), ids) << text.size() << " bytes";
  std::vector<uint16_t> single;
  got.EncodeSingleStream(text, single);
  ASSERT_EQ(single, ids);
  absl::StatusOr<std::string> back = got.Decode(ids);
  ASSERT_TRUE(back.ok());
  ASSERT_EQ(*back, text);
}

TEST_F(CompiledFileTest, WorldVocabCompiledGivesTheIdsOfTheBuiltTokenizer) {
  RWKVKIT_REQUIRE_WORLD_VOCAB(world);
  const std::string text = ReadAll(*world);
  const fs::path vocab = WriteCompiledVocab(text);
  absl::StatusOr<Tokenizer> compiled = Tokenizer::Load(vocab);
  ASSERT_TRUE(compiled.ok()) << compiled.status();
  EXPECT_TRUE(compiled->loaded_compiled());
  EXPECT_THAT(compiled->load_note(), IsEmpty());
  absl::StatusOr<Vocab> v = ParseVocab(text, "world");
  ASSERT_TRUE(v.ok());
  const testing::NaiveEncoder naive(*v);
  absl::StatusOr<Tokenizer> built = Tokenizer::FromVocab(*v);
  ASSERT_TRUE(built.ok());
  ExpectSameTokenizer(*compiled, *built);
  // The demo corpus, as raw bytes (JSON escapes, every script of it).
  std::error_code ec;
  if (fs::exists(RWKVKIT_DEMO_CORPUS, ec)) {
    const std::string demo = ReadAll(RWKVKIT_DEMO_CORPUS);
    ASSERT_GT(demo.size(), 1000000u);
    ExpectSameIds(*compiled, *built, demo);
  }
  // Invalid UTF-8: random bytes, truncated and overlong sequences, surrogates, lone
  // continuation bytes, between real tokens; checked against the naive greedy match too.
  std::mt19937_64 rng(7);
  for (int round = 0; round < 16; ++round) {
    std::string s = testing::StressInput(*v, rng, 1 + rng() % 6000);
    s += "\xC3\x28\xA0\xA1\xE2\x28\xA1\xF0\x28\x8C\xBC\xC0\xAF\xED\xA0\x80\xF8\x88\x80\x80\x80\xFF\xFE";
    ASSERT_EQ(compiled->Encode(s), naive.Encode(s)) << "round " << round;
    ExpectSameIds(*compiled, *built, s);
  }
  // Every token alone.
  for (uint32_t id = 1; id < built->vocab_size(); ++id) {
    if (built->IsValidId(id)) {
      ASSERT_EQ(compiled->Encode(built->TokenBytes(id)), std::vector<uint16_t>{static_cast<uint16_t>(id)});
    }
  }
}

TEST_F(CompiledFileTest, StaleFileIsIgnoredAndTheVocabBuilt) {
  const fs::path vocab = WriteCompiledVocab(testing::SyntheticVocabText({"ab", "abc", "cd"}));
  ASSERT_TRUE(Tokenizer::Load(vocab)->loaded_compiled());
  // The same size, other bytes: "cd" -> "ce" changes what "cde" encodes to.
  const std::string other = testing::SyntheticVocabText({"ab", "abc", "ce"});
  WriteAll(vocab, other);
  absl::StatusOr<Tokenizer> t = Tokenizer::Load(vocab);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_FALSE(t->loaded_compiled());
  EXPECT_THAT(t->load_note(), HasSubstr("v.txt.compiled: ignored (built from another vocab file"));
  absl::StatusOr<Tokenizer> want = Tokenizer::FromVocab(*ParseVocab(other, "other"));
  ExpectSameTokenizer(*t, *want);
  EXPECT_EQ(t->Encode("ce"), std::vector<uint16_t>({259}));
  // Another size: one more token.
  const std::string longer = testing::SyntheticVocabText({"ab", "abc", "cd", "xyz"});
  WriteAll(vocab, longer);
  t = Tokenizer::Load(vocab);
  ASSERT_TRUE(t.ok());
  EXPECT_FALSE(t->loaded_compiled());
  EXPECT_EQ(t->Encode("xyz"), std::vector<uint16_t>({260}));
  // An emptied vocab: refused with the vocab's own error, the stale compiled file only hashed.
  WriteAll(vocab, "");
  t = Tokenizer::Load(vocab);
  EXPECT_EQ(t.status().code(), absl::StatusCode::kInvalidArgument) << t.status();
  EXPECT_THAT(std::string(t.status().message()), HasSubstr("no entries"));
}

TEST_F(CompiledFileTest, TruncatedOrDamagedFileIsIgnoredAndTheVocabBuilt) {
  const std::string text = testing::SyntheticVocabText({"ab", "abc", "cd", "hello", "hello world", "\xE4\xBD\xA0"});
  const fs::path vocab = WriteCompiledVocab(text);
  const std::string good = ReadAll(Tokenizer::CompiledPath(vocab));
  const Tokenizer want = *Tokenizer::FromVocab(*ParseVocab(text, "v"));
  const auto expect_rebuilt = [&](const std::string& bytes, const std::string& what) {
    WriteAll(Tokenizer::CompiledPath(vocab), bytes);
    absl::StatusOr<Tokenizer> t = Tokenizer::Load(vocab);
    ASSERT_TRUE(t.ok()) << what << ": " << t.status();
    EXPECT_FALSE(t->loaded_compiled()) << what;
    EXPECT_THAT(t->load_note(), HasSubstr("ignored")) << what;
    ExpectSameIds(*t, want, "hello world, abcd \xE4\xBD\xA0\xE4\xBD");
  };
  for (size_t len : {size_t{0}, size_t{8}, size_t{63}, size_t{64}, good.size() / 2, good.size() - 1})
    expect_rebuilt(good.substr(0, len), "truncated to " + std::to_string(len));
  expect_rebuilt(good + "x", "one byte appended");
  for (size_t at = 0; at < good.size(); at += 97) {
    std::string bad = good;
    bad[at] = static_cast<char>(bad[at] ^ 0x10);
    expect_rebuilt(bad, "byte " + std::to_string(at) + " flipped");
  }
  // The intact file again: taken.
  WriteAll(Tokenizer::CompiledPath(vocab), good);
  EXPECT_TRUE(Tokenizer::Load(vocab)->loaded_compiled());
}

// Files with a correct body hash but arrays the encoder could not walk safely (what a forged
// or buggy writer could produce): each is refused by the structure checks.
TEST(CompiledFile, ForgedArraysAreRefused) {
  const std::string text = testing::SyntheticVocabText({"ab", "abc", "cd", "hello"});
  const uint64_t hash = internal::ContentHash(text);
  const std::string good = *Tokenizer::Compile(text, "v");
  absl::StatusOr<internal::CompiledParts> parts = internal::ReadCompiled(good, text.size(), hash);
  ASSERT_TRUE(parts.ok()) << parts.status();
  using DA = internal::DoubleArrayTrie;
  const auto reread = [&](const internal::CompiledParts& p) {
    const internal::CompiledView view{p.cells, p.best, p.depth, p.token_offsets, p.token_bytes, p.entries,
                                      p.max_token_bytes};
    return internal::ReadCompiled(internal::WriteCompiled(view, text.size(), hash), text.size(), hash).status();
  };
  ASSERT_TRUE(reread(*parts).ok());
  const uint32_t a = DA::kRootBase + 'a';  // the node "a" (it has the child "b")
  ASSERT_NE(DA::Base(parts->cells[a]), 0u);
  const auto with_cell = [&](uint32_t at, uint32_t cell) {
    internal::CompiledParts p = *parts;
    p.cells[at] = cell;
    return reread(p);
  };
  const uint32_t a_cell = parts->cells[a];
  const uint32_t n = static_cast<uint32_t>(parts->cells.size());
  // A base whose window leaves the array.
  EXPECT_THAT(with_cell(a, (a_cell & 0x7FFF) | ((n - 10) << DA::kBaseShift)).message(), HasSubstr("outside"));
  // A base = 255 (mod 256), which could match a free cell.
  EXPECT_THAT(with_cell(a, (a_cell & 0x7FFF) | (511u << DA::kBaseShift)).message(), HasSubstr("outside"));
  // Two nodes with one base.
  const uint32_t h = DA::kRootBase + 'h';
  EXPECT_THAT(with_cell(h, (parts->cells[h] & 0x7FFF) | (a_cell & ~0x7FFFu)).message(), HasSubstr("share a base"));
  // A child that is not one level below its parent (a walk that could go on past the
  // longest token): "ab" made depth 3, its back-off raised so its token length still fits.
  {
    internal::CompiledParts p = *parts;
    const uint32_t ab = DA::Base(a_cell) + 'b';
    p.depth[ab] = 3;
    p.cells[ab] += 1u << 8;
    EXPECT_THAT(reread(p).message(), HasSubstr("one level below"));
  }
  // A back-off past the token start.
  EXPECT_THAT(with_cell(a, a_cell | (1u << 8)).message(), HasSubstr("back-off"));
  // A free cell that a probe could match.
  EXPECT_THAT(with_cell(0, 0).message(), HasSubstr("free"));
  {
    internal::CompiledParts p = *parts;
    p.depth[a] = 2;  // deeper than the path
    EXPECT_FALSE(reread(p).ok());
    p = *parts;
    p.best[a] = 258;  // "abc": another length than the walk's
    EXPECT_THAT(reread(p).message(), HasSubstr("another length"));
    p = *parts;
    p.token_offsets[258] += 1;  // "ab" 3 bytes, "abc" 2: lengths that disagree with the trie
    EXPECT_FALSE(reread(p).ok());
  }
  // Another format version: refused as stale, not as damaged.
  std::string v2 = good;
  v2[8] = static_cast<char>(internal::kCompiledFormatVersion + 1);
  EXPECT_EQ(internal::ReadCompiled(v2, text.size(), hash).status().code(), absl::StatusCode::kFailedPrecondition);
}

TEST(CompiledFile, ContentHashSeesEveryByte) {
  std::string s(1000, 'x');
  const uint64_t h = internal::ContentHash(s);
  for (size_t i = 0; i < s.size(); ++i) {
    std::string t = s;
    t[i] = 'y';
    ASSERT_NE(internal::ContentHash(t), h) << i;
  }
  EXPECT_NE(internal::ContentHash(s.substr(0, 999)), h);
  EXPECT_NE(internal::ContentHash(s + '\0'), h);
}

}  // namespace
}  // namespace rwkvkit::tokenizer

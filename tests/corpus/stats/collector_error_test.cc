// tests/corpus/stats/collector_error_test.cc — CollectStats on damaged shards: a shard that
// fails partway (a token id outside the vocab in its second batch) contributes nothing, its
// repeated lines included, so the report equals that of the good shards alone, and no
// example document comes from it; progress is reported after every batch, not per shard.
#include "corpus/stats/collector.h"

#include <tbb/global_control.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "corpus/binidx/shard_writer.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/corpus/binidx/test_util.h"
#include "tests/tokenizer/test_vocab.h"
#include "tokenizer/vocab.h"

namespace rwkvkit::corpus::stats {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::SizeIs;

// The synthetic vocab: byte b is id b + 1; 257 is "ab"; 300 is not in the vocab.
tokenizer::Tokenizer SyntheticTokenizer() {
  absl::StatusOr<tokenizer::Vocab> v = tokenizer::ParseVocab(tokenizer::testing::SyntheticVocabText({"ab"}), "v");
  EXPECT_TRUE(v.ok()) << v.status();
  absl::StatusOr<tokenizer::Tokenizer> t = tokenizer::Tokenizer::FromVocab(*std::move(v));
  EXPECT_TRUE(t.ok()) << t.status();
  return *std::move(t);
}

std::vector<uint16_t> Ids(const std::string& text) {
  std::vector<uint16_t> ids;
  for (const unsigned char c : text) ids.push_back(static_cast<uint16_t>(c + 1));
  ids.push_back(tokenizer::kEndOfText);
  return ids;
}

// Writes shard `name` of `docs` (token ids) into `dir`; returns its build.json entry.
build::BuildShard WriteShard(const fs::path& dir, const std::string& name, const std::vector<std::vector<uint16_t>>& docs) {
  absl::StatusOr<binidx::ShardWriter> w = binidx::ShardWriter::Create(dir / name);
  EXPECT_TRUE(w.ok()) << w.status();
  uint64_t tokens = 0;
  for (const std::vector<uint16_t>& d : docs) {
    EXPECT_TRUE(w->AddDocument(d).ok());
    tokens += d.size();
  }
  EXPECT_TRUE(w->Finish().ok());
  build::BuildShard shard;
  shard.name = name;
  shard.documents = docs.size();
  shard.tokens = tokens;
  shard.source_runs = {{0, docs.size()}};
  return shard;
}

build::BuildJson Info(std::vector<build::BuildShard> shards) {
  build::BuildJson info;
  build::BuildSource web;
  web.name = "web";
  web.format = "jsonl";
  web.language = "en";
  info.sources.push_back(web);
  info.shards = std::move(shards);
  return info;
}

std::vector<std::pair<std::string, uint64_t>> TextsAndCounts(const std::vector<ReportedLine>& lines) {
  std::vector<std::pair<std::string, uint64_t>> out;
  for (const ReportedLine& l : lines) out.emplace_back(l.text, l.count);
  return out;
}

TEST(CollectStats, ShardFailingAfterItsFirstBatchContributesNoLines) {
  const fs::path dir = binidx::testing::FreshTestDir();
  const tokenizer::Tokenizer tok = SyntheticTokenizer();
  const std::string shared = "a line every shard repeats\n";
  const build::BuildShard good0 = WriteShard(dir, "good_0", {Ids(shared + "only in good 0"), Ids(shared)});
  // Batch 1 (documents 0, 1) reads fine and repeats a line of its own; document 2, in batch 2,
  // holds token 300, which the vocab lacks.
  std::vector<uint16_t> bad_doc = Ids("the bad document");
  bad_doc.insert(bad_doc.begin() + 3, 300);
  const build::BuildShard failing =
      WriteShard(dir, "failing", {Ids(shared + "a line only the failing shard has"),
                                  Ids(shared + "a line only the failing shard has"), bad_doc, Ids(shared)});
  const build::BuildShard good1 = WriteShard(dir, "good_1", {Ids(shared), Ids("ab ab ab ab ab ab ab ab")});

  CollectOptions opt;
  opt.language = LanguageSource::kManifest;
  opt.min_line_bytes = 4;
  opt.batch_documents = 2;
  for (const int threads : {1, 4}) {
    SCOPED_TRACE(threads);
    tbb::global_control limit(tbb::global_control::max_allowed_parallelism, static_cast<size_t>(threads));
    const CorpusStats with_bad = CollectStats(dir, Info({good0, failing, good1}), tok, opt);
    const CorpusStats good_only = CollectStats(dir, Info({good0, good1}), tok, opt);

    ASSERT_THAT(with_bad.shard_errors, SizeIs(1));
    EXPECT_THAT(with_bad.shard_errors[0], HasSubstr("failing: "));
    EXPECT_THAT(with_bad.shard_errors[0], HasSubstr("token 300"));
    EXPECT_EQ(with_bad.shards_read, 2u);
    EXPECT_TRUE(good_only.shard_errors.empty());

    const std::vector<std::pair<std::string, uint64_t>> want = {{"a line every shard repeats", 3}};
    EXPECT_EQ(TextsAndCounts(good_only.frequent_lines), want);
    EXPECT_EQ(TextsAndCounts(with_bad.frequent_lines), want);
    EXPECT_EQ(TextsAndCounts(with_bad.longest_lines), TextsAndCounts(good_only.longest_lines));
    EXPECT_EQ(with_bad.lines_counted, good_only.lines_counted);
    EXPECT_EQ(with_bad.line_table_prunes, good_only.line_table_prunes);
    EXPECT_EQ(with_bad.line_undercount_bound, good_only.line_undercount_bound);
    EXPECT_EQ(with_bad.total.documents, good_only.total.documents);
    EXPECT_EQ(with_bad.total.bytes, good_only.total.bytes);
    EXPECT_EQ(with_bad.token_counts, good_only.token_counts);
  }
}

// With a line table small enough to prune, the failed shard must not change the pruning
// either: the undercount bound and the counts stay those of the good shards.
TEST(CollectStats, ShardFailingAfterItsFirstBatchLeavesPruningAlone) {
  const fs::path dir = binidx::testing::FreshTestDir();
  const tokenizer::Tokenizer tok = SyntheticTokenizer();
  std::vector<std::vector<uint16_t>> many;
  for (int i = 0; i < 8; ++i) many.push_back(Ids("repeated line\nunique line number " + std::to_string(i)));
  const build::BuildShard good0 = WriteShard(dir, "good_0", many);
  std::vector<std::vector<uint16_t>> failing_docs = many;
  failing_docs.push_back({tokenizer::kEndOfText, 300});
  const build::BuildShard failing = WriteShard(dir, "failing", failing_docs);
  const build::BuildShard good1 = WriteShard(dir, "good_1", many);

  CollectOptions opt;
  opt.language = LanguageSource::kManifest;
  opt.min_line_bytes = 4;
  opt.batch_documents = 8;
  opt.line_table_capacity = 6;
  const CorpusStats with_bad = CollectStats(dir, Info({good0, failing, good1}), tok, opt);
  const CorpusStats good_only = CollectStats(dir, Info({good0, good1}), tok, opt);
  ASSERT_THAT(with_bad.shard_errors, SizeIs(1));
  EXPECT_GT(good_only.line_table_prunes, 0u);
  EXPECT_EQ(TextsAndCounts(with_bad.frequent_lines), TextsAndCounts(good_only.frequent_lines));
  EXPECT_EQ(with_bad.line_table_prunes, good_only.line_table_prunes);
  EXPECT_EQ(with_bad.line_undercount_bound, good_only.line_undercount_bound);
  EXPECT_EQ(with_bad.lines_counted, good_only.lines_counted);
}

// Progress comes after every batch (so a large shard shows it too), its shard bytes grow to
// 2 x the listed tokens; examples are spread over the source and skip the failed shard.
TEST(CollectStats, ProgressPerBatchAndExamplesFromReadableShards) {
  const fs::path dir = binidx::testing::FreshTestDir();
  const tokenizer::Tokenizer tok = SyntheticTokenizer();
  std::vector<std::vector<uint16_t>> docs0, docs2;
  for (int i = 0; i < 10; ++i) docs0.push_back(Ids("s0 d" + std::to_string(i) + " tail"));
  for (int i = 0; i < 10; ++i) docs2.push_back(Ids("s2 d" + std::to_string(i) + " tail"));
  std::vector<std::vector<uint16_t>> bad = docs0;
  bad[0].insert(bad[0].begin(), 300);
  const build::BuildShard s0 = WriteShard(dir, "s0", docs0), s1 = WriteShard(dir, "s1", bad), s2 = WriteShard(dir, "s2", docs2);
  CollectOptions opt;
  opt.language = LanguageSource::kManifest;
  opt.batch_documents = 3;
  opt.examples_per_source = 6;  // positions 2, 7, 12, 17, 22, 27 of 30 documents
  opt.example_chars = 7;
  std::vector<std::pair<uint64_t, uint64_t>> calls;
  opt.progress = [&](uint64_t docs, uint64_t bytes) { calls.emplace_back(docs, bytes); };
  const CorpusStats st = CollectStats(dir, Info({s0, s1, s2}), tok, opt);
  ASSERT_THAT(st.shard_errors, SizeIs(1));
  // s0: 4 batches then the shard; s1 fails in its first batch, then the shard; s2: 4 + 1.
  ASSERT_THAT(calls, SizeIs(11));
  EXPECT_EQ(calls[0], std::make_pair(uint64_t{3}, uint64_t{2 * 3 * 11}));  // 10 bytes + end of text: 11 tokens
  for (size_t i = 1; i < calls.size(); ++i) EXPECT_GE(calls[i].second, calls[i - 1].second);
  EXPECT_EQ(calls.back().second, 2 * (s0.tokens + s1.tokens + s2.tokens));
  EXPECT_EQ(calls.back().first, 20u);
  ASSERT_THAT(st.examples, SizeIs(1));
  std::vector<std::string> texts;
  for (const ExampleDocument& e : st.examples[0]) {
    texts.push_back(e.text);
    EXPECT_TRUE(e.truncated);
    EXPECT_EQ(e.chars, 10u);
    EXPECT_EQ(e.tokens, 10u);
  }
  // Positions 2 and 7 are in s0, 12 and 17 in the failed s1 (left out), 22 and 27 in s2.
  EXPECT_EQ(texts, (std::vector<std::string>{"s0 d2 t", "s0 d7 t", "s2 d2 t", "s2 d7 t"}));
}

}  // namespace
}  // namespace rwkvkit::corpus::stats

// tests/corpus/stats/collector_error_test.cc — CollectStats on damaged shards: a shard that
// fails partway (a token id outside the vocab in its second batch) contributes nothing, its
// repeated lines included, so the report equals that of the good shards alone.
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
BuildShard WriteShard(const fs::path& dir, const std::string& name, const std::vector<std::vector<uint16_t>>& docs) {
  absl::StatusOr<binidx::ShardWriter> w = binidx::ShardWriter::Create(dir / name);
  EXPECT_TRUE(w.ok()) << w.status();
  uint64_t tokens = 0;
  for (const std::vector<uint16_t>& d : docs) {
    EXPECT_TRUE(w->AddDocument(d).ok());
    tokens += d.size();
  }
  EXPECT_TRUE(w->Finish().ok());
  BuildShard shard;
  shard.name = name;
  shard.documents = docs.size();
  shard.tokens = tokens;
  shard.source_runs = {{0, docs.size()}};
  return shard;
}

BuildInfo Info(std::vector<BuildShard> shards) {
  BuildInfo info;
  BuildSource web;
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
  const BuildShard good0 = WriteShard(dir, "good_0", {Ids(shared + "only in good 0"), Ids(shared)});
  // Batch 1 (documents 0, 1) reads fine and repeats a line of its own; document 2, in batch 2,
  // holds token 300, which the vocab lacks.
  std::vector<uint16_t> bad_doc = Ids("the bad document");
  bad_doc.insert(bad_doc.begin() + 3, 300);
  const BuildShard failing =
      WriteShard(dir, "failing", {Ids(shared + "a line only the failing shard has"),
                                  Ids(shared + "a line only the failing shard has"), bad_doc, Ids(shared)});
  const BuildShard good1 = WriteShard(dir, "good_1", {Ids(shared), Ids("ab ab ab ab ab ab ab ab")});

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
  const BuildShard good0 = WriteShard(dir, "good_0", many);
  std::vector<std::vector<uint16_t>> failing_docs = many;
  failing_docs.push_back({tokenizer::kEndOfText, 300});
  const BuildShard failing = WriteShard(dir, "failing", failing_docs);
  const BuildShard good1 = WriteShard(dir, "good_1", many);

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

}  // namespace
}  // namespace rwkvkit::corpus::stats

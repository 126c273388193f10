// tests/corpus/binidx/shard_writer_test.cc — ShardWriter: exact bytes, round trips through
// ShardReader, atomic publication, and its error paths.
#include "corpus/binidx/shard_writer.h"

#include <sys/stat.h>

#include <limits>
#include <string>
#include <vector>

#include "corpus/binidx/shard_reader.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/corpus/binidx/test_util.h"

namespace rwkvkit::binidx {
namespace {

using ::rwkvkit::binidx::testing::FreshTestDir;
using ::rwkvkit::binidx::testing::RandomDocuments;
using ::rwkvkit::binidx::testing::ReadFileBytes;
using ::testing::HasSubstr;

// Writes `docs` to `prefix` and returns the summary (fails the test on error).
ShardSummary WriteShard(const std::filesystem::path& prefix, const std::vector<std::vector<uint16_t>>& docs) {
  absl::StatusOr<ShardWriter> w = ShardWriter::Create(prefix);
  EXPECT_TRUE(w.ok()) << w.status();
  for (const auto& d : docs) EXPECT_TRUE(w->AddDocument(d).ok());
  absl::StatusOr<ShardSummary> s = w->Finish();
  EXPECT_TRUE(s.ok()) << s.status();
  return s.ok() ? *s : ShardSummary{};
}

void ExpectReadsBack(const std::filesystem::path& prefix, const std::vector<std::vector<uint16_t>>& docs) {
  absl::StatusOr<ShardReader> r = ShardReader::Open(prefix);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->num_documents(), docs.size());
  ASSERT_EQ(r->num_sequences(), docs.size());
  EXPECT_TRUE(r->one_sequence_per_document());
  uint64_t tokens = 0;
  std::vector<uint16_t> got{7, 7, 7};  // must be replaced, not appended to
  for (size_t i = 0; i < docs.size(); ++i) {
    ASSERT_TRUE(r->ReadDocument(i, got).ok());
    ASSERT_EQ(got, docs[i]) << "document " << i;
    EXPECT_EQ(r->document_tokens(i), docs[i].size());
    tokens += docs[i].size();
  }
  EXPECT_EQ(r->num_tokens(), tokens);
}

TEST(ShardWriter, WritesTheExactBytesOfRwkvLmMakeData) {
  const auto prefix = FreshTestDir() / "tiny";
  const ShardSummary s = WriteShard(prefix, {{1, 2, 0}, {}, {0xABCD, 0}});
  const std::string bin("\x01\x00\x02\x00\x00\x00\xCD\xAB\x00\x00", 10);
  const std::string idx = std::string("MMIDIDX\0\0", 9) +
                          std::string("\x01\0\0\0\0\0\0\0", 8) +    // version 1
                          std::string("\x08", 1) +                  // dtype code 8 = uint16
                          std::string("\x03\0\0\0\0\0\0\0", 8) +    // N = 3 sequences
                          std::string("\x04\0\0\0\0\0\0\0", 8) +    // M = 4 doc_idx entries
                          std::string("\x03\0\0\0\0\0\0\0\x02\0\0\0", 12) +  // sizes 3 0 2
                          std::string("\0\0\0\0\0\0\0\0\x06\0\0\0\0\0\0\0\x06\0\0\0\0\0\0\0", 24) +  // pointers 0 6 6
                          std::string("\0\0\0\0\0\0\0\0\x01\0\0\0\0\0\0\0\x02\0\0\0\0\0\0\0\x03\0\0\0\0\0\0\0", 32);
  EXPECT_EQ(ReadFileBytes(s.bin_path), bin);
  EXPECT_EQ(ReadFileBytes(s.idx_path), idx);
  EXPECT_EQ(s.bin_path, prefix.string() + ".bin");
  EXPECT_EQ(s.idx_path, prefix.string() + ".idx");
  EXPECT_EQ(s.documents, 3u);
  EXPECT_EQ(s.tokens, 5u);
  EXPECT_EQ(s.bin_bytes, 10u);
  EXPECT_EQ(s.idx_bytes, 102u);
}

TEST(ShardWriter, RoundTripsRandomDocumentsIncludingEmptyOnes) {
  const auto dir = FreshTestDir();
  for (uint32_t seed : {1u, 2u, 3u, 42u}) {
    const auto docs = RandomDocuments(seed, 50 + seed * 37, 300, /*eod=*/seed % 2 == 0);
    const auto prefix = dir / ("seed" + std::to_string(seed));
    const ShardSummary s = WriteShard(prefix, docs);
    EXPECT_EQ(s.documents, docs.size());
    EXPECT_EQ(std::filesystem::file_size(s.bin_path), s.bin_bytes);
    EXPECT_EQ(std::filesystem::file_size(s.idx_path), s.idx_bytes);
    EXPECT_EQ(s.idx_bytes, 34 + 12 * docs.size() + 8 * (docs.size() + 1));
    ExpectReadsBack(prefix, docs);
  }
}

TEST(ShardWriter, OnlyEmptyDocuments) {
  const auto prefix = FreshTestDir() / "empties";
  const std::vector<std::vector<uint16_t>> docs(5);
  const ShardSummary s = WriteShard(prefix, docs);
  EXPECT_EQ(s.tokens, 0u);
  EXPECT_EQ(s.bin_bytes, 0u);
  ExpectReadsBack(prefix, docs);
}

TEST(ShardWriter, ZeroDocumentsGiveAnIndexWithDocIdxZeroOnly) {
  const auto prefix = FreshTestDir() / "none";
  const ShardSummary s = WriteShard(prefix, {});
  EXPECT_EQ(s.idx_bytes, 34u + 8u);
  EXPECT_EQ(ReadFileBytes(s.idx_path).substr(18), std::string(8, '\0') + std::string("\x01\0\0\0\0\0\0\0", 8) +
                                                      std::string(8, '\0'));
  EXPECT_EQ(std::filesystem::file_size(s.bin_path), 0u);
  ExpectReadsBack(prefix, {});
}

TEST(ShardWriter, DocumentsLargerThanTheBuffer) {
  const auto prefix = FreshTestDir() / "big";
  // 1 MiB buffer = 524288 tokens: these cross it, end exactly on it, and span it twice.
  auto docs = RandomDocuments(7, 3, 10, true);
  for (size_t n : {700000u, 524288u - 700000u % 524288u, 1200000u}) {
    docs.push_back(std::vector<uint16_t>(n));
    for (size_t i = 0; i < n; ++i) docs.back()[i] = static_cast<uint16_t>(i * 2654435761u >> 7);
  }
  WriteShard(prefix, docs);
  ExpectReadsBack(prefix, docs);
}

TEST(ShardWriter, NothingVisibleUnderFinalNamesBeforeFinish) {
  const auto prefix = FreshTestDir() / "pending";
  absl::StatusOr<ShardWriter> w = ShardWriter::Create(prefix);
  ASSERT_TRUE(w.ok()) << w.status();
  ASSERT_TRUE(w->AddDocument(std::vector<uint16_t>{5, 6, 0}).ok());
  EXPECT_EQ(w->documents(), 1u);
  EXPECT_EQ(w->tokens(), 3u);
  EXPECT_TRUE(std::filesystem::exists(prefix.string() + ".bin.tmp"));
  EXPECT_FALSE(std::filesystem::exists(prefix.string() + ".bin"));
  EXPECT_FALSE(std::filesystem::exists(prefix.string() + ".idx"));
  ASSERT_TRUE(w->Finish().ok());
  EXPECT_FALSE(std::filesystem::exists(prefix.string() + ".bin.tmp"));
  EXPECT_FALSE(std::filesystem::exists(prefix.string() + ".idx.tmp"));
  EXPECT_TRUE(std::filesystem::exists(prefix.string() + ".bin"));
  EXPECT_TRUE(std::filesystem::exists(prefix.string() + ".idx"));
}

TEST(ShardWriter, DestroyedWithoutFinishRemovesItsTempFiles) {
  const auto dir = FreshTestDir();
  {
    absl::StatusOr<ShardWriter> w = ShardWriter::Create(dir / "abandoned");
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE(w->AddDocument(std::vector<uint16_t>(1000, 3)).ok());
  }
  EXPECT_TRUE(std::filesystem::is_empty(dir));
}

TEST(ShardWriter, MovedWriterKeepsWritingAndMovedFromOneRemovesNothing) {
  const auto prefix = FreshTestDir() / "moved";
  absl::StatusOr<ShardWriter> w = ShardWriter::Create(prefix);
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE(w->AddDocument(std::vector<uint16_t>{1, 0}).ok());
  ShardWriter moved = std::move(*w);
  w = absl::InternalError("reset");  // destroys the moved-from writer
  EXPECT_TRUE(std::filesystem::exists(prefix.string() + ".bin.tmp"));
  ASSERT_TRUE(moved.AddDocument(std::vector<uint16_t>{2, 0}).ok());
  ASSERT_TRUE(moved.Finish().ok());
  ExpectReadsBack(prefix, {{1, 0}, {2, 0}});
}

TEST(ShardWriter, ReplacesAnExistingShard) {
  const auto prefix = FreshTestDir() / "again";
  WriteShard(prefix, RandomDocuments(1, 100, 50, true));
  const auto second = RandomDocuments(2, 10, 50, true);
  WriteShard(prefix, second);
  ExpectReadsBack(prefix, second);
}

TEST(ShardWriter, CallsAfterFinishFail) {
  const auto prefix = FreshTestDir() / "done";
  absl::StatusOr<ShardWriter> w = ShardWriter::Create(prefix);
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE(w->Finish().ok());
  EXPECT_EQ(w->AddDocument(std::vector<uint16_t>{1}).code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(w->Finish().status().code(), absl::StatusCode::kFailedPrecondition);
  // A finished writer's destructor leaves the published shard alone.
  w = absl::InternalError("reset");
  EXPECT_TRUE(ShardReader::Open(prefix).ok());
}

TEST(ShardWriter, MissingDirectoryIsNotFoundNamingThePath) {
  const auto prefix = FreshTestDir() / "no_such_dir" / "x";
  absl::StatusOr<ShardWriter> w = ShardWriter::Create(prefix);
  ASSERT_FALSE(w.ok());
  EXPECT_EQ(w.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(w.status().message()), HasSubstr("no_such_dir/x.bin.tmp: cannot create"));
}

TEST(ShardWriter, PrefixWithoutFileNameIsInvalid) {
  EXPECT_EQ(ShardWriter::Create("").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ShardWriter::Create("some/dir/").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(ShardWriter, DocumentOverInt32MaxTokensIsRejected) {
  const auto prefix = FreshTestDir() / "huge";
  absl::StatusOr<ShardWriter> w = ShardWriter::Create(prefix);
  ASSERT_TRUE(w.ok());
  // The size is checked before a single token is touched, so no memory backs this span.
  static const uint16_t kOne = 1;
  const std::span<const uint16_t> huge(&kOne, static_cast<size_t>(std::numeric_limits<int32_t>::max()) + 1);
  const absl::Status s = w->AddDocument(huge);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(s.message()), HasSubstr("2147483648 tokens"));
  // The shard so far is intact and the writer goes on.
  ASSERT_TRUE(w->AddDocument(std::vector<uint16_t>{1, 0}).ok());
  ASSERT_TRUE(w->Finish().ok());
  ExpectReadsBack(prefix, {{1, 0}});
}

TEST(ShardWriter, WriteErrorNamesThePathAndIsSticky) {
  if (!std::filesystem::exists("/dev/full")) GTEST_SKIP() << "no /dev/full";
  const auto prefix = FreshTestDir() / "full";
  // The writer truncates and writes through the link: every write fails with ENOSPC.
  std::filesystem::create_symlink("/dev/full", prefix.string() + ".bin.tmp");
  absl::StatusOr<ShardWriter> w = ShardWriter::Create(prefix);
  ASSERT_TRUE(w.ok()) << w.status();
  ASSERT_TRUE(w->AddDocument(std::vector<uint16_t>{1, 2, 0}).ok());  // still in the buffer
  const absl::Status s = w->Finish().status();
  EXPECT_EQ(s.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(std::string(s.message()), HasSubstr("full.bin.tmp: write failed (No space left on device)"));
  const absl::Status again = w->AddDocument(std::vector<uint16_t>{1});
  EXPECT_EQ(again.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(again.message()), HasSubstr("No space left on device"));
  w = absl::InternalError("reset");
  EXPECT_FALSE(std::filesystem::exists(prefix.string() + ".bin"));
  EXPECT_FALSE(std::filesystem::exists(prefix.string() + ".idx"));
}

}  // namespace
}  // namespace rwkvkit::binidx

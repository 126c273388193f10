// tests/corpus/binidx/shard_merge_test.cc — MergeShards: documents and index of the result,
// doc_idx that groups sequences (Megatron), refusing to overwrite, the lock, and no temporary
// files left after a failure. The RWKV-LM arithmetic on merged builds is checked from Python
// (tests/tools/merge_rwkv_lm_test.py).
#include "corpus/binidx/shard_merge.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cstring>
#include <string>
#include <vector>

#include "corpus/binidx/shard_reader.h"
#include "corpus/binidx/shard_writer.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/corpus/binidx/test_util.h"

namespace rwkvkit::binidx {
namespace {

namespace fs = std::filesystem;
using ::rwkvkit::binidx::testing::FreshTestDir;
using ::rwkvkit::binidx::testing::ReadFileBytes;
using ::rwkvkit::binidx::testing::WriteFileBytes;
using ::testing::HasSubstr;
using Docs = std::vector<std::vector<uint16_t>>;

void WriteShard(const fs::path& prefix, const Docs& docs) {
  absl::StatusOr<ShardWriter> w = ShardWriter::Create(prefix);
  ASSERT_TRUE(w.ok()) << w.status();
  for (const auto& d : docs) ASSERT_TRUE(w->AddDocument(d).ok());
  ASSERT_TRUE(w->Finish().ok());
}

Docs ReadAll(const fs::path& prefix) {
  absl::StatusOr<ShardReader> r = ShardReader::Open(prefix);
  EXPECT_TRUE(r.ok()) << r.status();
  Docs out;
  if (!r.ok()) return out;
  std::vector<uint16_t> d;
  for (uint64_t i = 0; i < r->num_documents(); ++i) {
    EXPECT_TRUE(r->ReadDocument(i, d).ok());
    out.push_back(d);
  }
  return out;
}

bool NoTempFiles(const fs::path& dir) {
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().filename().string().find(".merging") != std::string::npos) return false;
  return true;
}

TEST(ShardMerge, ConcatenatesDocumentsInOrder) {
  const fs::path dir = FreshTestDir();
  const Docs a = {{1, 2, 0}, {}, {3, 0}}, b = {{4, 5, 6, 0}}, c = {};
  WriteShard(dir / "a", a);
  WriteShard(dir / "b", b);
  WriteShard(dir / "c", c);
  uint64_t last_done = 0, total = 0;
  MergeOptions o;
  o.progress = [&](uint64_t done, uint64_t all) {
    EXPECT_GE(done, last_done);
    last_done = done;
    total = all;
  };
  absl::StatusOr<MergeSummary> m = MergeShards({dir / "a", dir / "c", dir / "b"}, dir / "out" , o);
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->shards, 3u);
  EXPECT_EQ(m->documents, 4u);
  EXPECT_EQ(m->tokens, 9u);
  EXPECT_EQ(m->bin_bytes, 18u);
  EXPECT_EQ(m->dtype_code, 8);
  EXPECT_EQ(last_done, 18u);
  EXPECT_EQ(total, 18u);
  EXPECT_EQ(ReadAll(dir / "out"), (Docs{{1, 2, 0}, {}, {3, 0}, {4, 5, 6, 0}}));
  EXPECT_EQ(ReadFileBytes(dir / "out.idx").size(), m->idx_bytes);
  // The .bin is the inputs' .bin bytes back to back.
  EXPECT_EQ(ReadFileBytes(dir / "out.bin"), ReadFileBytes(dir / "a.bin") + ReadFileBytes(dir / "b.bin"));
  EXPECT_TRUE(NoTempFiles(dir));
}

// sizes {3, 0, 2}, doc_idx {0, 2, 3}: document 0 = sequences 0-1, document 1 = sequence 2.
void WriteGroupedShard(const fs::path& prefix) {
  WriteShard(prefix, {{10, 11, 0}, {}, {12, 0}});
  std::string idx = ReadFileBytes(IdxPath(prefix));
  const uint64_t m = 3;
  std::memcpy(idx.data() + 26, &m, 8);
  const int64_t doc_idx[] = {0, 2, 3};
  idx.resize(70);
  idx.append(reinterpret_cast<const char*>(doc_idx), sizeof doc_idx);
  WriteFileBytes(IdxPath(prefix), idx);
}

TEST(ShardMerge, ShiftsADocIdxThatGroupsSequences) {
  const fs::path dir = FreshTestDir();
  WriteGroupedShard(dir / "g");
  absl::StatusOr<MergeSummary> m = MergeShards({dir / "g", dir / "g"}, dir / "out", {});
  ASSERT_TRUE(m.ok()) << m.status();
  absl::StatusOr<ShardReader> r = ShardReader::Open(dir / "out");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->num_sequences(), 6u);
  ASSERT_EQ(r->num_documents(), 4u);
  const uint64_t first[] = {0, 2, 3, 5, 6};
  for (uint64_t d = 0; d <= 4; ++d) EXPECT_EQ(r->document_first_sequence(d), first[d]) << d;
  EXPECT_EQ(ReadAll(dir / "out"), (Docs{{10, 11, 0}, {12, 0}, {10, 11, 0}, {12, 0}}));
}

TEST(ShardMerge, KeepsAnExistingOutputUnlessOverwriteAndNeverAnInput) {
  const fs::path dir = FreshTestDir();
  WriteShard(dir / "a", {{1, 0}});
  WriteShard(dir / "b", {{2, 0}});
  WriteShard(dir / "out", {{9, 9, 0}});
  absl::StatusOr<MergeSummary> m = MergeShards({dir / "a", dir / "b"}, dir / "out", {});
  EXPECT_EQ(m.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_THAT(std::string(m.status().message()), HasSubstr("out.bin: exists; remove it or pass --force"));
  EXPECT_EQ(ReadAll(dir / "out"), (Docs{{9, 9, 0}}));
  MergeOptions o;
  o.overwrite = true;
  ASSERT_TRUE(MergeShards({dir / "a", dir / "b"}, dir / "out", o).ok());
  EXPECT_EQ(ReadAll(dir / "out"), (Docs{{1, 0}, {2, 0}}));
  m = MergeShards({dir / "a", dir / "b"}, dir / "b", o);
  EXPECT_EQ(m.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_THAT(std::string(m.status().message()), HasSubstr("the output is one of the input shards"));
  EXPECT_EQ(ReadAll(dir / "b"), (Docs{{2, 0}}));
}

TEST(ShardMerge, ASecondMergeIntoTheSamePrefixIsLockedOut) {
  const fs::path dir = FreshTestDir();
  WriteShard(dir / "a", {{1, 0}});
  const fs::path temp_bin = BinPath(MergeTempPrefix(dir / "out"));
  const int fd = ::open(temp_bin.c_str(), O_RDWR | O_CREAT, 0644);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::flock(fd, LOCK_EX), 0);  // what a running merge holds
  absl::StatusOr<MergeSummary> m = MergeShards({dir / "a"}, dir / "out", {});
  EXPECT_EQ(m.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(m.status().message()), HasSubstr("another merge is writing this output"));
  EXPECT_TRUE(fs::exists(temp_bin)) << "the other merge's file was removed";
  ::close(fd);
  ASSERT_TRUE(MergeShards({dir / "a"}, dir / "out", {}).ok());
  EXPECT_TRUE(NoTempFiles(dir));
}

TEST(ShardMerge, BadInputsFailBeforeWritingAndLeaveNothing) {
  const fs::path dir = FreshTestDir();
  WriteShard(dir / "a", {{1, 0}});
  WriteShard(dir / "bad", {{2, 3, 0}});
  WriteFileBytes(dir / "bad.bin", "\x02");  // truncated
  absl::StatusOr<MergeSummary> m = MergeShards({dir / "a", dir / "bad"}, dir / "out", {});
  EXPECT_EQ(m.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(std::string(m.status().message()), HasSubstr("bad.bin@1: data file size does not match"));
  m = MergeShards({dir / "a", dir / "missing"}, dir / "out", {});
  EXPECT_EQ(m.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(MergeShards({}, dir / "out", {}).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_FALSE(fs::exists(dir / "out.bin"));
  EXPECT_FALSE(fs::exists(dir / "out.idx"));
  EXPECT_TRUE(NoTempFiles(dir));
}

TEST(ShardMerge, RefusesMixedDtypes) {
  const fs::path dir = FreshTestDir();
  WriteShard(dir / "a", {{1, 0}});
  // b: the same document as int32 (dtype code 4, pointers in 4-byte units).
  WriteShard(dir / "b", {{1, 0}});
  std::string idx = ReadFileBytes(dir / "b.idx");
  idx[17] = 4;
  WriteFileBytes(dir / "b.idx", idx);
  const int32_t ids[] = {1, 0};
  WriteFileBytes(dir / "b.bin", std::string(reinterpret_cast<const char*>(ids), sizeof ids));
  absl::StatusOr<MergeSummary> m = MergeShards({dir / "a", dir / "b"}, dir / "out", {});
  EXPECT_EQ(m.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(m.status().message()), HasSubstr("b.idx@17: dtype code 4 (int32) differs from the first shard's"));
  m = MergeShards({dir / "b", dir / "b"}, dir / "out", {});
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->dtype_code, 4);
  EXPECT_EQ(m->bin_bytes, 16u);
  EXPECT_EQ(ReadAll(dir / "out"), (Docs{{1, 0}, {1, 0}}));
}

}  // namespace
}  // namespace rwkvkit::binidx

// tests/corpus/binidx/shard_reader_error_test.cc — ShardReader on damaged shards: every
// header field, every array, truncation at every length, and each error's code and
// path@offset.
//
// The shard under test holds sizes {3, 0, 2} (N = 3, M = 4), so the .idx layout is:
//   0 magic | 9 version | 17 dtype | 18 N | 26 M | 34 sizes[0..2] (4 B each)
//   46 pointers[0..2] (8 B each) = 0 6 6 | 70 doc_idx[0..3] (8 B each) = 0 1 2 3 | 102 end
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

using ::rwkvkit::binidx::testing::FreshTestDir;
using ::rwkvkit::binidx::testing::ReadFileBytes;
using ::rwkvkit::binidx::testing::WriteFileBytes;
using ::testing::HasSubstr;

class ShardReaderErrorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    prefix_ = FreshTestDir() / "s";
    absl::StatusOr<ShardWriter> w = ShardWriter::Create(prefix_);
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE(w->AddDocument(std::vector<uint16_t>{10, 11, 0}).ok());
    ASSERT_TRUE(w->AddDocument(std::vector<uint16_t>{}).ok());
    ASSERT_TRUE(w->AddDocument(std::vector<uint16_t>{12, 0}).ok());
    ASSERT_TRUE(w->Finish().ok());
    idx_ = ReadFileBytes(IdxPath(prefix_));
    bin_ = ReadFileBytes(BinPath(prefix_));
    ASSERT_EQ(idx_.size(), 102u);
    ASSERT_EQ(bin_.size(), 10u);
  }

  // Overwrites `n` little-endian bytes of `v` at `offset` of the .idx on disk.
  template <typename T>
  void PatchIdx(size_t offset, T v) {
    std::string b = idx_;
    std::memcpy(b.data() + offset, &v, sizeof(T));  // the test host is little-endian
    WriteFileBytes(IdxPath(prefix_), b);
  }

  // Opens the shard and expects `code` with `where` ("s.idx@38") and `what` in the message.
  void ExpectError(absl::StatusCode code, const std::string& where, const std::string& what) {
    absl::StatusOr<ShardReader> r = ShardReader::Open(prefix_);
    ASSERT_FALSE(r.ok()) << "opened a damaged shard; expected " << where << ": " << what;
    EXPECT_EQ(r.status().code(), code) << r.status();
    EXPECT_THAT(std::string(r.status().message()), HasSubstr(where + ": "));
    EXPECT_THAT(std::string(r.status().message()), HasSubstr(what));
  }

  std::filesystem::path prefix_;
  std::string idx_, bin_;
};

TEST_F(ShardReaderErrorTest, TheUndamagedShardOpens) {
  absl::StatusOr<ShardReader> r = ShardReader::Open(prefix_);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->num_documents(), 3u);
  EXPECT_EQ(r->num_tokens(), 5u);
  EXPECT_EQ(r->idx_bytes(), 102u);
}

TEST_F(ShardReaderErrorTest, MissingFilesAreNotFound) {
  std::filesystem::remove(BinPath(prefix_));
  EXPECT_EQ(ShardReader::Open(prefix_).status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(ShardReader::Open(prefix_).status().message()), HasSubstr("s.bin: cannot open"));
  std::filesystem::remove(IdxPath(prefix_));
  EXPECT_EQ(ShardReader::Open(prefix_).status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(ShardReader::Open(prefix_).status().message()), HasSubstr("s.idx: cannot open"));
}

TEST_F(ShardReaderErrorTest, Magic) {
  PatchIdx<char>(3, 'X');
  ExpectError(absl::StatusCode::kDataLoss, "s.idx@0", "bad magic, not a binidx index (saw \"MMIXIDX\\x00\\x00\"");
  PatchIdx<char>(8, '\x01');
  ExpectError(absl::StatusCode::kDataLoss, "s.idx@0", "bad magic");
}

TEST_F(ShardReaderErrorTest, Version) {
  PatchIdx<uint64_t>(9, 2);
  ExpectError(absl::StatusCode::kDataLoss, "s.idx@9", "unsupported index version (saw 2, expected 1)");
  PatchIdx<uint64_t>(9, 0);
  ExpectError(absl::StatusCode::kDataLoss, "s.idx@9", "(saw 0, expected 1)");
}

TEST_F(ShardReaderErrorTest, OtherKnownDtypeIsFailedPreconditionNamingIt) {
  PatchIdx<uint8_t>(17, 5);
  ExpectError(absl::StatusCode::kFailedPrecondition, "s.idx@17",
              "dtype code 5 (int64) is not supported; rwkvkit reads uint16 and int32 token shards");
  PatchIdx<uint8_t>(17, 1);
  ExpectError(absl::StatusCode::kFailedPrecondition, "s.idx@17", "dtype code 1 (uint8)");
  PatchIdx<uint8_t>(17, 7);
  ExpectError(absl::StatusCode::kFailedPrecondition, "s.idx@17", "float64 in RWKV-LM");
}

TEST_F(ShardReaderErrorTest, UnknownDtypeIsDataLoss) {
  PatchIdx<uint8_t>(17, 9);
  ExpectError(absl::StatusCode::kDataLoss, "s.idx@17", "unknown dtype code (saw 9, expected 8 = uint16 or 4 = int32)");
  PatchIdx<uint8_t>(17, 0);
  ExpectError(absl::StatusCode::kDataLoss, "s.idx@17", "(saw 0, expected 8 = uint16 or 4 = int32)");
}

// A uint16 index relabelled int32: its pointers are byte offsets of 2-byte tokens.
TEST_F(ShardReaderErrorTest, Int32DtypeChecksPointersInFourByteUnits) {
  PatchIdx<uint8_t>(17, 4);
  ExpectError(absl::StatusCode::kDataLoss, "s.idx@54",
              "pointers[1] is not the byte offset of sequence 1 (the sum of the earlier sizes * 4) (saw 6, expected 12)");
}

// An int32 shard (sizes {3, 0, 2}, ids as int32): opens, reads as uint16, and names the byte
// offset of an id that does not fit the World vocab.
TEST_F(ShardReaderErrorTest, Int32ShardReadsAndRejectsIdsOutsideTheVocab) {
  std::string idx = idx_;
  idx[17] = 4;
  const int64_t pointers[] = {0, 12, 12};
  std::memcpy(idx.data() + 46, pointers, sizeof pointers);
  WriteFileBytes(IdxPath(prefix_), idx);
  const int32_t ids[] = {10, 65535, 0, 12, 0};
  WriteFileBytes(BinPath(prefix_), std::string(reinterpret_cast<const char*>(ids), sizeof ids));
  absl::StatusOr<ShardReader> r = ShardReader::Open(prefix_);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->dtype_code(), 4);
  EXPECT_EQ(r->bin_bytes(), 20u);
  std::vector<uint16_t> doc;
  ASSERT_TRUE(r->ReadDocument(0, doc).ok());
  EXPECT_EQ(doc, (std::vector<uint16_t>{10, 65535, 0}));
  ASSERT_TRUE(r->ReadDocument(2, doc).ok());
  EXPECT_EQ(doc, (std::vector<uint16_t>{12, 0}));
  const int32_t bad[] = {10, 65536, 0, -1, 0};
  WriteFileBytes(BinPath(prefix_), std::string(reinterpret_cast<const char*>(bad), sizeof bad));
  absl::Status s = r->ReadDocument(0, doc);
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition) << s;
  EXPECT_THAT(std::string(s.message()), HasSubstr("s.bin@4: token id 65536 does not fit"));
  s = r->ReadDocument(2, doc);
  EXPECT_THAT(std::string(s.message()), HasSubstr("s.bin@12: token id -1 does not fit"));
}

TEST_F(ShardReaderErrorTest, SequenceCountDisagreesWithFileSize) {
  PatchIdx<uint64_t>(18, 4);
  ExpectError(absl::StatusCode::kDataLoss, "s.idx@102", "index truncated: N=4 sequences and M=4 doc_idx entries need 114 bytes (saw 102 bytes, expected 114)");
  PatchIdx<uint64_t>(18, 2);
  ExpectError(absl::StatusCode::kDataLoss, "s.idx@90", "12 trailing bytes after doc_idx for N=2 sequences");
  PatchIdx<uint64_t>(18, ~uint64_t{0});
  ExpectError(absl::StatusCode::kDataLoss, "s.idx@102", "need more than 2^64 bytes");
}

TEST_F(ShardReaderErrorTest, DocIdxCountDisagreesWithFileSizeOrIsZero) {
  PatchIdx<uint64_t>(26, 5);
  ExpectError(absl::StatusCode::kDataLoss, "s.idx@102", "M=5 doc_idx entries need 110 bytes");
  PatchIdx<uint64_t>(26, 0);
  ExpectError(absl::StatusCode::kDataLoss, "s.idx@26", "doc_idx count M is 0 (saw 0, expected at least 1)");
}

TEST_F(ShardReaderErrorTest, TrailingBytesAndMegatronSequenceModes) {
  WriteFileBytes(IdxPath(prefix_), idx_ + "\x01");
  ExpectError(absl::StatusCode::kDataLoss, "s.idx@102", "1 trailing bytes after doc_idx for N=3 sequences and M=4 doc_idx entries (saw 103 bytes, expected 102)");
  WriteFileBytes(IdxPath(prefix_), idx_ + std::string(3, '\0'));
  ExpectError(absl::StatusCode::kDataLoss, "s.idx@102", "(a Megatron multimodal sequence_modes array?)");
}

TEST_F(ShardReaderErrorTest, NegativeSize) {
  PatchIdx<int32_t>(38, -1);
  ExpectError(absl::StatusCode::kDataLoss, "s.idx@38", "sizes[1] is negative (saw -1, expected >= 0)");
}

TEST_F(ShardReaderErrorTest, SizeThatDisagreesWithTheNextPointer) {
  PatchIdx<int32_t>(38, 1);
  ExpectError(absl::StatusCode::kDataLoss, "s.idx@62", "pointers[2] is not the byte offset of sequence 2 (the sum of the earlier sizes * 2) (saw 6, expected 8)");
}

TEST_F(ShardReaderErrorTest, LastSizeDisagreesWithTheBinSize) {
  PatchIdx<int32_t>(42, 3);
  ExpectError(absl::StatusCode::kDataLoss, "s.bin@10", "data file size does not match the index (saw 10 bytes, expected 12 = pointers[N-1] + sizes[N-1]*2)");
}

TEST_F(ShardReaderErrorTest, Pointers) {
  PatchIdx<int64_t>(46, 2);
  ExpectError(absl::StatusCode::kDataLoss, "s.idx@46", "pointers[0] is not the byte offset of sequence 0 (saw 2, expected 0)");
  PatchIdx<int64_t>(54, 3);  // a token count instead of a byte offset
  ExpectError(absl::StatusCode::kDataLoss, "s.idx@54", "pointers[1] is not the byte offset of sequence 1 (the sum of the earlier sizes * 2) (saw 3, expected 6)");
  PatchIdx<int64_t>(62, -6);
  ExpectError(absl::StatusCode::kDataLoss, "s.idx@62", "(saw -6, expected 6)");
}

TEST_F(ShardReaderErrorTest, DocIdx) {
  PatchIdx<int64_t>(70, 1);
  ExpectError(absl::StatusCode::kDataLoss, "s.idx@70", "doc_idx[0] (saw 1, expected 0)");
  PatchIdx<int64_t>(86, 0);
  ExpectError(absl::StatusCode::kDataLoss, "s.idx@86", "doc_idx[2] decreases (saw 0, expected >= 1)");
  PatchIdx<int64_t>(78, 4);
  ExpectError(absl::StatusCode::kDataLoss, "s.idx@78", "doc_idx[1] is past the last sequence (saw 4, expected <= N = 3)");
  PatchIdx<int64_t>(94, 2);
  ExpectError(absl::StatusCode::kDataLoss, "s.idx@94", "doc_idx[3], the last entry, (saw 2, expected N = 3)");
  PatchIdx<int64_t>(78, -1);
  ExpectError(absl::StatusCode::kDataLoss, "s.idx@78", "doc_idx[1] decreases (saw -1, expected >= 0)");
}

TEST_F(ShardReaderErrorTest, ADocIdxThatGroupsSequencesIsValid) {
  // doc_idx 0 1 1 3: document 0 = sequence 0, document 1 = nothing, document 2 = sequences 1-2
  // (Megatron writes this with sentence splitting; we never do, but we can read it).
  PatchIdx<int64_t>(86, 1);
  absl::StatusOr<ShardReader> r = ShardReader::Open(prefix_);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_FALSE(r->one_sequence_per_document());
  EXPECT_EQ(r->num_documents(), 3u);
  EXPECT_EQ(r->num_sequences(), 3u);
  std::vector<uint16_t> d;
  ASSERT_TRUE(r->ReadDocument(0, d).ok());
  EXPECT_EQ(d, (std::vector<uint16_t>{10, 11, 0}));
  ASSERT_TRUE(r->ReadDocument(1, d).ok());
  EXPECT_TRUE(d.empty());
  ASSERT_TRUE(r->ReadDocument(2, d).ok());
  EXPECT_EQ(d, (std::vector<uint16_t>{12, 0}));
  EXPECT_EQ(r->document_tokens(2), 2u);
}

TEST_F(ShardReaderErrorTest, BinSize) {
  WriteFileBytes(BinPath(prefix_), bin_.substr(0, 9));
  ExpectError(absl::StatusCode::kDataLoss, "s.bin@9", "(saw 9 bytes, expected 10 = pointers[N-1] + sizes[N-1]*2)");
  WriteFileBytes(BinPath(prefix_), bin_ + std::string(2, '\0'));
  ExpectError(absl::StatusCode::kDataLoss, "s.bin@10", "(saw 12 bytes, expected 10");
  WriteFileBytes(BinPath(prefix_), "");
  ExpectError(absl::StatusCode::kDataLoss, "s.bin@0", "(saw 0 bytes, expected 10");
}

TEST_F(ShardReaderErrorTest, EveryTruncationOfTheIndexIsDataLoss) {
  for (size_t len = 0; len < idx_.size(); ++len) {
    WriteFileBytes(IdxPath(prefix_), idx_.substr(0, len));
    absl::StatusOr<ShardReader> r = ShardReader::Open(prefix_);
    ASSERT_FALSE(r.ok()) << "length " << len;
    EXPECT_EQ(r.status().code(), absl::StatusCode::kDataLoss) << r.status();
    const std::string where = "s.idx@" + std::to_string(len) + ": ";
    EXPECT_THAT(std::string(r.status().message()), HasSubstr(where)) << "length " << len;
    EXPECT_THAT(std::string(r.status().message()),
                HasSubstr(len < 34 ? "index header truncated" : "index truncated"));
  }
}

TEST_F(ShardReaderErrorTest, EveryFlippedIndexByteIsCaught) {
  for (size_t at = 0; at < idx_.size(); ++at) {
    std::string b = idx_;
    b[at] = static_cast<char>(b[at] ^ 0x80);
    WriteFileBytes(IdxPath(prefix_), b);
    absl::StatusOr<ShardReader> r = ShardReader::Open(prefix_);
    ASSERT_FALSE(r.ok()) << "byte " << at;
    EXPECT_TRUE(r.status().code() == absl::StatusCode::kDataLoss ||
                (at == 17 && r.status().code() == absl::StatusCode::kFailedPrecondition))
        << r.status();
    // The last size is checked against the .bin size, so its error names the .bin.
    EXPECT_THAT(std::string(r.status().message()), ::testing::AnyOf(HasSubstr("s.idx@"), HasSubstr("s.bin@")))
        << "byte " << at;
  }
}

TEST_F(ShardReaderErrorTest, BinTruncatedAfterOpenIsDataLossOnRead) {
  absl::StatusOr<ShardReader> r = ShardReader::Open(prefix_);
  ASSERT_TRUE(r.ok());
  WriteFileBytes(BinPath(prefix_), bin_.substr(0, 7));
  std::vector<uint16_t> d;
  EXPECT_TRUE(r->ReadDocument(0, d).ok());
  const absl::Status s = r->ReadDocument(2, d);
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(std::string(s.message()), HasSubstr("s.bin@7: file ends early"));
}

TEST_F(ShardReaderErrorTest, IndexesPastTheEndAreOutOfRange) {
  absl::StatusOr<ShardReader> r = ShardReader::Open(prefix_);
  ASSERT_TRUE(r.ok());
  std::vector<uint16_t> d;
  EXPECT_EQ(r->ReadDocument(3, d).code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(r->ReadSequence(3, d).code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(r->ReadTokens(4, 2, d).code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(r->ReadTokens(~uint64_t{0}, 2, d).code(), absl::StatusCode::kOutOfRange);
  ASSERT_TRUE(r->ReadTokens(1, 4, d).ok());  // the flat stream RWKV-LM samples
  EXPECT_EQ(d, (std::vector<uint16_t>{11, 0, 12, 0}));
}

}  // namespace
}  // namespace rwkvkit::binidx

// tests/corpus/build/block_reader_test.cc — plain and zstd JSONL read in blocks of lines,
// from files and from a pipe.
#include "corpus/input/block_reader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <thread>

#include "tests/corpus/build/test_files.h"

namespace rwkvkit::corpus::input {
namespace {

using ::testing::HasSubstr;

std::vector<std::pair<uint64_t, std::string>> ReadAllLines(const std::filesystem::path& p, size_t block,
                                                           absl::Status* error = nullptr) {
  absl::StatusOr<BlockReader> r = BlockReader::Open(p);
  EXPECT_TRUE(r.ok()) << r.status();
  std::vector<std::pair<uint64_t, std::string>> lines;
  RecordBlock b;
  for (;;) {
    absl::StatusOr<bool> more = r->Next(b, block);
    if (!more.ok()) {
      if (error != nullptr) *error = more.status();
      break;
    }
    if (!*more) break;
    for (size_t k = 0; k < b.size(); ++k) lines.emplace_back(b.first + k, std::string(b.record(k)));
  }
  return lines;
}

std::string NumberedLines(int n) {
  std::string s;
  for (int i = 1; i <= n; ++i) s += "line " + std::to_string(i) + std::string(i % 17, 'x') + "\n";
  return s;
}

TEST(BlockReader, PlainLinesWithNumbersAcrossBlocks) {
  testing::TempDir dir;
  const std::string text = NumberedLines(500) + "last without newline";
  testing::WriteFile(dir / "a.jsonl", text);
  for (const size_t block : {7u, 64u, 1000u, 1u << 20}) {
    const auto lines = ReadAllLines(dir / "a.jsonl", block);
    ASSERT_EQ(lines.size(), 501u) << block;
    EXPECT_EQ(lines[0], std::make_pair(uint64_t{1}, std::string("line 1x")));
    EXPECT_EQ(lines[499].first, 500u);
    EXPECT_EQ(lines[500], std::make_pair(uint64_t{501}, std::string("last without newline")));
  }
}

TEST(BlockReader, MultiFrameZstdEqualsPlain) {
  testing::TempDir dir;
  const std::string text = NumberedLines(3000);
  testing::WriteFile(dir / "a.jsonl", text);
  testing::WriteFile(dir / "a.jsonl.zst", testing::ZstdFrames(text, 5000));  // many frames
  absl::StatusOr<BlockReader> r = BlockReader::Open(dir / "a.jsonl.zst");
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->compressed());
  EXPECT_EQ(ReadAllLines(dir / "a.jsonl.zst", 4096), ReadAllLines(dir / "a.jsonl", 4096));
}

TEST(BlockReader, TruncatedZstdKeepsCompleteLinesThenFails) {
  testing::TempDir dir;
  const std::string text = NumberedLines(3000);
  std::string z = testing::ZstdFrames(text, 5000);  // many small frames: the early ones decode
  z.resize(z.size() * 2 / 3);
  testing::WriteFile(dir / "cut.jsonl.zst", z);
  absl::Status error;
  const auto lines = ReadAllLines(dir / "cut.jsonl.zst", 4096, &error);
  EXPECT_EQ(error.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(std::string(error.message()), HasSubstr("cut.jsonl.zst@"));
  EXPECT_THAT(std::string(error.message()), HasSubstr("truncated zstd frame"));
  ASSERT_FALSE(lines.empty());
  for (size_t i = 0; i < lines.size(); ++i) ASSERT_EQ(lines[i].first, i + 1);  // complete lines, in order
  EXPECT_LT(lines.size(), 3000u);
}

TEST(BlockReader, CorruptZstdFails) {
  testing::TempDir dir;
  std::string z = testing::ZstdFrames(NumberedLines(2000), 1 << 20);
  for (size_t i = z.size() / 2; i < z.size() / 2 + 64; ++i) z[i] = static_cast<char>(z[i] ^ 0x5A);
  testing::WriteFile(dir / "bad.jsonl.zst", z);
  absl::Status error;
  ReadAllLines(dir / "bad.jsonl.zst", 4096, &error);
  EXPECT_EQ(error.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(std::string(error.message()), HasSubstr("bad.jsonl.zst@"));
}

TEST(BlockReader, ZstdThroughAPipeIsSniffedFromTheStream) {
  // `tokenize --jsonl -` reads stdin: the container is recognized from the bytes read through
  // the stream (a pipe cannot be read at an offset, as pread once tried), and the lines equal
  // the plain text's.
  const std::string text = NumberedLines(3000);
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  std::thread writer([fd = fds[1], z = testing::ZstdFrames(text, 5000)] {
    for (size_t at = 0; at < z.size();) {
      const ssize_t n = ::write(fd, z.data() + at, std::min<size_t>(z.size() - at, 777));
      if (n <= 0) break;
      at += static_cast<size_t>(n);
    }
    ::close(fd);
  });
  absl::StatusOr<ByteStream> stream = ByteStream::FromDescriptor(fds[0], "<stdin>");
  ASSERT_TRUE(stream.ok()) << stream.status();
  EXPECT_EQ(stream->container(), Container::kZstd);
  BlockReader reader(*std::move(stream), kDefaultMaxRecordBytes);
  std::string got;
  RecordBlock b;
  for (;;) {
    absl::StatusOr<bool> more = reader.Next(b, 4096);
    ASSERT_TRUE(more.ok()) << more.status();
    if (!*more) break;
    for (size_t k = 0; k < b.size(); ++k) got.append(b.record(k)).push_back('\n');
  }
  writer.join();
  EXPECT_EQ(got, text);
}

}  // namespace
}  // namespace rwkvkit::corpus::input

// tests/base/file_io_test.cc — the file layer (base/file_io.h) with real files and real
// failures: a file size limit (RLIMIT_FSIZE, SIGXFSZ ignored) makes write(2) fail with EFBIG
// as a full disk fails with ENOSPC; /dev/full fails every write with ENOSPC.
#include "base/file_io.h"

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdint>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace rwkvkit::base {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

class TempDir {
 public:
  explicit TempDir(const fs::path& root = fs::temp_directory_path()) {
    std::random_device rd;
    path_ = root / ("rwkvkit_file_io_" + std::to_string(rd()) + std::to_string(rd()));
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  fs::path operator/(const std::string& name) const { return path_ / name; }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

// Written and read with the standard library, not with the code under test.
void Put(const fs::path& p, const std::string& bytes) { std::ofstream(p, std::ios::binary) << bytes; }
std::string Get(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::string> Names(const fs::path& dir) {
  std::vector<std::string> n;
  for (const auto& e : fs::directory_iterator(dir)) n.push_back(e.path().filename().string());
  std::sort(n.begin(), n.end());
  return n;
}

// Limits the size of every file this process writes while alive.
class FileSizeLimit {
 public:
  explicit FileSizeLimit(rlim_t bytes) {
    getrlimit(RLIMIT_FSIZE, &old_);
    old_handler_ = std::signal(SIGXFSZ, SIG_IGN);
    rlimit r = old_;
    r.rlim_cur = bytes;
    setrlimit(RLIMIT_FSIZE, &r);
  }
  ~FileSizeLimit() {
    setrlimit(RLIMIT_FSIZE, &old_);
    std::signal(SIGXFSZ, old_handler_);
  }

 private:
  rlimit old_{};
  void (*old_handler_)(int) = nullptr;
};

TEST(WriteFileAtomically, ReplacesTheFileAndLeavesNoTemporary) {
  TempDir d;
  Put(d / "build.json", "old");
  const std::string bytes("new\0contents\xff", 13);
  ASSERT_TRUE(WriteFileAtomically(d / "build.json", bytes).ok());
  EXPECT_EQ(Get(d / "build.json"), bytes);
  EXPECT_THAT(Names(d.path()), ElementsAre("build.json"));
}

TEST(WriteFileAtomically, AFailedWriteLeavesNoTemporaryAndTheOldFile) {
  TempDir d;
  const fs::path p = d / "build.json";
  ASSERT_TRUE(WriteFileAtomically(p, "old contents\n").ok());
  absl::Status s;
  {
    FileSizeLimit limit(4096);
    s = WriteFileAtomically(p, std::string(100000, 'x'));
  }
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable) << s;
  EXPECT_THAT(std::string(s.message()), HasSubstr("build.json.tmp: write failed (File too large)"));
  EXPECT_THAT(Names(d.path()), ElementsAre("build.json"));  // no build.json.tmp
  EXPECT_EQ(Get(p), "old contents\n");
}

TEST(WriteFileAtomically, AMissingFolderIsNotFoundNamingTheTemporary) {
  TempDir d;
  const absl::Status s = WriteFileAtomically(d / "nowhere" / "x.json", "{}");
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound) << s;
  EXPECT_THAT(std::string(s.message()), HasSubstr("nowhere/x.json.tmp: cannot create"));
}

TEST(AtomicFileWriter, AWriterDroppedBeforeCommitLeavesTheOldFile) {
  TempDir d;
  Put(d / "report.jsonl", "old\n");
  {
    absl::StatusOr<AtomicFileWriter> w = AtomicFileWriter::Create(d / "report.jsonl", d / "report.jsonl.42.tmp");
    ASSERT_TRUE(w.ok()) << w.status();
    ASSERT_TRUE(w->Append("line 1\n").ok());
    EXPECT_THAT(Names(d.path()), ElementsAre("report.jsonl", "report.jsonl.42.tmp"));
  }
  EXPECT_THAT(Names(d.path()), ElementsAre("report.jsonl"));
  EXPECT_EQ(Get(d / "report.jsonl"), "old\n");
}

TEST(AtomicFileWriter, CommitPublishesWhatWasAppended) {
  TempDir d;
  absl::StatusOr<AtomicFileWriter> w = AtomicFileWriter::Create(d / "out.txt");
  ASSERT_TRUE(w.ok()) << w.status();
  std::string want;
  for (int i = 0; i < 50000; ++i) {  // more than one stdio buffer
    const std::string line = std::to_string(i) + "\n";
    want += line;
    ASSERT_TRUE(w->Append(line).ok());
  }
  EXPECT_FALSE(fs::exists(d / "out.txt"));  // nothing under the final name before Commit
  ASSERT_TRUE(w->Commit().ok());
  EXPECT_EQ(Get(d / "out.txt"), want);
  EXPECT_THAT(Names(d.path()), ElementsAre("out.txt"));
  EXPECT_EQ(w->Append("late").code(), absl::StatusCode::kFailedPrecondition);
}

TEST(AtomicFileWriter, AFullDiskIsResourceExhaustedAndSticky) {
  if (!fs::exists("/dev/full")) GTEST_SKIP() << "no /dev/full";
  TempDir d;
  fs::create_symlink("/dev/full", d / "x.tmp");  // the writer truncates and writes through the link
  absl::StatusOr<AtomicFileWriter> w = AtomicFileWriter::Create(d / "x");
  ASSERT_TRUE(w.ok()) << w.status();
  ASSERT_TRUE(w->Append("buffered").ok());
  const absl::Status s = w->Commit();
  EXPECT_EQ(s.code(), absl::StatusCode::kResourceExhausted) << s;
  EXPECT_THAT(std::string(s.message()), HasSubstr("x.tmp: write failed (No space left on device)"));
  EXPECT_EQ(w->Commit(), s);
  EXPECT_FALSE(fs::exists(d / "x"));
}

// MappedFile: the same bytes and the same errors as ReadFile.
TEST(ReadFile, ReadsEveryByteAndNamesThePathOnErrors) {
  TempDir d;
  std::string bytes(300000, '\0');
  for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<char>(i * 7 + 3);
  Put(d / "f.bin", bytes);
  absl::StatusOr<std::string> got = ReadFile(d / "f.bin");
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(*got, bytes);
  Put(d / "empty", "");
  EXPECT_THAT(ReadFile(d / "empty").value_or("x"), IsEmpty());
  absl::StatusOr<MappedFile> mapped = MappedFile::Open(d / "f.bin");
  ASSERT_TRUE(mapped.ok()) << mapped.status();
  MappedFile moved = *std::move(mapped);
  EXPECT_EQ(moved.bytes(), bytes);
  mapped = MappedFile::Open(d / "empty");
  ASSERT_TRUE(mapped.ok()) << mapped.status();
  EXPECT_THAT(mapped->bytes(), IsEmpty());
  EXPECT_NE(mapped->bytes().data(), nullptr);  // an empty view callers may memcpy from
  moved = *std::move(mapped);  // the old mapping is released
  EXPECT_THAT(moved.bytes(), IsEmpty());
  EXPECT_NE(moved.bytes().data(), nullptr);
  // A file its file system cannot map (sysfs on Linux: mmap fails with ENODEV) is read as
  // ReadFile reads it; checked only where that mmap does fail.
  const fs::path unmappable = "/sys/kernel/mm/transparent_hugepage/enabled";
  bool maps = true;
  if (const int fd = ::open(unmappable.c_str(), O_RDONLY | O_CLOEXEC); fd >= 0) {
    void* m = ::mmap(nullptr, 4096, PROT_READ, MAP_PRIVATE, fd, 0);
    maps = m != MAP_FAILED;
    if (maps) ::munmap(m, 4096);
    ::close(fd);
  }
  if (!maps) {
    const absl::StatusOr<std::string> read = ReadFile(unmappable);
    const absl::StatusOr<MappedFile> fallback = MappedFile::Open(unmappable);
    EXPECT_EQ(fallback.status(), read.status());
    if (read.ok() && fallback.ok()) {
      EXPECT_EQ(fallback->bytes(), *read);
    }
  }

  for (const absl::Status& missing : {ReadFile(d / "missing.json").status(), MappedFile::Open(d / "missing.json").status()}) {
    EXPECT_EQ(missing.code(), absl::StatusCode::kNotFound);
    EXPECT_THAT(std::string(missing.message()), HasSubstr("missing.json: cannot open (No such file or directory)"));
  }
  for (const absl::Status& dir : {ReadFile(d.path()).status(), MappedFile::Open(d.path()).status()}) {
    EXPECT_EQ(dir.code(), absl::StatusCode::kFailedPrecondition);
    EXPECT_THAT(std::string(dir.message()), HasSubstr(": not a regular file"));
  }
}

TEST(CutBackAndRead, TruncatesToTheCheckpointAndReadsIt) {
  TempDir d;
  Put(d / "log", "0123456789tail not yet checkpointed");
  char head[10];
  ASSERT_TRUE(CutBackAndRead(d / "log", 10, head).ok());
  EXPECT_EQ(std::string(head, 10), "0123456789");
  EXPECT_EQ(Get(d / "log"), "0123456789");
  ASSERT_TRUE(CutBackAndRead(d / "log", 4, nullptr).ok());
  EXPECT_EQ(Get(d / "log"), "0123");

  const absl::Status s = CutBackAndRead(d / "log", 5, nullptr);
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(std::string(s.message()), HasSubstr("log: shorter than its checkpoint (saw 4 bytes, expected at least 5)"));
  EXPECT_EQ(Get(d / "log"), "0123");  // a short file is left as it is
}

TEST(MoveFile, RenamesWithinAFileSystem) {
  TempDir d;
  Put(d / "a", "staged");
  Put(d / "b", "old");
  ASSERT_TRUE(MoveFile(d / "a", d / "b").ok());
  EXPECT_EQ(Get(d / "b"), "staged");
  EXPECT_THAT(Names(d.path()), ElementsAre("b"));
}

TEST(MoveFile, CopiesAcrossFileSystems) {
  TempDir here;
  if (!fs::is_directory("/dev/shm")) GTEST_SKIP() << "no /dev/shm";
  TempDir there("/dev/shm");
  struct stat a, b;
  ASSERT_EQ(::stat(here.path().c_str(), &a), 0);
  ASSERT_EQ(::stat(there.path().c_str(), &b), 0);
  if (a.st_dev == b.st_dev) GTEST_SKIP() << "/dev/shm and the temp folder are one file system";
  const std::string bytes(3 << 20, 'z');  // several copy buffers
  Put(there / "shard.bin", bytes);
  Put(here / "shard.bin", "old");
  ASSERT_TRUE(MoveFile(there / "shard.bin", here / "shard.bin").ok());
  EXPECT_EQ(Get(here / "shard.bin"), bytes);
  EXPECT_THAT(Names(here.path()), ElementsAre("shard.bin"));
  EXPECT_THAT(Names(there.path()), IsEmpty());
}

TEST(ErrnoError, TheCodeFollowsTheErrno) {
  EXPECT_EQ(ErrnoError("p", "x", ENOENT).code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(ErrnoError("p", "x", EACCES).code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(ErrnoError("p", "x", ENOSPC).code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(ErrnoError("p", "x", EIO).code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(ErrnoError("dir/f", "write failed", EIO).message(), "dir/f: write failed (Input/output error)");
}

}  // namespace
}  // namespace rwkvkit::base

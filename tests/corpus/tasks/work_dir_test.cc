// tests/corpus/tasks/work_dir_test.cc — the pieces of a split build that stand alone: done
// markers catch truncated and altered outputs, a work directory refuses another build and
// says what changed, read slices cover the inputs in order, key partitions are ranges, and
// the exact-dedup table size a split build reports is the real table's (absl's flat_hash_set
// fed the same number of keys), and the read task's table of recent keys drops only repeats.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <optional>
#include <set>
#include <utility>
#include <vector>

#include "base/file_io.h"
#include "corpus/dedup/exact_dedup.h"
#include "corpus/tasks/intermediate.h"
#include "corpus/tasks/stage_tasks.h"
#include "corpus/tasks/work_dir.h"
#include "tests/corpus/build/test_files.h"

namespace rwkvkit::corpus::tasks {
namespace {

using ::rwkvkit::corpus::testing::TempDir;
using ::rwkvkit::corpus::testing::WriteFile;
using ::testing::HasSubstr;

TEST(ExactDedupSize, EqualsTheRealTableForEveryCount) {
  dedup::ExactDedup real;
  EXPECT_EQ(dedup::ExactDedup::MemoryBytesFor(0), real.MemoryBytes());
  for (uint64_t n = 1; n <= 70000; ++n) {
    real.Insert(dedup::Hash128{n * 0x9E3779B97F4A7C15ull, n});
    ASSERT_EQ(dedup::ExactDedup::MemoryBytesFor(n), real.MemoryBytes()) << n;
  }
}

// The read task's table of recent keys, against a set of every key given: it calls only a
// key given before seen (the zero key too, the empty slots' value), and every key given again
// when no other key of its slot came in between.
TEST(RecentKeys, CatchesOnlyRepeatsAndEveryUninterruptedOne) {
  dedup::RecentKeys recent(4);  // 16 slots: keys collide often
  std::set<std::pair<uint64_t, uint64_t>> given;
  std::vector<std::optional<dedup::Hash128>> last(16);
  uint64_t x = 1;
  int caught = 0;
  for (int i = 0; i < 20000; ++i) {
    x = x * 6364136223846793005ull + 1442695040888963407ull;
    const uint64_t pick = (x >> 33) % 100;  // a hot key, one of 40 recurring ones, or a new one
    const dedup::Hash128 key = pick < 30 ? dedup::Hash128{0, 0}
                                         : pick < 60 ? dedup::Hash128{(x >> 40) % 40, 7} : dedup::Hash128{x, x >> 7};
    const bool seen = recent.SeenBefore(key);
    if (seen) {
      EXPECT_TRUE(given.contains({key.lo, key.hi})) << i;
      ++caught;
    }
    std::optional<dedup::Hash128>& l = last[key.lo & 15];
    if (l && *l == key) {
      EXPECT_TRUE(seen) << i;
    }
    given.insert({key.lo, key.hi});
    l = key;
  }
  EXPECT_GT(caught, 5000);  // the zero key alone comes ~6,000 times
}

TEST(Partitions, AreAscendingKeyRanges) {
  for (uint32_t parts : {1u, 3u, 4u, 7u}) {
    EXPECT_EQ(PartitionOf(0, parts), 0u);
    EXPECT_EQ(PartitionOf(UINT64_MAX, parts), parts - 1);
    uint32_t last = 0;
    for (uint64_t k = 0; k < 1000; ++k) {
      const uint32_t p = PartitionOf(k * (UINT64_MAX / 999), parts);
      EXPECT_GE(p, last);
      last = p;
    }
    EXPECT_EQ(last, parts - 1);
  }
}

TEST(ReadSlices, CoverTheFilesInOrderBalancedByBytes) {
  TempDir dir;
  std::vector<build::InputFile> files;
  const std::vector<size_t> sizes = {100, 0, 5000, 300, 300, 0, 4000, 0, 0};  // empty files last too
  for (size_t k = 0; k < sizes.size(); ++k) {
    WriteFile(dir / ("f" + std::to_string(k)), std::string(sizes[k], 'x'));
    files.push_back(build::InputFile{0, dir / ("f" + std::to_string(k))});
  }
  const std::vector<bool> whole(files.size(), false);
  for (uint32_t tasks : {1u, 2u, 3u, 5u, 12u}) {
    size_t next = 0;
    int empty = 0;
    for (uint32_t t = 0; t < tasks; ++t) {
      const std::vector<build::FilePiece> pieces = ReadSlice(files, whole, t, tasks);
      for (const build::FilePiece& p : pieces) {
        EXPECT_EQ(p.file, next) << tasks << " tasks, task " << t;
        EXPECT_TRUE(p.whole);
        EXPECT_EQ(p.end, sizes[p.file]);
        ++next;
      }
      empty += pieces.empty();
    }
    EXPECT_EQ(next, files.size());
    if (tasks == 12) {
      EXPECT_GE(empty, 5);
    }
  }
  // A file belongs to the task its first byte falls in: of 9700 bytes, the first half ends
  // inside the 5000-byte file, so it goes with the first task.
  const std::vector<build::FilePiece> first = ReadSlice(files, whole, 0, 2);
  ASSERT_EQ(first.size(), 3u);
  EXPECT_EQ(first.back().file, 2u);
}

TEST(ReadSlices, SplittableFilesAreCutAtTheRangesBounds) {
  TempDir dir;
  std::vector<build::InputFile> files;
  const std::vector<size_t> sizes = {100, 0, 5000, 300, 4000, 0};
  for (size_t k = 0; k < sizes.size(); ++k) {
    WriteFile(dir / ("f" + std::to_string(k)), std::string(sizes[k], 'x'));
    files.push_back(build::InputFile{0, dir / ("f" + std::to_string(k))});
  }
  const std::vector<bool> splittable = {true, true, true, false, true, true};  // f3: e.g. compressed
  for (uint32_t tasks : {1u, 2u, 3u, 7u, 40u}) {
    // Every byte of every file in exactly one piece, in input order; f3 whole.
    std::vector<uint64_t> covered(files.size(), 0);
    std::vector<bool> counted(files.size(), false);
    size_t last_file = 0;
    for (uint32_t t = 0; t < tasks; ++t) {
      for (const build::FilePiece& p : ReadSlice(files, splittable, t, tasks)) {
        EXPECT_GE(p.file, last_file);
        last_file = p.file;
        EXPECT_EQ(p.begin, covered[p.file]) << tasks << " tasks, task " << t << ", file " << p.file;
        EXPECT_LT(p.begin, std::max<uint64_t>(p.end, 1));
        EXPECT_EQ(p.whole, p.begin == 0 && p.end == sizes[p.file]);
        if (p.file == 3) {
          EXPECT_TRUE(p.whole);
        }
        covered[p.file] = p.end;
        counted[p.file] = true;
      }
    }
    for (size_t f = 0; f < files.size(); ++f) {
      EXPECT_EQ(covered[f], sizes[f]) << tasks << " tasks, file " << f;
      EXPECT_TRUE(counted[f]) << tasks << " tasks, file " << f;
    }
  }
  // Of 9400 bytes in 2 ranges, the bound 4700 cuts f2 (bytes 100..5100) at its byte 4600.
  const std::vector<build::FilePiece> a = ReadSlice(files, splittable, 0, 2), b = ReadSlice(files, splittable, 1, 2);
  ASSERT_FALSE(a.empty());
  ASSERT_FALSE(b.empty());
  EXPECT_EQ(a.back(), (build::FilePiece{2, false, 0, 4600, std::nullopt}));
  EXPECT_EQ(b.front(), (build::FilePiece{2, false, 4600, 5000, std::nullopt}));
}

TEST(WorkDir, RefusesAnotherBuildAndNamesTheDifference) {
  TempDir dir;
  TaskPlan plan{2, 3, 2, "options {\"shard_tokens\": 5}\nsource a.jsonl 100\n"};
  ASSERT_TRUE(PrepareWorkDir(dir / "w", plan).ok());
  EXPECT_TRUE(PrepareWorkDir(dir / "w", plan).ok());  // the same build goes on
  TaskPlan other = plan;
  other.fingerprint = "options {\"shard_tokens\": 5}\nsource a.jsonl 101\n";
  absl::Status s = PrepareWorkDir(dir / "w", other);
  EXPECT_TRUE(absl::IsFailedPrecondition(s));
  EXPECT_THAT(std::string(s.message()), HasSubstr("was: source a.jsonl 100; now: source a.jsonl 101"));
  other = plan;
  other.partitions = 4;
  s = PrepareWorkDir(dir / "w", other);
  EXPECT_TRUE(absl::IsFailedPrecondition(s));
  EXPECT_THAT(std::string(s.message()), HasSubstr("--partitions 3"));
}

TEST(DoneMarker, CatchesTruncatedAndAlteredOutputsAndRedoneStages) {
  TempDir dir;
  const std::filesystem::path w = dir / "w";
  TaskPlan plan{2, 1, 1, "fp\n"};
  ASSERT_TRUE(PrepareWorkDir(w, plan).ok());
  EXPECT_TRUE(absl::IsNotFound(CheckDone(w, plan, Stage::kRead, 0)));
  for (uint32_t t = 0; t < 2; ++t) {
    ASSERT_TRUE(ClearTaskDir(w, Stage::kRead, t).ok());
    WriteFile(TaskDir(w, Stage::kRead, t) / "tokens.u16", std::string(1000 + t, 'a'));
    ASSERT_TRUE(WriteDoneMarker(w, Stage::kRead, t).ok());
    EXPECT_TRUE(CheckDone(w, plan, Stage::kRead, t).ok());
  }
  ASSERT_TRUE(ClearTaskDir(w, Stage::kDedup, 0).ok());
  WriteFile(TaskDir(w, Stage::kDedup, 0) / "losers.u64", "");
  ASSERT_TRUE(WriteDoneMarker(w, Stage::kDedup, 0).ok());
  EXPECT_TRUE(CheckDone(w, plan, Stage::kDedup, 0).ok());
  // Read task 1 run again, same outputs: another run, so the dedup task is stale (it may have read
  // a damaged file that the run replaced).
  ASSERT_TRUE(WriteDoneMarker(w, Stage::kRead, 1).ok());
  EXPECT_THAT(std::string(CheckDone(w, plan, Stage::kDedup, 0).message()), HasSubstr("earlier stage was redone"));
  // Truncated: the size says so (even when only sizes are checked).
  std::filesystem::resize_file(TaskDir(w, Stage::kRead, 1) / "tokens.u16", 500);
  absl::Status s = CheckDone(w, plan, Stage::kRead, 1, Verify::kSizes);
  EXPECT_TRUE(absl::IsDataLoss(s));
  EXPECT_THAT(std::string(s.message()), HasSubstr("500 bytes, its done marker says 1001"));
  // Altered in place, same size: only the checksum sees it.
  WriteFile(TaskDir(w, Stage::kRead, 0) / "tokens.u16", std::string(1000, 'b'));
  EXPECT_TRUE(CheckDone(w, plan, Stage::kRead, 0, Verify::kSizes).ok());
  s = CheckDone(w, plan, Stage::kRead, 0);
  EXPECT_TRUE(absl::IsDataLoss(s));
  EXPECT_THAT(std::string(s.message()), HasSubstr("checksum"));
  // Read task 0 redone with other output: the dedup task computed from the old one is stale.
  ASSERT_TRUE(WriteDoneMarker(w, Stage::kRead, 0).ok());
  s = CheckDone(w, plan, Stage::kDedup, 0);
  EXPECT_TRUE(absl::IsDataLoss(s));
  EXPECT_THAT(std::string(s.message()), HasSubstr("earlier stage was redone"));
  // A marker of an older intermediate format: not done, so the task is redone (its files are not read).
  std::string old_marker = base::ReadFile(DoneMarkerPath(w, Stage::kRead, 1)).value();
  old_marker.replace(0, old_marker.find('\n'), "rwkvkit done 1");
  WriteFile(DoneMarkerPath(w, Stage::kRead, 1), old_marker);
  s = CheckDone(w, plan, Stage::kRead, 1, Verify::kSizes);
  EXPECT_TRUE(absl::IsDataLoss(s));
  EXPECT_THAT(std::string(s.message()), HasSubstr("intermediate files differ"));
}

TEST(DoneMarker, FilesOutsideTheWorkDirectoryAreHashedOnlyWhenAsked) {
  TempDir dir;
  const std::filesystem::path w = dir / "w", shard = dir / "staged.bin";
  TaskPlan plan{1, 1, 1, "fp\n"};
  ASSERT_TRUE(PrepareWorkDir(w, plan).ok());
  ASSERT_TRUE(ClearTaskDir(w, Stage::kWrite, 0).ok());
  WriteFile(TaskDir(w, Stage::kWrite, 0) / "shards.txt", "total 1\n");
  WriteFile(shard, std::string(100, 'a'));
  ASSERT_TRUE(WriteDoneMarker(w, Stage::kWrite, 0, {shard}).ok());
  WriteFile(shard, std::string(100, 'b'));  // the same size, other bytes
  EXPECT_TRUE(CheckDone(w, plan, Stage::kWrite, 0, Verify::kChecksumsInWork).ok());
  EXPECT_THAT(std::string(CheckDone(w, plan, Stage::kWrite, 0).message()), HasSubstr("checksum"));
  WriteFile(TaskDir(w, Stage::kWrite, 0) / "shards.txt", "total 2\n");
  EXPECT_THAT(std::string(CheckDone(w, plan, Stage::kWrite, 0, Verify::kChecksumsInWork).message()),
              HasSubstr("shards.txt: checksum"));
  std::filesystem::resize_file(shard, 50);
  EXPECT_THAT(std::string(CheckDone(w, plan, Stage::kWrite, 0, Verify::kSizes).message()),
              HasSubstr("50 bytes, its done marker says 100"));
}

}  // namespace
}  // namespace rwkvkit::corpus::tasks

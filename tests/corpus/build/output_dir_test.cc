// tests/corpus/build/output_dir_test.cc — publishing a staged build (corpus/build/output_dir.h)
// with real files and real failures: a non-empty directory in the way makes a rename fail
// half-way through a publish. (The atomic file writes themselves: tests/base/file_io_test.cc.)
#include "corpus/build/output_dir.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "corpus/build/build_report.h"
#include "corpus/build/output_lock.h"
#include "corpus/build/work_files.h"
#include "tests/corpus/build/test_files.h"

namespace rwkvkit::corpus::build {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::vector<std::string> Names(const fs::path& dir) {
  std::vector<std::string> n;
  for (const auto& e : fs::directory_iterator(dir)) n.push_back(e.path().filename().string());
  std::sort(n.begin(), n.end());
  return n;
}

// An old build in `out` (2 shards, build.json, record) and a new one staged (1 shard).
class PublishTest : public ::testing::Test {
 protected:
  void SetUp() override {
    out_ = d_ / "out";
    testing::WriteFile(out_ / "c_00000.bin", "old0");
    testing::WriteFile(out_ / "c_00001.bin", "old1");
    testing::WriteFile(out_ / "build.json", "old build.json");
    testing::WriteFile(out_ / kRecordName,
                       R"({"corpus": "c", "fingerprint": "f0", "files": ["build.json", "c_00000.bin", "c_00001.bin"]})");
    testing::WriteFile(out_ / "notes.txt", "the user's");
    testing::WriteFile(StagingDir(out_) / "c_00000.bin", "new0");
    testing::WriteFile(StagingDir(out_) / "build.json", "new build.json");
    testing::WriteFile(StagedDedupReport(out_), "report");
  }
  testing::TempDir d_;
  fs::path out_;
};

TEST_F(PublishTest, ReplacesOnlyOurFilesAndWritesBuildJsonLast) {
  absl::StatusOr<Ownership> own = ReadOwnership(out_);
  ASSERT_TRUE(own.ok()) << own.status();
  absl::StatusOr<PublishPlan> plan =
      PlanPublish(out_, "c", "f1", {{"--dedup-report", out_ / "dups.jsonl", StagedDedupReport(out_)}}, *own);
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_THAT(plan->remove, ElementsAre("c_00001.bin"));
  ASSERT_TRUE(Publish(out_, *plan).ok());
  EXPECT_THAT(Names(out_), ElementsAre(kRecordName, kWorkDirName, "build.json", "c_00000.bin", "dups.jsonl", "notes.txt"));
  EXPECT_EQ(testing::ReadFile(out_ / "c_00000.bin"), "new0");
  EXPECT_EQ(testing::ReadFile(out_ / "build.json"), "new build.json");
  EXPECT_EQ(testing::ReadFile(out_ / "notes.txt"), "the user's");
  absl::StatusOr<Ownership> now = ReadOwnership(out_);
  ASSERT_TRUE(now.ok());
  EXPECT_EQ(now->fingerprint, "f1");
  EXPECT_THAT(now->files, ElementsAre("build.json", "c_00000.bin", "dups.jsonl"));
  EXPECT_FALSE(PublishPending(out_));
}

TEST_F(PublishTest, ACutOffPublishIsFinishedFromItsPlan) {
  const fs::path report = d_ / "reports" / "dups.jsonl";
  absl::StatusOr<PublishPlan> plan =
      PlanPublish(out_, "c", "f1", {{"--dedup-report", report, StagedDedupReport(out_)}}, *ReadOwnership(out_));
  ASSERT_TRUE(plan.ok()) << plan.status();
  testing::WriteFile(report / "in_the_way", "");  // the report's rename fails: a non-empty directory
  const absl::Status s = Publish(out_, *plan);
  EXPECT_FALSE(s.ok());
  // Cut off half-way: the new shard is in place, build.json is not, the plan says what is left.
  EXPECT_FALSE(fs::exists(out_ / "build.json"));
  EXPECT_TRUE(PublishPending(out_));
  fs::remove_all(report);
  ASSERT_TRUE(FinishPendingPublish(out_).ok());
  EXPECT_FALSE(PublishPending(out_));
  EXPECT_EQ(testing::ReadFile(out_ / "build.json"), "new build.json");
  EXPECT_EQ(testing::ReadFile(report), "report");
  EXPECT_FALSE(fs::exists(out_ / "c_00001.bin"));
  EXPECT_EQ(testing::ReadFile(out_ / "notes.txt"), "the user's");
}

// `plan_saved` runs once, after the plan is written and before anything in `out` changes; a
// publish cut off after it (the callback having removed phase 1's files, as the build does)
// is finished from the plan and staging alone.
TEST_F(PublishTest, PlanSavedRunsOnceThePlanIsWrittenAndPhase1FilesAreNotNeeded) {
  for (const char* name : {kFingerprintFile, kTokensFile, kDocsFile, kSpillDoneFile, kDocsMetaLog, kDedupKeysLog,
                           kCheckpointFile, kDocsMetaFile, kPhase1JsonFile})
    testing::WriteFile(WorkDir(out_) / name, "phase 1");
  const fs::path report = d_ / "reports" / "dups.jsonl";
  absl::StatusOr<PublishPlan> plan =
      PlanPublish(out_, "c", "f1", {{"--dedup-report", report, StagedDedupReport(out_)}}, *ReadOwnership(out_));
  ASSERT_TRUE(plan.ok()) << plan.status();
  testing::WriteFile(report / "in_the_way", "");  // the report's rename fails: the publish is cut off
  int calls = 0;
  const absl::Status s = Publish(out_, *plan, [&] {
    ++calls;
    EXPECT_TRUE(PublishPending(out_));
    EXPECT_EQ(testing::ReadFile(out_ / "c_00000.bin"), "old0");  // nothing carried out yet
    EXPECT_EQ(testing::ReadFile(out_ / "build.json"), "old build.json");
    for (const auto& e : fs::directory_iterator(WorkDir(out_)))
      if (e.is_regular_file() && e.path().filename() != kPlanName && e.path() != StagedDedupReport(out_))
        fs::remove(e.path());
  });
  EXPECT_EQ(calls, 1);
  EXPECT_FALSE(s.ok());
  fs::remove_all(report);
  ASSERT_TRUE(FinishPendingPublish(out_).ok());
  EXPECT_EQ(testing::ReadFile(out_ / "build.json"), "new build.json");
  EXPECT_EQ(testing::ReadFile(out_ / "c_00000.bin"), "new0");
  EXPECT_EQ(testing::ReadFile(report), "report");
  EXPECT_FALSE(PublishPending(out_));
}

// When the plan cannot be written (a directory in its place), `plan_saved` is not called and
// the old build is untouched.
TEST_F(PublishTest, PlanSavedIsNotCalledWhenThePlanCannotBeWritten) {
  testing::WriteFile(WorkDir(out_) / kPlanName / "in_the_way", "");
  absl::StatusOr<PublishPlan> plan = PlanPublish(out_, "c", "f1", {}, *ReadOwnership(out_));
  ASSERT_TRUE(plan.ok()) << plan.status();
  bool called = false;
  EXPECT_FALSE(Publish(out_, *plan, [&] { called = true; }).ok());
  EXPECT_FALSE(called);
  EXPECT_EQ(testing::ReadFile(out_ / "c_00000.bin"), "old0");
  EXPECT_EQ(testing::ReadFile(out_ / "c_00001.bin"), "old1");
  EXPECT_EQ(testing::ReadFile(out_ / "build.json"), "old build.json");
}

TEST_F(PublishTest, AShardNameTakenByAUsersFileStopsThePublishBeforeAnyChange) {
  fs::remove(out_ / kRecordName);  // the old build's files are now only what build.json lists: none
  testing::WriteFile(out_ / "build.json", R"({"corpus": "c", "shards": []})");
  absl::StatusOr<PublishPlan> plan = PlanPublish(out_, "c", "f1", {}, *ReadOwnership(out_));
  EXPECT_EQ(plan.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(plan.status().message()), HasSubstr("c_00000.bin: exists and rwkvkit did not write it"));
  EXPECT_EQ(testing::ReadFile(out_ / "c_00000.bin"), "old0");
}

TEST(CheckOutputDir, RefusesForeignFilesAndOtherCorpora) {
  testing::TempDir d;
  testing::WriteFile(d / "out/build.json", R"({"corpus": "other", "shards": [{"name": "other_00000"}]})");
  testing::WriteFile(d / "out/other_00000.bin", "");
  testing::WriteFile(d / "out/other_00000.idx", "");
  absl::StatusOr<Ownership> own = ReadOwnership(d / "out");
  ASSERT_TRUE(own.ok()) << own.status();
  EXPECT_EQ(own->corpus, "other");
  absl::Status s = CheckOutputDir(d / "out", "c", false, *own);
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(s.message()), HasSubstr("another corpus (\"other\""));
  EXPECT_TRUE(CheckOutputDir(d / "out", "other", false, *own).ok());
  testing::WriteFile(d / "out/mine.txt", "");
  s = CheckOutputDir(d / "out", "other", false, *own);
  EXPECT_THAT(std::string(s.message()), HasSubstr("1 file(s) that rwkvkit did not write for corpus \"other\" (mine.txt)"));
  EXPECT_TRUE(CheckOutputDir(d / "out", "other", true, *own).ok());
}

// The build and the split build create their output directory and lock it through one call: a
// file in the way is refused by name, missing parents are made, a held lock refuses a second.
TEST(CreateAndLock, RefusesAFileMakesParentsAndExcludesASecondBuild) {
  testing::TempDir d;
  testing::WriteFile(d / "file", "x");
  absl::StatusOr<OutputLock> in_file = CreateAndLock(d / "file", "test");
  EXPECT_EQ(in_file.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(in_file.status().message()), HasSubstr("file: exists and is not a directory"));
  {
    absl::StatusOr<OutputLock> first = CreateAndLock(d / "a/b/out", "first build");
    ASSERT_TRUE(first.ok()) << first.status();
    EXPECT_TRUE(fs::is_directory(d / "a/b/out"));
    absl::StatusOr<OutputLock> second = CreateAndLock(d / "a/b/out", "second build");
    EXPECT_EQ(second.status().code(), absl::StatusCode::kFailedPrecondition);
    EXPECT_THAT(std::string(second.status().message()), HasSubstr("first build"));
  }
  EXPECT_TRUE(CreateAndLock(d / "a/b/out", "third build").ok());  // released with the first
}

}  // namespace
}  // namespace rwkvkit::corpus::build

// tests/corpus/build/near_dedup_stage_test.cc — NearDedupStage's checkpoint files
// (corpus/build/near_dedup_stage.h): a Sync() with no document added since the last one (a read
// task of a split build whose documents all went to other tasks) succeeds and writes nothing;
// UBSan once stopped it on fwrite of an empty vector's null pointer. Release() (a read task's
// bounded memory) writes the numbers in order, interleaved with Sync(), each document once.
#include "corpus/build/near_dedup_stage.h"

#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "base/file_io.h"
#include "corpus/build/work_files.h"

#include "tests/corpus/build/test_files.h"

namespace rwkvkit::corpus::build {
namespace {

TEST(NearDedupStage, SyncWithNothingNewSucceedsAndWritesNothing) {
  testing::TempDir dir;
  const dedup::MinHashConfig config;
  absl::StatusOr<NearDedupStage> stage = NearDedupStage::Create(dir.path(), config);
  ASSERT_TRUE(stage.ok()) << stage.status();
  ASSERT_TRUE(stage->Sync().ok());  // nothing added at all
  EXPECT_EQ(std::filesystem::file_size(dir / kNearDocsFile), 0u);

  const std::vector<uint64_t> signature(static_cast<size_t>(config.num_hashes()), 7);
  ASSERT_TRUE(stage->Add(signature, 12, 40, 0, 1).ok());
  ASSERT_TRUE(stage->Sync().ok());
  ASSERT_TRUE(stage->Sync().ok());  // nothing new since the last one
  // One document: its tokens, bytes, file and line (0, 0 without a report), once.
  EXPECT_EQ(std::filesystem::file_size(dir / kNearDocsFile), 4 * sizeof(uint64_t));
  EXPECT_EQ(std::filesystem::file_size(dir / kSignaturesFile), signature.size() * sizeof(uint64_t));

  ASSERT_TRUE(stage->Add(signature, 5, 50, 0, 2).ok());
  ASSERT_TRUE(stage->Release().ok());
  ASSERT_TRUE(stage->Release().ok());  // nothing new
  ASSERT_TRUE(stage->Add(signature, 6, 60, 0, 3).ok());
  ASSERT_TRUE(stage->Sync().ok());
  EXPECT_EQ(stage->documents(), 3u);
  const std::string raw = base::ReadFile(dir / kNearDocsFile).value_or("");
  ASSERT_EQ(raw.size(), 12 * sizeof(uint64_t));
  std::vector<uint64_t> numbers(12);
  std::memcpy(numbers.data(), raw.data(), raw.size());
  EXPECT_EQ(numbers, (std::vector<uint64_t>{12, 40, 0, 0, 5, 50, 0, 0, 6, 60, 0, 0}));
}

}  // namespace
}  // namespace rwkvkit::corpus::build

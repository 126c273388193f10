// tests/corpus/build/input_paths_test.cc — files, directories and globs to a sorted list.
#include "corpus/input/input_paths.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/corpus/build/test_files.h"

namespace rwkvkit::corpus::input {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(ExpandInputPaths, FilesDirectoriesAndGlobsSortedWithoutDuplicates) {
  testing::TempDir d;
  for (const char* f : {"b.jsonl", "a.jsonl", "sub/c.jsonl", "sub/deep/d.jsonl", "sub/skip.txt", "z.jsonl.zst"})
    testing::WriteFile(d / f, "{}\n");
  absl::StatusOr<std::vector<std::filesystem::path>> r =
      ExpandInputPaths({d / "sub", d / "*.jsonl", d / "a.jsonl"}, "jsonl");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_THAT(*r, ElementsAre(d / "a.jsonl", d / "b.jsonl", d / "sub/c.jsonl", d / "sub/deep/d.jsonl"));
  absl::StatusOr<std::vector<std::filesystem::path>> z = ExpandInputPaths({d.path()}, "jsonl.zst");
  ASSERT_TRUE(z.ok());
  EXPECT_THAT(*z, ElementsAre(d / "z.jsonl.zst"));
}

TEST(ExpandInputPaths, MissingInputsAreErrorsBeforeWork) {
  testing::TempDir d;
  absl::StatusOr<std::vector<std::filesystem::path>> r = ExpandInputPaths({d / "nope.jsonl"}, "jsonl");
  EXPECT_EQ(r.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("nope.jsonl"));
  r = ExpandInputPaths({d / "*.jsonl"}, "jsonl");
  EXPECT_EQ(r.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("matches no file"));
  r = ExpandInputPaths({d.path()}, "jsonl");
  EXPECT_EQ(r.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("holds no jsonl files"));
}

}  // namespace
}  // namespace rwkvkit::corpus::input

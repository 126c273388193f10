// tests/corpus/tasks/external_sort_test.cc — ExternalSorter against std::sort.
#include "corpus/tasks/external_sort.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <random>
#include <vector>

namespace rwkvkit::corpus::tasks {
namespace {

struct Rec {
  uint64_t key, member;
  bool operator<(const Rec& o) const { return key != o.key ? key < o.key : member < o.member; }
  bool operator==(const Rec&) const = default;
};

class ExternalSortTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("rwkvkit_xsort_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

// Many equal keys (members break the ties), in random order.
std::vector<Rec> Input(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<Rec> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = Rec{rng() % (n / 3 + 1), i};
  std::shuffle(v.begin(), v.end(), rng);
  return v;
}

TEST_F(ExternalSortTest, EveryBudgetGivesTheSortedInputAndLeavesNoRunFiles) {
  const std::vector<Rec> in = Input(20000, 7);
  std::vector<Rec> want = in;
  std::sort(want.begin(), want.end());
  // Whole in memory; a few runs; more than kFanIn runs (merged in several passes); one record a run.
  for (const uint64_t budget : {uint64_t{1} << 30, uint64_t{16} << 10, uint64_t{800}, uint64_t{1}}) {
    std::vector<Rec> got;
    size_t spilled = 0;
    {
      ExternalSorter<Rec> s(dir_, "t", budget);
      for (const Rec& r : in) ASSERT_TRUE(s.Add(r).ok());
      ASSERT_TRUE(s.Finish().ok());
      for (Rec r{};;) {
        absl::StatusOr<bool> more = s.Next(r);
        ASSERT_TRUE(more.ok()) << more.status();
        if (!*more) break;
        got.push_back(r);
      }
      EXPECT_EQ(s.records(), in.size());
      spilled = s.spilled();
    }
    EXPECT_EQ(got, want) << "budget " << budget;
    EXPECT_EQ(spilled == 0, budget >= in.size() * sizeof(Rec)) << "budget " << budget;
    if (budget <= 800) {
      EXPECT_GT(spilled, ExternalSorter<Rec>::kFanIn);
    }
    EXPECT_TRUE(std::filesystem::is_empty(dir_)) << "run files left behind, budget " << budget;
  }
}

TEST_F(ExternalSortTest, NothingToSort) {
  ExternalSorter<Rec> s(dir_, "t", 64);
  ASSERT_TRUE(s.Finish().ok());
  Rec r{};
  absl::StatusOr<bool> more = s.Next(r);
  ASSERT_TRUE(more.ok());
  EXPECT_FALSE(*more);
}

TEST_F(ExternalSortTest, AnUnwritableDirectoryIsAnError) {
  ExternalSorter<Rec> s(dir_ / "missing", "t", sizeof(Rec));
  absl::Status st = s.Add(Rec{1, 1});
  if (st.ok()) st = s.Add(Rec{2, 2});
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("missing"), std::string::npos) << st;
}

}  // namespace
}  // namespace rwkvkit::corpus::tasks

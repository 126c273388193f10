// tests/refmodel/eval/shard_set_test.cc — --data arguments to shard prefixes.
#include "refmodel/eval/shard_set.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <random>

namespace rwkvkit::refmodel {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(ResolveShards, PrefixesPathsAndDirectories) {
  const auto d = std::filesystem::temp_directory_path() / ("rwkvkit_shards_" + std::to_string(std::random_device{}()));
  std::filesystem::create_directories(d);
  for (const char* f : {"c_00001.bin", "c_00001.idx", "c_00000.bin", "c_00000.idx", "lonely.idx", "build.json"})
    std::ofstream(d / f) << "x";
  absl::StatusOr<std::vector<std::filesystem::path>> r = ResolveShards({d.string()});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_THAT(*r, ElementsAre(d / "c_00000", d / "c_00001"));  // name order; lonely.idx has no .bin
  r = ResolveShards({(d / "c_00001.idx").string(), (d / "c_00000").string(), (d / "c_00001.bin").string()});
  ASSERT_TRUE(r.ok());
  EXPECT_THAT(*r, ElementsAre(d / "c_00001", d / "c_00000"));  // argument order, each once
  r = ResolveShards({(d / "lonely").string()});
  EXPECT_EQ(r.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("lonely"));
  std::filesystem::remove_all(d);
}

}  // namespace
}  // namespace rwkvkit::refmodel

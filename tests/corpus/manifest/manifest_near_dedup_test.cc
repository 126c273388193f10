// tests/corpus/manifest/manifest_near_dedup_test.cc — the manifest's top-level "near_dedup"
// object: absent, partial (defaults fill the rest), complete, and every validation error with
// its JSON path.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "corpus/build/manifest.h"

namespace rwkvkit::corpus::build {
namespace {

using ::testing::HasSubstr;

// A valid manifest with `near` as its near_dedup value (empty: no near_dedup key).
std::string WithNearDedup(const std::string& near) {
  std::string json = R"({"name": "t", "sources": [{"name": "a", "paths": ["a.jsonl"], "license": "MIT"}],)"
                     R"( "output": {"dir": "out", "shard_tokens": 100, "ctx_len": 4096})";
  if (!near.empty()) json += R"(, "near_dedup": )" + near;
  return json + "}";
}

absl::StatusOr<Manifest> Parse(const std::string& near) { return ParseManifest(WithNearDedup(near), "m.json", "/b"); }

TEST(ManifestNearDedup, AbsentMeansNoSetting) {
  absl::StatusOr<Manifest> m = Parse("");
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_FALSE(m->near_dedup.has_value());
}

TEST(ManifestNearDedup, PartialObjectKeepsTheOtherDefaults) {
  absl::StatusOr<Manifest> m = Parse(R"({"threshold": 0.85})");
  ASSERT_TRUE(m.ok()) << m.status();
  ASSERT_TRUE(m->near_dedup.has_value());
  EXPECT_FALSE(m->near_dedup->enabled.has_value());
  const dedup::MinHashConfig defaults;
  EXPECT_DOUBLE_EQ(m->near_dedup->config.threshold, 0.85);
  EXPECT_EQ(m->near_dedup->config.ngram, defaults.ngram);
  EXPECT_EQ(m->near_dedup->config.bands, defaults.bands);
  EXPECT_EQ(m->near_dedup->config.rows, defaults.rows);
  EXPECT_EQ(m->near_dedup->config.seed, defaults.seed);
}

TEST(ManifestNearDedup, EveryField) {
  absl::StatusOr<Manifest> m = Parse(R"({"enabled": false, "ngram": 3, "bands": 20, "rows": 5, "threshold": 1})");
  ASSERT_TRUE(m.ok()) << m.status();
  ASSERT_TRUE(m->near_dedup.has_value());
  EXPECT_EQ(m->near_dedup->enabled, std::optional<bool>(false));
  EXPECT_EQ(m->near_dedup->config.ngram, 3);
  EXPECT_EQ(m->near_dedup->config.bands, 20);
  EXPECT_EQ(m->near_dedup->config.rows, 5);
  EXPECT_DOUBLE_EQ(m->near_dedup->config.threshold, 1.0);
  EXPECT_TRUE(m->near_dedup->config.Validate().ok());
  EXPECT_EQ(Parse(R"({"enabled": true})")->near_dedup->enabled, std::optional<bool>(true));
}

TEST(ManifestNearDedup, ErrorsNameTheField) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"([])", "m.json: near_dedup: must be an object"},
      {R"({"enabled": "on"})", "m.json: near_dedup.enabled: must be true or false (saw \"on\")"},
      {R"({"ngram": 0})", "m.json: near_dedup.ngram: must be an integer >= 1 (saw 0)"},
      {R"({"ngram": 65})", "m.json: near_dedup.ngram: must be at most 64 (saw 65)"},
      {R"({"bands": -2})", "m.json: near_dedup.bands: must be an integer >= 1"},
      {R"({"rows": 2.5})", "m.json: near_dedup.rows: must be an integer >= 1"},
      {R"({"bands": 100, "rows": 100})", "m.json: near_dedup: bands x rows must be at most 4096 (saw 100 x 100)"},
      {R"({"threshold": 0})", "m.json: near_dedup.threshold: must be a number in (0, 1] (saw 0)"},
      {R"({"threshold": 1.5})", "m.json: near_dedup.threshold: must be a number in (0, 1]"},
      {R"({"threshold": "high"})", "m.json: near_dedup.threshold: must be a number in (0, 1]"},
      {R"({"shingles": 5})", "m.json: near_dedup: unknown key \"shingles\""},
  };
  for (const auto& c : cases) {
    const absl::StatusOr<Manifest> m = Parse(c.first);
    EXPECT_EQ(m.status().code(), absl::StatusCode::kInvalidArgument) << c.first;
    EXPECT_THAT(std::string(m.status().message()), HasSubstr(c.second)) << c.first;
  }
}

}  // namespace
}  // namespace rwkvkit::corpus::build

// tests/corpus/manifest/manifest_error_test.cc — every manifest validation error: its code
// and its location (the file name and the JSON path of the bad field).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "corpus/build/manifest.h"

namespace rwkvkit::corpus::build {
namespace {

using ::testing::HasSubstr;

constexpr char kSource0[] = R"({"name": "a", "paths": ["a.jsonl"], "license": "MIT"})";
constexpr char kSource1[] = R"({"name": "b", "paths": ["b.jsonl"], "license": "MIT"})";
constexpr char kOutput[] = R"({"dir": "out", "shard_tokens": 100, "ctx_len": 4096})";

// A manifest with a good sources[0] and `source1` as sources[1].
std::string WithSource1(const std::string& source1) {
  return std::string(R"({"name": "t", "sources": [)") + kSource0 + ", " + source1 + R"(], "output": )" + kOutput +
         "}";
}
// A manifest with good sources and `output` as its output object (empty: no output key).
std::string WithOutput(const std::string& output) {
  std::string json = std::string(R"({"name": "t", "sources": [)") + kSource0 + ", " + kSource1 + "]";
  if (!output.empty()) json += R"(, "output": )" + output;
  return json + "}";
}

absl::Status Parse(const std::string& json) { return ParseManifest(json, "m.json", "/base").status(); }

// Expects kInvalidArgument, a message starting at the file and JSON path `where`, and `what` in it.
void ExpectInvalid(const std::string& json, const std::string& where, const std::string& what) {
  const absl::Status s = Parse(json);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << json << "\n" << s;
  EXPECT_THAT(std::string(s.message()), HasSubstr("m.json: " + where + ": ")) << json;
  EXPECT_THAT(std::string(s.message()), HasSubstr(what)) << json;
}

TEST(ManifestErrors, FixturesAreValid) {
  EXPECT_TRUE(Parse(WithSource1(kSource1)).ok()) << Parse(WithSource1(kSource1));
  EXPECT_TRUE(Parse(WithOutput(kOutput)).ok()) << Parse(WithOutput(kOutput));
}

TEST(ManifestErrors, Document) {
  ExpectInvalid("", "(document)", "invalid JSON");
  ExpectInvalid(R"({"name": "t", )", "(document)", "invalid JSON");
  ExpectInvalid(R"({"name": 't'})", "(document)", "invalid JSON");
  ExpectInvalid("[1, 2]", "(document)", "must be a JSON object");
  ExpectInvalid(R"("demo")", "(document)", "must be a JSON object");
}

TEST(ManifestErrors, TopLevelFields) {
  const std::string rest = std::string(R"("sources": [)") + kSource0 + R"(], "output": )" + kOutput;
  ExpectInvalid("{" + rest + R"(, "sourcez": []})", "(document)", "unknown key \"sourcez\"");
  ExpectInvalid("{" + rest + "}", "(document)", "missing \"name\"");
  ExpectInvalid(R"({"name": "", )" + rest + "}", "(document).name", "must be a non-empty string");
  ExpectInvalid(R"({"name": 5, )" + rest + "}", "(document).name", "must be a non-empty string");
  ExpectInvalid(R"({"name": "t", "description": 5, )" + rest + "}", "(document).description", "must be");
  ExpectInvalid(R"({"name": "t", "seed": -1, )" + rest + "}", "(document).seed", "must be an integer >= 0 (saw -1)");
  ExpectInvalid(R"({"name": "t", "seed": "x", )" + rest + "}", "(document).seed", "must be an integer >= 0");
  ExpectInvalid(R"({"name": "t", "seed": 1.5, )" + rest + "}", "(document).seed", "must be an integer >= 0");
}

TEST(ManifestErrors, SourcesArray) {
  const std::string output = std::string(R"(, "output": )") + kOutput + "}";
  ExpectInvalid(R"({"name": "t")" + output, "sources", "must be a non-empty array of objects");
  ExpectInvalid(R"({"name": "t", "sources": [])" + output, "sources", "must be a non-empty array of objects");
  ExpectInvalid(R"({"name": "t", "sources": {})" + output, "sources", "must be a non-empty array of objects");
  ExpectInvalid(WithSource1(R"("b")"), "sources[1]", "must be an object");
}

TEST(ManifestErrors, UnknownSourceKey) {
  ExpectInvalid(WithSource1(R"({"name": "b", "paths": ["b"], "license": "MIT", "wieght": 1})"), "sources[1]",
                "unknown key \"wieght\"");
}

TEST(ManifestErrors, SourceNameAndLicense) {
  ExpectInvalid(WithSource1(R"({"paths": ["b"], "license": "MIT"})"), "sources[1]", "missing \"name\"");
  ExpectInvalid(WithSource1(R"({"name": "", "paths": ["b"], "license": "MIT"})"), "sources[1].name",
                "must be a non-empty string");
  ExpectInvalid(WithSource1(R"({"name": ["b"], "paths": ["b"], "license": "MIT"})"), "sources[1].name",
                "must be a non-empty string");
  ExpectInvalid(WithSource1(R"({"name": "b", "paths": ["b"]})"), "sources[1]", "missing \"license\"");
  ExpectInvalid(WithSource1(R"({"name": "b", "paths": ["b"], "license": ""})"), "sources[1].license",
                "must be a non-empty string");
  ExpectInvalid(WithSource1(R"({"name": "a", "paths": ["b"], "license": "MIT"})"), "sources[1]",
                "source name \"a\" is used twice");
}

TEST(ManifestErrors, SourcePaths) {
  const std::string kArray = "must be a non-empty array of strings";
  ExpectInvalid(WithSource1(R"({"name": "b", "license": "MIT"})"), "sources[1].paths", kArray);
  ExpectInvalid(WithSource1(R"({"name": "b", "paths": [], "license": "MIT"})"), "sources[1].paths", kArray);
  ExpectInvalid(WithSource1(R"({"name": "b", "paths": "b.jsonl", "license": "MIT"})"), "sources[1].paths", kArray);
  ExpectInvalid(WithSource1(R"({"name": "b", "paths": ["b", 7], "license": "MIT"})"), "sources[1].paths[1]",
                "must be a non-empty string");
  ExpectInvalid(WithSource1(R"({"name": "b", "paths": ["b", null], "license": "MIT"})"), "sources[1].paths[1]",
                "must be a non-empty string");
  ExpectInvalid(WithSource1(R"({"name": "b", "paths": [""], "license": "MIT"})"), "sources[1].paths[0]",
                "must be a non-empty string");
}

TEST(ManifestErrors, SourceFormatKeysAndLanguage) {
  ExpectInvalid(WithSource1(R"({"name": "b", "paths": ["b"], "license": "MIT", "format": "csv"})"),
                "sources[1].format",
                R"(must be "jsonl", "jsonl.zst", "jsonl.gz", "jsonl.xz", "text", "parquet" or "auto" (saw "csv"))");
  ExpectInvalid(WithSource1(R"({"name": "b", "paths": ["b"], "license": "MIT", "format": 1})"), "sources[1].format",
                "must be");
  ExpectInvalid(WithSource1(R"({"name": "b", "paths": ["b"], "license": "MIT", "text_key": 1})"),
                "sources[1].text_key", "must be");
  ExpectInvalid(WithSource1(R"({"name": "b", "paths": ["b"], "license": "MIT", "id_key": false})"),
                "sources[1].id_key", "must be");
  ExpectInvalid(WithSource1(R"({"name": "b", "paths": ["b"], "license": "MIT", "language": 5})"),
                "sources[1].language", "must be a BCP 47 tag or null");
  ExpectInvalid(WithSource1(R"({"name": "b", "paths": ["b"], "license": "MIT", "language": ""})"),
                "sources[1].language", "must be a BCP 47 tag or null");
}

TEST(ManifestErrors, SourceWeight) {
  const std::string kPrefix = R"({"name": "b", "paths": ["b"], "license": "MIT", "weight": )";
  ExpectInvalid(WithSource1(kPrefix + "0}"), "sources[1].weight", "must be a number > 0 (saw 0)");
  ExpectInvalid(WithSource1(kPrefix + "0.0}"), "sources[1].weight", "must be a number > 0 (saw 0");
  ExpectInvalid(WithSource1(kPrefix + "-1}"), "sources[1].weight", "must be a number > 0 (saw -1)");
  ExpectInvalid(WithSource1(kPrefix + "-0.5}"), "sources[1].weight", "must be a number > 0 (saw -0.5)");
  ExpectInvalid(WithSource1(kPrefix + R"("x"})"), "sources[1].weight", R"(must be a number > 0 (saw "x"))");
  ExpectInvalid(WithSource1(kPrefix + "null}"), "sources[1].weight", "must be a number > 0 (saw null)");
  // A document's copies are stored in 16 bits: a larger weight used to be clamped silently.
  ExpectInvalid(WithSource1(kPrefix + "70000}"), "sources[1].weight", "must be at most 65535");
  ExpectInvalid(WithSource1(kPrefix + "65535.5}"), "sources[1].weight", "must be at most 65535");
  EXPECT_TRUE(Parse(WithSource1(kPrefix + "65535}")).ok());
}

// The corpus name becomes part of the shard file names: nothing that leaves the directory.
TEST(ManifestErrors, CorpusNameIsAPlainFileName) {
  const std::string rest = std::string(R"(, "sources": [)") + kSource0 + R"(], "output": )" + kOutput + "}";
  for (const std::string name : {"../up", "/abs/path", "a/b", "a\\\\b", ".hidden", "-x", "a\\u0000b", "tab\\tx"})
    ExpectInvalid(R"({"name": ")" + name + "\"" + rest, "(document).name", "must be a plain file name");
  ExpectInvalid(R"({"name": ")" + std::string(201, 'n') + "\"" + rest, "(document).name", "201 bytes long");
  EXPECT_TRUE(Parse(R"({"name": "rwkv_world-v2.1 ü")" + rest).ok());
  const std::string nul = std::string(CheckCorpusName(std::string("a\0b", 3)).message());
  EXPECT_THAT(nul, HasSubstr("control character 0x00"));
  EXPECT_EQ(nul.find('\0'), std::string::npos) << "the message must not be cut at the NUL";
}

TEST(ManifestErrors, SourceNameWithoutControlCharacters) {
  ExpectInvalid(WithSource1(R"({"name": "b\u0000c", "paths": ["b"], "license": "MIT"})"), "sources[1].name",
                "control character 0x00");
}

// Editors on Windows save JSON with a UTF-8 byte order mark.
TEST(ManifestErrors, ByteOrderMarkIsSkipped) {
  const absl::StatusOr<Manifest> m = ParseManifest("\xEF\xBB\xBF" + WithSource1(kSource1), "m.json", "/base");
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->name, "t");
}

TEST(ManifestErrors, Output) {
  ExpectInvalid(WithOutput(""), "output", "must be an object");
  ExpectInvalid(WithOutput("[]"), "output", "must be an object");
  ExpectInvalid(WithOutput(R"({"dir": "o", "shard_tokens": 1, "ctx_len": 1, "ctx": 2})"), "output",
                "unknown key \"ctx\"");
  ExpectInvalid(WithOutput(R"({"shard_tokens": 1, "ctx_len": 1})"), "output", "missing \"dir\"");
  ExpectInvalid(WithOutput(R"({"dir": "", "shard_tokens": 1, "ctx_len": 1})"), "output.dir",
                "must be a non-empty string");
  ExpectInvalid(WithOutput(R"({"dir": "o", "ctx_len": 1})"), "output", "missing \"shard_tokens\"");
  ExpectInvalid(WithOutput(R"({"dir": "o", "shard_tokens": 1})"), "output", "missing \"ctx_len\"");
}

TEST(ManifestErrors, OutputCounts) {
  for (const char* key : {"shard_tokens", "ctx_len"}) {
    SCOPED_TRACE(key);
    const std::string other = std::string(key) == "ctx_len" ? R"("shard_tokens": 1)" : R"("ctx_len": 1)";
    const auto with = [&](const std::string& value) {
      return WithOutput(R"({"dir": "o", )" + other + ", \"" + key + "\": " + value + "}");
    };
    const std::string where = std::string("output.") + key;
    ExpectInvalid(with("0"), where, "must be an integer >= 1 (saw 0)");
    ExpectInvalid(with("-4096"), where, "must be an integer >= 1 (saw -4096)");
    ExpectInvalid(with("1.5"), where, "must be an integer >= 1 (saw 1.5)");
    ExpectInvalid(with(R"("4096")"), where, R"(must be an integer >= 1 (saw "4096"))");
  }
}

TEST(ManifestErrors, LoadMissingFile) {
  const absl::StatusOr<Manifest> m = LoadManifest("/nonexistent/rwkvkit/world.json");
  EXPECT_EQ(m.status().code(), absl::StatusCode::kNotFound) << m.status();
  EXPECT_THAT(std::string(m.status().message()), HasSubstr("/nonexistent/rwkvkit/world.json: "));
}

}  // namespace
}  // namespace rwkvkit::corpus::build

// tests/corpus/build/pipeline_test.cc — RunBuild end to end on small generated inputs:
// determinism across thread counts, dedup, normalization, weights, shuffle, bad input,
// damaged zstd files, shard sizes, --resume of a build killed in its clean-up; the input stage's
// block sizes and the token store's reads. Shards are read back with the binidx reader and decoded.
#include "corpus/build/pipeline.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <set>

#include "corpus/binidx/shard_reader.h"
#include "corpus/build/build_checks.h"
#include "corpus/build/build_stages.h"
#include "corpus/build/output_dir.h"
#include "corpus/build/spill_store.h"
#include "corpus/build/work_files.h"
#include "simdjson.h"
#include "tests/corpus/build/test_files.h"

namespace rwkvkit::corpus::build {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

class PipelineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string path = RWKVKIT_INSTALLED_VOCAB;
    if (const char* env = std::getenv("RWKVKIT_VOCAB"); env != nullptr && *env != '\0') path = env;
    if (!std::filesystem::exists(path)) GTEST_SKIP() << "World vocab not installed: run tools/setup.sh";
    absl::StatusOr<tokenizer::Tokenizer> t = tokenizer::Tokenizer::Load(path);
    ASSERT_TRUE(t.ok()) << t.status();
    tok_.emplace(*std::move(t));
  }

  ManifestSource Source(const std::string& name, std::vector<std::filesystem::path> paths,
                        const std::string& format = "jsonl", double weight = 1.0) {
    ManifestSource s;
    s.name = name;
    s.paths = std::move(paths);
    s.format = format;
    s.license = "test";
    s.weight = weight;
    return s;
  }

  BuildOptions Options(std::vector<ManifestSource> sources, const std::filesystem::path& out) {
    BuildOptions o;
    o.manifest.name = "t";
    o.manifest.seed = 7;
    o.manifest.sources = std::move(sources);
    o.out_dir = out;
    o.shard_tokens = 1 << 20;
    o.ctx_len = 16;
    o.progress = false;
    // Near-dedup is on by default, and these inputs are made of numbered lookalikes ("sample
    // 17"): digits fold to 0 in its shingles. Tests of other things turn it off; the near-dedup
    // tests turn it on.
    o.near_dedup = false;
    return o;
  }

  // Every document of every shard of `out`, decoded (the end-of-document 0 checked, removed).
  std::vector<std::string> Documents(const std::filesystem::path& out, const std::string& name = "t") {
    std::vector<std::string> docs;
    for (int k = 0;; ++k) {
      char shard[64];
      std::snprintf(shard, sizeof shard, "%s_%05d", name.c_str(), k);
      if (!std::filesystem::exists(out / (std::string(shard) + ".bin"))) break;
      absl::StatusOr<binidx::ShardReader> r = binidx::ShardReader::Open(out / shard);
      EXPECT_TRUE(r.ok()) << r.status();
      std::vector<uint16_t> ids;
      for (uint64_t i = 0; i < r->num_documents(); ++i) {
        EXPECT_TRUE(r->ReadDocument(i, ids).ok());
        EXPECT_FALSE(ids.empty());
        EXPECT_EQ(ids.back(), 0) << "document " << i << " of " << shard << " lacks the end-of-document token";
        ids.pop_back();
        docs.push_back(*tok_->Decode(ids));
      }
    }
    return docs;
  }

  // build.json parsed, and the number at a JSON pointer.
  uint64_t JsonNumber(const std::filesystem::path& out, const std::string& pointer) {
    const std::string text = testing::ReadFile(out / "build.json");
    simdjson::dom::parser p;
    simdjson::dom::element root;
    EXPECT_EQ(p.parse(text).get(root), simdjson::SUCCESS);
    uint64_t v = 0;
    EXPECT_EQ(root.at_pointer(pointer).get_uint64().get(v), simdjson::SUCCESS) << pointer;
    return v;
  }

  std::optional<tokenizer::Tokenizer> tok_;
};

TEST_F(PipelineTest, ByteIdenticalForAnyThreadCount) {
  testing::TempDir d;
  std::string a, b;
  for (int i = 0; i < 3000; ++i) {
    a += testing::JsonLine("\"doc " + std::to_string(i % 2500) + " Grüße 今日は 😀 " + std::string(i % 97, 'x') + "\"");
    if (i % 250 == 0) a += "{broken\n";
    b += testing::JsonLine("\"zst " + std::to_string(i) + "\"");
  }
  testing::WriteFile(d / "in/a.jsonl", a);
  testing::WriteFile(d / "in/b.jsonl.zst", testing::ZstdFrames(b, 10000));
  testing::WriteFile(d / "in/text/one.txt", "a whole file\r\nis one document\n");
  testing::WriteFile(d / "in/text/two.txt", "second file");
  std::map<std::string, std::string> first;
  for (const int threads : {1, 2, 4}) {
    const std::filesystem::path out = d / ("out" + std::to_string(threads));
    BuildOptions o = Options({Source("a", {d / "in/a.jsonl"}), Source("b", {d / "in/b.jsonl.zst"}, "jsonl.zst"),
                              Source("c", {d / "in/text"}, "text")},
                             out);
    o.threads = threads;
    o.shard_tokens = 5000;
    absl::StatusOr<BuildSummary> s = RunBuild(o, *tok_);
    ASSERT_TRUE(s.ok()) << s.status();
    EXPECT_GT(s->shards, 3u);
    std::map<std::string, std::string> files;
    for (const auto& e : std::filesystem::directory_iterator(out)) files[e.path().filename().string()] = testing::ReadFile(e.path());
    files["build.json"] = testing::WithoutTiming(files["build.json"]);
    EXPECT_FALSE(files.contains(".rwkvkit-work"));  // the work directory is gone after success
    if (first.empty()) first = files;
    else EXPECT_TRUE(files == first) << "threads " << threads;
  }
}

TEST_F(PipelineTest, ExactDedupOnNormalizedTextFirstOccurrenceWins) {
  testing::TempDir d;
  // "é" precomposed (NFC) and decomposed (NFD) are the same text after NFC.
  testing::WriteFile(d / "a.jsonl", testing::JsonLine("\"alpha\"") + testing::JsonLine("\"caf\\u00e9\"") +
                                        testing::JsonLine("\"alpha\"") + testing::JsonLine("\"cafe\\u0301\"") +
                                        testing::JsonLine("\"beta\\r\\n\"") + testing::JsonLine("\"beta\\n\""));
  ASSERT_TRUE(RunBuild(Options({Source("a", {d / "a.jsonl"})}, d / "out"), *tok_).ok());
  EXPECT_THAT(Documents(d / "out"), ElementsAre("alpha", "caf\xC3\xA9", "beta\n"));
  EXPECT_EQ(JsonNumber(d / "out", "/total/dropped/duplicate"), 3u);
  EXPECT_EQ(JsonNumber(d / "out", "/total/documents_read"), 6u);
  EXPECT_EQ(JsonNumber(d / "out", "/total/repairs/crlf_to_lf"), 1u);
  EXPECT_EQ(JsonNumber(d / "out", "/total/repairs/normalized"), 1u);
}

TEST_F(PipelineTest, WeightsRepeatAndSampleDeterministically) {
  testing::TempDir d;
  std::string many;
  for (int i = 0; i < 2000; ++i) many += testing::JsonLine("\"sample " + std::to_string(i) + "\"");
  testing::WriteFile(d / "many.jsonl", many);
  testing::WriteFile(d / "two.jsonl", testing::JsonLine("\"x\"") + testing::JsonLine("\"y\""));
  auto build = [&](const std::string& out) {
    EXPECT_TRUE(RunBuild(Options({Source("many", {d / "many.jsonl"}, "jsonl", 0.3),
                                  Source("two", {d / "two.jsonl"}, "jsonl", 2.0)},
                                 d / out),
                         *tok_)
                    .ok());
    return Documents(d / out);
  };
  const std::vector<std::string> docs = build("o1");
  EXPECT_EQ(build("o2"), docs);
  const uint64_t kept = JsonNumber(d / "o1", "/sources/0/counts/documents_kept");
  EXPECT_GT(kept, 520u);  // 30% of 2000 = 600; 4 sigma ≈ 80
  EXPECT_LT(kept, 680u);
  EXPECT_EQ(JsonNumber(d / "o1", "/sources/0/counts/dropped/sampled_out"), 2000 - kept);
  // Repeats come as a second pass after all documents: x, y appear once in each pass.
  ASSERT_EQ(docs.size(), kept + 4);
  EXPECT_EQ(docs[kept], "x");
  EXPECT_EQ(docs[kept + 1], "y");
  EXPECT_EQ(docs[kept + 2], "x");
  EXPECT_EQ(docs[kept + 3], "y");
  EXPECT_EQ(JsonNumber(d / "o1", "/sources/1/counts/documents_written"), 4u);
}

TEST_F(PipelineTest, ShuffleIsSeededAndKeepsEveryDocument) {
  testing::TempDir d;
  std::string in;
  for (int i = 0; i < 500; ++i) in += testing::JsonLine("\"s" + std::to_string(i) + "\"");
  testing::WriteFile(d / "a.jsonl", in);
  BuildOptions o = Options({Source("a", {d / "a.jsonl"})}, d / "plain");
  ASSERT_TRUE(RunBuild(o, *tok_).ok());
  o.shuffle = true;
  o.out_dir = d / "s1";
  ASSERT_TRUE(RunBuild(o, *tok_).ok());
  o.out_dir = d / "s2";
  ASSERT_TRUE(RunBuild(o, *tok_).ok());
  o.manifest.seed = 8;
  o.out_dir = d / "s3";
  ASSERT_TRUE(RunBuild(o, *tok_).ok());
  const auto plain = Documents(d / "plain"), s1 = Documents(d / "s1"), s3 = Documents(d / "s3");
  EXPECT_EQ(Documents(d / "s2"), s1);
  EXPECT_NE(s1, plain);
  EXPECT_NE(s3, s1);
  EXPECT_EQ(std::multiset<std::string>(s1.begin(), s1.end()), std::multiset<std::string>(plain.begin(), plain.end()));
}

TEST_F(PipelineTest, BadLinesAreCountedOrFatalWithStrict) {
  testing::TempDir d;
  testing::WriteFile(d / "a.jsonl", testing::JsonLine("\"ok\"") + "not json\n" + "[1]\n" + "{\"text\": 5}\n" +
                                        "{\"body\": \"x\"}\n" + testing::JsonLine("\"\"") +
                                        "{\"text\": \"bad \\ud800 surrogate\"}\n" + "{\"text\": \"raw \xFF byte\"}\n");
  BuildOptions lenient = Options({Source("a", {d / "a.jsonl"})}, d / "out");
  lenient.max_bad_fraction = 1;  // 5 of 8 lines are bad on purpose
  ASSERT_TRUE(RunBuild(lenient, *tok_).ok());
  EXPECT_THAT(Documents(d / "out"),
              ElementsAre("ok", "bad \xEF\xBF\xBD surrogate", "raw \xEF\xBF\xBD byte"));  // repaired, not dropped
  EXPECT_EQ(JsonNumber(d / "out", "/total/dropped/invalid_json"), 1u);
  EXPECT_EQ(JsonNumber(d / "out", "/total/dropped/not_object"), 1u);
  EXPECT_EQ(JsonNumber(d / "out", "/total/dropped/text_not_string"), 1u);
  EXPECT_EQ(JsonNumber(d / "out", "/total/dropped/missing_text_key"), 1u);
  EXPECT_EQ(JsonNumber(d / "out", "/total/dropped/empty_text"), 1u);
  EXPECT_EQ(JsonNumber(d / "out", "/total/repairs/lone_surrogates"), 1u);
  EXPECT_EQ(JsonNumber(d / "out", "/total/repairs/invalid_utf8"), 1u);
  EXPECT_EQ(JsonNumber(d / "out", "/bad_input/invalid_json/count"), 1u);

  BuildOptions strict = Options({Source("a", {d / "a.jsonl"})}, d / "strict");
  strict.strict = true;
  absl::StatusOr<BuildSummary> s = RunBuild(strict, *tok_);
  EXPECT_EQ(s.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(std::string(s.status().message()), HasSubstr("a.jsonl:2:"));
  EXPECT_FALSE(std::filesystem::exists(d / "strict/build.json"));
}

TEST_F(PipelineTest, TruncatedZstdFileIsReportedAndOthersGoOn) {
  testing::TempDir d;
  std::string lines;
  for (int i = 0; i < 4000; ++i) lines += testing::JsonLine("\"z" + std::to_string(i) + "\"");
  std::string z = testing::ZstdFrames(lines, 1 << 20);
  z.resize(z.size() / 2);
  testing::WriteFile(d / "in/a.jsonl.zst", z);
  testing::WriteFile(d / "in/b.jsonl.zst", testing::ZstdFrames(testing::JsonLine("\"after\""), 100));
  ASSERT_TRUE(RunBuild(Options({Source("z", {d / "in"}, "jsonl.zst")}, d / "out"), *tok_).ok());
  const std::vector<std::string> docs = Documents(d / "out");
  ASSERT_FALSE(docs.empty());
  EXPECT_EQ(docs.back(), "after");
  EXPECT_LT(docs.size(), 4001u);
  EXPECT_THAT(testing::ReadFile(d / "out/build.json"), HasSubstr("truncated zstd frame"));
}

TEST_F(PipelineTest, ShardsHoldAboutShardTokensAndNumbersAddUp) {
  testing::TempDir d;
  std::string in;
  for (int i = 0; i < 1000; ++i) in += testing::JsonLine("\"" + std::string(1 + i % 50, 'a' + i % 26) + "\"");
  testing::WriteFile(d / "a.jsonl", in);
  BuildOptions o = Options({Source("a", {d / "a.jsonl"})}, d / "out");
  o.shard_tokens = 300;
  ASSERT_TRUE(RunBuild(o, *tok_).ok());
  uint64_t total = 0;
  const uint64_t shards = JsonNumber(d / "out", "/output/shards");
  ASSERT_GT(shards, 2u);
  for (uint64_t k = 0; k < shards; ++k) {
    const uint64_t t = JsonNumber(d / "out", "/shards/" + std::to_string(k) + "/tokens");
    EXPECT_LE(t, 300u);
    total += t;
  }
  EXPECT_EQ(total, JsonNumber(d / "out", "/total/tokens"));
  EXPECT_EQ(total, JsonNumber(d / "out", "/training/my_exit_tokens"));
  EXPECT_EQ(Documents(d / "out").size(), JsonNumber(d / "out", "/output/documents"));
}

}  // namespace
}  // namespace rwkvkit::corpus::build

namespace rwkvkit::corpus::build {
namespace {

// The kinds of malformed input a real corpus holds, rebuilt inline so that the test needs no
// data outside the repository. Each line's fate is checked through the decoded shard contents.
TEST_F(PipelineTest, MalformedLineKinds) {
  testing::TempDir d;
  const std::string deep = std::string(5000, '[') + std::string(5000, ']');
  const std::vector<std::string> lines = {
      "\xEF\xBB\xBF{\"text\": \"bom at file start\"}",           // 1  kept, BOM removed
      "{\"text\": \"missing brace\"",                             // 2  invalid_json
      "{\"text\": \"trailing comma\",}",                          // 3  invalid_json
      "{'text': 'single quotes'}",                                // 4  invalid_json
      "{\"text\": \"raw \x01 control\"}",                          // 5  invalid_json (unescaped control)
      "{\"text\": \"escaped \\u0000 nul and \\u001b esc\"}",      // 6  kept, controls removed
      "{\"text\": \"pair \\ud83d\\ude00 kept\"}",                 // 7  kept
      "{\"text\": \"reversed \\udc00\\ud800 pair\"}",             // 8  kept, 2 lone surrogates repaired
      "{\"text\": \"overlong \xC0\xAF here\"}",                    // 9  kept, 2 invalid UTF-8 repairs
      "{\"text\": \"crlf line\"}\r",                              // 10 kept (CR before the newline is JSON whitespace)
      "{\"text\": \"a\"} {\"text\": \"b\"}",                      // 11 invalid_json (two values)
      "{\"text\": \"x\"} garbage",                                // 12 invalid_json
      "{\"text\": NaN}",                                          // 13 invalid_json
      "{\"text\": \"first\", \"text\": \"last wins\"}",           // 14 kept: "last wins"
      "",                                                         // 15 invalid_json (empty line)
      "   \t ",                                                   // 16 invalid_json (blank line)
      "{\"x\": " + deep + "}",                                    // 17 too_deep
      "{\"id\": 5, \"lang\": null, \"text\": \"non-string id\"}",  // 18 kept
      "\xEF\xBB\xBF{\"text\": \"bom in the middle\"}",             // 19 kept, BOM removed
      "{\"text\": \"   \"}",                                       // 20 kept (whitespace is text)
  };
  std::string file;
  for (const std::string& l : lines) file += l + "\n";
  file.pop_back();  // the last line has no newline
  testing::WriteFile(d / "m.jsonl", file);
  BuildOptions lenient = Options({Source("m", {d / "m.jsonl"})}, d / "out");
  lenient.max_bad_fraction = 1;  // the bad kinds are the point
  ASSERT_TRUE(RunBuild(lenient, *tok_).ok());
  EXPECT_THAT(Documents(d / "out"),
              ElementsAre("bom at file start", "escaped  nul and  esc", "pair \xF0\x9F\x98\x80 kept",
                          "reversed \xEF\xBF\xBD\xEF\xBF\xBD pair", "overlong \xEF\xBF\xBD\xEF\xBF\xBD here",
                          "crlf line", "last wins", "non-string id", "bom in the middle", "   "));
  EXPECT_EQ(JsonNumber(d / "out", "/total/documents_read"), 20u);
  EXPECT_EQ(JsonNumber(d / "out", "/total/dropped/invalid_json"), 9u);
  EXPECT_EQ(JsonNumber(d / "out", "/total/dropped/too_deep"), 1u);
  EXPECT_EQ(JsonNumber(d / "out", "/total/repairs/bom_removed"), 2u);
  EXPECT_EQ(JsonNumber(d / "out", "/total/repairs/lone_surrogates"), 2u);
  EXPECT_EQ(JsonNumber(d / "out", "/total/repairs/invalid_utf8"), 2u);
  EXPECT_EQ(JsonNumber(d / "out", "/total/repairs/control_chars_removed"), 2u);
  EXPECT_THAT(testing::ReadFile(d / "out/build.json"), HasSubstr("m.jsonl:17: "));
}

}  // namespace
}  // namespace rwkvkit::corpus::build

namespace rwkvkit::corpus::build {
namespace {

// Near-dedup inside a build: a lightly edited copy goes, an unrelated text stays, the first
// document of a cluster is the one kept, counts move to near_duplicate, thread-independent.
TEST_F(PipelineTest, NearDedupRemovesEditedCopiesAndKeepsTheFirst) {
  testing::TempDir d;
  // Letter-only words (near-dedup folds digits, so numbered words would all look alike).
  const char* syl[] = {"ka", "lo", "mi", "ne", "ru", "sa", "ti", "vo"};
  auto word = [&](int i) { return std::string(syl[i % 8]) + syl[(i / 8) % 8] + syl[(i / 64) % 8]; };
  std::string base, other;
  for (int i = 0; i < 120; ++i) base += word(i * 7 % 509) + " ";
  for (int i = 0; i < 120; ++i) other += word(i * 11 % 509 + 3) + "x ";
  std::string edited = base;
  edited.replace(0, word(0).size(), "zzzz");  // the first word of 120 changed
  testing::WriteFile(d / "a.jsonl", testing::JsonLine("\"" + base + "\"") + testing::JsonLine("\"" + other + "\"") +
                                        testing::JsonLine("\"" + edited + "\""));
  std::vector<std::string> first;
  for (const int threads : {1, 2}) {
    BuildOptions o = Options({Source("a", {d / "a.jsonl"})}, d / ("out" + std::to_string(threads)));
    o.near_dedup = true;
    o.threads = threads;
    ASSERT_TRUE(RunBuild(o, *tok_).ok());
    const std::vector<std::string> docs = Documents(o.out_dir);
    EXPECT_THAT(docs, ElementsAre(base, other));
    EXPECT_EQ(JsonNumber(o.out_dir, "/total/dropped/near_duplicate"), 1u);
    EXPECT_EQ(JsonNumber(o.out_dir, "/total/documents_kept"), 2u);
    EXPECT_EQ(JsonNumber(o.out_dir, "/near_dedup/clusters"), 1u);
    if (first.empty()) first = docs;
    EXPECT_EQ(testing::WithoutTiming(testing::ReadFile(o.out_dir / "build.json")),
              testing::WithoutTiming(testing::ReadFile(d / "out1/build.json")));
  }
  BuildOptions off = Options({Source("a", {d / "a.jsonl"})}, d / "off");
  ASSERT_TRUE(RunBuild(off, *tok_).ok());
  EXPECT_EQ(Documents(d / "off").size(), 3u);  // off means off
}

}  // namespace
}  // namespace rwkvkit::corpus::build

namespace rwkvkit::corpus::build {
namespace {

// --filters on: a short line is dropped as filter_gopher_short_doc (counted, not bad input, not
// fatal under --strict), an English paragraph is kept, a code source is not filtered, and
// build.json gets per-source languages. --filters off keeps everything and writes no languages.
TEST_F(PipelineTest, FiltersDropCountAndRecordLanguages) {
  testing::TempDir d;
  const std::string prose =
      "The committee met on a cold morning to review the budget and to plan the work that remained for "
      "the season. Every member was present, and the chair opened with a short summary of the spending "
      "so far. Several projects had finished early, while two bridges in the northern district needed "
      "more time because of heavy rain in April.\n\nIt was agreed that the reports would be shared with "
      "all departments before the end of the month, and that a public meeting should follow in June so "
      "that residents could ask questions about roads, schools and the new library.";
  std::string json_prose;
  for (char c : prose) json_prose += c == '\n' ? std::string("\\n") : std::string(1, c);
  testing::WriteFile(d / "a.jsonl", testing::JsonLine("\"" + json_prose + "\"") + testing::JsonLine("\"too short\""));
  testing::WriteFile(d / "c.jsonl", testing::JsonLine("\"x = 1\""));
  ManifestSource code = Source("c", {d / "c.jsonl"});
  code.language = "code:python";
  code.filters.gopher_quality = code.filters.gopher_repetition = code.filters.fineweb_quality = false;  // as parsed
  for (const int threads : {1, 2}) {
    BuildOptions o = Options({Source("a", {d / "a.jsonl"}), code}, d / ("on" + std::to_string(threads)));
    o.filters = true;
    o.strict = true;
    o.threads = threads;
    absl::StatusOr<BuildSummary> s = RunBuild(o, *tok_);
    ASSERT_TRUE(s.ok()) << s.status();
    EXPECT_THAT(Documents(o.out_dir), ElementsAre(prose, "x = 1"));
    // Repetition runs first (FineWeb's order): the one 2-gram of "too short" is all of its text.
    EXPECT_EQ(JsonNumber(o.out_dir, "/sources/0/counts/dropped/filter_top_2_gram"), 1u);
    EXPECT_EQ(JsonNumber(o.out_dir, "/sources/0/counts/filters/dropped/gopher_repetition/top_2_gram"), 1u);
    EXPECT_EQ(JsonNumber(o.out_dir, "/sources/0/counts/languages/en"), 1u);
    EXPECT_EQ(JsonNumber(o.out_dir, "/sources/0/counts/languages/un"), 1u);  // two words: CLD2 cannot tell
    EXPECT_EQ(JsonNumber(o.out_dir, "/sources/0/counts/filters/languages_kept/en"), 1u);
    EXPECT_EQ(JsonNumber(o.out_dir, "/total/dropped/filter_top_2_gram"), 1u);
    EXPECT_EQ(s->bad_records, 0u);
    EXPECT_EQ(testing::WithoutTiming(testing::ReadFile(o.out_dir / "build.json")),
              testing::WithoutTiming(testing::ReadFile(d / "on1/build.json")));
  }
  BuildOptions off = Options({Source("a", {d / "a.jsonl"}), code}, d / "off");
  ASSERT_TRUE(RunBuild(off, *tok_).ok());
  EXPECT_THAT(Documents(d / "off"), ElementsAre(prose, "too short", "x = 1"));  // off means off
  EXPECT_THAT(testing::ReadFile(d / "off/build.json"), ::testing::Not(HasSubstr("languages")));
  EXPECT_THAT(testing::ReadFile(d / "off/build.json"), ::testing::Not(HasSubstr("filter_")));
}

// Per-source filter settings from a manifest: a language keep list (German dropped and counted
// by language), C4 turned on with a threshold (a JavaScript line removed from the kept text and
// counted), FineWeb turned off at the top level, and a code source that turns one filter on.
TEST_F(PipelineTest, ManifestFilterSettings) {
  testing::TempDir d;
  const std::string prose =
      "The committee met on a cold morning to review the budget and to plan the work that remained for "
      "the season. Every member was present, and the chair opened with a short summary of the spending "
      "so far. Several projects had finished early, while two bridges in the northern district needed "
      "more time because of heavy rain in April.\\nIt was agreed that the reports would be shared with "
      "all departments before the end of the month, and that a public meeting should follow in June so "
      "that residents could ask questions about roads, schools and the new library.";
  const std::string german =
      "Der schnelle braune Fuchs springt \u00fcber den faulen Hund, und die Katze schl\u00e4ft ruhig auf dem "
      "warmen Sofa im Wohnzimmer des alten Hauses, w\u00e4hrend drau\u00dfen der Regen f\u00e4llt und die "
      "Kinder in der Schule sitzen und lernen, wie man Briefe an die Gro\u00dfeltern schreibt.";
  testing::WriteFile(d / "a.jsonl", testing::JsonLine("\"" + prose + "\\nPlease enable JavaScript to see the comments.\"") +
                                        testing::JsonLine("\"" + german + "\""));
  testing::WriteFile(d / "c.jsonl", testing::JsonLine("\"x = 1\"") + testing::JsonLine("\"y = 2\""));
  const std::string manifest = R"({"name": "t", "filters": {"fineweb_quality": false},
    "sources": [
      {"name": "a", "paths": ["a.jsonl"], "license": "test",
       "filters": {"languages": {"keep": ["en"]}, "c4": {"min_num_sentences": 2}}},
      {"name": "c", "paths": ["c.jsonl"], "license": "test", "language": "code:python",
       "filters": {"gopher_quality": {"min_doc_words": 3}}}],
    "output": {"dir": "out", "shard_tokens": 1000000, "ctx_len": 16}})";
  absl::StatusOr<Manifest> m = ParseManifest(manifest, "m.json", d.path());
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_TRUE(m->sources[0].filters.c4);
  EXPECT_FALSE(m->sources[0].filters.fineweb_quality);
  EXPECT_FALSE(m->sources[1].filters.gopher_repetition);  // a code source: off unless its own filters say
  EXPECT_TRUE(m->sources[1].filters.gopher_quality);
  std::string first;
  for (const int threads : {1, 2}) {
    BuildOptions o = Options({}, d / ("out" + std::to_string(threads)));
    o.manifest = *m;
    o.filters = true;
    o.threads = threads;
    absl::StatusOr<BuildSummary> s = RunBuild(o, *tok_);
    ASSERT_TRUE(s.ok()) << s.status();
    std::string edited = prose;
    for (size_t p = edited.find("\\n"); p != std::string::npos; p = edited.find("\\n")) edited.replace(p, 2, "\n");
    EXPECT_THAT(Documents(o.out_dir), ElementsAre(edited));
    EXPECT_EQ(JsonNumber(o.out_dir, "/sources/0/counts/dropped/filter_language"), 1u);
    EXPECT_EQ(JsonNumber(o.out_dir, "/sources/0/counts/filters/dropped/language/de"), 1u);
    EXPECT_EQ(JsonNumber(o.out_dir, "/sources/0/counts/filters/languages_kept/en"), 1u);
    EXPECT_EQ(JsonNumber(o.out_dir, "/sources/0/counts/filters/c4/documents_edited"), 1u);
    EXPECT_EQ(JsonNumber(o.out_dir, "/sources/0/counts/filters/c4/lines_removed/javascript"), 1u);
    EXPECT_EQ(JsonNumber(o.out_dir, "/sources/0/filters/c4/min_num_sentences"), 2u);
    EXPECT_EQ(JsonNumber(o.out_dir, "/sources/1/counts/filters/dropped/gopher_quality/gopher_short_doc"), 2u);
    EXPECT_EQ(JsonNumber(o.out_dir, "/total/filters/dropped/language/de"), 1u);
    const std::string json = testing::WithoutTiming(testing::ReadFile(o.out_dir / "build.json"));
    if (first.empty()) first = json;
    EXPECT_EQ(json, first);
  }
}

// A build that would write nothing is not a success: it fails with a summary and publishes
// nothing — for a source whose records are mostly bad (over max_bad_fraction), for one with
// no records at all, and when no document is left even with bad records allowed.
TEST_F(PipelineTest, BuildThatKeepsNoDocumentFailsAndPublishesNothing) {
  testing::TempDir d;
  testing::WriteFile(d / "a.jsonl", "{broken\n[1, 2]\n" + testing::JsonLine("\"\""));
  testing::WriteFile(d / "empty.jsonl", "");
  testing::WriteFile(d / "ok.jsonl", testing::JsonLine("\"fine\"") + testing::JsonLine("\"also fine\""));
  BuildOptions o = Options({Source("a", {d / "a.jsonl"})}, d / "out");
  o.near_dedup = true;
  absl::StatusOr<BuildSummary> s = RunBuild(o, *tok_);
  EXPECT_EQ(s.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(s.status().message()), HasSubstr("source \"a\": 3 of 3 records are bad"));
  EXPECT_THAT(std::string(s.status().message()), HasSubstr("a.jsonl:"));
  EXPECT_FALSE(std::filesystem::exists(d / "out/build.json"));
  EXPECT_TRUE(Documents(d / "out").empty());

  o.max_bad_fraction = 1;
  s = RunBuild(o, *tok_);
  EXPECT_EQ(s.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(s.status().message()), HasSubstr("no document is left to write"));
  EXPECT_FALSE(std::filesystem::exists(d / "out/build.json"));

  BuildOptions two = Options({Source("ok", {d / "ok.jsonl"}), Source("e", {d / "empty.jsonl"})}, d / "out2");
  s = RunBuild(two, *tok_);
  EXPECT_EQ(s.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(s.status().message()), HasSubstr("source \"e\" yielded no records from 1 file(s)"));
  EXPECT_FALSE(std::filesystem::exists(d / "out2/build.json"));
}

// The bad-record threshold: 1 bad line of 4 passes at 0.25 and fails at 0.2.
TEST_F(PipelineTest, MaxBadFractionIsAThreshold) {
  testing::TempDir d;
  testing::WriteFile(d / "a.jsonl", testing::JsonLine("\"one\"") + "not json\n" + testing::JsonLine("\"three\"") +
                                        testing::JsonLine("\"four\""));
  BuildOptions o = Options({Source("a", {d / "a.jsonl"})}, d / "out");
  o.max_bad_fraction = 0.25;
  EXPECT_TRUE(RunBuild(o, *tok_).ok());
  EXPECT_THAT(Documents(d / "out"), ElementsAre("one", "three", "four"));
  o.max_bad_fraction = 0.2;
  o.out_dir = d / "out2";
  absl::StatusOr<BuildSummary> s = RunBuild(o, *tok_);
  EXPECT_EQ(s.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(s.status().message()), HasSubstr("1 of 4 records are bad (25.0%"));
}

// Stage times (build.json "timing" and the summary): every stage present and non-negative, the
// stages that ran busy, and the stages' wall times within the build's.
TEST_F(PipelineTest, StageTimesCoverTheBuild) {
  testing::TempDir d;
  // Sentences of words drawn by a fixed LCG: documents the quality filters keep.
  const std::vector<std::string> words = {"the", "river", "carries", "stone", "past", "a", "quiet", "village", "and",
                                          "people", "of", "market", "watch", "water", "with", "doctor", "teacher",
                                          "walks", "to", "old", "bridge", "in", "morning", "light", "children",
                                          "learn", "from", "books", "that", "their", "parents", "kept"};
  std::string a;
  uint32_t x = 12345;
  for (int i = 0; i < 2000; ++i) {
    std::string doc;
    for (int w = 0; w < 90; ++w) {
      x = x * 1664525u + 1013904223u;
      doc += words[(x >> 16) % words.size()];
      doc += (w % 12 == 11) ? ". " : " ";
    }
    a += testing::JsonLine("\"" + doc + "end.\"");
  }
  testing::WriteFile(d / "in/a.jsonl", a);
  testing::WriteFile(d / "in/text/one.txt", "a whole file\nis one document\n");
  BuildOptions o = Options({Source("a", {d / "in/a.jsonl"}), Source("c", {d / "in/text"}, "text")}, d / "out");
  o.near_dedup = true;
  o.filters = true;
  o.threads = 2;
  absl::StatusOr<BuildSummary> s = RunBuild(o, *tok_);
  ASSERT_TRUE(s.ok()) << s.status();
  const std::string text = testing::ReadFile(d / "out/build.json");
  simdjson::dom::parser p;
  simdjson::dom::element root;
  ASSERT_EQ(p.parse(text).get(root), simdjson::SUCCESS);
  double total = -1, cpu = -1, sum = 0;
  ASSERT_EQ(root.at_pointer("/timing/wall_seconds").get(total), simdjson::SUCCESS);
  ASSERT_EQ(root.at_pointer("/timing/cpu_seconds").get(cpu), simdjson::SUCCESS);
  EXPECT_NEAR(total, s->wall_seconds, 0.0006);
  EXPECT_GT(total, 0);
  EXPECT_GT(cpu, 0);
  bool reused = true;
  ASSERT_EQ(root.at_pointer("/timing/phase1_reused").get(reused), simdjson::SUCCESS);
  EXPECT_FALSE(reused);
  for (int i = 0; i < kStageCount; ++i) {
    const std::string name = StageName(static_cast<Stage>(i));
    SCOPED_TRACE(name);
    double wall = -1, busy = -1, stage_cpu = -1;
    ASSERT_EQ(root.at_pointer("/timing/stages/" + name + "/wall_seconds").get(wall), simdjson::SUCCESS);
    ASSERT_EQ(root.at_pointer("/timing/stages/" + name + "/busy_seconds").get(busy), simdjson::SUCCESS);
    ASSERT_EQ(root.at_pointer("/timing/stages/" + name + "/cpu_seconds").get(stage_cpu), simdjson::SUCCESS);
    EXPECT_GE(wall, 0);
    EXPECT_GE(stage_cpu, 0);
    EXPECT_GT(s->times.stage[i].busy, 0) << "every stage ran (near-dedup and filters are on)";
    EXPECT_NEAR(wall, s->times.stage[i].wall, 0.0006);
    sum += s->times.stage[i].wall;
  }
  // The stages lie inside the build (only its set-up and publishing are outside every stage).
  EXPECT_LE(sum, s->wall_seconds * 1.001 + 0.001);
  // The timing block is the last member; without it build.json is the same for another run.
  o.out_dir = d / "again";
  o.threads = 1;
  ASSERT_TRUE(RunBuild(o, *tok_).ok());
  EXPECT_EQ(testing::WithoutTiming(testing::ReadFile(d / "again/build.json")), testing::WithoutTiming(text));
  EXPECT_NE(testing::WithoutTiming(text), text);
}

// A kill after the publish, before the work directory's clean-up, leaves the token store
// unlinked beside its fingerprint and completion marker. --resume of the same build finds the
// published build to be its own: nothing rebuilt, the leftover work directory removed.
TEST_F(PipelineTest, ResumeAfterAKillInThePublishCleanUpKeepsTheBuild) {
  testing::TempDir d;
  std::string a;
  for (int i = 0; i < 200; ++i) a += testing::JsonLine("\"left over " + std::to_string(i) + "\"");
  testing::WriteFile(d / "in/a.jsonl", a);
  BuildOptions o = Options({Source("a", {d / "in/a.jsonl"})}, d / "out");
  o.threads = 2;
  ASSERT_TRUE(RunBuild(o, *tok_).ok());
  auto published = [&] {
    std::map<std::string, std::string> files;
    for (const auto& e : std::filesystem::directory_iterator(d / "out"))
      if (e.is_regular_file()) files[e.path().filename().string()] = testing::ReadFile(e.path());
    return files;
  };
  const std::map<std::string, std::string> before = published();
  ASSERT_TRUE(before.contains("build.json"));
  uint64_t total_bytes = 0;
  absl::StatusOr<std::vector<InputFile>> files = ListInputs(o, total_bytes);
  ASSERT_TRUE(files.ok()) << files.status();
  const std::filesystem::path work = WorkDir(d / "out");
  testing::WriteFile(work / kFingerprintFile, BuildFingerprint(o, *files));
  testing::WriteFile(work / kSpillDoneFile, "200\n");
  std::filesystem::create_directories(StagingDir(d / "out"));
  ASSERT_FALSE(std::filesystem::exists(work / kTokensFile));
  o.resume = true;
  absl::StatusOr<BuildSummary> s = RunBuild(o, *tok_);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_TRUE(s->already_complete);
  EXPECT_FALSE(std::filesystem::exists(work));
  EXPECT_TRUE(published() == before) << "the published build is kept as it is";
}

// The input stage cuts the input into kBlockBytes blocks until the last kTailBytes of the whole
// input (two files here, 36 MiB), then into kTailBlockBytes blocks: the size switches once, at a
// point that depends only on the bytes read so far (the stage is serial), and the records are
// the files' lines in order.
TEST(InputStageTest, BlocksShrinkOnceForTheLastTailBytesAndKeepEveryLineInOrder) {
  testing::TempDir d;
  std::vector<std::string> lines;
  std::string a, b;
  for (int i = 0; a.size() + b.size() < (uint64_t{36} << 20); ++i) {
    lines.push_back(testing::JsonLine("\"line " + std::to_string(i) + " " + std::string(100 + i % 150, 'a' + i % 26) + "\""));
    (a.size() < (uint64_t{3} << 20) ? a : b) += lines.back();
  }
  testing::WriteFile(d / "a.jsonl", a);
  testing::WriteFile(d / "b.jsonl", b);
  BuildOptions o;
  ManifestSource src;
  src.name = "s";
  src.paths = {d / "a.jsonl", d / "b.jsonl"};
  src.format = "jsonl";
  o.manifest.sources = {src};
  uint64_t total = 0;
  absl::StatusOr<std::vector<InputFile>> files = ListInputs(o, total);
  ASSERT_TRUE(files.ok()) << files.status();
  ASSERT_EQ(total, a.size() + b.size());
  InputStage input(o, *files, total);
  size_t next_line = 0, big = 0, small = 0;
  uint64_t before = 0, switched_at = 0;
  while (std::unique_ptr<Batch> batch = input.Next()) {
    const bool tail = before + kTailBytes >= total;
    const bool last_of_file = batch->bytes_done == a.size() || batch->bytes_done == total;
    if (tail) {
      if (small++ == 0) switched_at = before;
      EXPECT_LT(batch->block.data.size(), 2 * kTailBlockBytes) << "at byte " << before;
    } else {
      EXPECT_EQ(small, 0u) << "a full-size block after the switch, at byte " << before;
      ++big;
      if (!last_of_file) {
        EXPECT_GT(batch->block.data.size(), 2 * kTailBlockBytes) << "at byte " << before;
      }
    }
    for (size_t k = 0; k < batch->block.size(); ++k, ++next_line) {
      ASSERT_LT(next_line, lines.size());
      ASSERT_EQ(std::string(batch->block.record(k)) + "\n", lines[next_line]) << "line " << next_line;
    }
    before = batch->bytes_done;
  }
  EXPECT_EQ(next_line, lines.size());
  EXPECT_GE(big, 3u);  // 3 MiB of file a and 1 of file b in full-size blocks
  EXPECT_GE(small, 120u);  // 32 MiB in 256 KiB blocks
  EXPECT_GE(switched_at + kTailBytes, total);
  EXPECT_LT(switched_at + kTailBytes, total + 2 * kBlockBytes);
}

// A token store whose tokens.u16 does not match docs.u64 is refused when opened; one cut short
// after it was opened gives kDataLoss for the documents past the cut, through a window whose
// read-ahead ran into the cut as through a fresh one, and every document before it whole.
TEST(SpillStoreTest, TruncatedTokenStoreIsRefusedOrDataLoss) {
  testing::TempDir dir;
  std::vector<std::vector<uint16_t>> docs;
  {
    absl::StatusOr<SpillWriter> w = SpillWriter::Create(dir.path());
    ASSERT_TRUE(w.ok()) << w.status();
    for (int d = 0; d < 12; ++d) {
      std::vector<uint16_t> t(300 + 50 * d);
      for (size_t k = 0; k < t.size(); ++k) t[k] = static_cast<uint16_t>(d * 1000 + k);
      ASSERT_TRUE(w->Append(t).ok());
      docs.push_back(std::move(t));
    }
    ASSERT_TRUE(w->Finish().ok());
  }
  const std::filesystem::path tokens = dir.path() / kTokensFile;
  const uint64_t size = std::filesystem::file_size(tokens);
  absl::StatusOr<SpillReader> r = SpillReader::Open(dir.path());
  ASSERT_TRUE(r.ok()) << r.status();
  const uint64_t cut = size - (docs.back().size() / 2) * sizeof(uint16_t);  // half of the last document
  std::filesystem::resize_file(tokens, cut);
  SpillReader::Window w;
  for (uint64_t i = 0; i + 1 < docs.size(); ++i) {
    absl::StatusOr<std::span<const uint16_t>> got = r->Read(i, w);
    ASSERT_TRUE(got.ok()) << got.status();
    ASSERT_TRUE(std::equal(got->begin(), got->end(), docs[i].begin(), docs[i].end())) << "document " << i;
  }
  EXPECT_EQ(r->Read(docs.size() - 1, w).status().code(), absl::StatusCode::kDataLoss);
  SpillReader::Window fresh;
  EXPECT_EQ(r->Read(docs.size() - 1, fresh).status().code(), absl::StatusCode::kDataLoss);
  for (const uint64_t bad : {cut, size + 2}) {
    std::filesystem::resize_file(tokens, bad);
    absl::StatusOr<SpillReader> refused = SpillReader::Open(dir.path());
    EXPECT_EQ(refused.status().code(), absl::StatusCode::kDataLoss);
    EXPECT_THAT(std::string(refused.status().message()), HasSubstr(tokens.string()));
  }
}

// The token store read through one window, in any order (forward with gaps, backward, random,
// a document larger than the read-ahead, the read-ahead running into the end of the file),
// gives every document's own tokens.
TEST(SpillStoreTest, WindowReadsGiveEachDocumentInAnyOrder) {
  testing::TempDir dir;
  std::mt19937_64 rng(7);
  std::vector<std::vector<uint16_t>> docs;
  {
    absl::StatusOr<SpillWriter> w = SpillWriter::Create(dir.path());
    ASSERT_TRUE(w.ok()) << w.status();
    for (int d = 0; d < 3000; ++d) {
      const size_t n = d == 1500 ? 700000 : d % 97 == 0 ? 0 : rng() % 900;  // one over the 1 MiB read-ahead
      std::vector<uint16_t> t(n);
      for (uint16_t& x : t) x = static_cast<uint16_t>(rng());
      ASSERT_TRUE(w->Append(t).ok());
      docs.push_back(std::move(t));
    }
    ASSERT_TRUE(w->Finish().ok());
  }
  absl::StatusOr<SpillReader> r = SpillReader::Open(dir.path());
  ASSERT_TRUE(r.ok()) << r.status();
  std::vector<uint64_t> order;
  for (uint64_t i = 0; i < docs.size(); ++i)
    if (i % 5 != 3) order.push_back(i);  // forward, with gaps
  for (uint64_t i = docs.size(); i-- > 2990;) order.push_back(i);  // backward from the end
  for (int k = 0; k < 300; ++k) order.push_back(rng() % docs.size());
  SpillReader::Window w;
  for (const uint64_t i : order) {
    absl::StatusOr<std::span<const uint16_t>> got = r->Read(i, w);
    ASSERT_TRUE(got.ok()) << got.status();
    ASSERT_TRUE(std::equal(got->begin(), got->end(), docs[i].begin(), docs[i].end())) << "document " << i;
  }
}

}  // namespace
}  // namespace rwkvkit::corpus::build

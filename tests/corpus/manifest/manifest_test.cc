// tests/corpus/manifest/manifest_test.cc — the manifests in data_manifests/ parse and say what
// they should; defaults and path resolution of ParseManifest/LoadManifest.
#include "corpus/build/manifest.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "simdjson.h"

namespace rwkvkit::corpus::build {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

const fs::path kSourceDir = fs::path(RWKVKIT_SOURCE_DIR).lexically_normal();
const fs::path kManifestDir = kSourceDir / "data_manifests";

// `rel` resolved against the repository root, as ParseManifest resolves manifest paths.
fs::path Repo(const std::string& rel) { return (kSourceDir / rel).lexically_normal(); }

Manifest LoadOrDie(const std::string& file) {
  absl::StatusOr<Manifest> m = LoadManifest(kManifestDir / file);
  EXPECT_TRUE(m.ok()) << m.status();
  return m.ok() ? *std::move(m) : Manifest{};
}

const ManifestSource* Find(const Manifest& m, const std::string& name) {
  for (const ManifestSource& s : m.sources)
    if (s.name == name) return &s;
  return nullptr;
}

TEST(DemoManifest, SourcesPathsAndOutput) {
  const Manifest m = LoadOrDie("demo.json");
  EXPECT_EQ(m.name, "demo");
  EXPECT_EQ(m.seed, 42u);
  EXPECT_FALSE(m.description.empty());
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"gnome-user-docs", "CC-BY-SA-3.0"},  {"debian-handbook", "GPL-2.0-or-later OR CC-BY-SA-3.0"},
      {"unicode-cldr-core", "Unicode-DFS-2016"}, {"python-stdlib", "PSF-2.0"},
      {"nlohmann-json", "MIT"},             {"node-semver", "ISC"}};
  ASSERT_EQ(m.sources.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    const ManifestSource& s = m.sources[i];
    SCOPED_TRACE(s.name);
    EXPECT_EQ(s.name, expected[i].first);
    EXPECT_EQ(s.license, expected[i].second);
    // Relative to data_manifests/: "../.rwkvkit/demo/x.jsonl" is <repo>/.rwkvkit/demo/x.jsonl.
    EXPECT_THAT(s.paths, ElementsAre(Repo(".rwkvkit/demo/" + s.name + ".jsonl")));
    EXPECT_EQ(s.format, "jsonl");
    EXPECT_EQ(s.text_key, "text");
    EXPECT_EQ(s.id_key, "id");
    EXPECT_DOUBLE_EQ(s.weight, 1.0);
  }
  EXPECT_EQ(Find(m, "gnome-user-docs")->language, std::nullopt);
  EXPECT_EQ(Find(m, "python-stdlib")->language, "code:python");
  EXPECT_EQ(Find(m, "nlohmann-json")->language, "code:cpp");
  EXPECT_EQ(Find(m, "node-semver")->language, "code:javascript");
  EXPECT_EQ(m.output.dir, Repo("build/demo_corpus"));
  EXPECT_EQ(m.output.shard_tokens, 1000000u);
  EXPECT_EQ(m.output.ctx_len, 4096u);
}

// Table 9 of arXiv 2404.05892 (all 59 components, in the paper's order: left column, then
// right), each with the manifest source that holds it.
struct Table9Row {
  const char* source;   // sources[].name in rwkv_world_v2.json
  const char* printed;  // the dataset as Table 9 prints it
  const char* domain;
};
constexpr Table9Row kTable9[] = {
    {"wikipedia", "Wikipedia", "Encyclopedia"},
    {"slimpajama", "SlimPajama", "Web"},
    {"pes2o", "peS2o", "Academia"},
    {"bigpatent", "BigPatent", "Patents"},
    {"pile-of-law", "Pile of Law", "Legal, Administrative"},
    {"starcoder", "StarCoder", "Code"},
    {"oscar-2301", "OSCAR23.01", "Multilingual Web"},
    {"ted2020", "TED2020", "Transcripts: TED, TEDx"},
    {"philpapers", "PhilPapers", "Academia: Philosophy"},
    {"nih-exporter", "NIH-ExPORTER", "Grants: NIH"},
    {"europarl", "EuroParl", "Multilingual Legal"},
    {"enron-emails", "Enron-Emails", "Emails"},
    {"ubuntu-irc", "Ubuntu IRC", "Chat"},
    {"hackernews", "HackerNews", "Forums"},
    {"openwebtext2", "OpenWebText2", "Web"},
    {"gutenberg-pg19", "Gutenberg PG-19", "Books"},
    {"books3", "Books3", "Books"},
    {"opensubtitles", "OpenSubtitles", "Subtitles"},
    {"ytsubtitles", "YTSubtitles", "Subtitles"},
    {"ao3_skylion", "ao3_skylion", "Stories"},
    {"honeyfeed-3600", "honeyfeed-3600", "Stories"},
    {"scribble-17k", "scribble-17k", "Stories"},
    {"syosetu711k", "syosetu711k", "Stories (Japanese)"},
    {"marianna13-fanfics", "marianna13/fanfics", "Stories"},
    {"marianna13-gamedev", "marianna13/gamedev", "Forums"},
    {"marianna13-ia-books", "marianna13/ia-books", "Books"},
    {"marianna13-libgen", "marianna13/libgen", "Textbooks, Books"},
    {"marianna13-research_gate", "marianna13/research_gate", "Academia"},
    {"marianna13-superuser", "marianna13/superuser", "Forums"},
    {"marianna13-the-eye", "marianna13/the-eye", "Books"},
    {"marianna13-vault_text", "marianna13/vault_text", "Books"},
    {"marianna13-random_quora", "marianna13/random_quora", "Forums"},
    {"marianna13-zlib", "marianna13/zlib", "Books"},
    {"minipile", "minipile", "Various"},
    {"tatoeba", "tatoeba", "Multilingual Translations"},
    {"poetry-foundation", "poetry-foundation", "Poetry"},
    {"proof-pile", "proof-pile", "Academia: Math"},
    {"reddit-math", "reddit-math", "Forums: Math"},
    {"soda", "soda", "Dialogue"},
    {"song_lyrics", "song_lyrics", "Lyrics"},
    {"tinystories", "TinyStories", "Stories"},
    {"walkthroughs2020", "walkthroughs2020", "Game Walkthroughs"},
    {"wikihow-qa-16k", "wikihow-qa-16k", "How-To"},
    {"alpaca", "Alpaca", "Various"},
    {"camel-ai-math", "camel-ai/math", "Math"},
    {"camel-ai-code", "camel-ai/code", "Code"},
    {"camel-ai-physics", "camel-ai/physics", "Physics"},
    {"camel-ai-chemistry", "camel-ai/chemistry", "Chemistry"},
    {"camel-ai-ai_society", "camel-ai/ai_society", "Job Roles"},
    {"camel-ai-biology", "camel-ai/biology", "Biology"},
    {"dolly", "Dolly", "Various"},
    {"evol-instruct", "Evol-Instruct", "Various"},
    {"gpt4all", "gpt4all", "Code"},
    {"guanaco", "Guanaco", "Various Multilingual"},
    {"lamini", "LaMini", "Various"},
    {"oasst1", "oasst1", "Multilingual Conversations"},
    {"sharegpt", "ShareGPT", "Conversations"},
    {"ultrachat", "UltraChat", "Conversations"},
    {"belle-10m-zh", "BELLE 10M Chinese", "Various Chinese"},
};

TEST(WorldV2Manifest, OneSourcePerTable9Component) {
  const Manifest m = LoadOrDie("rwkv_world_v2.json");
  EXPECT_EQ(m.name, "rwkv_world_v2");
  ASSERT_EQ(std::size(kTable9), 59u);
  ASSERT_EQ(m.sources.size(), 59u);
  std::set<std::string> names;
  for (size_t i = 0; i < m.sources.size(); ++i) {
    EXPECT_EQ(m.sources[i].name, kTable9[i].source) << "sources[" << i << "]";
    names.insert(m.sources[i].name);
  }
  EXPECT_EQ(names.size(), 59u);
}

TEST(WorldV2Manifest, EveryComponentUsedIntactFromItsOwnDirectory) {
  const Manifest m = LoadOrDie("rwkv_world_v2.json");
  for (const ManifestSource& s : m.sources) {
    SCOPED_TRACE(s.name);
    EXPECT_DOUBLE_EQ(s.weight, 1.0);  // Appendix D: no up- or down-sampling
    EXPECT_EQ(s.format, "jsonl.zst");
    EXPECT_EQ(s.text_key, "text");
    EXPECT_FALSE(s.license.empty());
    EXPECT_THAT(s.paths, ElementsAre(Repo("data/world_v2/" + s.name + "/*.jsonl.zst")));
  }
  EXPECT_EQ(m.output.dir, Repo("build/world_v2_corpus"));
  EXPECT_EQ(m.output.shard_tokens, 1000000000u);
  EXPECT_EQ(m.output.ctx_len, 4096u);
}

TEST(WorldV2Manifest, LanguagesAndLicenses) {
  const Manifest m = LoadOrDie("rwkv_world_v2.json");
  const std::map<std::string, std::optional<std::string>> languages = {
      {"syosetu711k", "ja"},        {"belle-10m-zh", "zh"},   {"tinystories", "en"},
      {"wikipedia", std::nullopt},  {"oscar-2301", std::nullopt}, {"starcoder", std::nullopt},
      {"oasst1", std::nullopt},     {"guanaco", std::nullopt},    {"tatoeba", std::nullopt}};
  for (const auto& [name, language] : languages) {
    const ManifestSource* s = Find(m, name);
    ASSERT_NE(s, nullptr) << name;
    EXPECT_EQ(s->language, language) << name;
  }
  const std::map<std::string, std::string> licenses = {
      {"wikipedia", "CC-BY-SA-3.0"},  {"pes2o", "ODC-By-1.0"},          {"bigpatent", "CC-BY-4.0"},
      {"pile-of-law", "CC-BY-NC-SA-4.0"}, {"tinystories", "CDLA-Sharing-1.0"}, {"alpaca", "CC-BY-NC-4.0"},
      {"dolly", "CC-BY-SA-3.0"},     {"oasst1", "Apache-2.0"},         {"camel-ai-math", "CC-BY-NC-4.0"},
      {"slimpajama", "see upstream"}, {"starcoder", "see upstream"},   {"books3", "see upstream"}};
  for (const auto& [name, license] : licenses) {
    const ManifestSource* s = Find(m, name);
    ASSERT_NE(s, nullptr) << name;
    EXPECT_EQ(s->license, license) << name;
  }
}

// ManifestSource does not keep descriptions, so these read the JSON directly.
TEST(WorldV2Manifest, DescriptionsNameTable9DatasetsAndFootnotes) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  ASSERT_EQ(parser.load((kManifestDir / "rwkv_world_v2.json").string()).get(root), simdjson::SUCCESS);
  std::string_view top;
  ASSERT_EQ(root["description"].get(top), simdjson::SUCCESS);
  EXPECT_THAT(std::string(top), HasSubstr("1.12 T"));
  EXPECT_THAT(std::string(top), HasSubstr("2404.05892"));
  EXPECT_THAT(std::string(top), HasSubstr("no per-component token counts"));
  EXPECT_THAT(std::string(top), HasSubstr("cannot run without the data"));

  simdjson::dom::array sources;
  ASSERT_EQ(root["sources"].get(sources), simdjson::SUCCESS);
  std::map<std::string, std::string> description;
  for (simdjson::dom::element s : sources) {
    std::string_view name, text;
    ASSERT_EQ(s["name"].get(name), simdjson::SUCCESS);
    ASSERT_EQ(s["description"].get(text), simdjson::SUCCESS) << name;
    description[std::string(name)] = std::string(text);
  }
  for (const Table9Row& row : kTable9) {
    SCOPED_TRACE(row.source);
    EXPECT_THAT(description[row.source], HasSubstr(std::string("Table 9: \"") + row.printed + "\", domain \"" +
                                                   row.domain + "\". Dataset: "));
  }
  // Public dataset ids where one is well known.
  EXPECT_THAT(description["slimpajama"], HasSubstr("cerebras/SlimPajama-627B"));
  EXPECT_THAT(description["starcoder"], HasSubstr("bigcode/starcoderdata"));
  EXPECT_THAT(description["oscar-2301"], HasSubstr("oscar-corpus/OSCAR-2301"));
  EXPECT_THAT(description["belle-10m-zh"], HasSubstr("BelleGroup/train_10M_CN"));
  EXPECT_THAT(description["camel-ai-math"], HasSubstr("camel-ai/math"));
  // The footnotes of Table 9.
  EXPECT_THAT(description["wikipedia"], HasSubstr("2023-04-01"));
  EXPECT_THAT(description["wikipedia"], HasSubstr("subsampled"));
  EXPECT_THAT(description["starcoder"], HasSubstr("10 or more stars"));
  EXPECT_THAT(description["oscar-2301"], HasSubstr("non-English languages only"));
  EXPECT_THAT(description["oscar-2301"], HasSubstr("subsampled"));
}

TEST(ParseManifest, DefaultsAndPathResolution) {
  const absl::StatusOr<Manifest> m = ParseManifest(
      R"({"name": "t",
          "sources": [{"name": "a", "paths": ["x/a.jsonl", "/abs/b.jsonl", "../up/*.jsonl.zst", "dir/"],
                       "license": "MIT", "description": "free text"},
                      {"name": "b", "paths": ["b"], "license": "MIT", "weight": 2, "language": "pt-BR",
                       "format": "text", "id_key": "id", "text_key": "body"},
                      {"name": "c", "paths": ["c"], "license": "MIT", "weight": 0.3, "language": null}],
          "output": {"dir": "out", "shard_tokens": 1, "ctx_len": 1}})",
      "t.json", "/base/manifests");
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->seed, 0u);
  EXPECT_EQ(m->description, "");
  const ManifestSource& a = m->sources[0];
  EXPECT_EQ(a.format, "jsonl");
  EXPECT_EQ(a.text_key, "text");
  EXPECT_EQ(a.id_key, std::nullopt);
  EXPECT_EQ(a.language, std::nullopt);
  EXPECT_DOUBLE_EQ(a.weight, 1.0);
  // Relative paths resolve against base_dir; absolute paths, globs and directories stay as written.
  EXPECT_THAT(a.paths, ElementsAre(fs::path("/base/manifests/x/a.jsonl"), fs::path("/abs/b.jsonl"),
                                   fs::path("/base/up/*.jsonl.zst"), fs::path("/base/manifests/dir/")));
  const ManifestSource& b = m->sources[1];
  EXPECT_DOUBLE_EQ(b.weight, 2.0);
  EXPECT_EQ(b.language, "pt-BR");
  EXPECT_EQ(b.format, "text");
  EXPECT_EQ(b.id_key, "id");
  EXPECT_EQ(b.text_key, "body");
  EXPECT_DOUBLE_EQ(m->sources[2].weight, 0.3);
  EXPECT_EQ(m->sources[2].language, std::nullopt);
  EXPECT_EQ(m->output.dir, fs::path("/base/manifests/out"));
}

TEST(LoadManifest, ResolvesAgainstTheManifestsDirectory) {
  const fs::path dir = fs::path(::testing::TempDir()) / ("rwkvkit_manifest_test_" + std::to_string(getpid()));
  fs::create_directories(dir / "sub");
  const fs::path file = dir / "sub" / "m.json";
  {
    std::ofstream out(file, std::ios::binary);
    out << R"({"name": "t", "seed": 7, "sources": [{"name": "a", "paths": ["../data/a.jsonl"], "license": "MIT"}],
               "output": {"dir": "shards", "shard_tokens": 10, "ctx_len": 8}})";
  }
  const absl::StatusOr<Manifest> m = LoadManifest(file);
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->seed, 7u);
  EXPECT_THAT(m->sources[0].paths, ElementsAre((dir / "data/a.jsonl").lexically_normal()));
  EXPECT_EQ(m->output.dir, (dir / "sub/shards").lexically_normal());
  fs::remove_all(dir);
}

}  // namespace
}  // namespace rwkvkit::corpus::build

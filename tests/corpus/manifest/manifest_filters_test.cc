// tests/corpus/manifest/manifest_filters_test.cc — the manifest's `filters` objects: how the
// top-level and per-source settings combine into each source's FilterOptions, and every
// validation error with its location (corpus/filters/filter_settings.h).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "corpus/build/manifest.h"

namespace rwkvkit::corpus::build {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kOutput[] = R"({"dir": "out", "shard_tokens": 100, "ctx_len": 4096})";

// A manifest with top-level `top` filters (none when empty), a prose source with `a` filters and
// a code source with `c` filters.
std::string M(const std::string& top, const std::string& a, const std::string& c = "") {
  std::string j = R"({"name": "t", )";
  if (!top.empty()) j += R"("filters": )" + top + ", ";
  j += R"("sources": [{"name": "a", "paths": ["a.jsonl"], "license": "MIT")";
  if (!a.empty()) j += R"(, "filters": )" + a;
  j += R"(}, {"name": "c", "paths": ["c.jsonl"], "license": "MIT", "language": "code:python")";
  if (!c.empty()) j += R"(, "filters": )" + c;
  return j + R"(}], "output": )" + kOutput + "}";
}

absl::StatusOr<Manifest> Parse(const std::string& json) { return ParseManifest(json, "m.json", "/base"); }

void ExpectInvalid(const std::string& json, const std::string& where, const std::string& what) {
  const absl::StatusOr<Manifest> m = Parse(json);
  ASSERT_FALSE(m.ok()) << json;
  EXPECT_EQ(m.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(m.status().message()), HasSubstr("m.json: " + where + ": ")) << m.status();
  EXPECT_THAT(std::string(m.status().message()), HasSubstr(what)) << m.status();
}

TEST(ManifestFilters, DefaultsAndCodeSources) {
  const absl::StatusOr<Manifest> m = Parse(M("", ""));
  ASSERT_TRUE(m.ok()) << m.status();
  const filters::FilterOptions& a = m->sources[0].filters;
  EXPECT_TRUE(a.gopher_repetition && a.gopher_quality && a.fineweb_quality);
  EXPECT_FALSE(a.c4);  // off by default
  EXPECT_EQ(a.language_id_prefix, filters::kLanguageIdPrefixBytes);
  const filters::FilterOptions& c = m->sources[1].filters;
  EXPECT_FALSE(c.gopher_repetition || c.gopher_quality || c.fineweb_quality || c.c4);
  EXPECT_TRUE(IsCodeSource(m->sources[1]));
}

TEST(ManifestFilters, TopLevelThenSource) {
  const absl::StatusOr<Manifest> m =
      Parse(M(R"({"c4": {"min_num_sentences": 3}, "gopher_quality": {"min_doc_words": 20, "enabled": false},
                  "languages": {"drop": ["un"]}, "language_id_prefix": 2048})",
              R"({"gopher_quality": true, "c4": {"filter_no_terminal_punct": false},
                  "gopher_repetition": {"top_n_grams": [[2, 0.25]], "dup_n_grams": []},
                  "fineweb_quality": {"line_punct_thr": 0.2, "short_line_length": 40},
                  "languages": {"keep": ["en", "de", "en"]}, "language_id_prefix": 0})",
              R"({"fineweb_quality": {"enabled": true}})"));
  ASSERT_TRUE(m.ok()) << m.status();
  const filters::FilterOptions& a = m->sources[0].filters;
  EXPECT_TRUE(a.c4);
  EXPECT_EQ(a.c4_options.min_num_sentences, 3);            // from the top level
  EXPECT_FALSE(a.c4_options.filter_no_terminal_punct);     // from the source
  EXPECT_TRUE(a.gopher_quality);                           // the source turned it back on
  EXPECT_EQ(a.gopher_quality_options.min_doc_words, 20u);  // with the top-level threshold
  EXPECT_THAT(a.gopher_repetition_options.top_n_grams, ElementsAre(std::pair<int, double>{2, 0.25}));
  EXPECT_TRUE(a.gopher_repetition_options.dup_n_grams.empty());
  EXPECT_EQ(a.fineweb_quality_options.line_punct_thr, 0.2);
  EXPECT_EQ(a.fineweb_quality_options.short_line_length, 40u);
  EXPECT_THAT(a.keep_languages, ElementsAre("en", "de"));  // a set
  EXPECT_THAT(a.drop_languages, ElementsAre("un"));
  EXPECT_EQ(a.language_id_prefix, 0u);  // the source's: the whole text
  const filters::FilterOptions& c = m->sources[1].filters;
  EXPECT_FALSE(c.c4);  // top-level switches do not reach code sources
  EXPECT_FALSE(c.gopher_quality);
  EXPECT_TRUE(c.fineweb_quality);
  EXPECT_EQ(c.c4_options.min_num_sentences, 3);  // thresholds do
  EXPECT_TRUE(c.drop_languages.empty());         // language lists do not (CLD2 calls code en/un)
  EXPECT_EQ(c.language_id_prefix, 2048u);        // the language-id prefix does
}

TEST(ManifestFilters, CodeSourceLanguageListsOnlyFromItsOwnFilters) {
  const absl::StatusOr<Manifest> m =
      Parse(M(R"({"languages": {"keep": ["de"], "drop": ["un"]}})", "", R"({"languages": {"drop": ["fr"]}})"));
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_THAT(m->sources[0].filters.keep_languages, ElementsAre("de"));
  EXPECT_THAT(m->sources[0].filters.drop_languages, ElementsAre("un"));
  EXPECT_TRUE(m->sources[1].filters.keep_languages.empty());
  EXPECT_THAT(m->sources[1].filters.drop_languages, ElementsAre("fr"));
}

TEST(ManifestFilters, Errors) {
  ExpectInvalid(M(R"([1])", ""), "filters", "must be an object");
  ExpectInvalid(M(R"({"gopher": true})", ""), "filters", "unknown key \"gopher\"");
  ExpectInvalid(M("", R"({"c4": "yes"})"), "sources[0].filters.c4", "must be true, false or an object (saw \"yes\")");
  ExpectInvalid(M("", R"({"c4": {"min_sentences": 2}})"), "sources[0].filters.c4", "unknown key \"min_sentences\"");
  ExpectInvalid(M("", R"({"c4": {"min_num_sentences": -2}})"), "sources[0].filters.c4.min_num_sentences",
                "must be an integer >= -1 (saw -2)");
  ExpectInvalid(M("", R"({"c4": {"enabled": 1}})"), "sources[0].filters.c4.enabled", "must be true or false");
  ExpectInvalid(M("", R"({"gopher_quality": {"min_doc_words": 1.5}})"),
                "sources[0].filters.gopher_quality.min_doc_words", "must be an integer >= 0 (saw 1.5)");
  ExpectInvalid(M("", R"({"gopher_quality": {"max_non_alpha_words_ratio": -0.1}})"),
                "sources[0].filters.gopher_quality.max_non_alpha_words_ratio", "must be a number >= 0");
  ExpectInvalid(M("", R"({"gopher_quality": {"stop_words": []}})"), "sources[0].filters.gopher_quality.stop_words",
                "must be a non-empty array of non-empty strings");
  ExpectInvalid(M("", R"({"gopher_repetition": {"top_n_grams": [[11, 0.1]]}})"),
                "sources[0].filters.gopher_repetition.top_n_grams[0]", "n in 1..10");
  ExpectInvalid(M("", R"({"gopher_repetition": {"dup_n_grams": [5, 0.1]}})"),
                "sources[0].filters.gopher_repetition.dup_n_grams[0]", "must be a pair");
  ExpectInvalid(M("", R"({"fineweb_quality": {"line_punct_thr": "x"}})"),
                "sources[0].filters.fineweb_quality.line_punct_thr", "must be a number >= 0 (saw \"x\")");
  ExpectInvalid(M("", R"({"languages": ["en"]})"), "sources[0].filters.languages", "must be an object");
  ExpectInvalid(M("", R"({"languages": {"allow": ["en"]}})"), "sources[0].filters.languages",
                "unknown key \"allow\"");
  ExpectInvalid(M("", R"({"languages": {"keep": ["en", ""]}})"), "sources[0].filters.languages.keep[1]",
                "must be a non-empty string");
  ExpectInvalid(M("", R"({"language_id_prefix": -1})"), "sources[0].filters.language_id_prefix",
                "must be an integer >= 0 (saw -1)");
  ExpectInvalid(M("", "", R"({"c4": {"max_word_length": "long"}})"), "sources[1].filters.c4.max_word_length",
                "must be an integer >= -1");
}

}  // namespace
}  // namespace rwkvkit::corpus::build

// tests/corpus/build/phase1_checkpoint_test.cc — the phase-1 checkpoint keeps every counter.
//
// A resumed build continues from what the checkpoint restores, so a counter it drops is lost
// for the files read before the kill (the per-source bad-record count once was, and a resumed
// build then passed --max-bad-fraction where the uninterrupted one failed). Every field of
// every SourceCounts gets a distinct value, the checkpoint goes through SaveCheckpoint and
// LoadCheckpoint, and each field must come back; a damaged file is kDataLoss.
#include <filesystem>
#include <string>

#include "corpus/build/phase1_checkpoint.h"
#include "corpus/build/work_files.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/corpus/build/test_files.h"

namespace rwkvkit::corpus::build {
namespace {

// Distinct values from `seed` in every field, maps and lists with two entries.
SourceCounts Filled(uint64_t seed) {
  uint64_t v = seed * 100;
  SourceCounts c;
  for (uint64_t* f : {&c.files, &c.documents_read, &c.documents_kept, &c.documents_written, &c.bad_records,
                      &c.bytes_in, &c.bytes_out, &c.tokens, &c.c4_documents_edited, &c.c4_lines_removed.too_long_word,
                      &c.c4_lines_removed.no_terminal_punct, &c.c4_lines_removed.too_few_words,
                      &c.c4_lines_removed.javascript, &c.c4_lines_removed.policy})
    *f = ++v;
  for (const text::RepairCounterField& f : text::kRepairCounterFields) c.repairs.*f.member = ++v;
  c.dropped = {{"invalid_json", ++v}, {"duplicate", ++v}};
  c.languages = {{"en", ++v}, {"de", ++v}};
  c.languages_kept = {{"en", ++v}, {"fr", ++v}};
  c.filter_drops = {{"language", {{"ja", ++v}}}, {"gopher_quality", {{"gopher_short_doc", ++v}, {"x", ++v}}}};
  c.file_errors = {"a.jsonl.zst: truncated zstd frame " + std::to_string(seed), "b.parquet: bad page"};
  return c;
}

void ExpectSame(const SourceCounts& got, const SourceCounts& want) {
  EXPECT_EQ(got.files, want.files);
  EXPECT_EQ(got.documents_read, want.documents_read);
  EXPECT_EQ(got.documents_kept, want.documents_kept);
  EXPECT_EQ(got.documents_written, want.documents_written);
  EXPECT_EQ(got.bad_records, want.bad_records);
  EXPECT_EQ(got.bytes_in, want.bytes_in);
  EXPECT_EQ(got.bytes_out, want.bytes_out);
  EXPECT_EQ(got.tokens, want.tokens);
  EXPECT_EQ(got.repairs, want.repairs);
  EXPECT_EQ(got.dropped, want.dropped);
  EXPECT_EQ(got.languages, want.languages);
  EXPECT_EQ(got.languages_kept, want.languages_kept);
  EXPECT_EQ(got.filter_drops, want.filter_drops);
  EXPECT_EQ(got.file_errors, want.file_errors);
  EXPECT_EQ(got.c4_documents_edited, want.c4_documents_edited);
  EXPECT_EQ(got.c4_lines_removed.too_long_word, want.c4_lines_removed.too_long_word);
  EXPECT_EQ(got.c4_lines_removed.no_terminal_punct, want.c4_lines_removed.no_terminal_punct);
  EXPECT_EQ(got.c4_lines_removed.too_few_words, want.c4_lines_removed.too_few_words);
  EXPECT_EQ(got.c4_lines_removed.javascript, want.c4_lines_removed.javascript);
  EXPECT_EQ(got.c4_lines_removed.policy, want.c4_lines_removed.policy);
}

TEST(Phase1Checkpoint, EveryCounterSurvivesSaveAndLoad) {
  testing::TempDir d;
  Phase1Checkpoint cp;
  cp.next_file = 7;
  cp.bytes_before = 123456789;
  cp.records = 4242;
  cp.stored = 4000;
  cp.tokens = 987654;
  cp.dedup_keys = 3999;
  cp.drop_report_bytes = 31337;
  cp.counts = {Filled(1), Filled(2)};
  cp.bad["invalid_json"] = {12, {"a.jsonl:3: invalid JSON", "a.jsonl:9: invalid JSON"}};
  cp.bad["record_too_long"] = {1, {"b.txt: record of 70000000 bytes"}};
  ASSERT_TRUE(SaveCheckpoint(d.path(), cp).ok());

  absl::StatusOr<Phase1Checkpoint> got = LoadCheckpoint(d.path(), 2);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->next_file, cp.next_file);
  EXPECT_EQ(got->bytes_before, cp.bytes_before);
  EXPECT_EQ(got->records, cp.records);
  EXPECT_EQ(got->stored, cp.stored);
  EXPECT_EQ(got->tokens, cp.tokens);
  EXPECT_EQ(got->dedup_keys, cp.dedup_keys);
  EXPECT_EQ(got->drop_report_bytes, cp.drop_report_bytes);
  ASSERT_EQ(got->counts.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    SCOPED_TRACE(i);
    ExpectSame(got->counts[i], cp.counts[i]);
  }
  ASSERT_EQ(got->bad.size(), cp.bad.size());
  for (const auto& [reason, e] : cp.bad) {
    EXPECT_EQ(got->bad.at(reason).count, e.count) << reason;
    EXPECT_EQ(got->bad.at(reason).examples, e.examples) << reason;
  }

  // Another number of sources, a cut file and trailing bytes are not this build's checkpoint.
  EXPECT_EQ(LoadCheckpoint(d.path(), 3).status().code(), absl::StatusCode::kDataLoss);
  const std::filesystem::path file = d.path() / kCheckpointFile;
  const std::string bytes = testing::ReadFile(file);
  testing::WriteFile(file, bytes.substr(0, bytes.size() - 1));
  EXPECT_EQ(LoadCheckpoint(d.path(), 2).status().code(), absl::StatusCode::kDataLoss);
  testing::WriteFile(file, bytes + "x");
  EXPECT_EQ(LoadCheckpoint(d.path(), 2).status().code(), absl::StatusCode::kDataLoss);
  RemoveCheckpoint(d.path());
  EXPECT_EQ(LoadCheckpoint(d.path(), 2).status().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace rwkvkit::corpus::build

// corpus/build/near_dedup_stage.h — near-duplicate removal inside a build (docs/near_dedup.md).
//
// During phase 1 the serial output stage hands every stored document's MinHash signature
// (computed in the parallel stage from the normalized text) to Add(), in store order; they go
// to `signatures.u64` in the work directory (bands x rows x 8 bytes per document on disk, 16
// bytes per document in memory for its token and byte counts, 12 more with a report for its
// file and line or row, and 16 per Parquet row group). After phase 1, Apply() maps the file, clusters the documents
// (dedup/lsh_index.h: LSH candidates, confirmed by estimated Jaccard, union-find; the first
// document in input order is kept), gives every other member of a cluster zero copies, moves
// its counts to `dropped.near_duplicate`, and writes the report (--dedup-report) when asked:
// one JSON line per removed document, in input order, with its kept representative and the
// estimated Jaccard of the two (temporary name, fsync, rename). The result does not depend on
// the thread count. Not thread-safe: serial stage only.
#ifndef RWKVKIT_CORPUS_BUILD_NEAR_DEDUP_STAGE_H_
#define RWKVKIT_CORPUS_BUILD_NEAR_DEDUP_STAGE_H_

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "corpus/build/build_report.h"
#include "corpus/build/build_stages.h"
#include "corpus/dedup/lsh_index.h"

namespace rwkvkit::corpus::build {

class NearDedupStage {
 public:
  // `report`: where Apply() writes the removed documents ("": no report). `resume_docs` > 0
  // continues from a phase-1 checkpoint (phase1_checkpoint.h) that had stored that many
  // documents: the files are cut back to them and their numbers reloaded (kDataLoss when the
  // files are shorter).
  static absl::StatusOr<NearDedupStage> Create(const std::filesystem::path& work, const dedup::MinHashConfig& config,
                                               std::filesystem::path report = {}, uint64_t resume_docs = 0);
  NearDedupStage(NearDedupStage&& o) noexcept;
  NearDedupStage& operator=(NearDedupStage&&) = delete;
  ~NearDedupStage();

  // One stored document, in store order: its signature, tokens (per copy), text bytes, and
  // where it came from (index into the build's files; 1-based line, 0-based row of a Parquet
  // file, 0 for a whole text file).
  absl::Status Add(std::span<const uint64_t> signature, uint64_t tokens, uint64_t bytes_out, uint32_t file,
                   uint64_t line);

  // Appends the per-document numbers added since the last call to `near_docs.u64` and fsyncs
  // it and the signatures (a checkpoint).
  absl::Status Sync();

  // Appends the numbers added since the last call to `near_docs.u64` (no fsync) and forgets
  // them (a read task of a split build, whose memory must not grow with its documents; Apply()
  // then no longer works).
  absl::Status Release();

  // NoteRowGroup()
  // `file` is a Parquet file whose row group `row_group` starts at its row `first_row`; the
  // report then names its documents by row, row group and row within it. Called for every
  // block of rows, in input order (repeats are ignored).
  void NoteRowGroup(uint32_t file, int64_t row_group, uint64_t first_row);
  // Every row group noted, as (file, row group, first row) triples in the order noted (a read
  // task of a split build saves them; the cluster task notes them again).
  std::vector<uint64_t> RowGroupRecords() const;

  // Clusters the stored documents, removes the near duplicates from `meta` and `counts`, and
  // writes the report (`files` and `manifest` name the documents there).
  absl::StatusOr<dedup::LshStats> Apply(std::vector<DocMeta>& meta, std::vector<SourceCounts>& counts,
                                 const std::vector<InputFile>& files, const Manifest& manifest);

  // What one stored document's entry holds: near_docs.u64's numbers and its metadata.
  struct StoredDoc {
    uint64_t tokens = 0, bytes = 0;  // tokens per copy, text bytes
    uint32_t file = 0;               // file and line: only with a report
    uint64_t line = 0;
    DocMeta meta{};
  };
  using StoredDocSource = std::function<absl::StatusOr<StoredDoc>(uint64_t doc)>;

  // For a build split into tasks (corpus/tasks/): a stage without documents of its own that
  // applies clusters found elsewhere (ApplyRemoved; NoteRowGroup for the report).
  static NearDedupStage ForTasks(const dedup::MinHashConfig& config, std::filesystem::path report);

  // Removes the stage's files from a build's work directory (signatures, per-document numbers):
  // once phase 1 is complete their decisions are in the documents' metadata, and phase 2 and a
  // resumed build never read them.
  static void RemoveFiles(const std::filesystem::path& work);
  // What Apply() does after clustering: for the documents `removed` (ascending, with their
  // representatives), writes the report and moves their counts to `dropped.near_duplicate`;
  // `doc` gives a document's numbers and `signatures` its signature.
  absl::Status ApplyRemoved(std::span<const dedup::RemovedDoc> removed, const dedup::SignatureSource& signatures,
                            const StoredDocSource& doc, std::vector<SourceCounts>& counts,
                            const std::vector<InputFile>& files, const Manifest& manifest) const;
  uint64_t documents() const { return first_ + tokens_.size(); }

 private:
  NearDedupStage(std::filesystem::path path, std::FILE* f, const dedup::MinHashConfig& config, std::filesystem::path report)
      : path_(std::move(path)), file_(f), config_(config), report_(std::move(report)) {}
  // Takes the first `n` documents' numbers (4 per document: tokens, bytes, file, line) as synced.
  void LoadNumbers(std::span<const uint64_t> numbers, uint64_t n);

  std::filesystem::path path_;
  std::FILE* file_ = nullptr;
  dedup::MinHashConfig config_;
  std::filesystem::path report_;
  std::vector<uint64_t> tokens_, bytes_;
  std::vector<uint32_t> doc_file_;  // only with a report
  std::vector<uint64_t> doc_line_;
  uint64_t synced_ = 0;  // documents whose numbers are in near_docs.u64
  uint64_t first_ = 0;   // the document of tokens_[0] etc. (those before were released)
  absl::Status AppendNumbers(bool sync);
  struct GroupStart {
    uint64_t first_row;
    int64_t row_group;
  };
  std::vector<std::vector<GroupStart>> group_starts_;  // per file; empty unless Parquet (and a report)
};

}  // namespace rwkvkit::corpus::build

#endif  // RWKVKIT_CORPUS_BUILD_NEAR_DEDUP_STAGE_H_

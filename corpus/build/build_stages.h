// corpus/build/build_stages.h — the serial stages of a build's phase 1, free of TBB.
//
// InputStage reads the input files in order and takes batches of records from each
// (record_source.h: JSON lines, a text file, Parquet rows); OutputStage takes the processed batches in input order and makes every
// decision that depends on other documents: bad-input reports, exact dedup, source weights,
// counters, the --drop-report lines, appending to the token store. pipeline.cc wires them around the parallel
// DocProcessor stage with TBB. Not thread-safe: each is driven by one serial TBB filter.
#ifndef RWKVKIT_CORPUS_BUILD_BUILD_STAGES_H_
#define RWKVKIT_CORPUS_BUILD_BUILD_STAGES_H_

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "corpus/build/bad_input.h"
#include "corpus/build/build_options.h"
#include "corpus/build/build_report.h"
#include "corpus/build/doc_processor.h"
#include "corpus/dedup/exact_dedup.h"
#include "corpus/input/record_source.h"
#include "corpus/build/phase1_checkpoint.h"
#include "corpus/build/spill_store.h"

namespace rwkvkit::corpus::build {

inline constexpr size_t kBlockBytes = 1 << 20;
// The last kTailBytes of a build's input are cut into blocks of kTailBlockBytes, so that the
// threads run out of work together instead of all but one waiting for the last large blocks.
// A function of the input alone: the same blocks for any thread count.
inline constexpr uint64_t kTailBytes = uint64_t{32} << 20;
inline constexpr size_t kTailBlockBytes = kBlockBytes / 4;

class NearDedupStage;

struct InputFile {
  uint32_t source;
  std::filesystem::path path;
};

// A part of an input file: the whole file (read as one process reads it), or the lines whose
// first byte lies in [begin, end) of an uncompressed JSON Lines file (record_source.h), with
// the file's newlines before `begin` when known (else the reader counts them).
struct FilePiece {
  size_t file = 0;
  bool whole = true;
  uint64_t begin = 0;
  uint64_t end = 0;
  std::optional<uint64_t> newlines_before;
  bool operator==(const FilePiece&) const = default;
};

// What phase 2 needs to know of each stored document (4 bytes per document, docs_meta.u32).
struct DocMeta {
  uint16_t copies;
  uint16_t source;
};


// One unit of work in flight: about kBlockBytes of records of one file.
struct Batch {
  uint32_t source = 0;
  size_t file = 0;
  input::RecordBlock block;
  std::string file_error;  // the file broke off after the lines of this batch
  bool file_start = false;
  uint64_t bytes_done = 0;  // input bytes consumed when the batch was cut (progress)
  std::vector<DocResult> results;
};


// The --drop-report line of record k of `block`, which a filter removed: source, file, where
// ("line", null for a whole text file; a Parquet record's "row", "row_group", "row_in_group"),
// filter, reason (without "filter_"), language (CLD2's). build.json counts it under
// counts.filters.dropped[filter][reason], or [language] for the language filter.
std::string DropReportLine(std::string_view source, std::string_view file, const input::RecordBlock& block, size_t k,
                           const DocResult& r);

// Copies of a document in the output for a source weight: floor(w), plus one more with
// probability frac(w) decided by a hash of (key, seed, source): 0.3 keeps a deterministic 30%
// sample, 2.0 repeats twice.
uint32_t Copies(double weight, const dedup::Hash128& key, uint64_t seed, uint32_t source);

// Expands every source's paths (input_paths.h) into the ordered file list; sums their sizes.
absl::StatusOr<std::vector<InputFile>> ListInputs(const BuildOptions& opt, uint64_t& total_bytes);

// Reads the input files in order and cuts them into batches (the serial input stage).
class InputStage {
 public:
  // `total_bytes`: the size of all `files` (0: no smaller blocks at the end).
  InputStage(const BuildOptions& opt, const std::vector<InputFile>& files, uint64_t total_bytes = 0)
      : opt_(opt), files_(files), total_bytes_(total_bytes) {}

  // The next batch, or nullptr at the end.
  std::unique_ptr<Batch> Next();
  // Starts at input file `file` (a phase-1 checkpoint); `bytes_before` is the size of the
  // files before it (progress).
  void StartAt(size_t file, uint64_t bytes_before) {
    next_file_ = file;
    done_before_ = bytes_before;
  }
  // Reads these pieces of the files, in order, instead (a read task of a split build).
  void ReadPieces(std::vector<FilePiece> pieces) { pieces_ = std::move(pieces); }

 private:
  void Advance(Batch& b);
  const BuildOptions& opt_;
  const std::vector<InputFile>& files_;
  size_t next_file_ = 0;
  std::optional<std::vector<FilePiece>> pieces_;
  size_t next_piece_ = 0;
  std::unique_ptr<input::RecordSource> reader_;
  bool pending_start_ = false;
  uint64_t done_before_ = 0;
  uint64_t total_bytes_ = 0;
};

// In a build split into tasks (corpus/tasks/), told of every document that passed the filters
// and the bad-input checks, in input order, with its exact-dedup key (but for the copies its
// table of recent keys catches): the tasks settle the duplicates among them afterwards, so the
// OutputStage keeps no table of every key.
class ExactKeyLog {
 public:
  static constexpr uint64_t kNotStored = UINT64_MAX;
  virtual ~ExactKeyLog() = default;
  // `stored`: the document's index in the token store, or kNotStored when its source weight
  // gave it no copy; `tokens` per copy; `bytes_out` of its normalized text.
  virtual absl::Status Note(const dedup::Hash128& key, uint32_t source, uint32_t copies, uint64_t stored, uint64_t tokens,
                            uint64_t bytes_out) = 0;
};

// The serial in-order output stage: everything that depends on other documents.
class OutputStage {
 public:
  // Task mode's table of recent keys: 2^16 slots, 1 MiB.
  static constexpr int kRecentKeyBits = 16;
  // `near` (may be null) receives the signature of every stored document.
  OutputStage(const BuildOptions& opt, const std::vector<InputFile>& files, SpillWriter& spill,
              std::vector<SourceCounts>& counts, BadInputSink& bad, std::vector<DocMeta>& meta,
              NearDedupStage* near)
      : opt_(opt), files_(files), spill_(spill), counts_(counts), bad_(bad), meta_(meta), near_(near) {}

  OutputStage(const OutputStage&) = delete;
  OutputStage& operator=(const OutputStage&) = delete;
  ~OutputStage();

  // Saves phase-1 checkpoints in `work` at input-file boundaries, at most one a second
  // (phase1_checkpoint.h). With `resume_from`, first restores the state it describes (the
  // token store and near-dedup stage must have been reopened from it): kDataLoss when the
  // files do not hold it.
  absl::Status EnableCheckpoints(const std::filesystem::path& work, const Phase1Checkpoint* resume_from);

  // Task mode (a read task of a split build): keeps no state per document. Every document
  // that passed the filters goes to `log` and is kept (no exact-dedup table: the tasks settle
  // the duplicates), but for the copies of a recent document of the slice, which a fixed
  // table of recent keys (dedup::RecentKeys, kRecentKeyBits) catches and counts as
  // duplicates here, as one process does (the first copy comes first in input order too).
  // The metadata of the stored documents is appended to `meta_path` (instead of `meta`) and
  // the near-dedup stage's numbers are written out after every batch.
  absl::Status EnableTaskMode(ExactKeyLog& log, const std::filesystem::path& meta_path);
  // Task mode: flushes and fsyncs the metadata file.
  absl::Status FinishTaskMode();

  // Takes one processed batch, in input order.
  absl::Status Consume(Batch& b);
  // Flushes and fsyncs the --drop-report lines written so far (the end of phase 1).
  absl::Status SyncDropReport();
  // Writes the --drop-report lines to `path` instead (a read task of a split build, which has
  // no checkpoints; corpus/tasks/).
  absl::Status WriteDropReportTo(const std::filesystem::path& path);
  uint64_t docs() const { return docs_; }
  const dedup::ExactDedup& dedup() const { return dedup_; }

 private:
  const BuildOptions& opt_;
  const std::vector<InputFile>& files_;
  SpillWriter& spill_;
  std::vector<SourceCounts>& counts_;
  BadInputSink& bad_;
  std::vector<DocMeta>& meta_;
  NearDedupStage* near_;
  // Task mode (EnableTaskMode).
  ExactKeyLog* key_log_ = nullptr;
  std::optional<dedup::RecentKeys> recent_;
  std::FILE* task_meta_ = nullptr;
  std::filesystem::path task_meta_path_;
  absl::Status WriteTaskMeta();
  dedup::ExactDedup dedup_;
  uint64_t docs_ = 0;
  absl::Status Checkpoint(size_t next_file);
  // Checkpoints: the logs of the per-document metadata and of the dedup keys, and what is
  // not in them yet.
  std::filesystem::path work_;
  std::FILE* meta_log_ = nullptr;
  std::FILE* keys_log_ = nullptr;
  uint64_t meta_logged_ = 0, keys_logged_ = 0;
  std::vector<dedup::Hash128> new_keys_;
  // --drop-report: its lines go straight to StagedDropReport(out) (output_dir.h), which the
  // publish moves into place; a checkpoint records its length.
  std::FILE* drop_log_ = nullptr;
  std::filesystem::path drop_path_;
  uint64_t drop_bytes_ = 0;
  size_t checkpoint_file_ = 0;
  std::chrono::steady_clock::time_point last_checkpoint_;
};

}  // namespace rwkvkit::corpus::build

#endif  // RWKVKIT_CORPUS_BUILD_BUILD_STAGES_H_

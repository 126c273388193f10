// corpus/build/phase1_checkpoint.h — where an interrupted phase 1 can pick up again.
//
// While it reads, the serial output stage (build_stages.h) saves a checkpoint at input-file
// boundaries (at most one a second): the append-only files of the work directory (token
// store, per-document metadata, exact-dedup keys, near-dedup signatures and per-document
// numbers, the staged --drop-report) are flushed and fsynced, then `phase1.checkpoint` is written atomically with their
// lengths, the index of the next input file, and the counters (per-source counts, bad-input
// reasons and examples). `--resume` of the same build truncates each file back to its length,
// reloads the in-memory state and reads on from that file, so the result is byte-identical
// to an uninterrupted build. A checkpoint is trusted only as far as its files are long enough;
// any mismatch and phase 1 starts from the first file again.
//
// Not thread-safe: used by the serial output stage only.
#ifndef RWKVKIT_CORPUS_BUILD_PHASE1_CHECKPOINT_H_
#define RWKVKIT_CORPUS_BUILD_PHASE1_CHECKPOINT_H_

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "corpus/build/bad_input.h"
#include "corpus/build/build_report.h"

namespace rwkvkit::corpus::build {

struct Phase1Checkpoint {
  uint64_t next_file = 0;     // input files [0, next_file) are done
  uint64_t bytes_before = 0;  // their bytes on disk (progress only)
  uint64_t records = 0;       // records read (lines, or text files)
  uint64_t stored = 0;        // documents in the token store (= metadata and near-dedup entries)
  uint64_t tokens = 0;        // tokens in the token store
  uint64_t dedup_keys = 0;    // keys in dedup_keys.u128
  uint64_t drop_report_bytes = 0;  // bytes of the staged --drop-report (output_dir.h)
  std::vector<SourceCounts> counts;
  std::map<std::string, BadInputSink::Entry> bad;
};

// SaveCheckpoint()
// Writes `<work>/phase1.checkpoint` atomically; the files it describes must be synced first.
absl::Status SaveCheckpoint(const std::filesystem::path& work, const Phase1Checkpoint& cp);

// LoadCheckpoint()
// kNotFound when there is none; kDataLoss when it cannot be decoded or does not fit `sources`
// sources.
absl::StatusOr<Phase1Checkpoint> LoadCheckpoint(const std::filesystem::path& work, size_t sources);

// Removes the checkpoint (a phase 1 that starts from the first file).
void RemoveCheckpoint(const std::filesystem::path& work);

}  // namespace rwkvkit::corpus::build

#endif  // RWKVKIT_CORPUS_BUILD_PHASE1_CHECKPOINT_H_

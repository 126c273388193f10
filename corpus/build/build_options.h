// corpus/build/build_options.h — everything that decides a build's output.
//
// Filled by `rwkvkit build` from the manifest and the flags (or by the Python package).
// Every field except `threads`, `progress`, `resume`, `force`, `command_line`,
// `max_bad_fraction`, `cancel` and `on_progress` is recorded in build.json; the output bytes
// depend on none of those eight.
#ifndef RWKVKIT_CORPUS_BUILD_BUILD_OPTIONS_H_
#define RWKVKIT_CORPUS_BUILD_BUILD_OPTIONS_H_

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>

#include "corpus/dedup/minhash.h"
#include "corpus/filters/document_filters.h"
#include "corpus/input/block_reader.h"
#include "corpus/build/manifest.h"
#include "corpus/text/text_repair.h"

namespace rwkvkit::corpus::build {

// Where a running build is, for a caller's own progress display (BuildOptions::on_progress).
struct BuildProgress {
  int phase = 1;             // 1: reading, processing and tokenizing; 2: writing the shards
  uint64_t done = 0;         // phase 1: input bytes read; phase 2: documents written
  uint64_t total = 0;        // phase 1: input bytes; phase 2: documents to write
  uint64_t documents = 0;    // phase 1: documents read; phase 2: documents written
  uint64_t shards = 0;       // phase 2: shards finished
};

struct BuildOptions {
  Manifest manifest;
  std::string manifest_path;  // "" when built from --input
  std::filesystem::path out_dir;
  std::filesystem::path vocab_path;
  text::Normalization normalization = text::Normalization::kNfc;
  uint64_t shard_tokens = 0;  // from the manifest unless overridden
  uint64_t ctx_len = 0;
  bool shuffle = false;   // seeded shuffle of the output documents (manifest seed)
  bool strict = false;    // a bad record fails the build instead of being skipped
  bool near_dedup = true;   // MinHash LSH near-duplicate removal (corpus/dedup/, docs/near_dedup.md)
  dedup::MinHashConfig minhash;    // its parameters (defaults: 5-word shingles, 14 x 8, Jaccard 0.8)
  std::filesystem::path dedup_report;  // JSONL of removed near duplicates and their kept one ("": none)
  std::filesystem::path drop_report;   // JSONL of the documents the filters removed ("": none)
  bool filters = false;     // language id + quality filters (corpus/filters/, docs/filters.md); what
                            // runs on each source is manifest.sources[i].filters
  uint64_t max_record_bytes = input::kDefaultMaxRecordBytes;  // a longer record is bad input (record_too_long)
  // The build fails (source_check.h) when a source's bad records exceed this fraction of its
  // records; it never changes the output bytes, so build.json does not record it.
  double max_bad_fraction = 0.1;
  int threads = 0;          // 0: all cores
  bool resume = false;
  bool progress = true;
  bool force = false;        // build into a directory holding files rwkvkit did not write (kept)
  std::string command_line;  // names this build in the output directory's lock (output_lock.h)
  // When set and it becomes true, the build stops at the next batch (phase 1) or every 1024
  // documents (phase 2) with kCancelled: nothing is published, the work area stays for
  // --resume (the phase-1 checkpoints and the finished shards are kept).
  const std::atomic<bool>* cancel = nullptr;
  // Called from one thread at a time (the pipeline's serial stage, then the shard writer)
  // about once per input block and every 1024 documents written.
  std::function<void(const BuildProgress&)> on_progress;
};

// Whether the caller asked the build to stop (BuildOptions::cancel).
inline bool BuildCancelled(const BuildOptions& opt) {
  return opt.cancel != nullptr && opt.cancel->load(std::memory_order_relaxed);
}

}  // namespace rwkvkit::corpus::build

#endif  // RWKVKIT_CORPUS_BUILD_BUILD_OPTIONS_H_

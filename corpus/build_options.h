// corpus/build_options.h — everything that decides a build's output.
//
// Filled by `rwkvkit build` from the manifest and the flags. Every field except `threads`,
// `progress`, `resume`, `force`, `command_line` and `max_bad_fraction` is recorded in
// build.json; the output bytes depend on none of those six.
#ifndef RWKVKIT_CORPUS_BUILD_OPTIONS_H_
#define RWKVKIT_CORPUS_BUILD_OPTIONS_H_

#include <cstdint>
#include <filesystem>
#include <string>

#include "corpus/dedup/minhash.h"
#include "corpus/filters/document_filters.h"
#include "corpus/input/block_reader.h"
#include "corpus/manifest.h"
#include "corpus/text/text_repair.h"

namespace rwkvkit::corpus {

struct BuildOptions {
  Manifest manifest;
  std::string manifest_path;  // "" when built from --input
  std::filesystem::path out_dir;
  std::filesystem::path vocab_path;
  Normalization normalization = Normalization::kNfc;
  uint64_t shard_tokens = 0;  // from the manifest unless overridden
  uint64_t ctx_len = 0;
  bool shuffle = false;   // seeded shuffle of the output documents (manifest seed)
  bool strict = false;    // a bad record fails the build instead of being skipped
  bool near_dedup = true;   // MinHash LSH near-duplicate removal (corpus/dedup/, docs/near_dedup.md)
  MinHashConfig minhash;    // its parameters (defaults: 5-word shingles, 14 x 8, Jaccard 0.8)
  std::filesystem::path dedup_report;  // JSONL of removed near duplicates and their kept one ("": none)
  bool filters = false;     // language id + quality filters (corpus/filters/, docs/filters.md); what
                            // runs on each source is manifest.sources[i].filters
  uint64_t max_record_bytes = kDefaultMaxRecordBytes;  // a longer record is bad input (record_too_long)
  // The build fails (source_check.h) when a source's bad records exceed this fraction of its
  // records; it never changes the output bytes, so build.json does not record it.
  double max_bad_fraction = 0.1;
  int threads = 0;          // 0: all cores
  bool resume = false;
  bool progress = true;
  bool force = false;        // build into a directory holding files rwkvkit did not write (kept)
  std::string command_line;  // names this build in the output directory's lock (output_lock.h)
};

}  // namespace rwkvkit::corpus

#endif  // RWKVKIT_CORPUS_BUILD_OPTIONS_H_

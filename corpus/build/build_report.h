// corpus/build/build_report.h — the numbers of a build: per-source counters (phase 1: read →
// tokenize) and the shard records (phase 2). build_json.h turns them into build.json.
#ifndef RWKVKIT_CORPUS_BUILD_BUILD_REPORT_H_
#define RWKVKIT_CORPUS_BUILD_BUILD_REPORT_H_

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "corpus/build/bad_input.h"
#include "corpus/build/build_options.h"
#include "corpus/dedup/lsh_index.h"
#include "corpus/text/text_repair.h"

namespace rwkvkit::corpus::build {

struct SourceCounts {
  uint64_t files = 0;
  uint64_t documents_read = 0;     // records (lines, or files for text sources)
  uint64_t documents_kept = 0;     // distinct documents that reach the shards
  uint64_t documents_written = 0;  // including repeats (weight > 1)
  uint64_t bad_records = 0;        // records dropped as bad input (not filters, not dedup)
  std::map<std::string, uint64_t> dropped;  // by reason
  text::RepairCounts repairs;
  uint64_t bytes_in = 0;   // input record bytes
  uint64_t bytes_out = 0;  // normalized text bytes of kept documents (once each)
  uint64_t tokens = 0;     // tokens written, end-of-document tokens and repeats included
  std::vector<std::string> file_errors;  // truncated/corrupt files (the rest of the file is lost)
  std::map<std::string, uint64_t> languages;  // documents per detected language (only with filters)
  // Only with filters: documents dropped by filter and reason (for "language": by language),
  // documents that passed the language lists by language, and the C4 edits of passing documents.
  std::map<std::string, std::map<std::string, uint64_t>> filter_drops;
  std::map<std::string, uint64_t> languages_kept;
  uint64_t c4_documents_edited = 0;
  filters::C4LineCounts c4_lines_removed;

  void Add(const SourceCounts& o);
};

struct ShardRecord {
  std::string name;  // <corpus>_<00000>
  uint64_t documents = 0, tokens = 0, bin_bytes = 0, idx_bytes = 0;
  std::string xxh3_128;  // of the .bin file, 32 lowercase hex digits (high 64 bits first)
  // The documents' sources in shard order, run-length encoded: (index into sources, count).
  std::vector<std::pair<uint32_t, uint64_t>> source_runs;
};

}  // namespace rwkvkit::corpus::build

#endif  // RWKVKIT_CORPUS_BUILD_BUILD_REPORT_H_

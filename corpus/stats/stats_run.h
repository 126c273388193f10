// corpus/stats/stats_run.h — the whole `rwkvkit stats` job as one call: read build.json,
// check the output directory, count the shards, make the report model and write
// report.{json,html,md}. The CLI (tools/cmd_stats.cc) and the Python package call it.
//
// Thread-safe: runs may go on concurrently for different output directories.
#ifndef RWKVKIT_CORPUS_STATS_STATS_RUN_H_
#define RWKVKIT_CORPUS_STATS_STATS_RUN_H_

#include <atomic>
#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "corpus/build/build_json.h"
#include "corpus/stats/collector.h"
#include "corpus/stats/corpus_stats.h"
#include "corpus/stats/report_model.h"
#include "tokenizer/tokenizer.h"

namespace rwkvkit::corpus::stats {

struct StatsRunOptions {
  CollectOptions collect;       // its progress callback gets (documents, shard bytes)
  size_t top_tokens = 50;
  std::string tool_version;     // written into the reports
  // When set and it becomes true, counting stops within a batch of documents and the run
  // fails with kCancelled before any report is written.
  const std::atomic<bool>* cancel = nullptr;
};

// What a run produced; `model` points into `info` and `stats` (so the run is not movable).
struct StatsRun {
  build::BuildJson info;
  CorpusStats stats;
  ReportModel model;
  uint64_t shard_bytes = 0;  // 2 bytes per token of every listed shard (the progress total)
};

// ShardBytes()
// The progress total of a build: 2 bytes per token of every shard build.json lists.
uint64_t ShardBytes(const build::BuildJson& info);

// RunStats()
// Errors: build.json's (ReadBuildJson: kNotFound, kDataLoss naming the field), a build
// without documents (RequireDocuments), an unusable out_dir (before any shard is read),
// kCancelled, or a failed report write. Damaged shards are not errors: they are skipped and
// listed in stats.shard_errors (the reports say so).
absl::StatusOr<std::unique_ptr<StatsRun>> RunStats(const std::filesystem::path& build_dir,
                                                   const std::filesystem::path& out_dir,
                                                   const tokenizer::Tokenizer& tok, const StatsRunOptions& options);

}  // namespace rwkvkit::corpus::stats

#endif  // RWKVKIT_CORPUS_STATS_STATS_RUN_H_

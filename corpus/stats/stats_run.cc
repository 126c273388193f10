// corpus/stats/stats_run.cc — see stats_run.h.
#include "corpus/stats/stats_run.h"

#include "absl/status/status.h"
#include "corpus/stats/report_writer.h"

namespace rwkvkit::corpus::stats {

uint64_t ShardBytes(const build::BuildJson& info) {
  uint64_t bytes = 0;
  for (const build::BuildShard& shard : info.shards) bytes += 2 * shard.tokens;
  return bytes;
}

absl::StatusOr<std::unique_ptr<StatsRun>> RunStats(const std::filesystem::path& build_dir,
                                                   const std::filesystem::path& out_dir,
                                                   const tokenizer::Tokenizer& tok, const StatsRunOptions& options) {
  auto run = std::make_unique<StatsRun>();
  absl::StatusOr<build::BuildJson> info = build::ReadBuildJson(build_dir);
  if (!info.ok()) return info.status();
  run->info = *std::move(info);
  if (absl::Status s = build::RequireDocuments(run->info, build_dir); !s.ok()) return s;
  // A bad output directory fails now, not after every shard has been read.
  if (absl::Status s = CreateReportDir(out_dir); !s.ok()) return s;
  run->shard_bytes = ShardBytes(run->info);
  CollectOptions collect = options.collect;
  collect.cancel = options.cancel;
  run->stats = CollectStats(build_dir, run->info, tok, collect);
  if (options.cancel != nullptr && options.cancel->load()) return absl::CancelledError("stats interrupted");
  run->model = MakeReportModel(run->info, run->stats, tok, build_dir.string(), collect.language, options.top_tokens,
                               options.tool_version);
  if (absl::Status s = WriteReports(out_dir, run->model); !s.ok()) return s;
  return run;
}

}  // namespace rwkvkit::corpus::stats

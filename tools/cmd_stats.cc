// tools/cmd_stats.cc — `rwkvkit stats BUILD_DIR --out REPORT_DIR`: the corpus report.
//
// Reads build.json and every shard of a finished `rwkvkit build` (corpus/stats/) and writes
// report.json, report.html and report.md into REPORT_DIR (docs/stats_report.md), then prints
// a short summary. A damaged or missing shard is named on stderr and in the reports, the rest
// is still counted, and the exit status is 1. Progress lines (corpus/build/progress.h) come after
// every batch of documents, so a large shard shows progress too.
#include <tbb/global_control.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "corpus/build/progress.h"
#include "corpus/build/build_json.h"
#include "corpus/stats/collector.h"
#include "corpus/stats/report_model.h"
#include "corpus/stats/report_writer.h"
#include "corpus/stats/stats_run.h"
#include "corpus/stats/text_escape.h"
#include "tools/cli/flags.h"
#include "tools/cli/vocab_path.h"
#include "tools/commands.h"

namespace rwkvkit::cli {
namespace {

namespace st = corpus::stats;

const CommandSpec kSpec{
    "stats",
    "BUILD_DIR -o REPORT_DIR [options]",
    R"(Reads build.json and every shard of BUILD_DIR (the output of `rwkvkit build`), decodes every
document, and writes REPORT_DIR/report.json (every number), report.html (one self-contained
page with SVG charts) and report.md (Hugging Face dataset-card front matter and the summary
as Markdown tables): documents, tokens, bytes and characters by source and by language, each
source's share of the tokens and weight, bytes and characters per token, document length
histograms and percentiles, duplicate and filter drops, repairs, language-id confidence, the
most frequent tokens, the longest repeated lines and example documents of each source
(docs/stats_report.md).)",
    {
        OutFlag("DIR", "where the reports go (created if missing; required)"),
        {"language", FlagKind::kValue, "MODE",
         "a document's language: auto (default: the source's manifest language\n"
         "when it has one, else CLD2 on the text), cld2 (always CLD2) or manifest"},
        {"top-tokens", FlagKind::kValue, "N", "most frequent tokens to list (default 50)"},
        {"top-lines", FlagKind::kValue, "N", "repeated lines to list, longest and most frequent (default 20)"},
        {"min-line-bytes", FlagKind::kValue, "N", "shortest line (trimmed) counted as a line (default 16)"},
        {"line-table", FlagKind::kValue, "N", "entries of the repeated-line table, under 90 bytes each (default 1048576)"},
        {"examples", FlagKind::kValue, "N", "example documents shown per source (default 3; 0: none)"},
        {"example-chars", FlagKind::kValue, "N", "characters of an example shown (default 500)"},
        ThreadsFlag(),
        NoProgressFlag(),
        {"quiet", FlagKind::kBool, "", "", 0, "no-progress"},
        VocabFlag(),
    }};

struct StatsFlags {
  std::string build_dir, out_dir;
  st::CollectOptions collect;
  size_t top_tokens = 50;
  long threads = 0;
  bool quiet = false;
};

absl::StatusOr<StatsFlags> ParseStatsFlags(const ParsedFlags& f) {
  StatsFlags s;
  if (f.positional.size() != 1) return absl::InvalidArgumentError("give exactly one BUILD_DIR (see --help)");
  if (!f.Has("out")) return absl::InvalidArgumentError("--out REPORT_DIR is required (see --help)");
  s.build_dir = f.positional[0];
  s.out_dir = *f.Get("out");
  absl::StatusOr<st::LanguageSource> lang = st::ParseLanguageSource(f.Get("language").value_or("auto"));
  if (!lang.ok()) return lang.status();
  s.collect.language = *lang;
  absl::StatusOr<long> top_tokens = f.GetInt("top-tokens", 50, 0, 65536);
  absl::StatusOr<long> top_lines = f.GetInt("top-lines", 20, 0, 10000);
  absl::StatusOr<long> min_line = f.GetInt("min-line-bytes", 16, 1, 1 << 20);
  absl::StatusOr<long> table = f.GetInt("line-table", 1 << 20, 16, 1L << 32);
  absl::StatusOr<long> threads = f.GetInt("threads", 0, 0, 4096);
  absl::StatusOr<long> examples = f.GetInt("examples", 3, 0, 1000);
  absl::StatusOr<long> example_chars = f.GetInt("example-chars", 500, 1, 1 << 20);
  for (const auto* v : {&top_tokens, &top_lines, &min_line, &table, &threads, &examples, &example_chars})
    if (!v->ok()) return v->status();
  s.top_tokens = static_cast<size_t>(*top_tokens);
  s.collect.top_lines = static_cast<size_t>(*top_lines);
  s.collect.min_line_bytes = static_cast<size_t>(*min_line);
  s.collect.line_table_capacity = static_cast<size_t>(*table);
  s.collect.examples_per_source = static_cast<size_t>(*examples);
  s.collect.example_chars = static_cast<size_t>(*example_chars);
  s.threads = *threads;
  s.quiet = f.Has("no-progress");
  return s;
}

void PrintSummary(const st::ReportModel& m, const std::string& out_dir, double seconds) {
  const st::GroupCounts& t = m.stats->total;
  std::printf("%-24s %10s %14s %14s %9s %9s\n", "source", "documents", "tokens", "bytes", "bytes/tok", "chars/tok");
  for (size_t i = 0; i < m.build->sources.size(); ++i) {
    const st::GroupCounts& c = m.stats->by_source[i];
    std::printf("%-24s %10llu %14llu %14llu %9.3f %9.3f\n", m.build->sources[i].name.c_str(),
                static_cast<unsigned long long>(c.documents), static_cast<unsigned long long>(c.tokens),
                static_cast<unsigned long long>(c.bytes), c.BytesPerToken(), c.CharsPerToken());
  }
  std::printf("%-24s %10llu %14llu %14llu %9.3f %9.3f\n", "TOTAL", static_cast<unsigned long long>(t.documents),
              static_cast<unsigned long long>(t.tokens), static_cast<unsigned long long>(t.bytes), t.BytesPerToken(),
              t.CharsPerToken());
  // "--out report/" and "--out report" both print report/report.{...}.
  const std::string reports = (std::filesystem::path(out_dir) / "report.{json,html,md}").string();
  std::printf("%zu languages (top: %s); reports in %s; %.1f MB of text in %.2f s\n", m.languages.size(),
              m.languages.empty() ? "-" : m.languages.front().code.c_str(), reports.c_str(),
              static_cast<double>(t.bytes) / 1e6, seconds);
}

}  // namespace

int RunStats(int argc, char** argv) {
  ParsedFlags flags;
  if (const std::optional<int> rc = ParseCommandLine(argc, argv, kSpec, flags)) return *rc;
  absl::StatusOr<StatsFlags> opt = ParseStatsFlags(flags);
  if (!opt.ok()) return ReportError("stats", opt.status());
  std::optional<tbb::global_control> limit;
  if (opt->threads > 0) limit.emplace(tbb::global_control::max_allowed_parallelism, static_cast<size_t>(opt->threads));
  absl::StatusOr<tokenizer::Tokenizer> tok = LoadTokenizer(flags.Get("vocab"));
  if (!tok.ok()) return ReportError("stats", tok.status());
  const auto start = std::chrono::steady_clock::now();
  std::optional<corpus::build::Progress> progress;
  st::StatsRunOptions run_options;
  run_options.collect = opt->collect;
  run_options.top_tokens = opt->top_tokens;
  run_options.tool_version = RWKVKIT_VERSION;
  run_options.collect.progress = [&](uint64_t docs, uint64_t bytes) { progress->Update(bytes, docs); };
  // The progress line starts once build.json is read (its total is the shards' bytes).
  absl::StatusOr<corpus::build::BuildJson> info = corpus::build::ReadBuildJson(opt->build_dir);
  if (!info.ok()) return ReportError("stats", info.status());
  progress.emplace("stats", st::ShardBytes(*info), !opt->quiet);
  absl::StatusOr<std::unique_ptr<st::StatsRun>> run = st::RunStats(opt->build_dir, opt->out_dir, *tok, run_options);
  if (!run.ok()) return ReportError("stats", run.status());
  const st::CorpusStats& stats = (*run)->stats;
  progress->Done((*run)->shard_bytes, stats.total.documents);
  PrintSummary((*run)->model, opt->out_dir, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  for (const std::string& e : stats.shard_errors) std::fprintf(stderr, "rwkvkit stats: %s (skipped)\n", e.c_str());
  return stats.shard_errors.empty() ? 0 : 1;
}

}  // namespace rwkvkit::cli

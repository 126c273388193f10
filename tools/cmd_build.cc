// tools/cmd_build.cc — `rwkvkit build`: a corpus manifest (or input files) → binidx shards.
#include <tbb/global_control.h>

#include <chrono>
#include <cstdio>
#include <optional>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "corpus/build/build_options.h"
#include "corpus/build/build_request.h"
#include "corpus/build/pipeline.h"
#include "corpus/build/output_lock.h"
#include "corpus/build/stage_times.h"
#include "corpus/build/build_json.h"
#include "corpus/tasks/executor_local.h"
#include "corpus/tasks/executor_slurm.h"
#include "corpus/tasks/split_build.h"
#include "tools/cli/flags.h"
#include "tools/cli/task_flags.h"
#include "tools/cli/trainer_text.h"
#include "tools/cli/vocab_path.h"
#include "tools/commands.h"

namespace rwkvkit::cli {
namespace {

const CommandSpec kSpec{
    "build",
    "(--manifest FILE | --input PATH [--input PATH ...]) [-o DIR] [options]",
    R"(Builds RWKV-LM/Megatron binidx shards: reads JSONL (plain, .zst, .gz, .xz), text or Parquet
sources, repairs and normalizes the text, drops exact duplicates, tokenizes with the World
tokenizer (token 0 ends every document) and writes <name>_<00000>.bin/.idx shards plus
build.json (written last).
The output is byte-identical for any --threads. The build works in DIR/.rwkvkit-work and
publishes only when complete: a failed or interrupted build leaves DIR as it was. Only one
build at a time may write to DIR. docs/cli.md ("Guarantees") has the details. Ends by printing
(stdout) RWKV-LM's numbers and trainer command line, with the `rwkvkit merge` that joins
several shards into the one prefix the trainer opens.)",
    WithFlags({
        {"manifest", FlagKind::kValue, "FILE", "a corpus manifest (data_manifests/README.md)"},
        {"input", FlagKind::kRepeated, "PATH",
         "a file, directory or glob; one source per --input. A directory is\n"
         "read recursively, every supported file in it; a file's compression\n"
         "(zstd, gzip, xz) comes from its content, .txt files are one document\n"
         "each, .parquet files are Parquet, other names JSON Lines"},
        OutFlag("DIR", "output directory (default: the manifest's output.dir; required with --input)"),
        {"name", FlagKind::kValue, "NAME", "corpus name for --input builds (default: corpus)"},
        TextKeyFlag("JSON key of the text (overrides the manifest; default: text); a dotted\n"
                    "path reads nested objects: meta.content"),
        {"id-key", FlagKind::kValue, "KEY",
         "JSON key (or dotted path) of the document id, as the manifest's id_key\n"
         "(overrides the manifest)"},
        MaxRecordBytesFlag(),
        {"max-bad-fraction", FlagKind::kValue, "F",
         "fail the build (nothing published) when more than this fraction of a\n"
         "source's records are bad (default: 0.1); a source with no records, or a\n"
         "build that keeps no document, always fails"},
        {"normalize", FlagKind::kValue, "MODE", "nfc (default), nfkc or none"},
        {"shard-tokens", FlagKind::kValue, "N", "tokens per shard, about (default: the manifest's, else 1000000000)"},
        {"ctx-len", FlagKind::kValue, "N",
         "training context length for the RWKV-LM numbers and the trainer\n"
         "command printed at the end (default: the manifest's, else 4096)"},
        {"shuffle", FlagKind::kBool, "", "shuffle the documents with the manifest's seed (deterministic)"},
        {"strict", FlagKind::kBool, "", "fail on the first bad record or damaged file instead of skipping it"},
        {"resume", FlagKind::kBool, "",
         "continue an interrupted build in DIR: reading goes on from the last\n"
         "input file it had finished, writing from its last complete shard (a\n"
         "finished build of the same inputs and options is kept as it is)"},
        {"force", FlagKind::kBool, "",
         "build into DIR even when it holds another corpus's build (replaced)\n"
         "or files rwkvkit did not write (left untouched)"},
        {"near-dedup", FlagKind::kValue, "on|off",
         "MinHash LSH near-duplicate removal (default: on, or the manifest's\n"
         "near_dedup.enabled; parameters from the manifest; docs/near_dedup.md)"},
        {"dedup-report", FlagKind::kValue, "FILE", "write each removed near duplicate with its kept document (JSONL)"},
        {"filters", FlagKind::kValue, "on|off",
         "CLD2 language id + datatrove's Gopher repetition, Gopher quality and\n"
         "FineWeb quality filters, and the manifest's per-source filter settings\n"
         "and language lists (default: off; docs/filters.md)"},
        {"c4", FlagKind::kValue, "on|off",
         "datatrove's C4 quality filter (removes lines) on every non-code source,\n"
         "over the manifest's setting (default: the manifest's, else off; needs\n"
         "--filters on)"},
        {"language-id-prefix", FlagKind::kValue, "BYTES",
         "CLD2 reads each document's first BYTES (cut before a word) and the\n"
         "whole text only when it calls that guess unreliable; 0: the whole text\n"
         "(default: the manifest's, else 512; needs --filters on)"},
        {"drop-report", FlagKind::kValue, "FILE",
         "write each document the filters removed: source, file, line (or row),\n"
         "filter, reason, language (JSONL, input order; needs --filters on)"},
        ThreadsFlag(),
        NoProgressFlag(),
        VocabFlag(),
        {"executor", FlagKind::kValue, "local|slurm",
         "split the build into tasks that talk through files in --work and run\n"
         "them as processes here (local) or as Slurm job arrays (slurm); the\n"
         "output is byte-identical to the one-process build (docs/scale_out.md)"},
        WorkFlag("build"),
        {"tasks", FlagKind::kValue, "N", "read tasks of a split build: slices of the input files (default: 1)"},
        {"partitions", FlagKind::kValue, "P", "dedup tasks of a split build: key ranges (default: 1)"},
        {"write-tasks", FlagKind::kValue, "W", "shard-writing tasks of a split build (default: --tasks)"},
        {"sort-memory", FlagKind::kValue, "BYTES",
         "a dedup task's sort buffer; a larger partition is sorted in runs\n"
         "spilled to --work and merged (default: 268435456, at least 1048576;\n"
         "output unchanged)"},
        {"parallel", FlagKind::kValue, "K", "--executor local: tasks running at once (default: all cores)"},
        {"stage", FlagKind::kValue, "S",
         "run one task of a split build: lines, read, dedup, cluster, write or\n"
         "publish (what the executors run; with --task)"},
        {"task", FlagKind::kValue, "I", "the task's index in its stage (from 0)"},
        StatusFlag("build"),
    },
              SlurmFlags())};

absl::StatusOr<bool> OnOff(const ParsedFlags& f, const std::string& flag) {
  const std::string v = f.Get(flag).value_or("off");
  if (v == "on" || v == "off") return v == "on";
  return absl::InvalidArgumentError(absl::StrCat("--", flag, " wants on or off (saw \"", v, "\")"));
}

// The flags as a request; corpus::build::MakeBuildOptions applies the manifest and the defaults.
absl::StatusOr<corpus::build::BuildOptions> OptionsFromFlags(const ParsedFlags& f) {
  corpus::build::BuildRequest r;
  r.manifest_path = f.Get("manifest");
  r.inputs = f.GetAll("input");
  r.name = f.Get("name");
  r.out_dir = f.Get("out");
  r.text_key = f.Get("text-key");
  r.id_key = f.Get("id-key");
  absl::StatusOr<long> max_record = f.GetInt("max-record-bytes", static_cast<long>(corpus::input::kDefaultMaxRecordBytes), 1,
                                             kMaxRecordBytesLimit);
  if (!max_record.ok()) return max_record.status();
  r.max_record_bytes = static_cast<uint64_t>(*max_record);
  if (const auto frac = f.Get("max-bad-fraction")) {
    double x = -1;
    if (!absl::SimpleAtod(*frac, &x) || !(x >= 0 && x <= 1))
      return absl::InvalidArgumentError(absl::StrCat("--max-bad-fraction wants a number in 0..1 (saw \"", *frac, "\")"));
    r.max_bad_fraction = x;
  }
  r.normalize = f.Get("normalize");
  for (const char* flag : {"shard-tokens", "ctx-len"}) {
    if (!f.Has(flag)) continue;
    absl::StatusOr<long> v = f.GetInt(flag, 0, 1, std::string(flag) == "ctx-len" ? (1 << 24) : INT64_MAX);
    if (!v.ok()) return v.status();
    (std::string(flag) == "ctx-len" ? r.ctx_len : r.shard_tokens) = static_cast<uint64_t>(*v);
  }
  absl::StatusOr<long> threads = f.GetInt("threads", 0, 0, 4096);
  if (!threads.ok()) return threads.status();
  r.threads = static_cast<int>(*threads);
  r.shuffle = f.Has("shuffle");
  r.strict = f.Has("strict");
  r.resume = f.Has("resume");
  r.force = f.Has("force");
  r.progress = !f.Has("no-progress");
  if (f.Has("near-dedup")) {
    absl::StatusOr<bool> near = OnOff(f, "near-dedup");
    if (!near.ok()) return near.status();
    r.near_dedup = *near;
  }
  r.dedup_report = f.Get("dedup-report");
  absl::StatusOr<bool> filters = OnOff(f, "filters");
  if (!filters.ok()) return filters.status();
  r.filters = *filters;
  r.drop_report = f.Get("drop-report");
  if (f.Has("c4")) {
    absl::StatusOr<bool> c4 = OnOff(f, "c4");
    if (!c4.ok()) return c4.status();
    r.c4 = *c4;
  }
  if (f.Has("language-id-prefix")) {
    absl::StatusOr<long> prefix = f.GetInt("language-id-prefix", 0, 0, INT64_MAX);
    if (!prefix.ok()) return prefix.status();
    r.language_id_prefix = static_cast<uint64_t>(*prefix);
  }
  return corpus::build::MakeBuildOptions(r);
}

absl::StatusOr<corpus::tasks::SplitOptions> SplitFromFlags(const ParsedFlags& f) {
  corpus::tasks::SplitOptions s;
  if (!f.Has("work")) return absl::InvalidArgumentError("--executor and --stage need --work DIR");
  s.work = *f.Get("work");
  absl::StatusOr<long> tasks = f.GetInt("tasks", 1, 1, 1 << 20);
  if (!tasks.ok()) return tasks.status();
  absl::StatusOr<long> parts = f.GetInt("partitions", 1, 1, 1 << 20);
  if (!parts.ok()) return parts.status();
  absl::StatusOr<long> writers = f.GetInt("write-tasks", *tasks, 1, 1 << 20);
  if (!writers.ok()) return writers.status();
  s.read_tasks = static_cast<uint32_t>(*tasks);
  s.partitions = static_cast<uint32_t>(*parts);
  s.write_tasks = static_cast<uint32_t>(*writers);
  absl::StatusOr<long> sort = f.GetInt("sort-memory", static_cast<long>(corpus::tasks::kDefaultSortBytes), 1, 1L << 40);
  if (!sort.ok()) return sort.status();
  if (static_cast<uint64_t>(*sort) < corpus::tasks::kMinSortBytes)
    return absl::InvalidArgumentError(absl::StrCat("--sort-memory ", *sort, ": at least ", corpus::tasks::kMinSortBytes,
                                                   " bytes (1 MiB); a smaller buffer only splits the sort into more runs"));
  s.sort_bytes = static_cast<uint64_t>(*sort);
  return s;
}

// `--stage S --task I` (one task) or `--executor E` (all of them).
int RunSplitBuild(const ParsedFlags& flags, corpus::build::BuildOptions& opt) {
  namespace tasks = corpus::tasks;
  if (opt.resume)
    return ReportError("build", absl::InvalidArgumentError(
                                    "--resume does not apply to a split build: run the same command again and it "
                                    "goes on from the tasks that are finished"));
  absl::StatusOr<tasks::SplitOptions> split = SplitFromFlags(flags);
  if (!split.ok()) return ReportError("build", split.status());
  // Only read tasks tokenize: the others (and the executor) never load the vocab.
  std::optional<tokenizer::Tokenizer> tok;
  if (flags.Get("stage") == std::optional<std::string>("read")) {
    absl::StatusOr<tokenizer::Tokenizer> t = LoadTokenizer(opt.vocab_path);
    if (!t.ok()) return ReportError("build", t.status());
    tok.emplace(*std::move(t));
  }
  absl::StatusOr<tasks::TaskContext> ctx = tasks::OpenSplitBuild(opt, tok ? &*tok : nullptr, *split);
  if (!ctx.ok()) return ReportError("build", ctx.status());
  if (flags.Has("stage")) {
    if (absl::Status s = CheckStageOrExecutor(flags); !s.ok()) return ReportError("build", s);
    absl::StatusOr<StageTask> task = StageTaskFromFlags(flags, ctx->plan);
    if (!task.ok()) return ReportError("build", task.status());
    opt.progress = false;
    absl::StatusOr<bool> ran = tasks::RunTask(*ctx, task->stage, task->task);
    if (!ran.ok()) return ReportError("build", ran.status());
    PrintTaskDone("build", *task, *ran);
    return 0;
  }
  absl::StatusOr<std::string> executor = ExecutorFromFlags(flags);
  if (!executor.ok()) return ReportError("build", executor.status());
  if (absl::Status s = tasks::CheckOutputNow(*ctx); !s.ok()) return ReportError("build", s);
  absl::StatusOr<corpus::build::OutputLock> lock = corpus::build::OutputLock::Acquire(split->work, opt.command_line);
  if (!lock.ok()) return ReportError("build", lock.status());
  absl::StatusOr<tasks::ExecutorResult> r =
      RunExecutorFromFlags(flags, *executor, split->work, ctx->plan, TaskCommand(kSpec, flags), ExecutorSetup());
  if (!r.ok()) return ReportError("build", r.status());
  absl::StatusOr<corpus::build::BuildJson> info = corpus::build::ReadBuildJson(opt.out_dir);
  if (!info.ok()) return ReportError("build", info.status());
  uint64_t tokens = 0;
  for (const corpus::build::BuildShard& s : info->shards) tokens += s.tokens;
  std::fprintf(stderr, "rwkvkit build: %s: %d task(s) run, %d already done; %llu tokens in %zu shard(s) under %s\n",
               executor->c_str(), r->tasks_run, r->tasks_skipped, static_cast<unsigned long long>(tokens),
               info->shards.size(), opt.out_dir.c_str());
  std::fputs(BuildTrainerText(opt.out_dir, opt.manifest.name, info->shards.size(), tokens, opt.ctx_len).c_str(), stdout);
  return 0;
}

}  // namespace

int RunBuild(int argc, char** argv) {
  ParsedFlags flags;
  if (const std::optional<int> rc = ParseCommandLine(argc, argv, kSpec, flags)) return *rc;
  if (!flags.positional.empty())
    return ReportError("build", absl::InvalidArgumentError(absl::StrCat("unexpected argument ", flags.positional[0])));
  if (const std::optional<int> rc = RunStatusFlag("build", flags)) return *rc;
  absl::StatusOr<corpus::build::BuildOptions> opt = OptionsFromFlags(flags);
  if (!opt.ok()) return ReportError("build", opt.status());
  std::optional<tbb::global_control> limit;
  if (opt->threads > 0) limit.emplace(tbb::global_control::max_allowed_parallelism, static_cast<size_t>(opt->threads));
  absl::StatusOr<std::string> vocab = ResolveVocabPath(flags.Get("vocab"));
  if (!vocab.ok()) return ReportError("build", vocab.status());
  opt->vocab_path = *vocab;
  opt->command_line = CommandLineText(argc, argv);
  if (flags.Has("stage") || flags.Has("executor")) return RunSplitBuild(flags, *opt);
  absl::StatusOr<tokenizer::Tokenizer> tok = LoadTokenizer(*vocab);
  if (!tok.ok()) return ReportError("build", tok.status());
  absl::Status not_split = CheckNoSplitFlags(
      flags, {"work", "tasks", "partitions", "write-tasks", "sort-memory", "parallel", "task"}, "a split build");
  if (!not_split.ok()) return ReportError("build", not_split);
  const auto start = std::chrono::steady_clock::now();
  absl::StatusOr<corpus::build::BuildSummary> r = corpus::build::RunBuild(*opt, *tok);
  if (!r.ok()) return ReportError("build", r.status());
  if (r->already_complete) {
    std::fprintf(stderr,
                 "rwkvkit build: --resume: %s already holds the finished build of these inputs and options; "
                 "nothing to do (kept as it is; run without --resume to build it again)\n",
                 opt->out_dir.c_str());
    return 0;
  }
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::fprintf(stderr,
               "rwkvkit build: %llu documents read, %llu written (%llu bad), %llu tokens in %llu shard(s) under %s; "
               "%.1f MB in %.2f s (%.1f MB/s)%s\n",
               static_cast<unsigned long long>(r->documents_read), static_cast<unsigned long long>(r->documents_written),
               static_cast<unsigned long long>(r->bad_records), static_cast<unsigned long long>(r->tokens),
               static_cast<unsigned long long>(r->shards), opt->out_dir.c_str(), static_cast<double>(r->input_bytes) / 1e6,
               s, s > 0 ? static_cast<double>(r->input_bytes) / 1e6 / s : 0.0,
               r->resumed_phase1 ? " (resumed: tokenization reused)" : "");
  std::fprintf(stderr, "rwkvkit build: %s\n", corpus::build::StageTimesLine(r->times, r->wall_seconds, r->cpu_seconds).c_str());
  // What RWKV-LM needs next: the numbers and its command line (stdout, to copy).
  std::fputs(BuildTrainerText(opt->out_dir, opt->manifest.name, r->shards, r->tokens, opt->ctx_len).c_str(), stdout);
  return 0;
}

}  // namespace rwkvkit::cli

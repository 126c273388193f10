// tools/cmd_eval.cc — `rwkvkit eval`: perplexity and bits per byte of binidx shards under a model.
#include <tbb/global_control.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "base/file_io.h"
#include "base/json_writer.h"
#include "base/status_macros.h"
#include "corpus/build/build_report.h"
#include "corpus/build/output_lock.h"
#include "corpus/build/progress.h"
#include "corpus/tasks/executor_local.h"
#include "corpus/tasks/executor_slurm.h"
#include "corpus/tasks/split_build.h"
#include "evaluation/cuda_plugin_loader.h"
#include "evaluation/eval_run.h"
#include "evaluation/eval_tasks.h"
#include "refmodel/eval/doc_sample.h"
#include "refmodel/eval/evaluator.h"
#include "tools/cli/flags.h"
#include "tools/cli/install_layout.h"
#include "tools/cli/task_flags.h"
#include "tools/cli/vocab_path.h"
#include "tools/commands.h"

namespace rwkvkit::cli {
namespace {

const CommandSpec kSpec{
    "eval",
    "--model PATH --data PATH [--data PATH ...] [options]\n"
    "--model PATH --data PATH ... --executor local|slurm --work DIR --tasks N [options]",
    R"(Evaluates an RWKV-5.2 or RWKV-6 checkpoint (.pth or .safetensors; fp32/fp16/bf16) on binidx
shards. Every document (one sequence ending with token 0) starts from a fresh state; inputs
[0, t1..tn], targets [t1..tn, 0]; NLL in nats (docs/eval.md). stdout ends with one JSON line:
documents, tokens, mean NLL, perplexity, bits per byte, and per source when a build.json lies
next to the shards. A NaN or infinite NLL (broken weights, fp16 overflow) stops the run with
exit status 1, naming the shard, document and source.)",
    WithFlags({
        {"model", FlagKind::kValue, "PATH", "the checkpoint (.pth or .safetensors)"},
        {"data", FlagKind::kRepeated, "PATH", "a shard prefix, a .idx/.bin path, or a directory (all shards, name order)"},
        {"nll-out", FlagKind::kValue, "FILE",
         "JSON Lines: per document (shard order) the array of its per-target NLLs;\n"
         "written only when the whole evaluation succeeds (else FILE is untouched)"},
        {"max-docs", FlagKind::kValue, "N",
         "evaluate a seeded sample of N documents, split across the sources (from\n"
         "build.json; shards without one are one source) in proportion to their\n"
         "document counts; read in shard order"},
        {"docs-per-source", FlagKind::kValue, "K", "a seeded sample of K documents from each source instead"},
        {"seed", FlagKind::kValue, "S", "the sample's seed (default 0); the same seed and shards give the same sample"},
        {"window", FlagKind::kValue, "N", "tokens per forward call (state carried across; default 256)"},
        {"device", FlagKind::kValue, "DEV", "cpu (the fp32 reference, default) or cuda (docs/eval.md)"},
        {"dtype", FlagKind::kValue, "DT", "fp32 (cpu and cuda), bf16 or fp16 (cuda only)"},
        {"batch", FlagKind::kValue, "N", "cuda: documents per launch at most (default 256)"},
        {"gpu", FlagKind::kValue, "N", "cuda: the device index (default 0)"},
        ThreadsFlag(),
        NoProgressFlag(),
        VocabFlag(),
        {"executor", FlagKind::kValue, "local|slurm",
         "split the evaluation into --tasks slices of the documents, run as\n"
         "processes here (local) or as one Slurm job array (slurm; with --device\n"
         "cuda one GPU per task); the report and --nll-out are those of one\n"
         "process (docs/scale_out.md, \"Evaluation\")"},
        WorkFlag("evaluation"),
        {"tasks", FlagKind::kValue, "N", "tasks of a split evaluation: slices of the documents (default: 1)"},
        {"parallel", FlagKind::kValue, "K", "--executor local: tasks running at once (default: all cores; cuda: --gpus)"},
        {"gpus", FlagKind::kValue, "G",
         "--executor local --device cuda: GPUs to use, one task on each at a time\n"
         "(a task sees only its GPU through CUDA_VISIBLE_DEVICES; default: 1)"},
        {"stage", FlagKind::kValue, "S", "run one task of a split evaluation: eval (what the executors run; with --task)"},
        {"task", FlagKind::kValue, "I", "the task's index (from 0)"},
        StatusFlag("evaluation"),
    },
              SlurmFlags())};

void Totals(base::JsonWriter& w, const refmodel::EvalTotals& t) {
  w.BeginObject().Key("documents").Uint(t.documents).Key("tokens").Uint(t.tokens).Key("bytes").Uint(t.bytes);
  w.Key("mean_nll").Significant(t.MeanNll(), 9).Key("perplexity").Significant(t.Perplexity(), 9);
  w.Key("bits_per_byte").Significant(t.BitsPerByte(), 9).EndObject();
}

struct EvalFlags {
  std::string model;
  std::vector<std::string> data;
  std::optional<std::string> nll_out;
  refmodel::EvalOptions options;
  int threads = 0;
  bool progress = true;
  bool cuda = false;
  std::string dtype = "fp32";
  int batch = 256;
  int gpu = 0;
  refmodel::SampleSpec sample;
};

absl::StatusOr<EvalFlags> ReadFlags(const ParsedFlags& f) {
  EvalFlags e;
  if (!f.Has("model")) return absl::InvalidArgumentError("--model PATH is required");
  if (!f.Has("data")) return absl::InvalidArgumentError("--data PATH is required");
  e.model = *f.Get("model");
  e.data = f.GetAll("data");
  e.nll_out = f.Get("nll-out");
  const std::string device = f.Get("device").value_or("cpu");
  const std::string dtype = f.Get("dtype").value_or("fp32");
  if (device != "cpu" && device != "cuda")
    return absl::InvalidArgumentError(absl::StrCat("--device wants cpu or cuda (saw \"", device, "\")"));
  if (dtype != "fp32" && dtype != "bf16" && dtype != "fp16")
    return absl::InvalidArgumentError(absl::StrCat("--dtype wants fp32, bf16 or fp16 (saw \"", dtype, "\")"));
  if (device == "cpu" && dtype != "fp32")
    return absl::InvalidArgumentError("the CPU reference computes in fp32 (--dtype bf16/fp16 needs --device cuda)");
  e.cuda = device == "cuda";
  e.dtype = dtype;
  absl::StatusOr<long> batch = f.GetInt("batch", 256, 1, 1 << 16);
  if (!batch.ok()) return batch.status();
  absl::StatusOr<long> gpu = f.GetInt("gpu", 0, 0, 1024);
  if (!gpu.ok()) return gpu.status();
  e.batch = static_cast<int>(*batch);
  e.gpu = static_cast<int>(*gpu);
  absl::StatusOr<long> max_docs = f.GetInt("max-docs", 0, 0, INT64_MAX);
  if (!max_docs.ok()) return max_docs.status();
  absl::StatusOr<long> window = f.GetInt("window", 256, 1, 1 << 20);
  if (!window.ok()) return window.status();
  absl::StatusOr<long> threads = f.GetInt("threads", 0, 0, 4096);
  if (!threads.ok()) return threads.status();
  absl::StatusOr<long> per_source = f.GetInt("docs-per-source", 0, 0, INT64_MAX);
  if (!per_source.ok()) return per_source.status();
  absl::StatusOr<long> seed = f.GetInt("seed", 0, 0, INT64_MAX);
  if (!seed.ok()) return seed.status();
  if (*max_docs > 0 && *per_source > 0) return absl::InvalidArgumentError("give --max-docs or --docs-per-source, not both");
  e.sample.max_docs = static_cast<uint64_t>(*max_docs);
  e.sample.docs_per_source = static_cast<uint64_t>(*per_source);
  e.sample.seed = static_cast<uint64_t>(*seed);
  e.options.window = static_cast<size_t>(*window);
  e.threads = static_cast<int>(*threads);
  e.progress = !f.Has("no-progress");
  return e;
}

// --nll-out: checked and its temporary created before any work; renamed over the target only
// when the evaluation succeeded. On every failure the temporary is removed and the target
// keeps what it held.
class NllOutput {
 public:
  absl::Status Open(const std::string& path) {
    std::error_code ec;
    const std::filesystem::file_status st = std::filesystem::status(path, ec);
    if (std::filesystem::is_directory(st))
      return absl::InvalidArgumentError(absl::StrCat("--nll-out ", path, ": is a directory; it wants a file name"));
    if (std::filesystem::exists(st) && !std::filesystem::is_regular_file(st))
      return absl::InvalidArgumentError(absl::StrCat("--nll-out ", path, ": exists and is not a regular file"));
    absl::StatusOr<base::AtomicFileWriter> w =
        base::AtomicFileWriter::Create(path, absl::StrCat(path, ".", ::getpid(), ".tmp"));
    if (!w.ok()) return absl::Status(w.status().code(), absl::StrCat("--nll-out ", path, ": ", w.status().message()));
    out_.emplace(*std::move(w));
    return absl::OkStatus();
  }
  bool enabled() const { return out_.has_value(); }
  absl::Status Write(const std::string& text) { return out_->Append(text); }
  absl::Status Commit() { return out_->Commit(); }

 private:
  std::optional<base::AtomicFileWriter> out_;  // removes its temporary unless committed
};

// The request of the flags, without the CUDA plugin (LoadPlugin) and callbacks.
evaluation::EvalRequest RequestOf(const EvalFlags& e) {
  evaluation::EvalRequest request;
  request.model = e.model;
  request.data = e.data;
  request.dtype = e.dtype == "bf16"   ? refmodel::CudaDType::kBf16
                  : e.dtype == "fp16" ? refmodel::CudaDType::kFp16
                                      : refmodel::CudaDType::kFp32;
  request.gpu = e.gpu;
  request.batch = e.batch;
  request.window = e.options.window;
  request.sample = e.sample;
  return request;
}

// The CUDA plugin, for --device cuda (before the model is read: a machine without it fails first).
absl::Status LoadPlugin(const EvalFlags& e, evaluation::EvalRequest& request) {
  if (!e.cuda) return absl::OkStatus();
  absl::StatusOr<const refmodel::CudaPlugin*> plugin =
      evaluation::LoadCudaPlugin(PluginDir() / evaluation::kCudaPluginFileName);
  if (!plugin.ok()) return plugin.status();
  request.cuda = *plugin;
  return absl::OkStatus();
}

// stdout: the summary line.
void PrintReport(const EvalFlags& e, const evaluation::EvalReport& report) {
  base::JsonWriter w;
  w.BeginObject().Key("model").String(e.model).Key("version").String(report.version);
  Totals(w.Key("total"), report.total);
  w.Key("sources").BeginObject();
  for (const auto& [name, t] : report.per_source) Totals(w.Key(name), t);
  w.EndObject();
  if (report.sampled) {
    w.Key("sample").BeginObject().Key("mode").String(report.per_source_sample ? "per_source" : "proportional");
    w.Key("seed").Uint(report.seed).Key("documents").BeginObject();
    for (const auto& [name, k] : report.chosen_per_source) w.Key(name).Uint(k);
    w.EndObject().EndObject();
  }
  std::printf("%s\n", w.EndObject().str().c_str());
}

void PrintWarnings(const evaluation::EvalReport& report) {
  for (const std::string& w : report.warnings) std::fprintf(stderr, "rwkvkit eval: warning: %s\n", w.c_str());
}

absl::Status RunEval(const EvalFlags& e, const tokenizer::Tokenizer& tok) {
  evaluation::EvalRequest request = RequestOf(e);
  RWKVKIT_RETURN_IF_ERROR(LoadPlugin(e, request));
  NllOutput nll_out;
  if (e.nll_out) RWKVKIT_RETURN_IF_ERROR(nll_out.Open(*e.nll_out));
  if (nll_out.enabled()) {
    request.on_document = [&](const refmodel::DocumentResult& r, const std::string*) -> absl::Status {
      return nll_out.Write(evaluation::NllLine(r.nll));
    };
  }
  std::optional<corpus::build::Progress> progress;  // its total (the planned targets) comes with the first document
  uint64_t tokens_done = 0, docs_done = 0;
  request.progress = [&](uint64_t tokens, uint64_t docs, uint64_t planned) {
    if (!progress) progress.emplace("eval", planned, e.progress, corpus::build::Progress::Unit::kTokens);
    progress->Update(tokens, docs);
    tokens_done = tokens;
    docs_done = docs;
  };
  absl::StatusOr<evaluation::EvalReport> report = evaluation::RunEvaluation(request, tok);
  if (report.ok()) PrintWarnings(*report);
  if (!report.ok()) return report.status();
  if (progress) progress->Done(tokens_done, docs_done);
  if (nll_out.enabled()) RWKVKIT_RETURN_IF_ERROR(nll_out.Commit());
  PrintReport(e, *report);
  return absl::OkStatus();
}

// `--stage eval --task I` (one task) or `--executor E` (every task, then the merge).
absl::Status RunSplitEval(const ParsedFlags& flags, const EvalFlags& e, const std::string& command_line) {
  namespace tasks = corpus::tasks;
  evaluation::EvalRequest request = RequestOf(e);
  evaluation::EvalSplit split;
  if (!flags.Has("work")) return absl::InvalidArgumentError("--executor and --stage need --work DIR");
  split.work = *flags.Get("work");
  absl::StatusOr<long> n = flags.GetInt("tasks", 1, 1, 1 << 20);
  if (!n.ok()) return n.status();
  split.tasks = static_cast<uint32_t>(*n);
  split.cuda = e.cuda;
  split.nll_lines = e.nll_out.has_value();
  if (flags.Has("stage")) {
    RWKVKIT_RETURN_IF_ERROR(CheckStageOrExecutor(flags));
    RWKVKIT_ASSIGN_OR_RETURN(const tasks::TaskPlan plan, evaluation::PrepareEvalWork(request, split));
    RWKVKIT_ASSIGN_OR_RETURN(const StageTask task, StageTaskFromFlags(flags, plan));
    RWKVKIT_RETURN_IF_ERROR(LoadPlugin(e, request));
    RWKVKIT_ASSIGN_OR_RETURN(const tokenizer::Tokenizer tok, LoadTokenizer(flags.Get("vocab")));
    RWKVKIT_ASSIGN_OR_RETURN(const bool ran, evaluation::RunEvalTask(request, tok, split, plan, task.task, command_line));
    PrintTaskDone("eval", task, ran);
    return absl::OkStatus();
  }
  RWKVKIT_ASSIGN_OR_RETURN(const std::string executor, ExecutorFromFlags(flags));
  NllOutput nll_out;
  if (e.nll_out) RWKVKIT_RETURN_IF_ERROR(nll_out.Open(*e.nll_out));
  RWKVKIT_ASSIGN_OR_RETURN(const tasks::TaskPlan plan, evaluation::PrepareEvalWork(request, split));
  RWKVKIT_ASSIGN_OR_RETURN(const corpus::build::OutputLock lock, corpus::build::OutputLock::Acquire(split.work, command_line));
  ExecutorSetup setup;
  if (executor == "local") {
    RWKVKIT_ASSIGN_OR_RETURN(const long gpus, flags.GetInt("gpus", 1, 1, 1024));
    if (e.cuda) {
      // Slot k gets the k-th GPU this process may use (CUDA_VISIBLE_DEVICES, else 0..G-1).
      const char* visible = std::getenv("CUDA_VISIBLE_DEVICES");
      const std::vector<std::string> ids =
          visible != nullptr ? absl::StrSplit(visible, ',', absl::SkipWhitespace()) : std::vector<std::string>();
      for (long k = 0; k < gpus; ++k)
        setup.slot_env.push_back(absl::StrCat(
            "CUDA_VISIBLE_DEVICES=", static_cast<size_t>(k) < ids.size() ? ids[static_cast<size_t>(k)] : absl::StrCat(k)));
      setup.parallel = gpus;
    } else if (flags.Has("gpus")) {
      return absl::InvalidArgumentError("--gpus needs --device cuda");
    }
  }
  if (e.cuda) setup.gpus_per_task = 1;  // slurm: one GPU per task
  absl::StatusOr<tasks::ExecutorResult> r =
      RunExecutorFromFlags(flags, executor, split.work, plan, TaskCommand(kSpec, flags), setup);
  if (!r.ok()) return r.status();
  std::function<absl::Status(std::string_view)> nll_text;
  if (nll_out.enabled()) nll_text = [&](std::string_view text) { return nll_out.Write(std::string(text)); };
  RWKVKIT_ASSIGN_OR_RETURN(const evaluation::EvalReport report,
                           evaluation::MergeEvalTasks(request, split, plan, nll_text));
  PrintWarnings(report);
  if (nll_out.enabled()) RWKVKIT_RETURN_IF_ERROR(nll_out.Commit());
  std::fprintf(stderr, "rwkvkit eval: %s: %d task(s) run, %d already done; merged %llu documents\n", executor.c_str(),
               r->tasks_run, r->tasks_skipped, static_cast<unsigned long long>(report.total.documents));
  PrintReport(e, report);
  return absl::OkStatus();
}

}  // namespace

int RunEval(int argc, char** argv) {
  ParsedFlags flags;
  if (const std::optional<int> rc = ParseCommandLine(argc, argv, kSpec, flags)) return *rc;
  if (const std::optional<int> rc = RunStatusFlag("eval", flags)) return *rc;
  absl::StatusOr<EvalFlags> e = ReadFlags(flags);
  if (!e.ok()) return ReportError("eval", e.status());
  std::optional<tbb::global_control> limit;
  if (e->threads > 0) limit.emplace(tbb::global_control::max_allowed_parallelism, static_cast<size_t>(e->threads));
  if (flags.Has("stage") || flags.Has("executor")) {
    absl::Status s = RunSplitEval(flags, *e, CommandLineText(argc, argv));
    return s.ok() ? 0 : ReportError("eval", s);
  }
  if (absl::Status s = CheckNoSplitFlags(flags, {"work", "tasks", "parallel", "gpus", "task"}, "a split evaluation");
      !s.ok())
    return ReportError("eval", s);
  absl::StatusOr<tokenizer::Tokenizer> tok = LoadTokenizer(flags.Get("vocab"));
  if (!tok.ok()) return ReportError("eval", tok.status());
  absl::Status s = RunEval(*e, *tok);
  return s.ok() ? 0 : ReportError("eval", s);
}

}  // namespace rwkvkit::cli

// tools/cmd_eval.cc — `rwkvkit eval`: perplexity and bits per byte of binidx shards under a model.
#include <tbb/global_control.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/status_macros.h"
#include "corpus/build_report.h"
#include "corpus/progress.h"
#include "evaluation/cuda_plugin_loader.h"
#include "evaluation/eval_run.h"
#include "refmodel/eval/doc_sample.h"
#include "refmodel/eval/evaluator.h"
#include "tools/cli/flags.h"
#include "tools/cli/install_layout.h"
#include "tools/cli/vocab_path.h"
#include "tools/commands.h"

namespace rwkvkit::cli {
namespace {

const CommandSpec kSpec{
    "eval",
    "--model PATH --data PATH [--data PATH ...] [options]",
    R"(Evaluates an RWKV-5.2 or RWKV-6 checkpoint (.pth or .safetensors; fp32/fp16/bf16) on binidx
shards. Every document (one sequence ending with token 0) starts from a fresh state; inputs
[0, t1..tn], targets [t1..tn, 0]; NLL in nats (docs/eval.md). stdout ends with one JSON line:
documents, tokens, mean NLL, perplexity, bits per byte, and per source when a build.json lies
next to the shards. A NaN or infinite NLL (broken weights, fp16 overflow) stops the run with
exit status 1, naming the shard, document and source.)",
    {
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
    }};

std::string JsonNumber(double x) { return std::isfinite(x) ? absl::StrFormat("%.9g", x) : std::string("null"); }

std::string TotalsJson(const refmodel::EvalTotals& t) {
  return absl::StrCat("{\"documents\": ", t.documents, ", \"tokens\": ", t.tokens, ", \"bytes\": ", t.bytes,
                      ", \"mean_nll\": ", JsonNumber(t.MeanNll()), ", \"perplexity\": ", JsonNumber(t.Perplexity()),
                      ", \"bits_per_byte\": ", JsonNumber(t.BitsPerByte()), "}");
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
  NllOutput() = default;
  NllOutput(const NllOutput&) = delete;
  NllOutput& operator=(const NllOutput&) = delete;
  ~NllOutput() {
    if (!open_) return;
    out_.close();
    std::remove(tmp_.c_str());
  }

  absl::Status Open(const std::string& path) {
    std::error_code ec;
    const std::filesystem::file_status st = std::filesystem::status(path, ec);
    if (std::filesystem::is_directory(st))
      return absl::InvalidArgumentError(absl::StrCat("--nll-out ", path, ": is a directory; it wants a file name"));
    if (std::filesystem::exists(st) && !std::filesystem::is_regular_file(st))
      return absl::InvalidArgumentError(absl::StrCat("--nll-out ", path, ": exists and is not a regular file"));
    path_ = path;
    tmp_ = absl::StrCat(path, ".", ::getpid(), ".tmp");
    out_.open(tmp_, std::ios::binary | std::ios::trunc);
    if (!out_)
      return absl::UnavailableError(absl::StrCat("--nll-out ", path, ": cannot create ", tmp_, " (",
                                                 std::strerror(errno), ")"));
    open_ = true;
    return absl::OkStatus();
  }
  bool enabled() const { return open_; }
  absl::Status Write(const std::string& text) {
    out_ << text;
    if (!out_) return absl::UnavailableError(absl::StrCat(tmp_, ": write failed (", std::strerror(errno), ")"));
    return absl::OkStatus();
  }
  absl::Status Commit() {
    out_.close();
    if (!out_) return absl::UnavailableError(absl::StrCat(tmp_, ": write failed (", std::strerror(errno), ")"));
    if (std::rename(tmp_.c_str(), path_.c_str()) != 0)
      return absl::UnavailableError(absl::StrCat(path_, ": cannot write (", std::strerror(errno), ")"));
    open_ = false;
    return absl::OkStatus();
  }

 private:
  std::string path_, tmp_;
  std::ofstream out_;
  bool open_ = false;
};

absl::Status RunEval(const EvalFlags& e, const tokenizer::Tokenizer& tok) {
  evaluation::EvalRequest request;
  // The CUDA plugin first: a machine without it fails before the model is read.
  if (e.cuda) {
    absl::StatusOr<const refmodel::CudaPlugin*> plugin =
        evaluation::LoadCudaPlugin(PluginDir() / evaluation::kCudaPluginFileName);
    if (!plugin.ok()) return plugin.status();
    request.cuda = *plugin;
  }
  NllOutput nll_out;
  if (e.nll_out) RWKVKIT_RETURN_IF_ERROR(nll_out.Open(*e.nll_out));
  request.model = e.model;
  request.data = e.data;
  request.dtype = e.dtype == "bf16"   ? refmodel::CudaDType::kBf16
                  : e.dtype == "fp16" ? refmodel::CudaDType::kFp16
                                      : refmodel::CudaDType::kFp32;
  request.gpu = e.gpu;
  request.batch = e.batch;
  request.window = e.options.window;
  request.sample = e.sample;
  std::string line;
  if (nll_out.enabled()) {
    request.on_document = [&](const refmodel::DocumentResult& r, const std::string*) -> absl::Status {
      line = "[";
      for (size_t i = 0; i < r.nll.size(); ++i) absl::StrAppend(&line, i ? "," : "", absl::StrFormat("%.8g", r.nll[i]));
      line += "]\n";
      return nll_out.Write(line);
    };
  }
  std::optional<corpus::Progress> progress;  // its total (the planned targets) comes with the first document
  uint64_t tokens_done = 0, docs_done = 0;
  request.progress = [&](uint64_t tokens, uint64_t docs, uint64_t planned) {
    if (!progress) progress.emplace("eval", planned, e.progress, corpus::Progress::Unit::kTokens);
    progress->Update(tokens, docs);
    tokens_done = tokens;
    docs_done = docs;
  };
  absl::StatusOr<evaluation::EvalReport> report = evaluation::RunEvaluation(request, tok);
  if (report.ok())
    for (const std::string& w : report->warnings) std::fprintf(stderr, "rwkvkit eval: warning: %s\n", w.c_str());
  if (!report.ok()) return report.status();
  if (progress) progress->Done(tokens_done, docs_done);
  if (nll_out.enabled()) RWKVKIT_RETURN_IF_ERROR(nll_out.Commit());
  std::string json = absl::StrCat("{\"model\": ", corpus::JsonString(e.model), ", \"version\": \"", report->version,
                                  "\", \"total\": ", TotalsJson(report->total), ", \"sources\": {");
  bool first = true;
  for (const auto& [name, t] : report->per_source) {
    absl::StrAppend(&json, first ? "" : ", ", corpus::JsonString(name), ": ", TotalsJson(t));
    first = false;
  }
  absl::StrAppend(&json, "}");
  if (report->sampled) {
    absl::StrAppend(&json, ", \"sample\": {\"mode\": \"", report->per_source_sample ? "per_source" : "proportional",
                    "\", \"seed\": ", report->seed, ", \"documents\": {");
    first = true;
    for (const auto& [name, k] : report->chosen_per_source) {
      absl::StrAppend(&json, first ? "" : ", ", corpus::JsonString(name), ": ", k);
      first = false;
    }
    absl::StrAppend(&json, "}}");
  }
  std::printf("%s}\n", json.c_str());
  return absl::OkStatus();
}

}  // namespace

int RunEval(int argc, char** argv) {
  ParsedFlags flags;
  if (const std::optional<int> rc = ParseCommandLine(argc, argv, kSpec, flags)) return *rc;
  absl::StatusOr<EvalFlags> e = ReadFlags(flags);
  if (!e.ok()) return ReportError("eval", e.status());
  std::optional<tbb::global_control> limit;
  if (e->threads > 0) limit.emplace(tbb::global_control::max_allowed_parallelism, static_cast<size_t>(e->threads));
  absl::StatusOr<tokenizer::Tokenizer> tok = LoadTokenizer(flags.Get("vocab"));
  if (!tok.ok()) return ReportError("eval", tok.status());
  absl::Status s = RunEval(*e, *tok);
  return s.ok() ? 0 : ReportError("eval", s);
}

}  // namespace rwkvkit::cli

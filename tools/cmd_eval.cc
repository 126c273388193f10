// tools/cmd_eval.cc — `rwkvkit eval`: perplexity and bits per byte of binidx shards under a model.
#include <tbb/global_control.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "corpus/build_report.h"
#include "refmodel/eval/evaluator.h"
#ifdef RWKVKIT_HAVE_CUDA
#include "refmodel/cuda/cuda_evaluator.h"
#endif
#include "refmodel/eval/shard_set.h"
#include "refmodel/model_weights.h"
#include "simdjson.h"
#include "tools/cli/flags.h"
#include "tools/cli/vocab_path.h"
#include "tools/commands.h"

namespace rwkvkit::cli {
namespace {

constexpr char kUsage[] = R"(usage: rwkvkit eval --model PATH --data PATH [--data PATH ...] [--device cpu|cuda]
                    [--dtype fp32|bf16|fp16] [--nll-out FILE] [--max-docs N] [--window N]
                    [--batch N] [--gpu N] [--threads N] [--no-progress] [--vocab PATH]

Evaluates an RWKV-5.2 or RWKV-6 checkpoint (.pth or .safetensors; fp32/fp16/bf16) on binidx
shards. Every document (one sequence ending with token 0) starts from a fresh state; inputs
[0, t1..tn], targets [t1..tn, 0]; NLL in nats (docs/eval.md). stdout ends with one JSON line:
documents, tokens, mean NLL, perplexity, bits per byte, and per source when a build.json lies
next to the shards.

  --data PATH     a shard prefix, a .idx/.bin path, or a directory (all shards, name order)
  --nll-out FILE  JSON Lines: per document (shard order) the array of its per-target NLLs
  --max-docs N    stop after N documents
  --window N      tokens per forward call (state carried across; default 256)
  --device DEV    cpu (the fp32 reference, default) or cuda (docs/eval.md)
  --dtype DT      fp32 (cpu and cuda), bf16 or fp16 (cuda only)
  --batch N       cuda: documents per launch at most (default 256)
  --gpu N         cuda: the device index (default 0)
  --threads N     threads (default: all cores)
  --vocab PATH    the vocab (token byte lengths for bits per byte)
)";

std::string JsonNumber(double x) { return std::isfinite(x) ? absl::StrFormat("%.9g", x) : std::string("null"); }

std::string TotalsJson(const refmodel::EvalTotals& t) {
  return absl::StrCat("{\"documents\": ", t.documents, ", \"tokens\": ", t.tokens, ", \"bytes\": ", t.bytes,
                      ", \"mean_nll\": ", JsonNumber(t.MeanNll()), ", \"perplexity\": ", JsonNumber(t.Perplexity()),
                      ", \"bits_per_byte\": ", JsonNumber(t.BitsPerByte()), "}");
}

// Per-document source names of every shard listed in one build.json (shard name -> names in
// shard order), from its per-shard source_runs; empty when the file is missing or unreadable.
using ShardSources = std::map<std::string, std::vector<std::string>>;
ShardSources ReadBuildSources(const std::filesystem::path& build) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  ShardSources out;
  if (!std::filesystem::exists(build) || parser.load(build.string()).get(root) != simdjson::SUCCESS) return out;
  std::vector<std::string> names;
  simdjson::dom::array sources, shards;
  if (root["sources"].get_array().get(sources) != simdjson::SUCCESS) return out;
  for (const simdjson::dom::element s : sources) {
    std::string_view n;
    names.emplace_back(s["name"].get_string().get(n) == simdjson::SUCCESS ? std::string(n) : std::string("?"));
  }
  if (root["shards"].get_array().get(shards) != simdjson::SUCCESS) return out;
  for (const simdjson::dom::element sh : shards) {
    std::string_view n;
    simdjson::dom::array runs;
    if (sh["name"].get_string().get(n) != simdjson::SUCCESS || sh["source_runs"].get_array().get(runs) != simdjson::SUCCESS)
      continue;
    std::vector<std::string> docs;
    bool ok = true;
    for (const simdjson::dom::element run : runs) {
      uint64_t src = 0, count = 0;
      ok = run.at(0).get_uint64().get(src) == simdjson::SUCCESS && run.at(1).get_uint64().get(count) == simdjson::SUCCESS &&
           src < names.size();
      if (!ok) break;
      docs.insert(docs.end(), count, names[src]);
    }
    if (ok) out[std::string(n)] = std::move(docs);
  }
  return out;
}

// Per-document source names of each shard; every build.json is read once, however many of
// its shards are evaluated.
std::vector<std::vector<std::string>> DocumentSources(const std::vector<std::filesystem::path>& shards) {
  std::map<std::filesystem::path, ShardSources> builds;
  std::vector<std::vector<std::string>> out;
  for (const auto& prefix : shards) {
    const std::filesystem::path build = prefix.parent_path() / "build.json";
    auto it = builds.find(build);
    if (it == builds.end()) it = builds.emplace(build, ReadBuildSources(build)).first;
    const auto found = it->second.find(prefix.filename().string());
    out.push_back(found == it->second.end() ? std::vector<std::string>() : found->second);
  }
  return out;
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
};

absl::StatusOr<EvalFlags> ReadFlags(const ParsedFlags& f) {
  EvalFlags e;
  if (!f.Has("model")) return absl::InvalidArgumentError("--model PATH is required");
  if (!f.Has("data")) return absl::InvalidArgumentError("--data PATH is required");
  e.model = *f.Get("model");
  e.data = f.all_values.at("data");
  e.nll_out = f.Get("nll-out");
  const std::string device = f.Get("device").value_or("cpu");
  const std::string dtype = f.Get("dtype").value_or("fp32");
  if (device != "cpu" && device != "cuda")
    return absl::InvalidArgumentError(absl::StrCat("--device wants cpu or cuda (saw \"", device, "\")"));
  if (dtype != "fp32" && dtype != "bf16" && dtype != "fp16")
    return absl::InvalidArgumentError(absl::StrCat("--dtype wants fp32, bf16 or fp16 (saw \"", dtype, "\")"));
#ifndef RWKVKIT_HAVE_CUDA
  if (device == "cuda") return absl::UnimplementedError("this rwkvkit was built without CUDA; use --device cpu");
#endif
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
  e.options.max_docs = static_cast<uint64_t>(*max_docs);
  e.options.window = static_cast<size_t>(*window);
  e.threads = static_cast<int>(*threads);
  e.progress = !f.Has("no-progress");
  return e;
}

absl::Status RunEval(const EvalFlags& e, const tokenizer::Tokenizer& tok) {
  absl::StatusOr<refmodel::ModelWeights> weights = refmodel::LoadModel(e.model);
  if (!weights.ok()) return weights.status();
  absl::StatusOr<std::vector<std::filesystem::path>> shards = refmodel::ResolveShards(e.data);
  if (!shards.ok()) return shards.status();
  const std::vector<std::vector<std::string>> sources = DocumentSources(*shards);
  std::map<std::string, refmodel::EvalTotals> per_source;
  std::ofstream nll_out;
  const std::string tmp = e.nll_out ? *e.nll_out + ".tmp" : "";
  if (e.nll_out) {
    nll_out.open(tmp, std::ios::binary | std::ios::trunc);
    if (!nll_out) return absl::UnavailableError(absl::StrCat(tmp, ": cannot create"));
  }
  const bool tty = ::isatty(2) == 1;
  const auto start = std::chrono::steady_clock::now();
  auto last = start;
  refmodel::EvalTotals running;
  std::string line;
  auto sink = [&](const refmodel::DocumentResult& r) -> absl::Status {
    running.Add(r.totals);
    const auto& src = sources[r.shard];
    if (!src.empty() && r.index_in_shard < src.size()) per_source[src[r.index_in_shard]].Add(r.totals);
    if (e.nll_out) {
      line = "[";
      for (size_t i = 0; i < r.nll.size(); ++i) absl::StrAppend(&line, i ? "," : "", absl::StrFormat("%.8g", r.nll[i]));
      line += "]\n";
      nll_out << line;
      if (!nll_out) return absl::UnavailableError(absl::StrCat(tmp, ": write failed"));
    }
    const auto now = std::chrono::steady_clock::now();
    if (e.progress && now - last > std::chrono::milliseconds(tty ? 500 : 10000)) {
      last = now;
      const double s = std::chrono::duration<double>(now - start).count();
      std::fprintf(stderr, "%seval: %llu docs, %llu tokens, %.0f tokens/s, mean NLL %.4f%s", tty ? "\r" : "",
                   static_cast<unsigned long long>(running.documents), static_cast<unsigned long long>(running.tokens),
                   static_cast<double>(running.tokens) / s, running.MeanNll(), tty ? "   " : "\n");
    }
    return absl::OkStatus();
  };
  absl::StatusOr<refmodel::EvalTotals> totals;
  if (e.cuda) {
#ifdef RWKVKIT_HAVE_CUDA
    const refmodel::CudaDType dt = e.dtype == "bf16"   ? refmodel::CudaDType::kBf16
                               : e.dtype == "fp16" ? refmodel::CudaDType::kFp16
                                                   : refmodel::CudaDType::kFp32;
    absl::StatusOr<std::unique_ptr<refmodel::CudaModel>> model = refmodel::CudaModel::Create(*weights, dt, e.gpu);
    if (!model.ok()) return model.status();
    refmodel::CudaEvalOptions o;
    o.max_docs = e.options.max_docs;
    o.window = e.options.window;
    o.max_batch = e.batch;
    totals = refmodel::EvaluateCuda(**model, tok, *shards, o, sink);
#endif
  } else {
    const refmodel::CpuModel model(*weights);
    totals = refmodel::Evaluate(model, weights->config, tok, *shards, e.options, sink);
  }
  if (e.progress && tty) std::fputc('\n', stderr);
  if (!totals.ok()) return totals.status();
  if (e.nll_out) {
    nll_out.close();
    if (!nll_out || std::rename(tmp.c_str(), e.nll_out->c_str()) != 0)
      return absl::UnavailableError(absl::StrCat(*e.nll_out, ": cannot write"));
  }
  std::string json = absl::StrCat("{\"model\": ", corpus::JsonString(e.model), ", \"version\": \"",
                                  std::string(refmodel::VersionName(weights->config.version)), "\", \"total\": ",
                                  TotalsJson(*totals), ", \"sources\": {");
  bool first = true;
  for (const auto& [name, t] : per_source) {
    absl::StrAppend(&json, first ? "" : ", ", corpus::JsonString(name), ": ", TotalsJson(t));
    first = false;
  }
  std::printf("%s}}\n", json.c_str());
  return absl::OkStatus();
}

}  // namespace

int RunEval(int argc, char** argv) {
  absl::StatusOr<ParsedFlags> flags = ParseFlags(
      argc, argv,
      {{"model", "data", "device", "dtype", "nll-out", "max-docs", "window", "batch", "gpu", "threads", "vocab"}, {"no-progress", "help"}});
  if (!flags.ok()) return ReportError("eval", flags.status());
  if (flags->Has("help")) {
    std::fputs(kUsage, stdout);
    return 0;
  }
  absl::StatusOr<EvalFlags> e = ReadFlags(*flags);
  if (!e.ok()) return ReportError("eval", e.status());
  std::optional<tbb::global_control> limit;
  if (e->threads > 0) limit.emplace(tbb::global_control::max_allowed_parallelism, static_cast<size_t>(e->threads));
  absl::StatusOr<tokenizer::Tokenizer> tok = LoadTokenizer(flags->Get("vocab"));
  if (!tok.ok()) return ReportError("eval", tok.status());
  absl::Status s = RunEval(*e, *tok);
  return s.ok() ? 0 : ReportError("eval", s);
}

}  // namespace rwkvkit::cli

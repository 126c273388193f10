// tools/cmd_eval.cc — `rwkvkit eval`: perplexity and bits per byte of binidx shards under a model.
#include <tbb/global_control.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/status_macros.h"
#include "corpus/binidx/shard_reader.h"
#include "corpus/build_report.h"
#include "corpus/progress.h"
#include "corpus/stats/build_info.h"
#include "refmodel/cuda/cuda_plugin.h"
#include "refmodel/eval/doc_sample.h"
#include "refmodel/eval/evaluator.h"
#include "refmodel/eval/shard_set.h"
#include "refmodel/model_weights.h"
#include "tools/cli/cuda_plugin_loader.h"
#include "tools/cli/flags.h"
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

// Per-source numbers come from the build.json next to the shards (read by the stats reader,
// which checks that each shard's source_runs add up to its document count). Each evaluated
// shard listed there must hold that many documents; otherwise (or when build.json is
// unreadable) a warning names the problem and the per-source numbers are left out: they
// would not add up to the total.
struct DocumentSources {
  std::vector<std::string> names;           // every source of every build.json read
  std::vector<std::vector<uint32_t>> docs;  // per evaluated shard: index into names per document
};

DocumentSources ReadDocumentSources(const std::vector<std::filesystem::path>& shards) {
  DocumentSources out;
  out.docs.resize(shards.size());
  auto unusable = [&](const std::string& why) {
    const std::string line = absl::StrCat("rwkvkit eval: warning: ", why, "; no per-source numbers\n");
    std::fwrite(line.data(), 1, line.size(), stderr);
    DocumentSources none;
    none.docs.resize(shards.size());
    return none;
  };
  std::map<std::filesystem::path, std::optional<std::pair<corpus::stats::BuildInfo, uint32_t>>> builds;
  for (size_t i = 0; i < shards.size(); ++i) {
    const std::filesystem::path dir = shards[i].parent_path();
    auto it = builds.find(dir);
    if (it == builds.end()) {
      it = builds.emplace(dir, std::nullopt).first;
      absl::StatusOr<corpus::stats::BuildInfo> info = corpus::stats::LoadBuildInfo(dir.empty() ? "." : dir);
      if (absl::IsNotFound(info.status())) continue;
      if (!info.ok()) return unusable(std::string(info.status().message()));
      const auto first = static_cast<uint32_t>(out.names.size());
      for (const auto& source : info->sources) out.names.push_back(source.name);
      it->second.emplace(*std::move(info), first);
    }
    if (!it->second) continue;
    const auto& [info, first] = *it->second;
    const std::string name = shards[i].filename().string();
    const auto shard = std::find_if(info.shards.begin(), info.shards.end(),
                                    [&](const corpus::stats::BuildShard& s) { return s.name == name; });
    if (shard == info.shards.end()) continue;
    absl::StatusOr<binidx::ShardReader> reader = binidx::ShardReader::Open(shards[i]);
    if (!reader.ok()) continue;  // the evaluation reports it
    if (reader->num_documents() != shard->documents)
      return unusable(absl::StrCat((dir / "build.json").string(), ": shard ", name, " lists ", shard->documents,
                                   " documents, ", reader->idx_path().string(), " holds ", reader->num_documents()));
    for (const auto& [source, count] : shard->source_runs) out.docs[i].insert(out.docs[i].end(), count, first + source);
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

// A non-finite NLL (NaN or Inf weights, or an fp16 overflow) stops the run: it is not a
// number that --nll-out or the summary could carry.
absl::Status CheckFinite(const refmodel::DocumentResult& r, const std::filesystem::path& shard,
                         const std::string* source) {
  for (size_t i = 0; i < r.nll.size(); ++i) {
    if (std::isfinite(r.nll[i])) continue;
    return absl::FailedPreconditionError(absl::StrCat(
        shard.string(), ".bin: document ", r.index_in_shard, source ? absl::StrCat(" (source ", *source, ")") : "",
        ", target ", i, ": the NLL is ", std::isnan(r.nll[i]) ? "NaN" : r.nll[i] > 0 ? "+Inf" : "-Inf",
        "; the model's weights hold NaN or Inf, or the forward overflowed (try --dtype bf16 or fp32)"));
  }
  return absl::OkStatus();
}

// The documents to evaluate (all, or the seeded sample) and their targets, for the ETA.
struct Plan {
  std::optional<refmodel::DocumentSelection> documents;  // unset: all
  bool sampled = false;
  std::map<std::string, uint64_t> chosen_per_source;
  uint64_t targets = 0;
};

absl::StatusOr<Plan> PlanDocuments(const std::vector<std::filesystem::path>& shards, const DocumentSources& sources,
                                   const refmodel::SampleSpec& spec) {
  std::vector<uint64_t> counts;
  for (const auto& prefix : shards) {  // one open shard at a time: a corpus may have thousands
    absl::StatusOr<binidx::ShardReader> r = binidx::ShardReader::Open(prefix);
    if (!r.ok()) return r.status();
    counts.push_back(r->num_documents());
  }
  Plan plan;
  plan.sampled = spec.max_docs > 0 || spec.docs_per_source > 0;
  if (plan.sampled) {
    plan.documents = refmodel::SampleDocuments(counts, sources.docs, sources.names, spec, &plan.chosen_per_source);
  }
  for (size_t s = 0; s < shards.size(); ++s) {
    absl::StatusOr<binidx::ShardReader> r = binidx::ShardReader::Open(shards[s]);
    if (!r.ok()) return r.status();
    const uint64_t n = plan.documents ? (*plan.documents)[s].size() : counts[s];
    for (uint64_t k = 0; k < n; ++k) {
      // targets: the tokens without a final 0, plus the end-of-document target
      plan.targets += std::max<uint64_t>(1, r->document_tokens(plan.documents ? (*plan.documents)[s][k] : k));
    }
  }
  return plan;
}

absl::Status RunEval(const EvalFlags& e, const tokenizer::Tokenizer& tok) {
  // The CUDA plugin first: a machine without it fails before the model is read.
  const refmodel::CudaPlugin* cuda_plugin = nullptr;
  if (e.cuda) {
    absl::StatusOr<const refmodel::CudaPlugin*> plugin = LoadCudaPlugin();
    if (!plugin.ok()) return plugin.status();
    cuda_plugin = *plugin;
  }
  NllOutput nll_out;
  if (e.nll_out) RWKVKIT_RETURN_IF_ERROR(nll_out.Open(*e.nll_out));
  absl::StatusOr<refmodel::ModelWeights> weights = refmodel::LoadModel(e.model);
  if (!weights.ok()) return weights.status();
  absl::StatusOr<std::vector<std::filesystem::path>> shards = refmodel::ResolveShards(e.data);
  if (!shards.ok()) return shards.status();
  const DocumentSources sources = ReadDocumentSources(*shards);
  absl::StatusOr<Plan> plan = PlanDocuments(*shards, sources, e.sample);
  if (!plan.ok()) return plan.status();
  std::map<std::string, refmodel::EvalTotals> per_source;
  corpus::Progress progress("eval", plan->targets, e.progress, corpus::Progress::Unit::kTokens);
  refmodel::EvalTotals running;
  std::string line;
  auto sink = [&](const refmodel::DocumentResult& r) -> absl::Status {
    const std::vector<uint32_t>& src = sources.docs[r.shard];
    const std::string* source = r.index_in_shard < src.size() ? &sources.names[src[r.index_in_shard]] : nullptr;
    RWKVKIT_RETURN_IF_ERROR(CheckFinite(r, (*shards)[r.shard], source));
    running.Add(r.totals);
    if (source != nullptr) per_source[*source].Add(r.totals);
    if (nll_out.enabled()) {
      line = "[";
      for (size_t i = 0; i < r.nll.size(); ++i) absl::StrAppend(&line, i ? "," : "", absl::StrFormat("%.8g", r.nll[i]));
      line += "]\n";
      RWKVKIT_RETURN_IF_ERROR(nll_out.Write(line));
    }
    progress.Update(running.tokens, running.documents);
    return absl::OkStatus();
  };
  absl::StatusOr<refmodel::EvalTotals> totals;
  if (e.cuda) {
    refmodel::CudaEvalRequest request;
    request.weights = &*weights;
    request.dtype = e.dtype == "bf16"   ? refmodel::CudaDType::kBf16
                    : e.dtype == "fp16" ? refmodel::CudaDType::kFp16
                                        : refmodel::CudaDType::kFp32;
    request.device = e.gpu;
    request.tok = &tok;
    request.shards = &*shards;
    request.options.documents = plan->documents;
    request.options.window = e.options.window;
    request.options.max_batch = e.batch;
    const refmodel::DocumentSink document_sink = sink;
    request.sink = &document_sink;
    totals = cuda_plugin->evaluate(request);
  } else {
    const refmodel::CpuModel model(*weights);
    refmodel::EvalOptions o = e.options;
    o.documents = plan->documents;
    totals = refmodel::Evaluate(model, weights->config, tok, *shards, o, sink);
  }
  if (!totals.ok()) return totals.status();
  progress.Done(running.tokens, running.documents);
  if (nll_out.enabled()) RWKVKIT_RETURN_IF_ERROR(nll_out.Commit());
  std::string json = absl::StrCat("{\"model\": ", corpus::JsonString(e.model), ", \"version\": \"",
                                  std::string(refmodel::VersionName(weights->config.version)), "\", \"total\": ",
                                  TotalsJson(*totals), ", \"sources\": {");
  bool first = true;
  for (const auto& [name, t] : per_source) {
    absl::StrAppend(&json, first ? "" : ", ", corpus::JsonString(name), ": ", TotalsJson(t));
    first = false;
  }
  absl::StrAppend(&json, "}");
  if (plan->sampled) {
    absl::StrAppend(&json, ", \"sample\": {\"mode\": \"", e.sample.docs_per_source ? "per_source" : "proportional",
                    "\", \"seed\": ", e.sample.seed, ", \"documents\": {");
    first = true;
    for (const auto& [name, k] : plan->chosen_per_source) {
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

// evaluation/eval_run.cc — see eval_run.h.
#include "evaluation/eval_run.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "corpus/binidx/shard_reader.h"
#include "corpus/stats/build_info.h"
#include "refmodel/eval/shard_set.h"
#include "refmodel/model_weights.h"

namespace rwkvkit::evaluation {
namespace {

// Per-source numbers come from the build.json next to the shards (read by the stats reader,
// which checks that each shard's source_runs add up to its document count). Each evaluated
// shard listed there must hold that many documents; otherwise (or when build.json is
// unreadable) a warning names the problem and the per-source numbers are left out: they
// would not add up to the total.
struct DocumentSources {
  std::vector<std::string> names;           // every source of every build.json read
  std::vector<std::vector<uint32_t>> docs;  // per evaluated shard: index into names per document
};

DocumentSources ReadDocumentSources(const std::vector<std::filesystem::path>& shards,
                                    std::vector<std::string>& warnings) {
  DocumentSources out;
  out.docs.resize(shards.size());
  auto unusable = [&](const std::string& why) {
    warnings.push_back(absl::StrCat(why, "; no per-source numbers"));
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

}  // namespace

absl::StatusOr<EvalReport> RunEvaluation(const EvalRequest& e, const tokenizer::Tokenizer& tok) {
  EvalReport report;
  report.model = e.model;
  absl::StatusOr<refmodel::ModelWeights> weights = refmodel::LoadModel(e.model);
  if (!weights.ok()) return weights.status();
  report.version = std::string(refmodel::VersionName(weights->config.version));
  absl::StatusOr<std::vector<std::filesystem::path>> shards = refmodel::ResolveShards(e.data);
  if (!shards.ok()) return shards.status();
  const DocumentSources sources = ReadDocumentSources(*shards, report.warnings);
  absl::StatusOr<Plan> plan = PlanDocuments(*shards, sources, e.sample);
  if (!plan.ok()) return plan.status();
  report.sampled = plan->sampled;
  report.per_source_sample = e.sample.docs_per_source > 0;
  report.seed = e.sample.seed;
  report.chosen_per_source = plan->chosen_per_source;
  report.targets_planned = plan->targets;
  refmodel::EvalTotals running;
  auto sink = [&](const refmodel::DocumentResult& r) -> absl::Status {
    if (e.cancel != nullptr && e.cancel->load(std::memory_order_relaxed))
      return absl::CancelledError("evaluation interrupted");
    const std::vector<uint32_t>& src = sources.docs[r.shard];
    const std::string* source = r.index_in_shard < src.size() ? &sources.names[src[r.index_in_shard]] : nullptr;
    RWKVKIT_RETURN_IF_ERROR(CheckFinite(r, (*shards)[r.shard], source));
    running.Add(r.totals);
    if (source != nullptr) report.per_source[*source].Add(r.totals);
    if (e.on_document) RWKVKIT_RETURN_IF_ERROR(e.on_document(r, source));
    if (e.progress) e.progress(running.tokens, running.documents, plan->targets);
    return absl::OkStatus();
  };
  absl::StatusOr<refmodel::EvalTotals> totals;
  if (e.cuda != nullptr) {
    refmodel::CudaEvalRequest request;
    request.weights = &*weights;
    request.dtype = e.dtype;
    request.device = e.gpu;
    request.tok = &tok;
    request.shards = &*shards;
    request.options.documents = plan->documents;
    request.options.window = e.window;
    request.options.max_batch = e.batch;
    const refmodel::DocumentSink document_sink = sink;
    request.sink = &document_sink;
    totals = e.cuda->evaluate(request);
  } else {
    const refmodel::CpuModel model(*weights);
    refmodel::EvalOptions o;
    o.window = e.window;
    o.documents = plan->documents;
    totals = refmodel::Evaluate(model, weights->config, tok, *shards, o, sink);
  }
  if (!totals.ok()) return totals.status();
  report.total = *totals;
  return report;
}

}  // namespace rwkvkit::evaluation

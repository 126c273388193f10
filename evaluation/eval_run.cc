// evaluation/eval_run.cc — see eval_run.h.
#include "evaluation/eval_run.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/json_writer.h"
#include "base/status_macros.h"
#include "corpus/binidx/shard_reader.h"
#include "corpus/build/build_json.h"
#include "refmodel/eval/shard_set.h"
#include "refmodel/model_weights.h"

namespace rwkvkit::evaluation {
namespace {

// Per-source numbers come from the build.json next to the shards (read by corpus/build/build_json.h,
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
  std::map<std::filesystem::path, std::optional<std::pair<corpus::build::BuildJson, uint32_t>>> builds;
  for (size_t i = 0; i < shards.size(); ++i) {
    const std::filesystem::path dir = shards[i].parent_path();
    auto it = builds.find(dir);
    if (it == builds.end()) {
      it = builds.emplace(dir, std::nullopt).first;
      absl::StatusOr<corpus::build::BuildJson> info = corpus::build::ReadBuildJson(dir.empty() ? "." : dir);
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
                                    [&](const corpus::build::BuildShard& s) { return s.name == name; });
    if (shard == info.shards.end()) continue;
    absl::StatusOr<binidx::ShardReader> reader = binidx::ShardReader::Open(shards[i]);
    if (!reader.ok()) continue;  // the evaluation reports it
    if (reader->num_documents() != shard->documents)
      return unusable(absl::StrCat((dir / corpus::build::kBuildJsonName).string(), ": shard ", name, " lists ", shard->documents,
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
  std::vector<uint64_t> counts;                          // documents per shard
  bool sampled = false;
  std::map<std::string, uint64_t> chosen_per_source;
  uint64_t targets = 0;
};

// The targets of a document: its tokens without a final 0, plus the end-of-document target.
uint64_t TargetsOf(const binidx::ShardReader& r, uint64_t d) { return std::max<uint64_t>(1, r.document_tokens(d)); }

uint64_t PlannedCount(const Plan& plan, size_t shard) {
  return plan.documents ? (*plan.documents)[shard].size() : plan.counts[shard];
}
uint64_t PlannedDocument(const Plan& plan, size_t shard, uint64_t k) {
  return plan.documents ? (*plan.documents)[shard][k] : k;
}

absl::StatusOr<Plan> PlanDocuments(const std::vector<std::filesystem::path>& shards, const DocumentSources& sources,
                                   const refmodel::SampleSpec& spec) {
  Plan plan;
  for (const auto& prefix : shards) {  // one open shard at a time: a corpus may have thousands
    absl::StatusOr<binidx::ShardReader> r = binidx::ShardReader::Open(prefix);
    if (!r.ok()) return r.status();
    plan.counts.push_back(r->num_documents());
  }
  plan.sampled = spec.max_docs > 0 || spec.docs_per_source > 0;
  if (plan.sampled) {
    plan.documents = refmodel::SampleDocuments(plan.counts, sources.docs, sources.names, spec, &plan.chosen_per_source);
  }
  for (size_t s = 0; s < shards.size(); ++s) {
    absl::StatusOr<binidx::ShardReader> r = binidx::ShardReader::Open(shards[s]);
    if (!r.ok()) return r.status();
    for (uint64_t k = 0; k < PlannedCount(plan, s); ++k) plan.targets += TargetsOf(*r, PlannedDocument(plan, s, k));
  }
  return plan;
}

// Slice `slice` of `slices` of the plan: the documents whose first target, counted over the
// whole plan in reading order, falls in [T * slice / slices, T * (slice + 1) / slices).
absl::StatusOr<std::pair<refmodel::DocumentSelection, uint64_t>> SliceOf(
    const std::vector<std::filesystem::path>& shards, const Plan& plan, uint32_t slice, uint32_t slices) {
  std::pair<refmodel::DocumentSelection, uint64_t> out;
  out.first.resize(shards.size());
  const auto owner = [&](uint64_t first_target) {
    return static_cast<uint64_t>(static_cast<unsigned __int128>(first_target) * slices / plan.targets);
  };
  uint64_t done = 0;
  for (size_t s = 0; s < shards.size(); ++s) {
    const uint64_t n = PlannedCount(plan, s);
    if (n == 0) continue;
    absl::StatusOr<binidx::ShardReader> r = binidx::ShardReader::Open(shards[s]);
    if (!r.ok()) return r.status();
    for (uint64_t k = 0; k < n; ++k) {
      const uint64_t d = PlannedDocument(plan, s, k);
      const uint64_t t = TargetsOf(*r, d);
      if (owner(done) == slice) {
        out.first[s].push_back(d);
        out.second += t;
      }
      done += t;
      if (owner(done) > slice) return out;
    }
  }
  return out;
}

// Everything a run plans before it evaluates (RunEvaluation and EvalTally::Plan).
struct Prepared {
  std::vector<std::filesystem::path> shards;
  DocumentSources sources;
  Plan plan;
  EvalReport report;  // model, sample, targets_planned, warnings; totals empty
};

absl::StatusOr<Prepared> Prepare(const EvalRequest& e) {
  Prepared p;
  p.report.model = e.model;
  absl::StatusOr<std::vector<std::filesystem::path>> shards = refmodel::ResolveShards(e.data);
  if (!shards.ok()) return shards.status();
  p.shards = *std::move(shards);
  p.sources = ReadDocumentSources(p.shards, p.report.warnings);
  absl::StatusOr<Plan> plan = PlanDocuments(p.shards, p.sources, e.sample);
  if (!plan.ok()) return plan.status();
  p.plan = *std::move(plan);
  p.report.sampled = p.plan.sampled;
  p.report.per_source_sample = e.sample.docs_per_source > 0;
  p.report.seed = e.sample.seed;
  p.report.chosen_per_source = p.plan.chosen_per_source;
  p.report.targets_planned = p.plan.targets;
  return p;
}

// The one place a document's numbers join the totals: the run's and its source's.
const std::string* AddDocument(const DocumentSources& sources, size_t shard, uint64_t index,
                               const refmodel::EvalTotals& totals, EvalReport& report) {
  const std::vector<uint32_t>& src = sources.docs[shard];
  const std::string* source = index < src.size() ? &sources.names[src[index]] : nullptr;
  report.total.Add(totals);
  if (source != nullptr) report.per_source[*source].Add(totals);
  return source;
}

}  // namespace

std::string NllLine(std::span<const double> nll) {
  base::JsonWriter w(base::JsonWriter::Spacing::kCompact);
  w.BeginArray();
  for (const double v : nll) w.Significant(v, 8);
  w.EndArray().Text("\n");
  return w.Take();
}

absl::StatusOr<EvalReport> RunEvaluation(const EvalRequest& e, const tokenizer::Tokenizer& tok) {
  if (e.slices == 0 || e.slice >= e.slices)
    return absl::InvalidArgumentError(absl::StrCat("slice ", e.slice, " of ", e.slices, ": no such slice"));
  absl::StatusOr<refmodel::ModelWeights> weights = refmodel::LoadModel(e.model);
  if (!weights.ok()) return weights.status();
  absl::StatusOr<Prepared> prepared = Prepare(e);
  if (!prepared.ok()) return prepared.status();
  const std::vector<std::filesystem::path>& shards = prepared->shards;
  EvalReport report = std::move(prepared->report);
  report.version = std::string(refmodel::VersionName(weights->config.version));
  std::optional<refmodel::DocumentSelection> documents = prepared->plan.documents;
  if (e.slices > 1) {
    absl::StatusOr<std::pair<refmodel::DocumentSelection, uint64_t>> slice =
        SliceOf(shards, prepared->plan, e.slice, e.slices);
    if (!slice.ok()) return slice.status();
    documents = std::move(slice->first);
    report.targets_planned = slice->second;
  }
  auto sink = [&](const refmodel::DocumentResult& r) -> absl::Status {
    if (e.cancel != nullptr && e.cancel->load(std::memory_order_relaxed))
      return absl::CancelledError("evaluation interrupted");
    const std::vector<uint32_t>& src = prepared->sources.docs[r.shard];
    const std::string* source = r.index_in_shard < src.size() ? &prepared->sources.names[src[r.index_in_shard]] : nullptr;
    RWKVKIT_RETURN_IF_ERROR(CheckFinite(r, shards[r.shard], source));
    AddDocument(prepared->sources, r.shard, r.index_in_shard, r.totals, report);
    if (e.on_document) RWKVKIT_RETURN_IF_ERROR(e.on_document(r, source));
    if (e.progress) e.progress(report.total.tokens, report.total.documents, report.targets_planned);
    return absl::OkStatus();
  };
  absl::StatusOr<refmodel::EvalTotals> totals;
  if (e.cuda != nullptr) {
    refmodel::CudaEvalRequest request;
    request.weights = &*weights;
    request.dtype = e.dtype;
    request.device = e.gpu;
    request.tok = &tok;
    request.shards = &shards;
    request.options.documents = std::move(documents);
    request.options.window = e.window;
    request.options.max_batch = e.batch;
    const refmodel::DocumentSink document_sink = sink;
    request.sink = &document_sink;
    totals = e.cuda->evaluate(request);
  } else {
    const refmodel::CpuModel model(*weights);
    refmodel::EvalOptions o;
    o.window = e.window;
    o.documents = std::move(documents);
    totals = refmodel::Evaluate(model, weights->config, tok, shards, o, sink);
  }
  if (!totals.ok()) return totals.status();
  return report;  // report.total: the sink's sum, the same additions as *totals
}

struct EvalTally::State {
  Prepared prepared;
  size_t shard = 0;  // the next document of the plan: the k-th planned one of this shard
  uint64_t k = 0;

  void SkipFinishedShards() {
    while (shard < prepared.shards.size() && k >= PlannedCount(prepared.plan, shard)) {
      ++shard;
      k = 0;
    }
  }
};

EvalTally::EvalTally(std::unique_ptr<State> state) : state_(std::move(state)) {}
EvalTally::EvalTally(EvalTally&&) noexcept = default;
EvalTally& EvalTally::operator=(EvalTally&&) noexcept = default;
EvalTally::~EvalTally() = default;

absl::StatusOr<EvalTally> EvalTally::Plan(const EvalRequest& request) {
  absl::StatusOr<Prepared> prepared = Prepare(request);
  if (!prepared.ok()) return prepared.status();
  auto state = std::make_unique<State>();
  state->prepared = *std::move(prepared);
  return EvalTally(std::move(state));
}

absl::StatusOr<const std::string*> EvalTally::Add(uint64_t shard, uint64_t index_in_shard,
                                                  const refmodel::EvalTotals& totals) {
  State& st = *state_;
  st.SkipFinishedShards();
  if (st.shard >= st.prepared.shards.size())
    return absl::DataLossError(absl::StrCat("shard ", shard, " document ", index_in_shard,
                                            ": more documents than the evaluation planned"));
  const uint64_t want = PlannedDocument(st.prepared.plan, st.shard, st.k);
  if (shard != st.shard || index_in_shard != want || totals.documents != 1)
    return absl::DataLossError(absl::StrCat("shard ", shard, " document ", index_in_shard,
                                            ": the evaluation planned shard ", st.shard, " document ", want,
                                            " next (", st.prepared.shards[st.shard].string(), ")"));
  ++st.k;
  return AddDocument(st.prepared.sources, shard, index_in_shard, totals, st.prepared.report);
}

absl::StatusOr<EvalReport> EvalTally::Finish(const std::string& version) {
  State& st = *state_;
  st.SkipFinishedShards();
  if (st.shard < st.prepared.shards.size()) {
    uint64_t missing = PlannedCount(st.prepared.plan, st.shard) - st.k;
    for (size_t s = st.shard + 1; s < st.prepared.shards.size(); ++s) missing += PlannedCount(st.prepared.plan, s);
    return absl::DataLossError(absl::StrCat(missing, " planned document(s) were not evaluated, from shard ",
                                            st.prepared.shards[st.shard].string(), " document ",
                                            PlannedDocument(st.prepared.plan, st.shard, st.k), " on"));
  }
  EvalReport report = st.prepared.report;
  report.version = version;
  return report;
}

}  // namespace rwkvkit::evaluation

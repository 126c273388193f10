// refmodel/cuda/cuda_evaluator.cc — see cuda_evaluator.h.
#include "refmodel/cuda/cuda_evaluator.h"

#include <algorithm>
#include <numeric>
#include <optional>

#include "absl/strings/str_cat.h"
#include "corpus/binidx/shard_reader.h"

namespace rwkvkit::refmodel {
namespace {

struct PoolDoc {
  size_t shard = 0;
  uint64_t index = 0;
  std::vector<uint16_t> inputs, targets;  // [0, t1..tn], [t1..tn, 0]
  std::vector<double> nll;
  uint64_t bytes = 0;
};

// Runs every document of `pool` and fills its nll.
absl::Status RunPool(CudaModel& model, std::vector<PoolDoc>& pool, const CudaEvalOptions& o,
                     std::optional<CudaModel::State>& state) {
  std::vector<size_t> order(pool.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return pool[a].inputs.size() > pool[b].inputs.size(); });
  const size_t window = std::max<size_t>(1, o.window);
  std::vector<uint16_t> tok, tgt;
  std::vector<double> nll;
  for (size_t first = 0; first < order.size();) {
    const size_t longest = pool[order[first]].inputs.size();
    const size_t per_row = std::min(window, longest);
    const size_t want = std::clamp<size_t>(o.target_rows / per_row, 1, static_cast<size_t>(std::max(1, o.max_batch)));
    const int B = static_cast<int>(std::min(want, order.size() - first));
    if (!state || state->capacity() < B) {
      state.reset();
      absl::StatusOr<CudaModel::State> s = model.NewState(std::max(B, std::min(o.max_batch, static_cast<int>(want))));
      if (!s.ok()) return s.status();
      state.emplace(*std::move(s));
    } else if (absl::Status s = model.ResetState(*state); !s.ok()) {
      return s;
    }
    for (size_t w = 0; w < longest; w += window) {
      const int T = static_cast<int>(std::min(window, longest - w));
      tok.assign(static_cast<size_t>(B) * T, 0);
      tgt.assign(static_cast<size_t>(B) * T, 0);
      for (int b = 0; b < B; ++b) {
        const PoolDoc& d = pool[order[first + b]];
        for (int t = 0; t < T && w + t < d.inputs.size(); ++t) {
          tok[static_cast<size_t>(b) * T + t] = d.inputs[w + t];
          tgt[static_cast<size_t>(b) * T + t] = d.targets[w + t];
        }
      }
      nll.resize(tok.size());
      if (absl::Status s = model.ForwardNll(tok, tgt, B, T, *state, nll); !s.ok()) return s;
      for (int b = 0; b < B; ++b) {
        PoolDoc& d = pool[order[first + b]];
        for (int t = 0; t < T && w + t < d.inputs.size(); ++t) d.nll[w + t] = nll[static_cast<size_t>(b) * T + t];
      }
    }
    first += B;
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<EvalTotals> EvaluateCuda(CudaModel& model, const tokenizer::Tokenizer& tok,
                                        const std::vector<std::filesystem::path>& shards,
                                        const CudaEvalOptions& options, const DocumentSink& sink) {
  const ModelConfig& config = model.config();
  EvalTotals all;
  uint64_t read = 0;
  std::vector<PoolDoc> pool;
  std::optional<CudaModel::State> state;
  std::vector<uint16_t> doc;
  auto flush = [&]() -> absl::Status {
    if (pool.empty()) return absl::OkStatus();
    if (absl::Status s = RunPool(model, pool, options, state); !s.ok()) return s;
    for (const PoolDoc& d : pool) {
      DocumentResult r;
      r.shard = d.shard;
      r.index_in_shard = d.index;
      r.totals.documents = 1;
      r.totals.tokens = d.targets.size();
      r.totals.bytes = d.bytes;
      for (const double x : d.nll) r.totals.nll += x;
      r.nll = d.nll;
      if (absl::Status s = sink(r); !s.ok()) return s;
      all.Add(r.totals);
    }
    pool.clear();
    return absl::OkStatus();
  };
  const size_t pool_size = std::max<size_t>(1, options.pool);
  for (size_t s = 0; s < shards.size(); ++s) {
    absl::StatusOr<binidx::ShardReader> reader = binidx::ShardReader::Open(shards[s]);
    if (!reader.ok()) return reader.status();
    const std::vector<uint64_t>* chosen = options.documents && s < options.documents->size() ? &(*options.documents)[s] : nullptr;
    if (options.documents && !chosen) continue;
    const uint64_t count = chosen ? chosen->size() : reader->num_documents();
    for (uint64_t k = 0; k < count; ++k) {
      const uint64_t d = chosen ? (*chosen)[k] : k;
      if (!chosen && options.max_docs > 0 && read >= options.max_docs) break;
      if (absl::Status st = reader->ReadDocument(d, doc); !st.ok()) return st;
      if (!doc.empty() && doc.back() == tokenizer::kEndOfText) doc.pop_back();
      for (size_t i = 0; i < doc.size(); ++i)
        if (doc[i] >= config.vocab_size)
          return absl::OutOfRangeError(absl::StrCat(shards[s].string(), ": document ", d, ", position ", i, ": token ",
                                                    doc[i], " is outside the model's vocab of ", config.vocab_size));
      PoolDoc p;
      p.shard = s;
      p.index = d;
      p.inputs.assign(1, tokenizer::kEndOfText);
      p.inputs.insert(p.inputs.end(), doc.begin(), doc.end());
      p.targets.assign(doc.begin(), doc.end());
      p.targets.push_back(tokenizer::kEndOfText);
      p.nll.assign(p.targets.size(), 0.0);
      for (const uint16_t t : doc) p.bytes += tok.TokenLength(t);
      pool.push_back(std::move(p));
      ++read;
      if (pool.size() >= pool_size)
        if (absl::Status st = flush(); !st.ok()) return st;
    }
  }
  if (absl::Status st = flush(); !st.ok()) return st;
  return all;
}

}  // namespace rwkvkit::refmodel

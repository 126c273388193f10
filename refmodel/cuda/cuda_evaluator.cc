// refmodel/cuda/cuda_evaluator.cc — see cuda_evaluator.h.
#include "refmodel/cuda/cuda_evaluator.h"

#include <algorithm>
#include <numeric>
#include <optional>
#include <span>

namespace rwkvkit::refmodel {
namespace {

// Runs every document of `pool` and fills its nll.
absl::Status RunPool(CudaModel& model, std::span<EvalDocument> pool, const CudaEvalOptions& o,
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
        const EvalDocument& d = pool[order[first + b]];
        for (int t = 0; t < T && w + t < d.inputs.size(); ++t) {
          tok[static_cast<size_t>(b) * T + t] = d.inputs[w + t];
          tgt[static_cast<size_t>(b) * T + t] = d.targets[w + t];
        }
      }
      nll.resize(tok.size());
      if (absl::Status s = model.ForwardNll(tok, tgt, B, T, *state, nll); !s.ok()) return s;
      for (int b = 0; b < B; ++b) {
        EvalDocument& d = pool[order[first + b]];
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
  EvalOptions protocol;
  protocol.max_docs = options.max_docs;
  protocol.documents = options.documents;
  protocol.window = options.window;
  std::optional<CudaModel::State> state;
  const EvalBackend gpu = [&](std::span<EvalDocument> pool) { return RunPool(model, pool, options, state); };
  return EvaluateWithBackend(model.config(), tok, shards, protocol, options.pool, gpu, sink);
}

}  // namespace rwkvkit::refmodel

// refmodel/eval/evaluator.h — per-token NLL of binidx documents under a model (the eval protocol).
//
// Protocol (docs/eval.md; exact): every document — one binidx sequence [t1..tn, 0] — is
// evaluated from a fresh state; the inputs are [0, t1..tn], the targets [t1..tn, 0]; NLL in
// nats. A document whose sequence lacks the final 0 still gets the 0 target. Perplexity =
// exp(mean NLL over all targets); bits per byte = sum NLL / ln 2 / the byte length of the
// documents' tokens (the vocab's token lengths; token 0 has none).
//
// EvaluateWithBackend is the protocol's one home: it chooses and reads the documents, checks their
// ids, builds inputs/targets and byte counts, hands batches to a backend that only fills the
// NLLs (the CPU forward here, the GPU in refmodel/cuda/cuda_evaluator.h), and sums the totals.
//
// Thread-safe: evaluations may run concurrently; the sink is called from the calling thread,
// in document order.
#ifndef RWKVKIT_REFMODEL_EVAL_EVALUATOR_H_
#define RWKVKIT_REFMODEL_EVAL_EVALUATOR_H_

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "refmodel/cpu/cpu_forward.h"
#include "tokenizer/tokenizer.h"

namespace rwkvkit::refmodel {

struct EvalOptions {
  uint64_t max_docs = 0;  // 0: all documents; else the first max_docs in shard order
  size_t window = 256;    // tokens per forward call
  // When set: per shard, the documents to evaluate, ascending (refmodel/eval/doc_sample.h);
  // max_docs is then ignored.
  std::optional<std::vector<std::vector<uint64_t>>> documents;
};

struct EvalTotals {
  uint64_t documents = 0;
  uint64_t tokens = 0;  // targets
  uint64_t bytes = 0;   // bytes of the targets' tokens
  double nll = 0;       // sum, nats

  void Add(const EvalTotals& o) {
    documents += o.documents;
    tokens += o.tokens;
    bytes += o.bytes;
    nll += o.nll;
  }
  double MeanNll() const { return tokens ? nll / static_cast<double>(tokens) : 0; }
  double Perplexity() const { return std::exp(MeanNll()); }
  double BitsPerByte() const { return bytes ? nll / std::log(2.0) / static_cast<double>(bytes) : 0; }
};

// One evaluated document: where it came from, its totals and its per-target NLLs.
struct DocumentResult {
  size_t shard = 0;           // index into the shard list
  uint64_t index_in_shard = 0;
  EvalTotals totals;
  std::span<const double> nll;
};
using DocumentSink = std::function<absl::Status(const DocumentResult&)>;

// One document as the protocol prepares it for a backend.
struct EvalDocument {
  size_t shard = 0;  // index into the shard list
  uint64_t index_in_shard = 0;
  std::vector<uint16_t> inputs;   // [0, t1..tn]
  std::vector<uint16_t> targets;  // [t1..tn, 0]
  uint64_t bytes = 0;             // UTF-8 bytes of t1..tn
  std::vector<double> nll;        // [targets.size()], zero until the backend fills it
};
// Fills `nll` of every document of the batch, each evaluated from a fresh state.
using EvalBackend = std::function<absl::Status(std::span<EvalDocument> batch)>;

// EvaluateWithBackend()
// The documents chosen by `options` (max_docs / documents; window is the backend's business),
// handed to `backend` in batches of up to `batch` documents in document order; the sink gets
// each batch's documents in that order after the backend returns.
// kDataLoss for a corrupt shard, kOutOfRange for a token id outside the model's vocab
// (naming shard, document and position), or the backend's or the sink's error.
absl::StatusOr<EvalTotals> EvaluateWithBackend(const ModelConfig& config, const tokenizer::Tokenizer& tok,
                                               const std::vector<std::filesystem::path>& shards,
                                               const EvalOptions& options, size_t batch, const EvalBackend& backend,
                                               const DocumentSink& sink);

// Evaluate()
// EvaluateWithBackend with the CPU forward as the backend, one document at a time, fed in windows of
// `options.window` tokens with the state carried across them (equal to one long pass).
// kDataLoss for a corrupt shard, kOutOfRange for a token id outside the model's vocab
// (naming shard, document and position), or the sink's error.
absl::StatusOr<EvalTotals> Evaluate(const CpuModel& model, const ModelConfig& config, const tokenizer::Tokenizer& tok,
                                    const std::vector<std::filesystem::path>& shards, const EvalOptions& options,
                                    const DocumentSink& sink);

}  // namespace rwkvkit::refmodel

#endif  // RWKVKIT_REFMODEL_EVAL_EVALUATOR_H_

// refmodel/cuda/cuda_evaluator.h — the GPU backend of the evaluation protocol
// (EvaluateWithBackend in refmodel/eval/evaluator.h, docs/eval.md), with many documents per launch.
//
// Packing: the protocol hands over pools of up to `pool` documents; each is sorted by length (longest
// first) and cut into batches; a batch of B documents runs as B rows of one CudaModel call per
// window of `window` tokens, each row with its own fresh state, shorter rows padded with token
// 0 (their padded targets are computed and dropped). B is chosen per batch so that
// B·min(window, longest) ≈ `target_rows` rows per launch, at most `max_batch` documents (the
// WKV state is L·H·N²·4 bytes per row: 12.6 MB for a 1.6B model). Results do not depend on
// how documents are batched beyond fp32 rounding inside the matrix products
// (tests/refmodel/cuda checks it). After each pool the sink gets its documents in document
// order, exactly as from Evaluate().
//
// Thread-compatible: one evaluation per CudaModel at a time.
#ifndef RWKVKIT_REFMODEL_CUDA_CUDA_EVALUATOR_H_
#define RWKVKIT_REFMODEL_CUDA_CUDA_EVALUATOR_H_

#include <filesystem>
#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "refmodel/cuda/cuda_model.h"
#include "refmodel/eval/evaluator.h"
#include "tokenizer/tokenizer.h"

namespace rwkvkit::refmodel {

struct CudaEvalOptions {
  uint64_t max_docs = 0;      // 0: all documents; else the first max_docs in shard order
  // When set: per shard, the documents to evaluate, ascending (max_docs is then ignored).
  std::optional<std::vector<std::vector<uint64_t>>> documents;
  size_t window = 256;        // tokens per row per launch (state carried across windows)
  size_t target_rows = 16384; // rows (B·T) per launch to aim for
  int max_batch = 256;        // documents per launch at most
  size_t pool = 4096;         // documents sorted and batched together
};

// EvaluateCuda()
// Same errors as Evaluate() (kDataLoss, kOutOfRange naming shard/document/position, the sink's),
// plus the CudaModel's errors.
absl::StatusOr<EvalTotals> EvaluateCuda(CudaModel& model, const tokenizer::Tokenizer& tok,
                                        const std::vector<std::filesystem::path>& shards,
                                        const CudaEvalOptions& options, const DocumentSink& sink);

}  // namespace rwkvkit::refmodel

#endif  // RWKVKIT_REFMODEL_CUDA_CUDA_EVALUATOR_H_

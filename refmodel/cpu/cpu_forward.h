// refmodel/cpu/cpu_forward.h — the CPU fp32 forward pass of RWKV-5.2 ("Eagle", x052), RWKV-6
// ("Finch", x060) and RWKV-7 ("Goose", x070): the readable reference twin of the CUDA forward
// (docs/conventions.md). It computes the equations of docs/refmodel.md as the official `rwkv`
// package does with strategy 'cpu fp32' (RWKV-7: docs/refmodel.md, "RWKV-7").
//
// Shapes (row-major fp32): State: att_x [L, D], ffn_x [L, D] (the LN1/LN2 output of the last
// token), wkv [L, H, N(key), N(value)] (v7: [L, H, N(value), N(key)]); Forward: logits [T, V];
// ForwardOne: logits [V]. Sequence and RNN mode differ only in the fp32 rounding order of the
// matrix products (~1e-5 relative on logits); a state carried across windows equals one pass.
//
// Threading: all parallelism is TBB; matrix products run as a fixed grid of single-threaded
// OpenBLAS calls, so results are bitwise identical for any thread count (the constructor sets
// OpenBLAS to one thread process-wide). CpuModel is immutable: Forward may run concurrently on
// different States. Accuracy, memory and speed: docs/refmodel.md, "The CPU forward".
// Not here: loading (model_weights.h), fp16/bf16 arithmetic, state-tuned states, batching.
#ifndef RWKVKIT_REFMODEL_CPU_CPU_FORWARD_H_
#define RWKVKIT_REFMODEL_CPU_CPU_FORWARD_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "refmodel/model_weights.h"

namespace rwkvkit::refmodel {

// StopBlasThreads()
// OpenBLAS's threaded builds start worker threads when the library is loaded, and they spin
// (sched_yield) for about 2^28 cycles waiting for work, a core's worth of CPU time in every
// short process. rwkvkit runs BLAS on one thread only (above), so they are stopped at once;
// a no-op where the loaded OpenBLAS lacks the call. Call it at the start of the process.
void StopBlasThreads();

class CpuModel {
 public:
  // Keeps a reference to `w`, which must outlive the model. The weights' sizes must match
  // w.config (LoadModel guarantees it; hand-built weights are checked and abort on mismatch).
  explicit CpuModel(const ModelWeights& w);

  // Per layer: att token-shift x [D], ffn token-shift x [D], wkv state [H, N, N] (fp32).
  struct State {
    std::vector<float> att_x, ffn_x, wkv;  // [L*D], [L*D], [L*H*N*N]
  };

  const ModelConfig& config() const { return w_.config; }

  // NewState()
  // All zeros: the state of a fresh document.
  State NewState() const;

  // Forward()
  // Sequence mode: logits for every position of `tokens` (each < V), continuing from `state`,
  // which is updated to the state after the last token. logits is resized to [T, V] row-major
  // fp32. An empty `tokens` leaves state unchanged and logits empty. A token >= V or a state of
  // the wrong size is a caller bug and aborts with a message.
  void Forward(std::span<const uint16_t> tokens, State& state, std::vector<float>& logits) const;

  // ForwardOne()
  // RNN mode: one token; logits [V] (logits.size() must be V).
  void ForwardOne(uint16_t token, State& state, std::span<float> logits) const;

 private:
  const ModelWeights& w_;
};

// TokenNll()
// logits: [T, vocab] fp32 row-major; targets: [T] (each < vocab); nll: [T] fp64, written.
// nll[i] = -log softmax(logits[i])[targets[i]] in nats, with the log-sum-exp in fp64.
void TokenNll(std::span<const float> logits, size_t vocab, std::span<const uint16_t> targets,
              std::span<double> nll);

}  // namespace rwkvkit::refmodel

#endif  // RWKVKIT_REFMODEL_CPU_CPU_FORWARD_H_

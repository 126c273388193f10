// refmodel/cpu/cpu_forward.h — the CPU fp32 forward pass of RWKV-5.2 ("Eagle", x052), RWKV-6
// ("Finch", x060) and RWKV-7 ("Goose", x070): the readable reference twin of the CUDA forward
// (docs/conventions.md). RWKV-7 follows the package's x070 CPU path (docs/refmodel.md, "RWKV-7"):
// static lerps, the four LoRAs, kk, the generalized delta-rule state, GN + r_k bonus, gate,
// ReLU² ChannelMix without receptance.
//
// What it computes (docs/refmodel.md, following the official `rwkv` package, strategy
// 'cpu fp32', where implementations differ): x = emb[token] (LN0 already folded into emb);
// per layer a = LN1(x), x += TimeMix(a, a_prev), b = LN2(x), x += ChannelMix(b, b_prev);
// logits = LN_out(x) @ head. LayerNorm eps 1e-5; GroupNorm over H groups with eps 64e-5 on the
// raw wkv output (no head_size_divisor division); u = time_first used as-is; v5.2 decay is the
// static w (already exp(-exp(.)) in ModelWeights), v6 decay is exp(-exp(d_t)) per token;
// the wkv step is y = r^T (u*k v^T + S), then S = k v^T + w*S, as in att_seq_v5_2/v6_0.
//
// Shapes (D = n_embd, A = n_att, H = n_head, N = head_size, F = n_ffn, V = vocab, L = n_layer,
// T = tokens in one call), all row-major fp32:
//   State: att_x [L, D] and ffn_x [L, D] (the LN1 / LN2 output of the last token seen),
//          wkv [L, H, N(key i), N(value j)] (the ChatRWKV Python layout, not the CUDA [H][j][i]);
//          for RWKV-7 wkv is [L, H, N(value i), N(key j)] (the package's x070 layout).
//   Forward: logits [T, V]. ForwardOne: logits [V].
//
// What is exact: sequence mode and RNN mode compute the same equations; they differ only in
// the order of fp32 rounding inside the matrix products (OpenBLAS sgemm for T > 1, sgemv for
// T = 1), so logits agree to ~1e-5 relative, and the state carried across windows gives the
// same logits as one long pass up to that same rounding. LayerNorm / GroupNorm statistics and
// TokenNll's log-sum-exp are accumulated in fp64; the wkv state and its sums are fp32.
// tests/refmodel/cpu checks per-token NLL against an independent float64 numpy model to
// 1e-5 nats (tiny models: worst 1.7e-6). On a random L=12 D=768 V=65536 model the worst
// token is off by ~3e-5 nats in sequence mode (median ~2e-6): fp32 rounding amplified at an
// ill-conditioned position; numpy in fp32 is off by 1e-5 at the same token, so any fp32 order,
// the official package's included, differs from exact by that much there.
//
// Memory: the model reads the caller's ModelWeights (no copy). Forward allocates scratch of
// about 4·T·(8·D + 8·A + F + 5·Dm) bytes per call plus the [T, V] logits the caller provides;
// pass windows of a few hundred to a few thousand tokens (a 1.6B model, T=1024: ~120 MB
// scratch + 256 MB logits). The State is L·(2·D + H·N²) floats (N = 64: ~66·D·L floats).
//
// Threading: all parallelism is TBB (use a tbb::task_arena or tbb::global_control to limit
// it). Matrix products run as a fixed grid of blocks of rows × columns, each one single-
// threaded OpenBLAS call; the wkv recurrence runs one task per head; norms and mixes run per
// token. The block grid does not depend on the thread count, so results are bitwise identical
// for any number of threads on a given machine and OpenBLAS build. The constructor sets
// OpenBLAS to one thread process-wide (openblas_set_num_threads(1)) so its own pool does not
// fight TBB. CpuModel is immutable after construction: Forward may run concurrently from
// several threads on different States.
//
// Not here: loading checkpoints (model_weights.h), fp16/bf16 arithmetic, the fp16 rescale
// (RESCALE_LAYER, which is exact up to rounding in fp32 and not applied), state-tuned initial
// states (time_state), batching several sequences into one call.
#ifndef RWKVKIT_REFMODEL_CPU_CPU_FORWARD_H_
#define RWKVKIT_REFMODEL_CPU_CPU_FORWARD_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "refmodel/model_weights.h"

namespace rwkvkit::refmodel {

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

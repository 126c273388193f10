// refmodel/cuda/ops.h — the small CUDA kernels of the GPU forward pass: embedding gather,
// LayerNorm, token shift with the v5.2 mix / v6 data-dependent lerp / v7 static lerps, tanh,
// GroupNorm with the SiLU gate (v5/v6) or with the r_k bonus and gate (v7), the v7
// key/value/decay preparation, squared ReLU, the sigmoid-gated residual add, the fp16 rescale,
// and the fused log-softmax + NLL over the vocab. Each one's CPU twin is the matching loop of
// refmodel/cpu/cpu_forward.cc. Arithmetic is fp32; only outputs that feed a matrix product are
// stored in the dtype T ∈ {float, __half, __nv_bfloat16}. Activations are row-major [M, width],
// M = B·T rows batch-major (row m = b·T + t), as kernels/wkv.h reads [B, T, H, N].
//
// Not here: matrix products (cuBLAS, in cuda_model.cc), the WKV recurrence (kernels/). No
// Abseil: launchers return the launch's cudaError_t (faults show at the next synchronizing
// call); asynchronous on `stream`, no allocation, no global state.
#ifndef RWKVKIT_REFMODEL_CUDA_OPS_H_
#define RWKVKIT_REFMODEL_CUDA_OPS_H_

#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include <cstddef>
#include <cstdint>

namespace rwkvkit::refmodel::cuda_ops {

// x[m, :] = emb[tokens[m], :]. tokens: [M] (each < V, checked by the caller); emb: [V, D] fp32.
cudaError_t Embed(const uint16_t* tokens, int M, int D, const float* emb, float* x, cudaStream_t s);

// y = LayerNorm(x) (eps 1e-5, biased variance, fp32 statistics). x: [M, D] fp32; w, b: [D];
// y: [M, D] of type Y (float or the model dtype).
template <typename Y>
cudaError_t LayerNorm(const float* x, int M, int D, const float* w, const float* b, Y* y, cudaStream_t s);

// Token shift + static mix (docs/refmodel.md). a: [B, T, D] fp32 (LN output); carry: [B, D] (the LN
// output of the token before a[b, 0]). prev = a[b, t-1] or carry[b]. For c < n (n ≤ kMaxMix):
//   v5 (v6 == false): out[c] = a·coef[c] + prev·(1 - coef[c])        (time_mix, μ weights a)
//   v6 (v6 == true):  out[c] = a + (prev - a)·coef[c]                 (time_maa, ChannelMix)
// coef[c]: [D] fp32; out[c]: [B, T, D] of T.
constexpr int kMaxMix = 6;  // v7's r, w, k, v, a, g
template <typename T>
struct MixArgs {
  const float* coef[kMaxMix];
  T* out[kMaxMix];
  int n;
};
template <typename T>
cudaError_t ShiftMix(const float* a, const float* carry, int B, int T_len, int D, bool v6, MixArgs<T> args,
                     cudaStream_t s);

// carry[b, :] = a[b, T-1, :]. a: [B, T, D]; carry: [B, D]. Call after every reader of carry.
cudaError_t CarryUpdate(const float* a, int B, int T_len, int D, float* carry, cudaStream_t s);

// v6 TimeMix, first half of the lerp (docs/refmodel.md): delta = prev - a (fp32, [B, T, D]);
// xxx = a + delta·maa_x (T, [B, T, D]). delta may be null (MaaApplyShift recomputes it).
template <typename T>
cudaError_t MaaPrepare(const float* a, const float* carry, int B, int T_len, int D, const float* maa_x, float* delta,
                       T* xxx, cudaStream_t s);

// v6, second half: for c in (w, k, v, r, g): out[c] = a + (prev - a)·(coef[c] + mout[c]), with
// prev - a recomputed from a and carry (no [M, D] delta buffer); mout: [5, M, D] of U, the dtype
// the batched LoRA product writes (tanh(xxx @ W1)[:, c] @ W2[c]); coef = time_maa_{w,k,v,r,g}.
// Reads carry: call before CarryUpdate. One block row per token row (no index division).
template <typename T, typename U>
cudaError_t MaaApplyShift(const float* a, const float* carry, int B, int T_len, int D, const U* mout,
                          MixArgs<T> args, cudaStream_t s);

// out = tanh(in). in: [n] fp32; out: [n] T.
template <typename T>
cudaError_t Tanh(const float* in, size_t n, T* out, cudaStream_t s);

// out = GroupNorm(y) ⊙ SiLU(g) (docs/refmodel.md): H groups of N (32, 64 or 128), eps 64e-5,
// biased variance, fp32 statistics, affine ln_w/ln_b [A]. y: [M, A] of Y (the WKV output); g: [M, A] of G (the
// dtype the gate product writes); out: [M, A] T.
template <typename T, typename G, typename Y = float>
cudaError_t GroupNormGate(const Y* y, const G* g, int M, int H, int N, const float* ln_w, const float* ln_b,
                          T* out, cudaStream_t s);

// x = max(x, 0)² in place, arithmetic in fp32. x: [n] T (ffn.key writes T).
template <typename T>
cudaError_t Relu2InPlace(T* x, size_t n, cudaStream_t s);

// x += sigmoid(r) ⊙ v, arithmetic in fp32. r, v: [n] of U (fp32, or the dtype when the
// products write it); x: [n] fp32 (the ChannelMix output).
template <typename U>
cudaError_t SigmoidMulAdd(const U* r, const U* v, size_t n, float* x, cudaStream_t s);

// x *= scale. x: [n] fp32 (the fp16 rescale).
cudaError_t Scale(float* x, size_t n, float scale, cudaStream_t s);

// ---- RWKV-7 (x070; docs/refmodel.md) --------------------------------------------------------

// Token shift + the six static lerps of x070 TimeMix: out[c] = a + (prev - a)·coef[c] for c in
// r, w, k, v, a, g (ShiftMix with v6 == true and n = 6). a: [B, T, D] fp32; carry: [B, D]; coef[c]: [D] fp32; out[c]: [B, T, D] T.
template <typename T>
struct V7MixArgs {
  const float* coef[6];
  T* out[6];
};
template <typename T>
cudaError_t V7ShiftMix(const float* a, const float* carry, int B, int T_len, int D, V7MixArgs<T> args,
                       cudaStream_t s);

// x := act(x) in place, arithmetic in fp32: kind 't' tanh, 's' sigmoid. x: [n] T.
template <typename T>
cudaError_t ActivateInPlace(T* x, size_t n, char kind, cudaStream_t s);

// Everything between the products and the WKV-7 kernel, one warp per (row, head) (N = 32 or
// 64), fp32 arithmetic, in the order of refmodel/cpu TimeMix7:
//   d = w0 + decay_lora (the decay logit, kernels/wkv7.h takes it raw);  ρ = σ(a0 + iclr_lora)
//   kk = (k⊙k_k) / max(‖k⊙k_k‖₂ per head, 1e-12);  k := k⊙(1 + (ρ - 1)⊙k_a)
//   layer 0: v_first = v;  else v := v + (v_first - v)⊙σ(v0 + v_lora)
//   a_out = -kk;  b_out = kk⊙ρ
// k, v: [M, D] T, updated in place; decay_lora, iclr_lora, v_lora: [M, D] of L (v_lora null in
// layer 0); v_first: [M, D] of L (written in layer 0, read after); w0, a0, v0, k_k, k_a: [D];
// d_out, a_out, b_out: [M, D] T.
template <typename T, typename L = float>
struct V7PrepareArgs {
  T *k, *v;
  const L *decay_lora, *iclr_lora, *v_lora;
  L* v_first;
  const float *w0, *a0, *v0, *k_k, *k_a;
  T *d_out, *a_out, *b_out;
};
template <typename T, typename L = float>
cudaError_t V7Prepare(int M, int H, int N, V7PrepareArgs<T, L> args, cudaStream_t s);

// out = (GroupNorm(y) + (Σ_j r·k·r_k per head)·v) ⊙ g: H groups of N (32 or 64), eps 64e-5,
// fp32 statistics, affine ln_w/ln_b [D]; r_k [D]. y, r, k, v, g, out: [M, D] T (k and v the
// modified ones, as the WKV kernel read them).
template <typename T>
cudaError_t V7GroupNormBonusGate(const T* y, const T* r, const T* k, const T* v, const T* g, const float* r_k,
                                 int M, int H, int N, const float* ln_w, const float* ln_b, T* out, cudaStream_t s);

// nll[m] = log Σ_j exp(logits[m, j]) - logits[m, targets[m]] (nats): one block per row, one
// pass (online max and sum in fp32 per thread), the block's merge in fp64. logits: [M, V] of L
// (fp32, or the dtype: the head product writes the dtype, as the `rwkv` package's
// head does, so no fp32 logits exist); targets: [M] (each < V); nll: [M] fp64.
template <typename L>
cudaError_t TokenNll(const L* logits, int M, int V, const uint16_t* targets, double* nll, cudaStream_t s);

}  // namespace rwkvkit::refmodel::cuda_ops

#endif  // RWKVKIT_REFMODEL_CUDA_OPS_H_

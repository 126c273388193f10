// kernels/wkv7.h — CUDA WKV-7 ("Goose", x070) forward with a carried fp32 state: the generalized
// delta rule of docs/refmodel.md ("RWKV-7"). Its CPU twin, the spec in code, is
// Wkv7ForwardReference (kernels/wkv_reference.h); tests/kernels/wkv7_test.cc checks the
// launchers against it.
//
// Per batch b, head h, value channel i, key channel j, token t in order (state S[i][j]):
//   w[j]    = exp(-0.606531 · σ(d[t,j]))                 (the package's constant, fp32)
//   sa[i]   = Σ_j S[i][j] · a[t,j]                        (S before this token)
//   S[i][j] = S[i][j] · w[j] + sa[i] · b[t,j] + v[t,i] · k[t,j]
//   y[t,i]  = Σ_j S[i][j] · r[t,j]                        (after the update)
// For RWKV-7, a = -kk and b = kk ⊙ (in-context rate); k is the modified key.
//
// One implementation, in two tilings of the same loop:
// - Wkv7Forward: one block per (batch, head), one thread per value row i holding S[i][:] in
//   registers; the per-token vectors (r, decay, k, a, b) of kChunk tokens are staged in shared
//   memory at a time (fp32), so there are two barriers per chunk instead of one per token. The
//   production path (bench/kernels/wkv7_variants.cu has the measured alternatives).
// - Wkv7ForwardSequential: the same with one token per stage (a barrier per token): the plain
//   form the staged one is timed against.
//
// Dtypes: r, d, k, v, a, b and y are T in {float, __half, __nv_bfloat16}; the decay factor,
// arithmetic, accumulation and the state are fp32. The decay comes in as the raw logit d
// (w0 + LoRA), not as the factor: a factor near 1 stored in bf16 would lose 1 - w.
//
// Layout (contiguous, row-major): r, d, k, v, a, b, y: [B, T, H, N]; state: [B, H, N(value i),
// N(key j)] fp32 (value-major: the `rwkv` package's x070 layout and refmodel/cpu's for v7), read as
// the state before token 0 and overwritten with the state after token T-1. Two calls with the
// state carried equal one call (the same fp32 operations in the same order).
//
// Supported head sizes: N = 64 (every released x070 model) and 32. Anything else, a null pointer
// or a negative size returns cudaErrorInvalidValue without launching; T = 0 is a no-op. Launches
// are asynchronous on `stream`; no allocation, no global state.
#ifndef RWKVKIT_KERNELS_WKV7_H_
#define RWKVKIT_KERNELS_WKV7_H_

#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>

namespace rwkvkit::kernels {

template <typename T>
cudaError_t Wkv7Forward(int B, int T_len, int H, int N, const T* r, const T* d, const T* k, const T* v,
                        const T* a, const T* b, float* state, T* y, cudaStream_t stream = nullptr);

template <typename T>
cudaError_t Wkv7ForwardSequential(int B, int T_len, int H, int N, const T* r, const T* d, const T* k,
                                  const T* v, const T* a, const T* b, float* state, T* y,
                                  cudaStream_t stream = nullptr);

}  // namespace rwkvkit::kernels

#endif  // RWKVKIT_KERNELS_WKV7_H_

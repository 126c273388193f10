// kernels/wkv7.h — CUDA WKV-7 ("Goose", x070) forward with a carried fp32 state: the generalized
// delta rule of docs/refmodel.md ("RWKV-7"). CPU twin: Wkv7ForwardReference
// (kernels/wkv_reference.h); tests/kernels/wkv7_test.cc checks the launchers against it.
// Per head, value channel i, key channel j, token t in order: w[j] = exp(-0.606531·σ(d[t,j]));
// sa[i] = Σ_j S[i][j]·a[t,j]; S[i][j] = S[i][j]·w[j] + sa[i]·b[t,j] + v[t,i]·k[t,j];
// y[t,i] = Σ_j S[i][j]·r[t,j]. Wkv7Forward stages 8 tokens per barrier pair and prefetches the
// next stage while one runs (production); Wkv7ForwardSequential stages one (baseline). Details:
// docs/kernels_notes.md.
//
// Dtypes: r, d, k, v, a, b, y are T ∈ {float, __half, __nv_bfloat16}; the decay (from the raw
// logit d), arithmetic and the state are fp32. Layout: [B, T, H, N] row-major; state [B, H,
// N(value), N(key)] fp32, read before token 0 and overwritten after token T-1. N = 64 or 32;
// anything else, a null pointer or a negative size returns cudaErrorInvalidValue without
// launching; T = 0 is a no-op. Asynchronous on `stream`; no allocation, no global state.
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

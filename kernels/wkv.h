// kernels/wkv.h — CUDA WKV-5.2 ("Eagle") and WKV-6 ("Finch") forward with a carried fp32 state
// (the recurrence and its chunked form: docs/refmodel.md, equations). CPU twin:
// kernels/wkv_reference.h; tests/kernels/wkv_test.cc checks every launcher against it.
// Wkv{5,6}Forward is the chunked production path (16-token chunks); Wkv{5,6}ForwardSequential
// is the plain token-by-token baseline. How the chunked kernel works: docs/kernels_notes.md.
//
// Dtypes: r, k, v, y are T ∈ {float, __half, __nv_bfloat16}; w, u, arithmetic and the state are
// fp32. Layout (row-major): r, k, v, y [B, T, H, N]; w [B, T, H, N] (v6) or [H, N] (v5.2), the
// factor exp(-exp(d)) ∈ [0, 1]; u [H, N]; state [B, H, N(key), N(value)], read before token 0
// and overwritten after token T-1 (two calls with the state carried equal one).
//
// N = 32 or 64; anything else, a null pointer or a negative size returns cudaErrorInvalidValue
// without launching; T = 0 is a no-op. Asynchronous on `stream` (kernel faults surface at the
// next synchronizing call); no allocation, no global state.
#ifndef RWKVKIT_KERNELS_WKV_H_
#define RWKVKIT_KERNELS_WKV_H_

#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>

namespace rwkvkit::kernels {

// Chunked (production) kernels. Shapes as in the banner.
template <typename T>
cudaError_t Wkv5Forward(int B, int T_len, int H, int N, const T* r, const T* k, const T* v,
                        const float* w, const float* u, float* state, T* y,
                        cudaStream_t stream = nullptr);
template <typename T>
cudaError_t Wkv6Forward(int B, int T_len, int H, int N, const T* r, const T* k, const T* v,
                        const float* w, const float* u, float* state, T* y,
                        cudaStream_t stream = nullptr);

// Wkv6Forward with the decay factor made inside the kernel: w = exp(-exp(time_decay + d)) per
// element, d: [B, T, H, N] fp32 (the raw per-token decay, the LoRA output), time_decay: [H, N]
// fp32. The same fp32 expf calls as computing w first, so the result equals Wkv6Forward on that
// w bit for bit; it saves the evaluator a read and a write of [B, T, H, N] fp32 per layer.
template <typename T>
cudaError_t Wkv6ForwardRawDecay(int B, int T_len, int H, int N, const T* r, const T* k,
                                const T* v, const float* d, const float* time_decay,
                                const float* u, float* state, T* y,
                                cudaStream_t stream = nullptr);

// Sequential (checker baseline) kernels. Same arguments and results.
template <typename T>
cudaError_t Wkv5ForwardSequential(int B, int T_len, int H, int N, const T* r, const T* k,
                                  const T* v, const float* w, const float* u, float* state, T* y,
                                  cudaStream_t stream = nullptr);
template <typename T>
cudaError_t Wkv6ForwardSequential(int B, int T_len, int H, int N, const T* r, const T* k,
                                  const T* v, const float* w, const float* u, float* state, T* y,
                                  cudaStream_t stream = nullptr);

}  // namespace rwkvkit::kernels

#endif  // RWKVKIT_KERNELS_WKV_H_

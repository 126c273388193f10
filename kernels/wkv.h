// kernels/wkv.h — CUDA WKV-5.2 ("Eagle") and WKV-6 ("Finch") forward with a carried fp32 state
// (the recurrence and its chunked form: docs/refmodel.md, equations); its CPU twin, the spec in
// code, is kernels/wkv_reference.h, and tests/kernels/wkv_test.cu checks every launcher here
// against it.
//
// Two implementations of the same function:
// - Wkv{5,6}Forward: the chunked formulation (docs/refmodel.md), chunks of 16 tokens: an intra-chunk
//   lower-triangular matrix built from normalized cumulative log2-decays (every exponent is a
//   difference G_a - G_b <= 0, so no unnormalized exp(-G) is ever formed), and the inter-chunk
//   part as two small dense products with the state held in registers. The production path.
// - Wkv{5,6}ForwardSequential: one block per (batch, head), one thread per value channel, the
//   plain token-by-token recurrence. Slow (a barrier per token) but obviously right: the GPU
//   baseline the chunked kernel is compared and timed against.
//
// Dtypes: r, k, v and y are T in {float, __half, __nv_bfloat16}; arithmetic, accumulation and the
// state are fp32. w and u are always fp32: a decay factor near 1 in bf16 (spacing 2^-8 there)
// would change 1 - w, and with it the memory length, by up to ~50% for slow channels; fp32 is
// also what the `rwkv` package passes (its "eew" and time_first tensors).
//
// Layout (all contiguous, row-major):
//   r, k, v, y: [B, T, H, N];  w: [B, T, H, N] (v6, per token) or [H, N] (v5.2, per channel);
//   u (time_first): [H, N];  state: [B, H, N(key i), N(value j)] fp32, key-major like
//   refmodel/cpu (NOT the ChatRWKV CUDA value-major layout), read as the state before token 0
//   and overwritten with the state after token T-1. Feeding the tokens in two calls with the
//   state carried gives the same result as one call (up to fp32 rounding).
// w is the decay factor exp(-exp(d)) in [0, 1]; the chunked kernel works with max(log2 w, -100),
// so a factor below 2^-100 acts as 2^-100 (no visible difference in fp32).
//
// Supported head sizes: N = 32 and 64 (every released model has 64). Anything else, a null
// pointer or a negative size returns cudaErrorInvalidValue without launching; T = 0 is a no-op.
// Launches are asynchronous on `stream`; the return value is the launch's error (the kernel's
// own faults surface at the next synchronizing call). No allocation, no global state: calls on
// different streams with disjoint outputs may run concurrently.
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

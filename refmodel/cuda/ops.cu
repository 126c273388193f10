// refmodel/cuda/ops.cu — see ops.h. Plain one-thread-per-element kernels and one-block-per-row
// reductions; none of them is tuned yet (the matrix products and the WKV kernel dominate a
// layer; docs/benchmarks.md has the measured split once profiled).
#include "refmodel/cuda/ops.h"

#include "kernels/dtype_convert.cuh"

#include <algorithm>
#include <cfloat>

namespace rwkvkit::refmodel::cuda_ops {
namespace {

constexpr int kThreads = 256;
constexpr float kLayerNormEps = 1e-5f;   // PyTorch LayerNorm default (spec §0)
constexpr float kGroupNormEps = 64e-5f;  // spec §1.3

using kernels::FromFloat;
using kernels::ToFloat;

unsigned Blocks(size_t n) { return static_cast<unsigned>((n + kThreads - 1) / kThreads); }

// Sum over the block (blockDim.x == kThreads); every thread gets the result.
template <typename Acc>
__device__ Acc BlockSum(Acc v, Acc* shared) {
  for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
  __syncthreads();  // shared may still be read by a previous call
  if (lane == 0) shared[warp] = v;
  __syncthreads();
  Acc t = 0;
  for (int i = 0; i < kThreads / 32; ++i) t += shared[i];
  return t;
}

__device__ float BlockMax(float v, float* shared) {
  for (int o = 16; o > 0; o >>= 1) v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, o));
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
  __syncthreads();
  if (lane == 0) shared[warp] = v;
  __syncthreads();
  float t = -FLT_MAX;
  for (int i = 0; i < kThreads / 32; ++i) t = fmaxf(t, shared[i]);
  return t;
}

__global__ void EmbedKernel(const uint16_t* tokens, int M, int D, const float* emb, float* x) {
  const size_t i = blockIdx.x * static_cast<size_t>(blockDim.x) + threadIdx.x;
  if (i >= static_cast<size_t>(M) * D) return;
  const size_t m = i / D, c = i % D;
  x[i] = emb[static_cast<size_t>(tokens[m]) * D + c];
}

// Two passes over the row (mean, then centred variance), as the CPU twin does.
template <typename Y>
__global__ void LayerNormKernel(const float* x, int D, const float* w, const float* b, Y* y) {
  __shared__ float shared[kThreads / 32];
  const float* xr = x + static_cast<size_t>(blockIdx.x) * D;
  Y* yr = y + static_cast<size_t>(blockIdx.x) * D;
  float s = 0;
  for (int i = threadIdx.x; i < D; i += kThreads) s += xr[i];
  const float mean = BlockSum(s, shared) / D;
  float q = 0;
  for (int i = threadIdx.x; i < D; i += kThreads) q += (xr[i] - mean) * (xr[i] - mean);
  const float rstd = rsqrtf(BlockSum(q, shared) / D + kLayerNormEps);
  for (int i = threadIdx.x; i < D; i += kThreads) yr[i] = FromFloat<Y>((xr[i] - mean) * rstd * w[i] + b[i]);
}

template <typename T>
__global__ void ShiftMixKernel(const float* a, const float* carry, int T_len, int D, size_t total, bool v6,
                               MixArgs<T> args) {
  const size_t i = blockIdx.x * static_cast<size_t>(blockDim.x) + threadIdx.x;
  if (i >= total) return;
  const size_t m = i / D;
  const int c = static_cast<int>(i % D);
  const int t = static_cast<int>(m % T_len);
  const float x = a[i];
  const float p = t == 0 ? carry[(m / T_len) * D + c] : a[i - D];
  for (int k = 0; k < args.n; ++k) {
    const float mu = args.coef[k][c];
    args.out[k][i] = FromFloat<T>(v6 ? x + (p - x) * mu : x * mu + p * (1.0f - mu));
  }
}

__global__ void CarryUpdateKernel(const float* a, int B, int T_len, int D, float* carry) {
  const size_t i = blockIdx.x * static_cast<size_t>(blockDim.x) + threadIdx.x;
  if (i >= static_cast<size_t>(B) * D) return;
  const size_t b = i / D, c = i % D;
  carry[i] = a[(b * T_len + T_len - 1) * D + c];
}

template <typename T>
__global__ void MaaPrepareKernel(const float* a, const float* carry, int T_len, int D, size_t total,
                                 const float* maa_x, float* delta, T* xxx) {
  const size_t i = blockIdx.x * static_cast<size_t>(blockDim.x) + threadIdx.x;
  if (i >= total) return;
  const size_t m = i / D;
  const int c = static_cast<int>(i % D);
  const int t = static_cast<int>(m % T_len);
  const float x = a[i];
  const float p = t == 0 ? carry[(m / T_len) * D + c] : a[i - D];
  const float d = p - x;
  if (delta != nullptr) delta[i] = d;
  xxx[i] = FromFloat<T>(x + d * maa_x[c]);
}

template <typename T>
__global__ void MaaApplyKernel(const float* a, const float* delta, const float* mout, size_t total, int D,
                               MixArgs<T> args) {
  const size_t i = blockIdx.x * static_cast<size_t>(blockDim.x) + threadIdx.x;
  if (i >= total) return;
  const int c = static_cast<int>(i % D);
  const float x = a[i], d = delta[i];
  for (int k = 0; k < 5; ++k) args.out[k][i] = FromFloat<T>(x + d * (args.coef[k][c] + mout[k * total + i]));
}

// grid (ceil(D / kThreads), ≤ 65535): block row y walks the token rows m = y, y + gridDim.y, ...
template <typename T, typename U>
__global__ void MaaApplyShiftKernel(const float* a, const float* carry, int M, int T_len, int D, const U* mout,
                                    MixArgs<T> args) {
  const int c = blockIdx.x * kThreads + threadIdx.x;
  if (c >= D) return;
  const size_t total = static_cast<size_t>(M) * D;
  for (int m = blockIdx.y; m < M; m += gridDim.y) {
    const size_t i = static_cast<size_t>(m) * D + c;
    const int t = m % T_len;
    const float x = a[i];
    const float p = t == 0 ? carry[static_cast<size_t>(m / T_len) * D + c] : a[i - D];
    const float d = p - x;
    for (int k = 0; k < 5; ++k)
      args.out[k][i] = FromFloat<T>(x + d * (args.coef[k][c] + ToFloat(mout[k * total + i])));
  }
}

template <typename T>
__global__ void TanhKernel(const float* in, size_t n, T* out) {
  const size_t i = blockIdx.x * static_cast<size_t>(blockDim.x) + threadIdx.x;
  if (i < n) out[i] = FromFloat<T>(tanhf(in[i]));
}

__global__ void DecayExpKernel(float* w, const float* time_decay, size_t total, int A) {
  const size_t i = blockIdx.x * static_cast<size_t>(blockDim.x) + threadIdx.x;
  if (i < total) w[i] = expf(-expf(time_decay[i % A] + w[i]));
}

// One warp per (row, head); each lane holds N/32 values.
template <typename T, typename G>
__global__ void GroupNormGateKernel(const float* y, const G* g, int M, int H, int N, const float* ln_w,
                                    const float* ln_b, T* out) {
  const int warp = static_cast<int>((blockIdx.x * static_cast<size_t>(blockDim.x) + threadIdx.x) >> 5);
  const int lane = threadIdx.x & 31;
  if (warp >= M * H) return;  // whole warps leave together (M·H·32 threads are launched in whole warps)
  const int h = warp % H;
  const size_t base = static_cast<size_t>(warp) * N;  // row m = warp / H, head h: (m·H + h)·N
  float s = 0;
  for (int j = lane; j < N; j += 32) s += y[base + j];
  for (int o = 16; o > 0; o >>= 1) s += __shfl_xor_sync(0xffffffffu, s, o);
  const float mean = s / N;
  float q = 0;
  for (int j = lane; j < N; j += 32) q += (y[base + j] - mean) * (y[base + j] - mean);
  for (int o = 16; o > 0; o >>= 1) q += __shfl_xor_sync(0xffffffffu, q, o);
  const float rstd = rsqrtf(q / N + kGroupNormEps);
  for (int j = lane; j < N; j += 32) {
    const int c = h * N + j;
    const float gv = ToFloat(g[base + j]);
    const float silu = gv / (1.0f + expf(-gv));
    out[base + j] = FromFloat<T>(((y[base + j] - mean) * rstd * ln_w[c] + ln_b[c]) * silu);
  }
}

template <typename T>
__global__ void Relu2Kernel(const float* in, size_t n, T* out) {
  const size_t i = blockIdx.x * static_cast<size_t>(blockDim.x) + threadIdx.x;
  if (i >= n) return;
  const float z = fmaxf(in[i], 0.0f);
  out[i] = FromFloat<T>(z * z);
}

// Element i of each group of kVec handled by one thread (16-byte loads for 2-byte T when n and
// the pointer allow; the scratch is 256-byte aligned).
template <typename T>
__global__ void Relu2InPlaceKernel(T* x, size_t n) {
  constexpr int kVec = 16 / sizeof(T);
  const size_t g = blockIdx.x * static_cast<size_t>(blockDim.x) + threadIdx.x;
  if ((g + 1) * kVec <= n) {
    uint4 raw = reinterpret_cast<const uint4*>(x)[g];
    T* e = reinterpret_cast<T*>(&raw);
    for (int j = 0; j < kVec; ++j) {
      const float z = fmaxf(ToFloat(e[j]), 0.0f);
      e[j] = FromFloat<T>(z * z);
    }
    reinterpret_cast<uint4*>(x)[g] = raw;
  } else {
    for (size_t i = g * kVec; i < n; ++i) {
      const float z = fmaxf(ToFloat(x[i]), 0.0f);
      x[i] = FromFloat<T>(z * z);
    }
  }
}

template <typename U>
__global__ void SigmoidMulAddKernel(const U* r, const U* v, size_t n, float* x) {
  const size_t i = blockIdx.x * static_cast<size_t>(blockDim.x) + threadIdx.x;
  if (i < n) x[i] += ToFloat(v[i]) / (1.0f + expf(-ToFloat(r[i])));
}

__global__ void ScaleKernel(float* x, size_t n, float scale) {
  const size_t i = blockIdx.x * static_cast<size_t>(blockDim.x) + threadIdx.x;
  if (i < n) x[i] *= scale;
}

__global__ void TokenNllKernel(const float* logits, int V, const uint16_t* targets, double* nll) {
  __shared__ float fshared[kThreads / 32];
  __shared__ double dshared[kThreads / 32];
  const float* row = logits + static_cast<size_t>(blockIdx.x) * V;
  float mx = -FLT_MAX;
  for (int i = threadIdx.x; i < V; i += kThreads) mx = fmaxf(mx, row[i]);
  mx = BlockMax(mx, fshared);
  double sum = 0;
  for (int i = threadIdx.x; i < V; i += kThreads) sum += static_cast<double>(expf(row[i] - mx));
  sum = BlockSum(sum, dshared);
  if (threadIdx.x == 0) nll[blockIdx.x] = static_cast<double>(mx) + log(sum) - static_cast<double>(row[targets[blockIdx.x]]);
}

}  // namespace

cudaError_t Embed(const uint16_t* tokens, int M, int D, const float* emb, float* x, cudaStream_t s) {
  const size_t n = static_cast<size_t>(M) * D;
  if (n == 0) return cudaSuccess;
  EmbedKernel<<<Blocks(n), kThreads, 0, s>>>(tokens, M, D, emb, x);
  return cudaGetLastError();
}

template <typename Y>
cudaError_t LayerNorm(const float* x, int M, int D, const float* w, const float* b, Y* y, cudaStream_t s) {
  if (M == 0) return cudaSuccess;
  LayerNormKernel<Y><<<M, kThreads, 0, s>>>(x, D, w, b, y);
  return cudaGetLastError();
}

template <typename T>
cudaError_t ShiftMix(const float* a, const float* carry, int B, int T_len, int D, bool v6, MixArgs<T> args,
                     cudaStream_t s) {
  const size_t n = static_cast<size_t>(B) * T_len * D;
  if (n == 0) return cudaSuccess;
  ShiftMixKernel<T><<<Blocks(n), kThreads, 0, s>>>(a, carry, T_len, D, n, v6, args);
  return cudaGetLastError();
}

cudaError_t CarryUpdate(const float* a, int B, int T_len, int D, float* carry, cudaStream_t s) {
  const size_t n = static_cast<size_t>(B) * D;
  if (n == 0 || T_len == 0) return cudaSuccess;
  CarryUpdateKernel<<<Blocks(n), kThreads, 0, s>>>(a, B, T_len, D, carry);
  return cudaGetLastError();
}

template <typename T>
cudaError_t MaaPrepare(const float* a, const float* carry, int B, int T_len, int D, const float* maa_x, float* delta,
                       T* xxx, cudaStream_t s) {
  const size_t n = static_cast<size_t>(B) * T_len * D;
  if (n == 0) return cudaSuccess;
  MaaPrepareKernel<T><<<Blocks(n), kThreads, 0, s>>>(a, carry, T_len, D, n, maa_x, delta, xxx);
  return cudaGetLastError();
}

template <typename T>
cudaError_t MaaApply(const float* a, const float* delta, const float* mout, int M, int D, MixArgs<T> args,
                     cudaStream_t s) {
  const size_t n = static_cast<size_t>(M) * D;
  if (n == 0) return cudaSuccess;
  MaaApplyKernel<T><<<Blocks(n), kThreads, 0, s>>>(a, delta, mout, n, D, args);
  return cudaGetLastError();
}

template <typename T, typename U>
cudaError_t MaaApplyShift(const float* a, const float* carry, int B, int T_len, int D, const U* mout,
                          MixArgs<T> args, cudaStream_t s) {
  const int M = B * T_len;
  if (M == 0 || D == 0) return cudaSuccess;
  const dim3 grid(Blocks(D), static_cast<unsigned>(std::min(M, 65535)));
  MaaApplyShiftKernel<T, U><<<grid, kThreads, 0, s>>>(a, carry, M, T_len, D, mout, args);
  return cudaGetLastError();
}

template <typename T>
cudaError_t Tanh(const float* in, size_t n, T* out, cudaStream_t s) {
  if (n == 0) return cudaSuccess;
  TanhKernel<T><<<Blocks(n), kThreads, 0, s>>>(in, n, out);
  return cudaGetLastError();
}

cudaError_t DecayExp(float* w, const float* time_decay, int M, int A, cudaStream_t s) {
  const size_t n = static_cast<size_t>(M) * A;
  if (n == 0) return cudaSuccess;
  DecayExpKernel<<<Blocks(n), kThreads, 0, s>>>(w, time_decay, n, A);
  return cudaGetLastError();
}

template <typename T, typename G>
cudaError_t GroupNormGate(const float* y, const G* g, int M, int H, int N, const float* ln_w, const float* ln_b,
                          T* out, cudaStream_t s) {
  if (N % 32 != 0) return cudaErrorInvalidValue;
  const size_t n = static_cast<size_t>(M) * H * 32;
  if (n == 0) return cudaSuccess;
  GroupNormGateKernel<T, G><<<Blocks(n), kThreads, 0, s>>>(y, g, M, H, N, ln_w, ln_b, out);
  return cudaGetLastError();
}

template <typename T>
cudaError_t Relu2(const float* in, size_t n, T* out, cudaStream_t s) {
  if (n == 0) return cudaSuccess;
  Relu2Kernel<T><<<Blocks(n), kThreads, 0, s>>>(in, n, out);
  return cudaGetLastError();
}

template <typename T>
cudaError_t Relu2InPlace(T* x, size_t n, cudaStream_t s) {
  constexpr size_t kVec = 16 / sizeof(T);
  if (n == 0) return cudaSuccess;
  Relu2InPlaceKernel<T><<<Blocks((n + kVec - 1) / kVec), kThreads, 0, s>>>(x, n);
  return cudaGetLastError();
}

template <typename U>
cudaError_t SigmoidMulAdd(const U* r, const U* v, size_t n, float* x, cudaStream_t s) {
  if (n == 0) return cudaSuccess;
  SigmoidMulAddKernel<U><<<Blocks(n), kThreads, 0, s>>>(r, v, n, x);
  return cudaGetLastError();
}

cudaError_t Scale(float* x, size_t n, float scale, cudaStream_t s) {
  if (n == 0) return cudaSuccess;
  ScaleKernel<<<Blocks(n), kThreads, 0, s>>>(x, n, scale);
  return cudaGetLastError();
}

cudaError_t TokenNll(const float* logits, int M, int V, const uint16_t* targets, double* nll, cudaStream_t s) {
  if (M == 0) return cudaSuccess;
  TokenNllKernel<<<M, kThreads, 0, s>>>(logits, V, targets, nll);
  return cudaGetLastError();
}

#define RWKVKIT_OPS_INSTANTIATE(T)                                                                                  \
  template cudaError_t LayerNorm<T>(const float*, int, int, const float*, const float*, T*, cudaStream_t);          \
  template cudaError_t ShiftMix<T>(const float*, const float*, int, int, int, bool, MixArgs<T>, cudaStream_t);      \
  template cudaError_t MaaPrepare<T>(const float*, const float*, int, int, int, const float*, float*, T*,           \
                                     cudaStream_t);                                                                 \
  template cudaError_t MaaApply<T>(const float*, const float*, const float*, int, int, MixArgs<T>, cudaStream_t);   \
  template cudaError_t Tanh<T>(const float*, size_t, T*, cudaStream_t);                                             \
  template cudaError_t GroupNormGate<T, float>(const float*, const float*, int, int, int, const float*,            \
                                               const float*, T*, cudaStream_t);                                     \
  template cudaError_t MaaApplyShift<T, float>(const float*, const float*, int, int, int, const float*,            \
                                               MixArgs<T>, cudaStream_t);                                           \
  template cudaError_t Relu2InPlace<T>(T*, size_t, cudaStream_t);                                                   \
  template cudaError_t SigmoidMulAdd<T>(const T*, const T*, size_t, float*, cudaStream_t);                          \
  template cudaError_t Relu2<T>(const float*, size_t, T*, cudaStream_t);
RWKVKIT_OPS_INSTANTIATE(float)
RWKVKIT_OPS_INSTANTIATE(__half)
RWKVKIT_OPS_INSTANTIATE(__nv_bfloat16)
#undef RWKVKIT_OPS_INSTANTIATE
// the 2-byte dtypes' fused path reads g and mout in the dtype (for float these are the above)
#define RWKVKIT_OPS_INSTANTIATE_HALF(T)                                                                            \
  template cudaError_t GroupNormGate<T, T>(const float*, const T*, int, int, int, const float*, const float*, T*,  \
                                           cudaStream_t);                                                           \
  template cudaError_t MaaApplyShift<T, T>(const float*, const float*, int, int, int, const T*, MixArgs<T>,        \
                                           cudaStream_t);
RWKVKIT_OPS_INSTANTIATE_HALF(__half)
RWKVKIT_OPS_INSTANTIATE_HALF(__nv_bfloat16)
#undef RWKVKIT_OPS_INSTANTIATE_HALF

}  // namespace rwkvkit::refmodel::cuda_ops

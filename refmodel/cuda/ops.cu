// refmodel/cuda/ops.cu — see ops.h. Elementwise kernels (the shift/mix ones walk token rows with
// 4 channels per thread and aligned vector accesses), one-block-per-row reductions (LayerNorm,
// the NLL) and one warp per GroupNorm group. Per-kernel times before and after each change:
// docs/kernels_notes.md (bench/kernels/run_device.sh profile).
#include "refmodel/cuda/ops.h"

#include "kernels/dtype_convert.cuh"

#include <algorithm>
#include <cfloat>

namespace rwkvkit::refmodel::cuda_ops {
namespace {

constexpr int kThreads = 256;
constexpr float kLayerNormEps = 1e-5f;   // PyTorch LayerNorm default (docs/refmodel.md)
constexpr float kGroupNormEps = 64e-5f;  // docs/refmodel.md

using kernels::FromFloat;
using kernels::ToFloat;

unsigned Blocks(size_t n) { return static_cast<unsigned>((n + kThreads - 1) / kThreads); }

// Sum over the warp; every lane gets the result.
template <typename Acc>
__device__ __forceinline__ Acc WarpSum(Acc v) {
  for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
  return v;
}

// GroupNorm of one head's N = 32·kE values, held kE per lane of a warp (any order), given their
// mean: 1/sqrt(centred variance + eps), the second pass of the two-pass form, from registers.
template <int kE>
__device__ __forceinline__ float WarpGroupNormRstd(const float (&yv)[kE], float mean) {
  float q = 0;
#pragma unroll
  for (int j = 0; j < kE; ++j) q += (yv[j] - mean) * (yv[j] - mean);
  return rsqrtf(WarpSum(q) / (32 * kE) + kGroupNormEps);
}

// Sum over the block (blockDim.x == kThreads); every thread gets the result.
template <typename Acc>
__device__ Acc BlockSum(Acc v, Acc* shared) {
  v = WarpSum(v);
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

// kVec consecutive elements moved as one aligned access (16 bytes for 4 floats, 8 for 4 halves).
template <typename T, int kVec>
struct alignas(sizeof(T) * kVec) Pack {
  T v[kVec];
};
template <int kVec, typename T>
__device__ __forceinline__ void LoadVec(const T* p, float (&out)[kVec]) {
  const Pack<T, kVec> x = *reinterpret_cast<const Pack<T, kVec>*>(p);
#pragma unroll
  for (int j = 0; j < kVec; ++j) out[j] = ToFloat(x.v[j]);
}
template <int kVec, typename T>
__device__ __forceinline__ void StoreVec(T* p, const float (&in)[kVec]) {
  Pack<T, kVec> x;
#pragma unroll
  for (int j = 0; j < kVec; ++j) x.v[j] = FromFloat<T>(in[j]);
  *reinterpret_cast<Pack<T, kVec>*>(p) = x;
}

// x = a[m, c..c+kVec) and p = the same channels of the token before: a[m - 1] inside a sequence,
// carry[m / T_len] at its first token (the shift-mix kernels' shared load).
template <int kVec>
__device__ __forceinline__ void LoadTokenAndPrev(const float* a, const float* carry, int m, int T_len, int D, int c,
                                                 float (&x)[kVec], float (&p)[kVec]) {
  const size_t i = static_cast<size_t>(m) * D + c;
  LoadVec<kVec>(a + i, x);
  LoadVec<kVec>(m % T_len == 0 ? carry + static_cast<size_t>(m / T_len) * D + c : a + i - D, p);
}

// Row-walk launch shape of the shift/mix kernels: block x covers kThreads·kVec channels, block
// row y walks the token rows m = y, y + gridDim.y, ... (no 64-bit index division per element).
template <int kVec>
dim3 RowWalkGrid(int M, int D) {
  return dim3(static_cast<unsigned>((D + kThreads * kVec - 1) / (kThreads * kVec)),
              static_cast<unsigned>(std::min(M, 65535)));
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

// The coefficients stay in registers across the rows; k < kMaxMix is unrolled so MixArgs is read
// with constant indices (a runtime index copied it to local memory: 695 µs instead of ~100 µs
// for [16384, 2048] on an H200, bench/kernels/run_device.sh profile).
template <typename T, int kVec>
__global__ void ShiftMixKernel(const float* a, const float* carry, int M, int T_len, int D, bool v6,
                               MixArgs<T> args) {
  const int c = (blockIdx.x * kThreads + threadIdx.x) * kVec;
  if (c >= D) return;
  float mu[kMaxMix][kVec];
#pragma unroll
  for (int k = 0; k < kMaxMix; ++k)
    if (k < args.n) LoadVec<kVec>(args.coef[k] + c, mu[k]);
  for (int m = blockIdx.y; m < M; m += gridDim.y) {
    const size_t i = static_cast<size_t>(m) * D + c;
    float x[kVec], p[kVec];
    LoadTokenAndPrev(a, carry, m, T_len, D, c, x, p);
#pragma unroll
    for (int k = 0; k < kMaxMix; ++k) {
      if (k >= args.n) continue;
      float o[kVec];
#pragma unroll
      for (int j = 0; j < kVec; ++j)
        o[j] = v6 ? x[j] + (p[j] - x[j]) * mu[k][j] : x[j] * mu[k][j] + p[j] * (1.0f - mu[k][j]);
      StoreVec<kVec>(args.out[k] + i, o);
    }
  }
}

__global__ void CarryUpdateKernel(const float* a, int B, int T_len, int D, float* carry) {
  const size_t i = blockIdx.x * static_cast<size_t>(blockDim.x) + threadIdx.x;
  if (i >= static_cast<size_t>(B) * D) return;
  const size_t b = i / D, c = i % D;
  carry[i] = a[(b * T_len + T_len - 1) * D + c];
}

template <typename T, int kVec>
__global__ void MaaPrepareKernel(const float* a, const float* carry, int M, int T_len, int D, const float* maa_x,
                                 float* delta, T* xxx) {
  const int c = (blockIdx.x * kThreads + threadIdx.x) * kVec;
  if (c >= D) return;
  float mx[kVec];
  LoadVec<kVec>(maa_x + c, mx);
  for (int m = blockIdx.y; m < M; m += gridDim.y) {
    const size_t i = static_cast<size_t>(m) * D + c;
    float x[kVec], p[kVec], d[kVec], o[kVec];
    LoadTokenAndPrev(a, carry, m, T_len, D, c, x, p);
#pragma unroll
    for (int j = 0; j < kVec; ++j) {
      d[j] = p[j] - x[j];
      o[j] = x[j] + d[j] * mx[j];
    }
    if (delta != nullptr) StoreVec<kVec>(delta + i, d);
    StoreVec<kVec>(xxx + i, o);
  }
}

template <typename T, typename U, int kVec>
__global__ void MaaApplyShiftKernel(const float* a, const float* carry, int M, int T_len, int D, const U* mout,
                                    MixArgs<T> args) {
  const int c = (blockIdx.x * kThreads + threadIdx.x) * kVec;
  if (c >= D) return;
  const size_t total = static_cast<size_t>(M) * D;
  float mu[5][kVec];
#pragma unroll
  for (int k = 0; k < 5; ++k) LoadVec<kVec>(args.coef[k] + c, mu[k]);
  for (int m = blockIdx.y; m < M; m += gridDim.y) {
    const size_t i = static_cast<size_t>(m) * D + c;
    float x[kVec], p[kVec];
    LoadTokenAndPrev(a, carry, m, T_len, D, c, x, p);
#pragma unroll
    for (int k = 0; k < 5; ++k) {
      float mo[kVec], o[kVec];
      LoadVec<kVec>(mout + k * total + i, mo);
#pragma unroll
      for (int j = 0; j < kVec; ++j) o[j] = x[j] + (p[j] - x[j]) * (mu[k][j] + mo[j]);
      StoreVec<kVec>(args.out[k] + i, o);
    }
  }
}

template <typename T>
__global__ void TanhKernel(const float* in, size_t n, T* out) {
  const size_t i = blockIdx.x * static_cast<size_t>(blockDim.x) + threadIdx.x;
  if (i < n) out[i] = FromFloat<T>(tanhf(in[i]));
}

// One warp per (row, head); lane l holds the kE = N/32 consecutive values kE·l.. of y and g in
// registers, loaded together up front (one pass over memory; the earlier version re-read y after
// each shuffle reduction and ran at ~1 TB/s).
template <typename T, typename G, typename Y, int kE>
__global__ void GroupNormGateKernel(const Y* y, const G* g, int M, int H, const float* ln_w, const float* ln_b,
                                    T* out) {
  constexpr int N = 32 * kE;
  const int warp = static_cast<int>((blockIdx.x * static_cast<size_t>(blockDim.x) + threadIdx.x) >> 5);
  const int lane = threadIdx.x & 31;
  if (warp >= M * H) return;  // whole warps leave together (M·H·32 threads are launched in whole warps)
  const int h = warp % H;
  const size_t base = static_cast<size_t>(warp) * N + kE * lane;  // row m = warp / H, head h
  float yv[kE], gv[kE], w[kE], b[kE];
  LoadVec<kE>(y + base, yv);
  LoadVec<kE>(g + base, gv);
  LoadVec<kE>(ln_w + h * N + kE * lane, w);
  LoadVec<kE>(ln_b + h * N + kE * lane, b);
  float s = 0;
#pragma unroll
  for (int j = 0; j < kE; ++j) s += yv[j];
  const float mean = WarpSum(s) / N;
  const float rstd = WarpGroupNormRstd(yv, mean);
  float o[kE];
#pragma unroll
  for (int j = 0; j < kE; ++j) {
    const float silu = gv[j] / (1.0f + expf(-gv[j]));
    o[j] = ((yv[j] - mean) * rstd * w[j] + b[j]) * silu;
  }
  StoreVec<kE>(out + base, o);
}

// RWKV-7 ---------------------------------------------------------------------------------------

template <typename T>
__global__ void ActivateKernel(T* x, size_t n, char kind) {
  const size_t i = blockIdx.x * static_cast<size_t>(blockDim.x) + threadIdx.x;
  if (i >= n) return;
  const float z = ToFloat(x[i]);
  x[i] = FromFloat<T>(kind == 't' ? tanhf(z) : 1.0f / (1.0f + expf(-z)));
}

__device__ __forceinline__ float Sigmoid(float z) { return 1.0f / (1.0f + expf(-z)); }

// One warp per (row, head); lane l holds channels l + 32·e of the head (coalesced).
template <typename T, typename L, int kE>
__global__ void V7PrepareKernel(int M, int H, V7PrepareArgs<T, L> p) {
  constexpr int N = 32 * kE;
  const int warp = static_cast<int>((blockIdx.x * static_cast<size_t>(blockDim.x) + threadIdx.x) >> 5);
  const int lane = threadIdx.x & 31;
  if (warp >= M * H) return;
  const int h = warp % H;
  const size_t row = static_cast<size_t>(warp) * N;  // = m·D + h·N
  float kr[kE], u[kE];
  float ss = 0;
#pragma unroll
  for (int e = 0; e < kE; ++e) {
    const int c = h * N + lane + 32 * e;
    kr[e] = ToFloat(p.k[row + lane + 32 * e]);
    u[e] = kr[e] * p.k_k[c];
    ss += u[e] * u[e];
  }
  const float norm = fmaxf(sqrtf(WarpSum(ss)), 1e-12f);
#pragma unroll
  for (int e = 0; e < kE; ++e) {
    const int c = h * N + lane + 32 * e;
    const size_t i = row + lane + 32 * e;
    const float kk = u[e] / norm;
    const float rho = Sigmoid(p.a0[c] + ToFloat(p.iclr_lora[i]));
    p.d_out[i] = FromFloat<T>(p.w0[c] + ToFloat(p.decay_lora[i]));
    p.k[i] = FromFloat<T>(kr[e] * (1.0f + (rho - 1.0f) * p.k_a[c]));
    const float v = ToFloat(p.v[i]);
    if (p.v_lora == nullptr) {
      p.v_first[i] = FromFloat<L>(v);
    } else {
      p.v[i] = FromFloat<T>(v + (ToFloat(p.v_first[i]) - v) * Sigmoid(p.v0[c] + ToFloat(p.v_lora[i])));
    }
    p.a_out[i] = FromFloat<T>(-kk);
    p.b_out[i] = FromFloat<T>(kk * rho);
  }
}

template <typename T, int kE>
__global__ void V7GroupNormBonusGateKernel(const T* y, const T* r, const T* k, const T* v, const T* g,
                                           const float* r_k, int M, int H, const float* ln_w, const float* ln_b,
                                           T* out) {
  constexpr int N = 32 * kE;
  const int warp = static_cast<int>((blockIdx.x * static_cast<size_t>(blockDim.x) + threadIdx.x) >> 5);
  const int lane = threadIdx.x & 31;
  if (warp >= M * H) return;
  const int h = warp % H;
  const size_t row = static_cast<size_t>(warp) * N;
  float yv[kE];
  float s = 0, bonus = 0;
#pragma unroll
  for (int e = 0; e < kE; ++e) {
    const size_t i = row + lane + 32 * e;
    yv[e] = ToFloat(y[i]);
    s += yv[e];
    bonus += ToFloat(r[i]) * ToFloat(k[i]) * r_k[h * N + lane + 32 * e];
  }
  for (int o = 16; o > 0; o >>= 1) {  // the two sums side by side
    s += __shfl_xor_sync(0xffffffffu, s, o);
    bonus += __shfl_xor_sync(0xffffffffu, bonus, o);
  }
  const float mean = s / N;
  const float rstd = WarpGroupNormRstd(yv, mean);
#pragma unroll
  for (int e = 0; e < kE; ++e) {
    const int c = h * N + lane + 32 * e;
    const size_t i = row + lane + 32 * e;
    const float normed = (yv[e] - mean) * rstd * ln_w[c] + ln_b[c];
    out[i] = FromFloat<T>((normed + bonus * ToFloat(v[i])) * ToFloat(g[i]));
  }
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

// Groups of 4 elements per thread (aligned vector accesses), the tail element by element.
template <typename U>
__global__ void SigmoidMulAddKernel(const U* r, const U* v, size_t n, float* x) {
  const size_t g = blockIdx.x * static_cast<size_t>(blockDim.x) + threadIdx.x;
  if ((g + 1) * 4 <= n) {
    float rv[4], vv[4], xv[4];
    LoadVec<4>(r + 4 * g, rv);
    LoadVec<4>(v + 4 * g, vv);
    LoadVec<4>(x + 4 * g, xv);
#pragma unroll
    for (int j = 0; j < 4; ++j) xv[j] += vv[j] / (1.0f + expf(-rv[j]));
    StoreVec<4>(x + 4 * g, xv);
  } else {
    for (size_t i = 4 * g; i < n; ++i) x[i] += ToFloat(v[i]) / (1.0f + expf(-ToFloat(r[i])));
  }
}

__global__ void ScaleKernel(float* x, size_t n, float scale) {
  const size_t i = blockIdx.x * static_cast<size_t>(blockDim.x) + threadIdx.x;
  if (i < n) x[i] *= scale;
}

// One pass over the row (online max and sum: when a larger value comes, the thread's sum is
// rescaled), kVec logits per load; the block merges the threads' (max, sum) pairs in fp64.
template <typename L, int kVec>
__global__ void TokenNllKernel(const L* logits, int V, const uint16_t* targets, double* nll) {
  __shared__ float fshared[kThreads / 32];
  __shared__ double dshared[kThreads / 32];
  const L* row = logits + static_cast<size_t>(blockIdx.x) * V;
  float mx = -FLT_MAX, sum = 0.0f;
  auto add = [&](float x) {
    if (x > mx) {
      sum = sum * expf(mx - x) + 1.0f;
      mx = x;
    } else {
      sum += expf(x - mx);
    }
  };
  const int vec_end = V / kVec * kVec;
  for (int i = threadIdx.x * kVec; i < vec_end; i += kThreads * kVec) {
    float x[kVec];
    LoadVec<kVec>(row + i, x);
#pragma unroll
    for (int j = 0; j < kVec; ++j) add(x[j]);
  }
  for (int i = vec_end + threadIdx.x; i < V; i += kThreads) add(ToFloat(row[i]));
  const float block_max = BlockMax(mx, fshared);
  const double total = BlockSum(static_cast<double>(sum) * exp(static_cast<double>(mx) - block_max), dshared);
  if (threadIdx.x == 0)
    nll[blockIdx.x] = static_cast<double>(block_max) + log(total) - static_cast<double>(ToFloat(row[targets[blockIdx.x]]));
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
  const int M = B * T_len;
  if (M == 0 || D == 0) return cudaSuccess;
  if (D % 4 == 0)
    ShiftMixKernel<T, 4><<<RowWalkGrid<4>(M, D), kThreads, 0, s>>>(a, carry, M, T_len, D, v6, args);
  else
    ShiftMixKernel<T, 1><<<RowWalkGrid<1>(M, D), kThreads, 0, s>>>(a, carry, M, T_len, D, v6, args);
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
  const int M = B * T_len;
  if (M == 0 || D == 0) return cudaSuccess;
  if (D % 4 == 0)
    MaaPrepareKernel<T, 4><<<RowWalkGrid<4>(M, D), kThreads, 0, s>>>(a, carry, M, T_len, D, maa_x, delta, xxx);
  else
    MaaPrepareKernel<T, 1><<<RowWalkGrid<1>(M, D), kThreads, 0, s>>>(a, carry, M, T_len, D, maa_x, delta, xxx);
  return cudaGetLastError();
}

template <typename T, typename U>
cudaError_t MaaApplyShift(const float* a, const float* carry, int B, int T_len, int D, const U* mout,
                          MixArgs<T> args, cudaStream_t s) {
  const int M = B * T_len;
  if (M == 0 || D == 0) return cudaSuccess;
  if (D % 4 == 0)
    MaaApplyShiftKernel<T, U, 4><<<RowWalkGrid<4>(M, D), kThreads, 0, s>>>(a, carry, M, T_len, D, mout, args);
  else
    MaaApplyShiftKernel<T, U, 1><<<RowWalkGrid<1>(M, D), kThreads, 0, s>>>(a, carry, M, T_len, D, mout, args);
  return cudaGetLastError();
}

template <typename T>
cudaError_t Tanh(const float* in, size_t n, T* out, cudaStream_t s) {
  if (n == 0) return cudaSuccess;
  TanhKernel<T><<<Blocks(n), kThreads, 0, s>>>(in, n, out);
  return cudaGetLastError();
}

template <typename T, typename G, typename Y>
cudaError_t GroupNormGate(const Y* y, const G* g, int M, int H, int N, const float* ln_w, const float* ln_b,
                          T* out, cudaStream_t s) {
  const size_t n = static_cast<size_t>(M) * H * 32;
  if (n == 0) return cudaSuccess;
  switch (N) {
    case 32: GroupNormGateKernel<T, G, Y, 1><<<Blocks(n), kThreads, 0, s>>>(y, g, M, H, ln_w, ln_b, out); break;
    case 64: GroupNormGateKernel<T, G, Y, 2><<<Blocks(n), kThreads, 0, s>>>(y, g, M, H, ln_w, ln_b, out); break;
    case 128: GroupNormGateKernel<T, G, Y, 4><<<Blocks(n), kThreads, 0, s>>>(y, g, M, H, ln_w, ln_b, out); break;
    default: return cudaErrorInvalidValue;
  }
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
  SigmoidMulAddKernel<U><<<Blocks((n + 3) / 4), kThreads, 0, s>>>(r, v, n, x);
  return cudaGetLastError();
}

cudaError_t Scale(float* x, size_t n, float scale, cudaStream_t s) {
  if (n == 0) return cudaSuccess;
  ScaleKernel<<<Blocks(n), kThreads, 0, s>>>(x, n, scale);
  return cudaGetLastError();
}

template <typename T>
cudaError_t V7ShiftMix(const float* a, const float* carry, int B, int T_len, int D, V7MixArgs<T> args,
                       cudaStream_t s) {
  MixArgs<T> m{{}, {}, kMaxMix};
  for (int k = 0; k < kMaxMix; ++k) {
    m.coef[k] = args.coef[k];
    m.out[k] = args.out[k];
  }
  return ShiftMix<T>(a, carry, B, T_len, D, true, m, s);
}

template <typename T>
cudaError_t ActivateInPlace(T* x, size_t n, char kind, cudaStream_t s) {
  if (kind != 't' && kind != 's') return cudaErrorInvalidValue;
  if (n == 0) return cudaSuccess;
  ActivateKernel<T><<<Blocks(n), kThreads, 0, s>>>(x, n, kind);
  return cudaGetLastError();
}

template <typename T, typename L>
cudaError_t V7Prepare(int M, int H, int N, V7PrepareArgs<T, L> args, cudaStream_t s) {
  const size_t n = static_cast<size_t>(M) * H * 32;
  if (n == 0) return cudaSuccess;
  switch (N) {
    case 32: V7PrepareKernel<T, L, 1><<<Blocks(n), kThreads, 0, s>>>(M, H, args); break;
    case 64: V7PrepareKernel<T, L, 2><<<Blocks(n), kThreads, 0, s>>>(M, H, args); break;
    default: return cudaErrorInvalidValue;
  }
  return cudaGetLastError();
}

template <typename T>
cudaError_t V7GroupNormBonusGate(const T* y, const T* r, const T* k, const T* v, const T* g, const float* r_k,
                                 int M, int H, int N, const float* ln_w, const float* ln_b, T* out, cudaStream_t s) {
  const size_t n = static_cast<size_t>(M) * H * 32;
  if (n == 0) return cudaSuccess;
  switch (N) {
    case 32:
      V7GroupNormBonusGateKernel<T, 1><<<Blocks(n), kThreads, 0, s>>>(y, r, k, v, g, r_k, M, H, ln_w, ln_b, out);
      break;
    case 64:
      V7GroupNormBonusGateKernel<T, 2><<<Blocks(n), kThreads, 0, s>>>(y, r, k, v, g, r_k, M, H, ln_w, ln_b, out);
      break;
    default: return cudaErrorInvalidValue;
  }
  return cudaGetLastError();
}

template <typename L>
cudaError_t TokenNll(const L* logits, int M, int V, const uint16_t* targets, double* nll, cudaStream_t s) {
  if (M == 0) return cudaSuccess;
  constexpr int kVec = 16 / sizeof(L);  // 16-byte loads; V % kVec == 0 keeps every row aligned
  if (V % kVec == 0)
    TokenNllKernel<L, kVec><<<M, kThreads, 0, s>>>(logits, V, targets, nll);
  else
    TokenNllKernel<L, 1><<<M, kThreads, 0, s>>>(logits, V, targets, nll);
  return cudaGetLastError();
}

#define RWKVKIT_OPS_INSTANTIATE(T)                                                                                  \
  template cudaError_t LayerNorm<T>(const float*, int, int, const float*, const float*, T*, cudaStream_t);          \
  template cudaError_t ShiftMix<T>(const float*, const float*, int, int, int, bool, MixArgs<T>, cudaStream_t);      \
  template cudaError_t MaaPrepare<T>(const float*, const float*, int, int, int, const float*, float*, T*,           \
                                     cudaStream_t);                                                                 \
  template cudaError_t Tanh<T>(const float*, size_t, T*, cudaStream_t);                                             \
  template cudaError_t GroupNormGate<T, T, float>(const float*, const T*, int, int, int, const float*, const float*, \
                                                  T*, cudaStream_t);                                                \
  template cudaError_t MaaApplyShift<T, T>(const float*, const float*, int, int, int, const T*, MixArgs<T>,        \
                                           cudaStream_t);                                                           \
  template cudaError_t Relu2InPlace<T>(T*, size_t, cudaStream_t);                                                   \
  template cudaError_t SigmoidMulAdd<T>(const T*, const T*, size_t, float*, cudaStream_t);                          \
  template cudaError_t TokenNll<T>(const T*, int, int, const uint16_t*, double*, cudaStream_t);                     \
  template cudaError_t V7ShiftMix<T>(const float*, const float*, int, int, int, V7MixArgs<T>, cudaStream_t);        \
  template cudaError_t ActivateInPlace<T>(T*, size_t, char, cudaStream_t);                                          \
  template cudaError_t V7Prepare<T, float>(int, int, int, V7PrepareArgs<T, float>, cudaStream_t);                   \
  template cudaError_t V7GroupNormBonusGate<T>(const T*, const T*, const T*, const T*, const T*, const float*, int, \
                                               int, int, const float*, const float*, T*, cudaStream_t);
RWKVKIT_OPS_INSTANTIATE(float)
RWKVKIT_OPS_INSTANTIATE(__half)
RWKVKIT_OPS_INSTANTIATE(__nv_bfloat16)
#undef RWKVKIT_OPS_INSTANTIATE
template cudaError_t GroupNormGate<__half, __half, __half>(const __half*, const __half*, int, int, int, const float*,
                                                           const float*, __half*, cudaStream_t);
template cudaError_t GroupNormGate<__nv_bfloat16, __nv_bfloat16, __nv_bfloat16>(const __nv_bfloat16*,
                                                                                const __nv_bfloat16*, int, int, int,
                                                                                const float*, const float*,
                                                                                __nv_bfloat16*, cudaStream_t);
template cudaError_t V7Prepare<__half, __half>(int, int, int, V7PrepareArgs<__half, __half>, cudaStream_t);
template cudaError_t V7Prepare<__nv_bfloat16, __nv_bfloat16>(int, int, int, V7PrepareArgs<__nv_bfloat16, __nv_bfloat16>,
                                                             cudaStream_t);

}  // namespace rwkvkit::refmodel::cuda_ops

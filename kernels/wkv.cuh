// kernels/wkv.cuh — the device code behind kernels/wkv.h, as templates, so that
// bench/kernels/wkv_variants.cu can instantiate other tile choices of the same kernels. Callers
// outside kernels/ and bench/ use wkv.h. Shapes, layouts and the recurrence: see wkv.h. The
// chunked kernel's algebra (log2 units, every exponent a difference ≤ 0 inside one chunk), its
// thread mapping and the measured alternatives: docs/kernels_notes.md, "How the WKV-5/6
// kernels work".
#ifndef RWKVKIT_KERNELS_WKV_CUH_
#define RWKVKIT_KERNELS_WKV_CUH_

#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include "kernels/dtype_convert.cuh"

#include <cstdint>

namespace rwkvkit::kernels::detail {

using kernels::FromFloat;
using kernels::ToFloat;

// log2 of a decay factor, floored at -100 so that w = 0 (exp(d) overflowing) stays finite and
// differences of cumulative sums never meet -inf - -inf. Full-precision log2f: lg2.approx's
// ~1e-7 absolute error would be a 1e-4 relative error in the decay rate of a slow channel
// (log2 w ~ -1e-3), compounding over the sequence.
__device__ __forceinline__ float Log2Decay(float w) { return fmaxf(log2f(w), -100.0f); }

// ---------------------------------------------------------------------------------------------
// Sequential kernel: grid B·H, block N. Thread j keeps column j of the state (S[i][j], all i)
// in registers; r, k (and w for v6) of the current token go through shared memory, double
// buffered so one barrier per token suffices.
template <typename T, int N, bool kPerTokenW>
__global__ void __launch_bounds__(N)
    WkvSequentialKernel(int T_len, int H, const T* __restrict__ r, const T* __restrict__ k,
                        const T* __restrict__ v, const float* __restrict__ w,
                        const float* __restrict__ u, float* __restrict__ state,
                        T* __restrict__ y) {
  const int bh = blockIdx.x;
  const int b = bh / H, h = bh % H;
  const int j = threadIdx.x;
  __shared__ float rs[2][N], ks[2][N], ws[2][N], us[N];

  float* sp = state + static_cast<int64_t>(bh) * N * N;
  float s[N];
#pragma unroll
  for (int i = 0; i < N; ++i) s[i] = sp[i * N + j];
  us[j] = u[h * N + j];
  if (!kPerTokenW) ws[0][j] = ws[1][j] = w[h * N + j];

  for (int t = 0; t < T_len; ++t) {
    const int buf = t & 1;
    const int64_t o = ((static_cast<int64_t>(b) * T_len + t) * H + h) * N;
    rs[buf][j] = ToFloat(r[o + j]);
    ks[buf][j] = ToFloat(k[o + j]);
    if (kPerTokenW) ws[buf][j] = w[o + j];
    const float vj = ToFloat(v[o + j]);
    __syncthreads();
    float yj = 0.0f;
#pragma unroll
    for (int i = 0; i < N; ++i) {
      const float kv = ks[buf][i] * vj;
      yj = fmaf(rs[buf][i], fmaf(us[i], kv, s[i]), yj);
      s[i] = fmaf(s[i], ws[buf][i], kv);
    }
    y[o + j] = FromFloat<T>(yj);
  }
#pragma unroll
  for (int i = 0; i < N; ++i) sp[i * N + j] = s[i];
}

// One step of the chunked kernel's reduce-scatter of y: a lane with `hi` keeps the upper half of
// in's rows, the others the lower half, each adding its partner's (lane ^ mask) copy of that half.
template <int R>
__device__ __forceinline__ void HalveOverLanes(const float (&in)[R][2], bool hi, int mask, float (&out)[R / 2][2]) {
#pragma unroll
  for (int x = 0; x < R / 2; ++x) {
#pragma unroll
    for (int c = 0; c < 2; ++c) {
      const float lo = in[x][c], up = in[x + R / 2][c];
      out[x][c] = (hi ? up : lo) + __shfl_xor_sync(0xffffffffu, hi ? lo : up, mask);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Chunked kernel: grid (B·H, N/NC), block 2·NC. See the banner for the formulation and mapping.
// kRawDecay (v6 only): w holds the raw per-token decay d and wbias the per-channel time_decay
// [H, N]; the factor is exp(-exp(wbias + d)), computed in the kernel with the same fp32 calls the
// separate pass used, so the result is bit-identical to passing that pass's output as w.
template <typename T, int N, int C, int NC, bool kPerTokenW, bool kRawDecay = false>
__global__ void __launch_bounds__(2 * NC)
    WkvChunkedKernel(int T_len, int H, const T* __restrict__ r, const T* __restrict__ k,
                     const T* __restrict__ v, const float* __restrict__ w,
                     const float* __restrict__ u, float* __restrict__ state,
                     T* __restrict__ y, const float* __restrict__ wbias) {
  static_assert(kPerTokenW || !kRawDecay, "a raw decay is per token");
  static_assert(N % 16 == 0 && C % 4 == 0 && N % NC == 0 && NC % 16 == 0, "tile shape");
  static_assert(2 * NC >= N, "the scan needs one thread per key channel");
  constexpr int kThreads = 2 * NC;
  constexpr int P = N + 1;        // padded row of rs/ks/gs (bank spread for the A entries)
  constexpr int kRowGroups = N / 16;
  constexpr int kStrict = C * (C - 1) / 2;

  __shared__ float rs[C * P], ks[C * P], gs[C * P];
  __shared__ __align__(16) float vs[C * N], re[C * N], kg[C * N];
  __shared__ float as[C * C], decs[N], gl[N], us[N], lam5s[N];  // lam5s: v5 λ, or the raw bias

  const int bh = blockIdx.x;
  const int b = bh / H, h = bh % H;
  const int tid = threadIdx.x;
  const int g = tid & 3;
  const int j0 = blockIdx.y * NC + 2 * (tid >> 2);

  // State rows i = 4(g + 4m) + q, columns j0, j0 + 1.
  float* sp = state + static_cast<int64_t>(bh) * N * N;
  float s[kRowGroups][4][2];
#pragma unroll
  for (int m = 0; m < kRowGroups; ++m) {
#pragma unroll
    for (int q = 0; q < 4; ++q) {
      const float2 x = *reinterpret_cast<const float2*>(sp + (4 * (g + 4 * m) + q) * N + j0);
      s[m][q][0] = x.x;
      s[m][q][1] = x.y;
    }
  }
  for (int e = tid; e < C * C; e += kThreads) as[e] = 0.0f;  // the upper triangle stays 0
  if (tid < N) {
    us[tid] = u[h * N + tid];
    if (!kPerTokenW) lam5s[tid] = Log2Decay(w[h * N + tid]);
    if (kRawDecay) lam5s[tid] = wbias[h * N + tid];
  }

  // Thread tid moves elements e = tid + x·kThreads (token e / N, channel e % N) of each chunk.
  // The next chunk's raw values are loaded into registers while this chunk is computed, so the
  // global-memory latency overlaps the arithmetic (without it every chunk waited for its loads:
  // 4.2 ms instead of 3.2 ms sequential for v6 bf16 at B·T = 32768 on an H200).
  constexpr int kLoads = C * N / kThreads;
  static_assert(C * N % kThreads == 0, "whole loads per thread");
  T pr[kLoads], pk[kLoads], pv[kLoads];
  float pw[kLoads];
  auto prefetch = [&](int c0) {
#pragma unroll
    for (int x = 0; x < kLoads; ++x) {
      const int e = tid + x * kThreads;
      const int t = min(c0 + e / N, T_len - 1);  // clamped: a valid address, masked at the store
      const int64_t o = ((static_cast<int64_t>(b) * T_len + t) * H + h) * N + e % N;
      pr[x] = r[o];
      pk[x] = k[o];
      pv[x] = v[o];
      if (kPerTokenW) pw[x] = w[o];
    }
  };
  prefetch(0);

  for (int t0 = 0; t0 < T_len; t0 += C) {
    const int len = min(C, T_len - t0);
    const int64_t base = ((static_cast<int64_t>(b) * T_len + t0) * H + h) * N;
    __syncthreads();  // the previous chunk's readers are done with shared memory

    // Store the prefetched chunk (zero r, k, v and λ past the end), then start the next one.
#pragma unroll
    for (int x = 0; x < kLoads; ++x) {
      const int e = tid + x * kThreads;
      const int tt = e / N, i = e % N;
      const bool in = tt < len;
      rs[tt * P + i] = in ? ToFloat(pr[x]) : 0.0f;
      ks[tt * P + i] = in ? ToFloat(pk[x]) : 0.0f;
      vs[tt * N + i] = in ? ToFloat(pv[x]) : 0.0f;
      float lam = lam5s[i];
      if (kRawDecay) lam = Log2Decay(expf(-expf(lam + pw[x])));
      else if (kPerTokenW) lam = Log2Decay(pw[x]);
      gs[tt * P + i] = in ? lam : 0.0f;
    }
    if (t0 + C < T_len) prefetch(t0 + C);
    __syncthreads();

    // Inclusive cumsum of the log2-decays along the chunk, one thread per key channel.
    if (tid < N) {
      float acc = 0.0f;
#pragma unroll
      for (int tt = 0; tt < C; ++tt) {
        acc += gs[tt * P + tid];
        gs[tt * P + tid] = acc;
      }
      gl[tid] = acc;
      decs[tid] = exp2f(acc);
    }
    __syncthreads();

    // A (strict lower part and diagonal), then the decayed r and k.
    for (int e = tid; e < kStrict + C; e += kThreads) {
      float sum = 0.0f;
      if (e < kStrict) {
        int t = 1, s_idx = e;
        while (s_idx >= t) {
          s_idx -= t;
          ++t;
        }
        const float* rt = rs + t * P;
        const float* ksr = ks + s_idx * P;
        const float* et = gs + (t - 1) * P;
        const float* gsr = gs + s_idx * P;
#pragma unroll 8
        for (int i = 0; i < N; ++i) sum = fmaf(rt[i] * ksr[i], exp2f(et[i] - gsr[i]), sum);
        as[t * C + s_idx] = sum;
      } else {
        const int t = e - kStrict;
#pragma unroll 8
        for (int i = 0; i < N; ++i) sum = fmaf(rs[t * P + i] * us[i], ks[t * P + i], sum);
        as[t * C + t] = sum;
      }
    }
    for (int e = tid; e < C * N; e += kThreads) {
      const int tt = e / N, i = e % N;
      const float et = tt == 0 ? 0.0f : gs[(tt - 1) * P + i];
      re[e] = rs[tt * P + i] * exp2f(et);
      kg[e] = ks[tt * P + i] * exp2f(gl[i] - gs[tt * P + i]);
    }
    __syncthreads();

    // Inter-chunk part of y over this thread's rows: acc[t][c] = Σ_i re[t][i] S[i][j0 + c].
    float acc[C][2];
#pragma unroll
    for (int tt = 0; tt < C; ++tt) acc[tt][0] = acc[tt][1] = 0.0f;
#pragma unroll
    for (int m = 0; m < kRowGroups; ++m) {
      const int i0 = 4 * (g + 4 * m);
#pragma unroll
      for (int tt = 0; tt < C; ++tt) {
        const float4 x = *reinterpret_cast<const float4*>(re + tt * N + i0);
#pragma unroll
        for (int c = 0; c < 2; ++c) {
          float a = acc[tt][c];
          a = fmaf(x.x, s[m][0][c], a);
          a = fmaf(x.y, s[m][1][c], a);
          a = fmaf(x.z, s[m][2][c], a);
          a = fmaf(x.w, s[m][3][c], a);
          acc[tt][c] = a;
        }
      }
    }
    // Reduce-scatter over the 4 g-lanes: lane g ends with tokens [g·C/4, (g+1)·C/4).
    float half_acc[C / 2][2];
    HalveOverLanes<C>(acc, (g & 2) != 0, 2, half_acc);
    float quarter[C / 4][2];
    HalveOverLanes<C / 2>(half_acc, (g & 1) != 0, 1, quarter);
    // Intra-chunk part and the store.
#pragma unroll
    for (int x = 0; x < C / 4; ++x) {
      const int tt = g * (C / 4) + x;
      float y0 = quarter[x][0], y1 = quarter[x][1];
#pragma unroll
      for (int s_idx = 0; s_idx < C; ++s_idx) {  // as[t][s] = 0 for s > t
        const float a = as[tt * C + s_idx];
        const float2 vv = *reinterpret_cast<const float2*>(vs + s_idx * N + j0);
        y0 = fmaf(a, vv.x, y0);
        y1 = fmaf(a, vv.y, y1);
      }
      if (tt < len) {
        T* yp = y + base + static_cast<int64_t>(tt) * H * N + j0;
        yp[0] = FromFloat<T>(y0);
        yp[1] = FromFloat<T>(y1);
      }
    }
    // State update: S = diag(2^Gl) S + Σ_s kg[s]^T v[s].
#pragma unroll
    for (int m = 0; m < kRowGroups; ++m) {
      const int i0 = 4 * (g + 4 * m);
#pragma unroll
      for (int q = 0; q < 4; ++q) {
        s[m][q][0] *= decs[i0 + q];
        s[m][q][1] *= decs[i0 + q];
      }
#pragma unroll
      for (int s_idx = 0; s_idx < C; ++s_idx) {
        const float4 x = *reinterpret_cast<const float4*>(kg + s_idx * N + i0);
        const float2 vv = *reinterpret_cast<const float2*>(vs + s_idx * N + j0);
        s[m][0][0] = fmaf(x.x, vv.x, s[m][0][0]);
        s[m][0][1] = fmaf(x.x, vv.y, s[m][0][1]);
        s[m][1][0] = fmaf(x.y, vv.x, s[m][1][0]);
        s[m][1][1] = fmaf(x.y, vv.y, s[m][1][1]);
        s[m][2][0] = fmaf(x.z, vv.x, s[m][2][0]);
        s[m][2][1] = fmaf(x.z, vv.y, s[m][2][1]);
        s[m][3][0] = fmaf(x.w, vv.x, s[m][3][0]);
        s[m][3][1] = fmaf(x.w, vv.y, s[m][3][1]);
      }
    }
  }

#pragma unroll
  for (int m = 0; m < kRowGroups; ++m) {
#pragma unroll
    for (int q = 0; q < 4; ++q) {
      *reinterpret_cast<float2*>(sp + (4 * (g + 4 * m) + q) * N + j0) =
          make_float2(s[m][q][0], s[m][q][1]);
    }
  }
}

// Argument check shared by the launchers (see wkv.h for what is accepted).
template <typename T>
inline bool WkvArgsValid(int B, int T_len, int H, int N, const T* r, const T* k, const T* v,
                         const float* w, const float* u, const float* state, const T* y) {
  if (B < 1 || T_len < 0 || H < 1 || (N != 32 && N != 64)) return false;
  return r && k && v && w && u && state && y;
}

// Launch the chunked kernel with a given tile choice (used by wkv.cu and the bench variants).
// wbias: the raw-decay bias (kRawDecay), else unused.
template <typename T, int N, int C, int NC, bool kPerTokenW, bool kRawDecay = false>
cudaError_t LaunchWkvChunked(int B, int T_len, int H, const T* r, const T* k, const T* v,
                             const float* w, const float* u, float* state, T* y,
                             cudaStream_t stream, const float* wbias = nullptr) {
  const dim3 grid(static_cast<unsigned>(B * H), N / NC);
  WkvChunkedKernel<T, N, C, NC, kPerTokenW, kRawDecay>
      <<<grid, 2 * NC, 0, stream>>>(T_len, H, r, k, v, w, u, state, y, wbias);
  return cudaGetLastError();
}

template <typename T, int N, bool kPerTokenW>
cudaError_t LaunchWkvSequential(int B, int T_len, int H, const T* r, const T* k, const T* v,
                                const float* w, const float* u, float* state, T* y,
                                cudaStream_t stream) {
  WkvSequentialKernel<T, N, kPerTokenW>
      <<<static_cast<unsigned>(B * H), N, 0, stream>>>(T_len, H, r, k, v, w, u, state, y);
  return cudaGetLastError();
}

}  // namespace rwkvkit::kernels::detail

#endif  // RWKVKIT_KERNELS_WKV_CUH_

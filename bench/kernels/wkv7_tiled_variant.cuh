// bench/kernels/wkv7_tiled_variant.cuh — a tried variant of the WKV-7 forward (variant 14 of
// wkv7_variants.cu): kernels/wkv7.cuh's prefetching kernel with the state register-tiled, 4 rows
// x N/4 columns per thread. Faster alone (0.851 -> 0.766 ms on an H100) but not the production
// path until the CPU-vs-CUDA NLL tests have run with it on a GPU; measurements: docs/kernels_notes.md.
#ifndef RWKVKIT_BENCH_KERNELS_WKV7_TILED_VARIANT_CUH_
#define RWKVKIT_BENCH_KERNELS_WKV7_TILED_VARIANT_CUH_

#include "kernels/dtype_convert.cuh"
#include "kernels/wkv7.cuh"

namespace rwkvkit::bench {

using kernels::FromFloat;
using kernels::ToFloat;
using kernels::detail::Wkv7CpAsync16;
using kernels::detail::Wkv7Decay;

// Register-tiled form of the prefetching kernel (same staging): thread (g, q) = (i / 4, i % 4) holds
// rows 4g..4g+3 of the head's state and, of each, the key columns of the 16-byte chunks q + 4m
// (m < N/16), so each thread reads only N/16 float4 of every stage vector per token (the one-row
// form reads N/4), and the row sums sa and y are finished by two xor shuffles over the 4 lanes of a
// row group (every lane gets the same bits: fp32 addition is commutative). Lane q of group g
// writes y of row 4g + q = i.
// The sum over the 4 lanes of a row group (xor shuffles: every lane gets the same bits, fp32
// addition being commutative).
__device__ __forceinline__ float RowGroupSum(float x) {
  x += __shfl_xor_sync(0xffffffffu, x, 1);
  return x + __shfl_xor_sync(0xffffffffu, x, 2);
}

template <typename T, int N, int C>
__global__ void __launch_bounds__(N) Wkv7TiledKernel(int T_len, int H, const T* __restrict__ r,
                                                    const T* __restrict__ d, const T* __restrict__ k,
                                                    const T* __restrict__ v, const T* __restrict__ a,
                                                    const T* __restrict__ b, float* __restrict__ state,
                                                    T* __restrict__ y) {
  constexpr int kE = 16 / static_cast<int>(sizeof(T));
  constexpr int kPieces = C * (N / kE);
  constexpr int kM = N / 16;  // float4 chunks per thread and vector
  const int h = blockIdx.x, bb = blockIdx.y, i = threadIdx.x;
  const int g = i >> 2, q = i & 3;
  __shared__ alignas(16) T raw[2][6][C][N];
  __shared__ alignas(16) float sr[C][N], sw[C][N], sk[C][N], sa[C][N], sb[C][N], sv[C][N];
  float S[4][4 * kM];  // S[e][4m + j] = state row 4g + e, column 4(q + 4m) + j
  float* st = state + (static_cast<size_t>(bb) * H + h) * N * N;
#pragma unroll
  for (int e = 0; e < 4; ++e)
#pragma unroll
    for (int m = 0; m < kM; ++m) {
      const float4 x = *reinterpret_cast<const float4*>(st + (4 * g + e) * N + 4 * (q + 4 * m));
      S[e][4 * m] = x.x;
      S[e][4 * m + 1] = x.y;
      S[e][4 * m + 2] = x.z;
      S[e][4 * m + 3] = x.w;
    }
  const size_t row = static_cast<size_t>(H) * N;
  const size_t base = static_cast<size_t>(bb) * T_len * row + static_cast<size_t>(h) * N;
  auto issue = [&](int buf, int t0) {
    const int nt = min(C, T_len - t0);
    const T* src[6] = {r, d, k, v, a, b};
#pragma unroll
    for (int in = 0; in < 6; ++in)
      for (int p = i; p < kPieces; p += N) {
        const int c = p / (N / kE), e = (p % (N / kE)) * kE;
        if (c < nt) Wkv7CpAsync16(&raw[buf][in][c][e], src[in] + base + static_cast<size_t>(t0 + c) * row + e);
      }
    asm volatile("cp.async.commit_group;\n" ::);
  };
  issue(0, 0);
  for (int t0 = 0, buf = 0; t0 < T_len; t0 += C, buf ^= 1) {
    const int nt = min(C, T_len - t0);
    asm volatile("cp.async.wait_group 0;\n" ::: "memory");
    __syncthreads();
    if (t0 + C < T_len) issue(buf ^ 1, t0 + C);
    for (int c = 0; c < nt; ++c) {
      sr[c][i] = ToFloat(raw[buf][0][c][i]);
      sw[c][i] = Wkv7Decay(ToFloat(raw[buf][1][c][i]));
      sk[c][i] = ToFloat(raw[buf][2][c][i]);
      sv[c][i] = ToFloat(raw[buf][3][c][i]);
      sa[c][i] = ToFloat(raw[buf][4][c][i]);
      sb[c][i] = ToFloat(raw[buf][5][c][i]);
    }
    __syncthreads();
    auto token = [&](int c) {
      float s0[4] = {0.f, 0.f, 0.f, 0.f}, s1[4] = {0.f, 0.f, 0.f, 0.f};
#pragma unroll
      for (int m = 0; m < kM; ++m) {
        const float4 a4 = *reinterpret_cast<const float4*>(&sa[c][4 * (q + 4 * m)]);
#pragma unroll
        for (int e = 0; e < 4; ++e) {
          s0[e] = fmaf(S[e][4 * m], a4.x, s0[e]);
          s1[e] = fmaf(S[e][4 * m + 1], a4.y, s1[e]);
          s0[e] = fmaf(S[e][4 * m + 2], a4.z, s0[e]);
          s1[e] = fmaf(S[e][4 * m + 3], a4.w, s1[e]);
        }
      }
      float sab[4];
#pragma unroll
      for (int e = 0; e < 4; ++e) sab[e] = RowGroupSum(s0[e] + s1[e]);
      const float4 v4 = *reinterpret_cast<const float4*>(&sv[c][4 * g]);
      const float vi[4] = {v4.x, v4.y, v4.z, v4.w};
      float y0[4] = {0.f, 0.f, 0.f, 0.f}, y1[4] = {0.f, 0.f, 0.f, 0.f};
#pragma unroll
      for (int m = 0; m < kM; ++m) {
        const int o = 4 * (q + 4 * m);
        const float4 w4 = *reinterpret_cast<const float4*>(&sw[c][o]);
        const float4 b4 = *reinterpret_cast<const float4*>(&sb[c][o]);
        const float4 k4 = *reinterpret_cast<const float4*>(&sk[c][o]);
        const float4 r4 = *reinterpret_cast<const float4*>(&sr[c][o]);
#pragma unroll
        for (int e = 0; e < 4; ++e) {
          float* x = &S[e][4 * m];
          x[0] = fmaf(x[0], w4.x, fmaf(sab[e], b4.x, vi[e] * k4.x));
          x[1] = fmaf(x[1], w4.y, fmaf(sab[e], b4.y, vi[e] * k4.y));
          x[2] = fmaf(x[2], w4.z, fmaf(sab[e], b4.z, vi[e] * k4.z));
          x[3] = fmaf(x[3], w4.w, fmaf(sab[e], b4.w, vi[e] * k4.w));
          y0[e] = fmaf(x[0], r4.x, y0[e]);
          y1[e] = fmaf(x[1], r4.y, y1[e]);
          y0[e] = fmaf(x[2], r4.z, y0[e]);
          y1[e] = fmaf(x[3], r4.w, y1[e]);
        }
      }
      float ys[4];
#pragma unroll
      for (int e = 0; e < 4; ++e) ys[e] = RowGroupSum(y0[e] + y1[e]);
      const float out = q == 0 ? ys[0] : q == 1 ? ys[1] : q == 2 ? ys[2] : ys[3];
      y[base + static_cast<size_t>(t0 + c) * row + i] = FromFloat<T>(out);
    };
    for (int c = 0; c < nt; ++c) token(c);
  }
#pragma unroll
  for (int e = 0; e < 4; ++e)
#pragma unroll
    for (int m = 0; m < kM; ++m)
      *reinterpret_cast<float4*>(st + (4 * g + e) * N + 4 * (q + 4 * m)) =
          make_float4(S[e][4 * m], S[e][4 * m + 1], S[e][4 * m + 2], S[e][4 * m + 3]);
}

template <typename T, int N, int C>
cudaError_t LaunchWkv7Tiled(int B, int T_len, int H, const T* r, const T* d, const T* k, const T* v, const T* a,
                            const T* b, float* state, T* y, cudaStream_t stream) {
  const dim3 grid(static_cast<unsigned>(H), static_cast<unsigned>(B));
  Wkv7TiledKernel<T, N, C><<<grid, N, 0, stream>>>(T_len, H, r, d, k, v, a, b, state, y);
  return cudaGetLastError();
}

}  // namespace rwkvkit::bench

#endif  // RWKVKIT_BENCH_KERNELS_WKV7_TILED_VARIANT_CUH_

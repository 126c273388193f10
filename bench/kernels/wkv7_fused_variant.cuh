// bench/kernels/wkv7_fused_variant.cuh — a tried variant of the WKV-7 forward (variants 5 and 6 of
// wkv7_variants.cu): the x070 layer's WKV step with its neighbours fused in — from the products'
// outputs, per token and head,
//   d = w0 + decay_lora;  ρ = σ(a0 + iclr_lora);  kk = (k⊙k_k) / max(‖k⊙k_k‖₂, 1e-12)
//   k' = k⊙(1 + (ρ - 1)⊙k_a);  layer 0: v_first := v, else v' = v + (v_first - v)⊙σ(v0 + v_lora)
//   the kernels/wkv7.h recurrence with a = -kk, b = kk⊙ρ, then
//   out = (GroupNorm(y; eps 64e-5, ln_w, ln_b) + (Σ_j r_j·k'_j·r_k,j)·v') ⊙ g
// One block per (batch, head), thread i = value row / channel i; per stage of C tokens: load and
// per-token head sums (warp shuffles + shared table), finish kk and b, the recurrence, GroupNorm
// statistics (mean, then centred variance), write. Slower than the separate passes, so the
// model does not use it; measurements and why: docs/kernels_notes.md.
#ifndef RWKVKIT_BENCH_KERNELS_WKV7_FUSED_VARIANT_CUH_
#define RWKVKIT_BENCH_KERNELS_WKV7_FUSED_VARIANT_CUH_

#include "kernels/dtype_convert.cuh"
#include "kernels/wkv7.cuh"

namespace rwkvkit::bench {

using kernels::FromFloat;
using kernels::ToFloat;

// [B, T, H, N] arrays of T (v_lora null in layer 0, where v_first is written); [H·N] fp32 vectors;
// state [B, H, N(value), N(key)] fp32.
template <typename T>
struct Wkv7FusedArgs {
  const T *r, *k, *v, *decay_lora, *iclr_lora, *v_lora, *g;
  T* v_first;
  const float *w0, *a0, *v0, *k_k, *k_a, *r_k, *ln_w, *ln_b;
  float* state;
  T* out;
};

constexpr float kWkv7GroupNormEps = 64e-5f;

__device__ __forceinline__ float Wkv7Sigmoid(float z) { return 1.0f / (1.0f + expf(-z)); }

__device__ __forceinline__ float Wkv7WarpSum(float v) {
  for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
  return v;
}

template <typename T, int N, int C>
__global__ void __launch_bounds__(N) Wkv7FusedKernel(int T_len, int H, Wkv7FusedArgs<T> p) {
  constexpr int NW = N / 32;
  const int h = blockIdx.x, bb = blockIdx.y, i = threadIdx.x, warp = i >> 5, lane = i & 31;
  __shared__ float sr[C][N], sw[C][N], sk[C][N], sa[C][N], sb[C][N];
  __shared__ float red[2][C][NW];
  const int ch = h * N + i;
  const float w0 = p.w0[ch], a0 = p.a0[ch], k_k = p.k_k[ch], k_a = p.k_a[ch], r_k = p.r_k[ch];
  const float v0 = p.v_lora != nullptr ? p.v0[ch] : 0.0f, ln_w = p.ln_w[ch], ln_b = p.ln_b[ch];
  float S[N];
  float* st = p.state + ((static_cast<size_t>(bb) * H + h) * N + i) * N;
  kernels::detail::Wkv7LoadRow(st, S);
  const size_t row = static_cast<size_t>(H) * N;
  const size_t base = static_cast<size_t>(bb) * T_len * row + static_cast<size_t>(h) * N + i;
  for (int t0 = 0; t0 < T_len; t0 += C) {
    const int nt = min(C, T_len - t0);
    float u[C], rho[C], vv[C], y[C];
#pragma unroll
    for (int c = 0; c < C; ++c) {
      if (c >= nt) break;
      const size_t o = base + static_cast<size_t>(t0 + c) * row;
      const float kr = ToFloat(p.k[o]), r = ToFloat(p.r[o]);
      u[c] = kr * k_k;
      rho[c] = Wkv7Sigmoid(a0 + ToFloat(p.iclr_lora[o]));
      const float kn = kr * (1.0f + (rho[c] - 1.0f) * k_a);
      float v = ToFloat(p.v[o]);
      if (p.v_lora == nullptr) {
        p.v_first[o] = p.v[o];
      } else {
        v = v + (ToFloat(p.v_first[o]) - v) * Wkv7Sigmoid(v0 + ToFloat(p.v_lora[o]));
      }
      vv[c] = v;
      sr[c][i] = r;
      sk[c][i] = kn;
      sw[c][i] = expf(-0.606531f * Wkv7Sigmoid(w0 + ToFloat(p.decay_lora[o])));
      const float ss = Wkv7WarpSum(u[c] * u[c]), bonus = Wkv7WarpSum(r * kn * r_k);
      if (lane == 0) {
        red[0][c][warp] = ss;
        red[1][c][warp] = bonus;
      }
    }
    __syncthreads();
    float bonus[C];
#pragma unroll
    for (int c = 0; c < C; ++c) {
      if (c >= nt) break;
      float ss = 0.0f, bo = 0.0f;
#pragma unroll
      for (int w = 0; w < NW; ++w) {
        ss += red[0][c][w];
        bo += red[1][c][w];
      }
      bonus[c] = bo;
      const float kk = u[c] / fmaxf(sqrtf(ss), 1e-12f);
      sa[c][i] = -kk;
      sb[c][i] = kk * rho[c];
    }
    __syncthreads();
#pragma unroll
    for (int c = 0; c < C; ++c) {
      if (c >= nt) break;
      y[c] = kernels::detail::Wkv7Token(S, kernels::detail::Wkv7RowDot(S, sa[c]), vv[c], sw[c], sk[c], sb[c], sr[c]);
    }
    // GroupNorm over the head's N rows, per token: mean, then the centred variance
    __syncthreads();  // every thread is done reading red[] of this stage
#pragma unroll
    for (int c = 0; c < C; ++c) {
      if (c >= nt) break;
      const float s = Wkv7WarpSum(y[c]);
      if (lane == 0) red[0][c][warp] = s;
    }
    __syncthreads();
    float mean[C];
#pragma unroll
    for (int c = 0; c < C; ++c) {
      if (c >= nt) break;
      float s = 0.0f;
#pragma unroll
      for (int w = 0; w < NW; ++w) s += red[0][c][w];
      mean[c] = s / N;
      const float q = Wkv7WarpSum((y[c] - mean[c]) * (y[c] - mean[c]));
      if (lane == 0) red[1][c][warp] = q;
    }
    __syncthreads();
#pragma unroll
    for (int c = 0; c < C; ++c) {
      if (c >= nt) break;
      float q = 0.0f;
#pragma unroll
      for (int w = 0; w < NW; ++w) q += red[1][c][w];
      const float rstd = rsqrtf(q / N + kWkv7GroupNormEps);
      const size_t o = base + static_cast<size_t>(t0 + c) * row;
      const float normed = (y[c] - mean[c]) * rstd * ln_w + ln_b;
      p.out[o] = FromFloat<T>((normed + bonus[c] * vv[c]) * ToFloat(p.g[o]));
    }
    __syncthreads();  // the stage buffers and red[] are reused by the next stage
  }
  kernels::detail::Wkv7StoreRow(st, S);
}

template <typename T, int N, int C>
cudaError_t LaunchWkv7Fused(int B, int T_len, int H, const Wkv7FusedArgs<T>& a, cudaStream_t stream) {
  const dim3 grid(static_cast<unsigned>(H), static_cast<unsigned>(B));
  Wkv7FusedKernel<T, N, C><<<grid, N, 0, stream>>>(T_len, H, a);
  return cudaGetLastError();
}

}  // namespace rwkvkit::bench

#endif  // RWKVKIT_BENCH_KERNELS_WKV7_FUSED_VARIANT_CUH_

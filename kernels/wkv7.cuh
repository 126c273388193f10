// kernels/wkv7.cuh — the WKV-7 kernel template behind kernels/wkv7.h, shared by its launchers
// (wkv7.cu) and the variants bench (bench/kernels/wkv7_variants.cu). Device code; include from
// .cu files only.
//
// Thread i of block (h, b) owns value row i of the head's state: S[i][0..N) in N fp32 registers.
// Per stage of C tokens, the block loads r, decay factor, k, a, b of those tokens into shared
// memory (fp32; the decay already exp(-0.606531·σ(d))), one barrier, then every thread runs the
// C tokens on its own row (shared reads are broadcasts: all threads read the same word), writes
// y[t][i], and a second barrier protects the stage buffer. v[t][i] is read by its own thread.
#ifndef RWKVKIT_KERNELS_WKV7_CUH_
#define RWKVKIT_KERNELS_WKV7_CUH_

#include <cuda_runtime.h>

#include "kernels/dtype_convert.cuh"

namespace rwkvkit::kernels::detail {

// exp(-0.606531 · σ(d)) in fp32, as the package's CPU/one-token path computes it.
__device__ __forceinline__ float Wkv7Decay(float d) { return expf(-0.606531f / (1.0f + expf(-d))); }

// Thread i's state row S[0..N) from / to state (16-byte accesses; N % 4 == 0).
template <int N>
__device__ __forceinline__ void Wkv7LoadRow(const float* st, float (&S)[N]) {
#pragma unroll
  for (int j = 0; j < N; j += 4) {
    const float4 q = *reinterpret_cast<const float4*>(st + j);
    S[j] = q.x;
    S[j + 1] = q.y;
    S[j + 2] = q.z;
    S[j + 3] = q.w;
  }
}
template <int N>
__device__ __forceinline__ void Wkv7StoreRow(float* st, const float (&S)[N]) {
#pragma unroll
  for (int j = 0; j < N; j += 4) *reinterpret_cast<float4*>(st + j) = make_float4(S[j], S[j + 1], S[j + 2], S[j + 3]);
}

// Σ_j S[j]·x[j] for a stage vector x in shared memory (broadcast reads, four partial sums).
template <int N>
__device__ __forceinline__ float Wkv7RowDot(const float (&S)[N], const float* x) {
  float s0 = 0.f, s1 = 0.f, s2 = 0.f, s3 = 0.f;
#pragma unroll
  for (int j = 0; j < N; j += 4) {
    const float4 q = *reinterpret_cast<const float4*>(x + j);
    s0 = fmaf(S[j], q.x, s0);
    s1 = fmaf(S[j + 1], q.y, s1);
    s2 = fmaf(S[j + 2], q.z, s2);
    s3 = fmaf(S[j + 3], q.w, s3);
  }
  return (s0 + s1) + (s2 + s3);
}

// One token on thread i's state row, given sa = Σ_j S[j]·a[j] (Wkv7RowDot) and v[i]:
// S[j] = S[j]·w[j] + sa·b[j] + v·k[j], then returns the readout Σ_j S[j]·r[j] of the new row.
// kNextSa: the same pass also leaves Σ_j S[j]·a_next[j] (the next token's sa) in *next_sa.
// w, k, b, r, a_next: the token's stage vectors in shared memory. The one home of the update,
// used by every WKV-7 kernel and bench variant.
template <int N, bool kNextSa = false>
__device__ __forceinline__ float Wkv7Token(float (&S)[N], float sa, float vi, const float* w, const float* k,
                                           const float* b, const float* r, const float* a_next = nullptr,
                                           float* next_sa = nullptr) {
  float y0 = 0.f, y1 = 0.f, y2 = 0.f, y3 = 0.f, n0 = 0.f, n1 = 0.f, n2 = 0.f, n3 = 0.f;
#pragma unroll
  for (int j = 0; j < N; j += 4) {
    const float4 w4 = *reinterpret_cast<const float4*>(w + j);
    const float4 b4 = *reinterpret_cast<const float4*>(b + j);
    const float4 k4 = *reinterpret_cast<const float4*>(k + j);
    const float4 r4 = *reinterpret_cast<const float4*>(r + j);
    S[j] = fmaf(S[j], w4.x, fmaf(sa, b4.x, vi * k4.x));
    S[j + 1] = fmaf(S[j + 1], w4.y, fmaf(sa, b4.y, vi * k4.y));
    S[j + 2] = fmaf(S[j + 2], w4.z, fmaf(sa, b4.z, vi * k4.z));
    S[j + 3] = fmaf(S[j + 3], w4.w, fmaf(sa, b4.w, vi * k4.w));
    y0 = fmaf(S[j], r4.x, y0);
    y1 = fmaf(S[j + 1], r4.y, y1);
    y2 = fmaf(S[j + 2], r4.z, y2);
    y3 = fmaf(S[j + 3], r4.w, y3);
    if (kNextSa) {
      const float4 a4 = *reinterpret_cast<const float4*>(a_next + j);
      n0 = fmaf(S[j], a4.x, n0);
      n1 = fmaf(S[j + 1], a4.y, n1);
      n2 = fmaf(S[j + 2], a4.z, n2);
      n3 = fmaf(S[j + 3], a4.w, n3);
    }
  }
  if (kNextSa) *next_sa = (n0 + n1) + (n2 + n3);
  return (y0 + y1) + (y2 + y3);
}

// kNextSa: the readout pass of token t also accumulates sa of token t+1 (Σ_j S_t[i][j]·a_{t+1}[j],
// with a_{t+1} already in the stage), so each token makes one pass over its state row instead of
// two dependent ones; only a stage's first token needs its own sa pass. Tried (variants 7 and 8 of
// bench/kernels/wkv7_variants.cu): 5% slower on an H100, so the launchers use kNextSa = false.
// kStageV: v of the stage's tokens is staged in shared memory with the other vectors (each thread
// reads only its own row's entry back), so no global load waits inside the token loop.
template <typename T, int N, int C, bool kNextSa = false, bool kStageV = false>
__global__ void __launch_bounds__(N) Wkv7Kernel(int T_len, int H, const T* __restrict__ r, const T* __restrict__ d,
                                               const T* __restrict__ k, const T* __restrict__ v,
                                               const T* __restrict__ a, const T* __restrict__ b,
                                               float* __restrict__ state, T* __restrict__ y) {
  const int h = blockIdx.x, bb = blockIdx.y, i = threadIdx.x;
  __shared__ float sr[C][N], sw[C][N], sk[C][N], sa[C][N], sb[C][N];
  __shared__ float sv[kStageV ? C : 1][N];
  float S[N];
  float* st = state + ((static_cast<size_t>(bb) * H + h) * N + i) * N;
  Wkv7LoadRow(st, S);
  const size_t row = static_cast<size_t>(H) * N;  // elements per token
  const size_t base = static_cast<size_t>(bb) * T_len * row + static_cast<size_t>(h) * N;
  for (int t0 = 0; t0 < T_len; t0 += C) {
    const int nt = min(C, T_len - t0);
    // stage: thread i loads channel i of every token of the chunk (coalesced across threads)
#pragma unroll 4
    for (int c = 0; c < nt; ++c) {
      const size_t o = base + static_cast<size_t>(t0 + c) * row + i;
      sr[c][i] = ToFloat(r[o]);
      sw[c][i] = Wkv7Decay(ToFloat(d[o]));
      sk[c][i] = ToFloat(k[o]);
      sa[c][i] = ToFloat(a[o]);
      sb[c][i] = ToFloat(b[o]);
      if (kStageV) sv[c][i] = ToFloat(v[o]);
    }
    __syncthreads();
    float sai = 0.0f;  // kNextSa: sa of token c, carried from token c-1's pass
    for (int c = 0; c < nt; ++c) {
      const size_t o = base + static_cast<size_t>(t0 + c) * row + i;
      const float vi = kStageV ? sv[c][i] : ToFloat(v[o]);
      if (!kNextSa || c == 0) sai = Wkv7RowDot(S, sa[c]);
      const int cn = c + 1 < C ? c + 1 : C - 1;  // past the stage's last token: read, never used
      y[o] = FromFloat<T>(Wkv7Token<N, kNextSa>(S, sai, vi, sw[c], sk[c], sb[c], sr[c], sa[cn], &sai));
    }
    __syncthreads();
  }
  Wkv7StoreRow(st, S);
}

// The same recurrence with the stage's inputs prefetched: while a stage is computed, the next
// stage's r, d, k, v, a, b are already on their way into shared memory (cp.async, 16 bytes per
// copy, double-buffered as stored); at a stage start each thread converts its channel to fp32
// (the decay made there) into the stage arrays. Needs 16-byte aligned rows (N·sizeof(T) % 16 == 0
// and 16-byte aligned pointers).
__device__ __forceinline__ void Wkv7CpAsync16(void* smem, const void* gmem) {
  const unsigned s = static_cast<unsigned>(__cvta_generic_to_shared(smem));
  asm volatile("cp.async.cg.shared.global [%0], [%1], 16;\n" ::"r"(s), "l"(gmem));
}

template <typename T, int N, int C>
__global__ void __launch_bounds__(N) Wkv7PrefetchKernel(int T_len, int H, const T* __restrict__ r,
                                                       const T* __restrict__ d, const T* __restrict__ k,
                                                       const T* __restrict__ v, const T* __restrict__ a,
                                                       const T* __restrict__ b, float* __restrict__ state,
                                                       T* __restrict__ y) {
  constexpr int kE = 16 / static_cast<int>(sizeof(T));  // elements per 16-byte copy
  constexpr int kPieces = C * (N / kE);                  // copies per input per stage
  const int h = blockIdx.x, bb = blockIdx.y, i = threadIdx.x;
  __shared__ alignas(16) T raw[2][6][C][N];  // r, d, k, v, a, b as stored, two stages
  __shared__ alignas(16) float sr[C][N], sw[C][N], sk[C][N], sa[C][N], sb[C][N], sv[C][N];
  float S[N];
  float* st = state + ((static_cast<size_t>(bb) * H + h) * N + i) * N;
  Wkv7LoadRow(st, S);
  const size_t row = static_cast<size_t>(H) * N;
  const size_t base = static_cast<size_t>(bb) * T_len * row + static_cast<size_t>(h) * N;
  auto issue = [&](int buf, int t0) {
    const int nt = min(C, T_len - t0);
    const T* src[6] = {r, d, k, v, a, b};
#pragma unroll
    for (int in = 0; in < 6; ++in)
      for (int q = i; q < kPieces; q += N) {
        const int c = q / (N / kE), e = (q % (N / kE)) * kE;
        if (c < nt) Wkv7CpAsync16(&raw[buf][in][c][e], src[in] + base + static_cast<size_t>(t0 + c) * row + e);
      }
    asm volatile("cp.async.commit_group;\n" ::);
  };
  issue(0, 0);
  for (int t0 = 0, buf = 0; t0 < T_len; t0 += C, buf ^= 1) {
    const int nt = min(C, T_len - t0);
    asm volatile("cp.async.wait_group 0;\n" ::: "memory");
    __syncthreads();  // this stage's copies landed; the previous stage's arrays are no longer read
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
    for (int c = 0; c < nt; ++c) {
      const float vi = sv[c][i];
      const float yi = Wkv7Token(S, Wkv7RowDot(S, sa[c]), vi, sw[c], sk[c], sb[c], sr[c]);
      y[base + static_cast<size_t>(t0 + c) * row + i] = FromFloat<T>(yi);
    }
  }
  Wkv7StoreRow(st, S);
}

template <typename T>
inline bool Wkv7ArgsValid(int B, int T_len, int H, int N, const T* r, const T* d, const T* k, const T* v,
                          const T* a, const T* b, const float* state, const T* y) {
  if (B < 1 || T_len < 0 || H < 1 || (N != 32 && N != 64)) return false;
  return r && d && k && v && a && b && state && y;
}

template <typename T, int N, int C, bool kNextSa = false, bool kStageV = false>
cudaError_t LaunchWkv7(int B, int T_len, int H, const T* r, const T* d, const T* k, const T* v, const T* a,
                       const T* b, float* state, T* y, cudaStream_t stream) {
  const dim3 grid(static_cast<unsigned>(H), static_cast<unsigned>(B));
  Wkv7Kernel<T, N, C, kNextSa, kStageV><<<grid, N, 0, stream>>>(T_len, H, r, d, k, v, a, b, state, y);
  return cudaGetLastError();
}

template <typename T, int N, int C>
cudaError_t LaunchWkv7Prefetch(int B, int T_len, int H, const T* r, const T* d, const T* k, const T* v, const T* a,
                               const T* b, float* state, T* y, cudaStream_t stream) {
  const dim3 grid(static_cast<unsigned>(H), static_cast<unsigned>(B));
  Wkv7PrefetchKernel<T, N, C><<<grid, N, 0, stream>>>(T_len, H, r, d, k, v, a, b, state, y);
  return cudaGetLastError();
}

}  // namespace rwkvkit::kernels::detail

#endif  // RWKVKIT_KERNELS_WKV7_CUH_

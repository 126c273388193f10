// bench/kernels/wkv7_variants.cu — variants of the WKV-7 forward (kernels/wkv7.h), selected by
// number (docs/conventions.md). Each is first checked against its CPU twin on a small awkward
// shape (Wkv7ForwardReference; the fused ones with the x070 preparation and GroupNorm·gate
// computed around it in fp64 here), then timed.
//
//   wkv7_variants [--B 32] [--T 512] [--H 32] [--dtype bf16|f32] [--variants 12,14,...]
//   1  plain, one token per stage (a barrier per token: Wkv7ForwardSequential)
//   2, 3, 4  plain, 8-, 16-, 32-token stages
//   5, 6  fused with the x070 preparation and GroupNorm·gate (wkv7_fused_variant.cuh), 8-, 16-token
//   7, 8  plain, 16-, 8-token stages, next token's sa accumulated in the readout pass (kNextSa)
//   11, 13  as 3, v staged in shared memory with the other inputs (kStageV); 13 with 8-token stages
//   12  8-token stages prefetched by cp.async while the previous stage runs (Wkv7Forward)
//   14  as 12, register-tiled: 4 rows x N/4 columns of the state per thread (wkv7_tiled_variant.cuh)
// Prints per variant: check max |err|, median of 20 timed runs, ns per token, GB/s, the HBM and FMA
// floors (docs/kernels_notes.md). Not a test (never run by ctest; -DRWKVKIT_BUILD_BENCH=ON).
#include <cuda_bf16.h>
#include <cuda_runtime.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "kernels/dtype_convert.cuh"
#include "kernels/wkv7.cuh"
#include "bench/kernels/wkv7_fused_variant.cuh"
#include "bench/kernels/wkv7_tiled_variant.cuh"
#include "kernels/wkv_reference.h"

namespace {

namespace kd = rwkvkit::kernels::detail;
using rwkvkit::kernels::FromFloat;
using rwkvkit::kernels::ToFloat;
using rwkvkit::bench::LaunchWkv7Fused;
using rwkvkit::bench::LaunchWkv7Tiled;
using rwkvkit::bench::Wkv7FusedArgs;

#define CK(expr)                                                                                    \
  do {                                                                                              \
    const cudaError_t e_ = (expr);                                                                  \
    if (e_ != cudaSuccess) {                                                                        \
      std::fprintf(stderr, "%s:%d: %s: %s\n", __FILE__, __LINE__, #expr, cudaGetErrorString(e_)); \
      std::exit(1);                                                                                 \
    }                                                                                               \
  } while (0)

template <typename T>
T* Put(const std::vector<float>& x) {
  std::vector<T> h(x.size());
  for (size_t i = 0; i < x.size(); ++i) h[i] = FromFloat<T>(x[i]);
  T* d = nullptr;
  CK(cudaMalloc(&d, std::max<size_t>(1, h.size()) * sizeof(T)));
  CK(cudaMemcpy(d, h.data(), h.size() * sizeof(T), cudaMemcpyHostToDevice));
  return d;
}
template <typename T>
std::vector<float> Get(const T* d, size_t n) {
  std::vector<T> h(n);
  CK(cudaMemcpy(h.data(), d, n * sizeof(T), cudaMemcpyDeviceToHost));
  std::vector<float> x(n);
  for (size_t i = 0; i < n; ++i) x[i] = ToFloat(h[i]);
  return x;
}
template <typename T>
float R(float x) {
  return ToFloat(FromFloat<T>(x));
}

// One problem: the fused kernel's inputs (the plain one uses r, d = w0 + decay_lora, k, v, a, b).
struct Problem {
  int B = 0, T = 0, H = 0, N = 64;
  std::vector<float> r, k, v, dl, il, vl, g, vf, w0, a0, v0, k_k, k_a, r_k, lw, lb, a, b, d, state;
};

template <typename T>
Problem Make(int B, int T_len, int H, uint32_t seed) {
  Problem p;
  p.B = B;
  p.T = T_len;
  p.H = H;
  const size_t n = static_cast<size_t>(B) * T_len * H * p.N, c = static_cast<size_t>(H) * p.N;
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(-1, 1), u01(0, 1);
  auto fill = [&](std::vector<float>& x, size_t m, float lo, float hi, bool round) {
    x.resize(m);
    for (float& e : x) e = round ? R<T>(lo + (hi - lo) * u01(rng)) : lo + (hi - lo) * u01(rng);
  };
  fill(p.r, n, -1, 1, true);
  fill(p.k, n, -1, 1, true);
  fill(p.v, n, -1, 1, true);
  fill(p.dl, n, -2, 2, true);
  fill(p.il, n, -2, 2, true);
  fill(p.vl, n, -2, 2, true);
  fill(p.g, n, -1, 1, true);
  fill(p.vf, n, -1, 1, true);
  fill(p.w0, c, -4, 3, false);
  fill(p.a0, c, -1, 1, false);
  fill(p.v0, c, -1, 1, false);
  fill(p.k_k, c, 0.5f, 1.5f, false);
  fill(p.k_a, c, 0, 1, false);
  fill(p.r_k, c, -0.5f, 0.5f, false);
  fill(p.lw, c, 0.8f, 1.2f, false);
  fill(p.lb, c, -0.1f, 0.1f, false);
  fill(p.state, static_cast<size_t>(B) * H * p.N * p.N, -1, 1, false);
  // the plain kernel's inputs: a = -kk, b = kk·ρ from k; d = w0 + decay_lora (rounded to T)
  p.a.resize(n);
  p.b.resize(n);
  p.d.resize(n);
  for (size_t o = 0; o < n; o += p.N) {
    double ss = 0;
    for (int j = 0; j < p.N; ++j) ss += std::pow(p.k[o + j] * p.k_k[(o + j) % c], 2);
    for (int j = 0; j < p.N; ++j) {
      const size_t ch = (o + j) % c;
      const double kk = p.k[o + j] * p.k_k[ch] / std::max(std::sqrt(ss), 1e-12);
      p.a[o + j] = R<T>(static_cast<float>(-kk));
      p.b[o + j] = R<T>(static_cast<float>(kk / (1 + std::exp(-(p.a0[ch] + p.il[o + j])))));
      p.d[o + j] = R<T>(p.w0[ch] + p.dl[o + j]);
    }
  }
  return p;
}

// The fused op in fp64 around Wkv7ForwardReference (layer ≥ 1: v_lora present).
std::vector<float> FusedReference(const Problem& p, std::vector<float>& state) {
  const size_t n = p.r.size(), c = static_cast<size_t>(p.H) * p.N;
  std::vector<float> d(n), k(n), v(n), a(n), b(n), y(n), out(n);
  std::vector<double> bonus(n / p.N);
  for (size_t o = 0; o < n; o += p.N) {
    double ss = 0;
    for (int j = 0; j < p.N; ++j) ss += std::pow(static_cast<double>(p.k[o + j]) * p.k_k[(o + j) % c], 2);
    double bo = 0;
    for (int j = 0; j < p.N; ++j) {
      const size_t i = o + j, ch = i % c;
      const double kk = p.k[i] * static_cast<double>(p.k_k[ch]) / std::max(std::sqrt(ss), 1e-12);
      const double rho = 1 / (1 + std::exp(-(p.a0[ch] + static_cast<double>(p.il[i]))));
      k[i] = static_cast<float>(p.k[i] * (1 + (rho - 1) * p.k_a[ch]));
      v[i] = static_cast<float>(p.v[i] + (p.vf[i] - static_cast<double>(p.v[i])) /
                                             (1 + std::exp(-(p.v0[ch] + static_cast<double>(p.vl[i])))));
      d[i] = p.w0[ch] + p.dl[i];
      a[i] = static_cast<float>(-kk);
      b[i] = static_cast<float>(kk * rho);
      bo += static_cast<double>(p.r[i]) * k[i] * p.r_k[ch];
    }
    bonus[o / p.N] = bo;
  }
  rwkvkit::kernels::Wkv7ForwardReference(p.B, p.T, p.H, p.N, p.r.data(), d.data(), k.data(), v.data(), a.data(),
                                         b.data(), state.data(), y.data());
  for (size_t o = 0; o < n; o += p.N) {
    double mean = 0, var = 0;
    for (int j = 0; j < p.N; ++j) mean += y[o + j];
    mean /= p.N;
    for (int j = 0; j < p.N; ++j) var += (y[o + j] - mean) * (y[o + j] - mean);
    const double rstd = 1 / std::sqrt(var / p.N + 64e-5);
    for (int j = 0; j < p.N; ++j) {
      const size_t i = o + j, ch = i % c;
      out[i] = static_cast<float>(((y[i] - mean) * rstd * p.lw[ch] + p.lb[ch] + bonus[o / p.N] * v[i]) * p.g[i]);
    }
  }
  return out;
}

template <typename T>
struct Dev {
  T *r, *k, *v, *dl, *il, *vl, *g, *vf, *a, *b, *d, *y;
  float *w0, *a0, *v0, *k_k, *k_a, *r_k, *lw, *lb, *state;
  explicit Dev(const Problem& p) {
    r = Put<T>(p.r), k = Put<T>(p.k), v = Put<T>(p.v), dl = Put<T>(p.dl), il = Put<T>(p.il), vl = Put<T>(p.vl);
    g = Put<T>(p.g), vf = Put<T>(p.vf), a = Put<T>(p.a), b = Put<T>(p.b), d = Put<T>(p.d), y = Put<T>(p.r);
    w0 = Put<float>(p.w0), a0 = Put<float>(p.a0), v0 = Put<float>(p.v0), k_k = Put<float>(p.k_k);
    k_a = Put<float>(p.k_a), r_k = Put<float>(p.r_k), lw = Put<float>(p.lw), lb = Put<float>(p.lb);
    state = Put<float>(p.state);
  }
  Wkv7FusedArgs<T> Fused() { return {r, k, v, dl, il, vl, g, vf, w0, a0, v0, k_k, k_a, r_k, lw, lb, state, y}; }
};

template <typename T>
cudaError_t Run(int variant, const Problem& p, Dev<T>& d) {
  switch (variant) {
    case 1: return kd::LaunchWkv7<T, 64, 1>(p.B, p.T, p.H, d.r, d.d, d.k, d.v, d.a, d.b, d.state, d.y, nullptr);
    case 2: return kd::LaunchWkv7<T, 64, 8>(p.B, p.T, p.H, d.r, d.d, d.k, d.v, d.a, d.b, d.state, d.y, nullptr);
    case 3: return kd::LaunchWkv7<T, 64, 16>(p.B, p.T, p.H, d.r, d.d, d.k, d.v, d.a, d.b, d.state, d.y, nullptr);
    case 4: return kd::LaunchWkv7<T, 64, 32>(p.B, p.T, p.H, d.r, d.d, d.k, d.v, d.a, d.b, d.state, d.y, nullptr);
    case 5: return LaunchWkv7Fused<T, 64, 8>(p.B, p.T, p.H, d.Fused(), nullptr);
    case 6: return LaunchWkv7Fused<T, 64, 16>(p.B, p.T, p.H, d.Fused(), nullptr);
    case 7: return kd::LaunchWkv7<T, 64, 16, true>(p.B, p.T, p.H, d.r, d.d, d.k, d.v, d.a, d.b, d.state, d.y, nullptr);
    case 11:
      return kd::LaunchWkv7<T, 64, 16, false, true>(p.B, p.T, p.H, d.r, d.d, d.k, d.v, d.a, d.b, d.state, d.y, nullptr);
    case 12: return kd::LaunchWkv7Prefetch<T, 64, 8>(p.B, p.T, p.H, d.r, d.d, d.k, d.v, d.a, d.b, d.state, d.y, nullptr);
    case 14: return LaunchWkv7Tiled<T, 64, 8>(p.B, p.T, p.H, d.r, d.d, d.k, d.v, d.a, d.b, d.state, d.y, nullptr);
    case 13:
      return kd::LaunchWkv7<T, 64, 8, false, true>(p.B, p.T, p.H, d.r, d.d, d.k, d.v, d.a, d.b, d.state, d.y, nullptr);
    default: return kd::LaunchWkv7<T, 64, 8, true>(p.B, p.T, p.H, d.r, d.d, d.k, d.v, d.a, d.b, d.state, d.y, nullptr);
  }
}

template <typename T>
double Check(int variant) {
  const Problem p = Make<T>(2, 37, 2, 7 + variant);
  Dev<T> d(p);
  CK(Run<T>(variant, p, d));
  CK(cudaDeviceSynchronize());
  std::vector<float> st = p.state, want(p.r.size());
  if (variant != 5 && variant != 6) {
    rwkvkit::kernels::Wkv7ForwardReference(p.B, p.T, p.H, p.N, p.r.data(), p.d.data(), p.k.data(), p.v.data(),
                                           p.a.data(), p.b.data(), st.data(), want.data());
  } else {
    want = FusedReference(p, st);
  }
  const std::vector<float> got = Get(d.y, want.size()), gst = Get(d.state, st.size());
  double worst = 0;  // relative to max(1, |want|): y is rounded to T
  for (size_t i = 0; i < want.size(); ++i)
    worst = std::max(worst, std::abs(static_cast<double>(got[i]) - want[i]) / std::max(1.0, std::abs(double(want[i]))));
  for (size_t i = 0; i < st.size(); ++i) worst = std::max(worst, std::abs(static_cast<double>(gst[i]) - st[i]));
  return worst;
}

template <typename T>
void Bench(int B, int T_len, int H, double copy_gbs, const cudaDeviceProp& prop, int clock_khz,
           const std::vector<int>& variants) {
  const Problem p = Make<T>(B, T_len, H, 1);
  const double tokens = static_cast<double>(B) * T_len, n = tokens * H * 64;
  const double fma_floor_ms = 5.0 * 64 * n / (prop.multiProcessorCount * 128.0 * clock_khz * 1e3) * 1e3;
  for (int variant : variants) {
    const double err = Check<T>(variant);
    const double tol = sizeof(T) == 4 ? 2e-4 : 2e-2;
    if (!(err <= tol)) {
      std::printf("variant %d: CHECK FAILED (max err %.2e), not timed\n", variant, err);
      continue;
    }
    Dev<T> d(p);
    cudaEvent_t e0, e1;
    CK(cudaEventCreate(&e0));
    CK(cudaEventCreate(&e1));
    for (int w = 0; w < 3; ++w) CK(Run<T>(variant, p, d));
    std::vector<float> ms(20);
    for (float& m : ms) {
      CK(cudaEventRecord(e0));
      CK(Run<T>(variant, p, d));
      CK(cudaEventRecord(e1));
      CK(cudaEventSynchronize(e1));
      CK(cudaEventElapsedTime(&m, e0, e1));
    }
    std::sort(ms.begin(), ms.end());
    const double med = ms[10];
    // bytes: plain reads r, d, k, v, a, b and writes y; fused reads r, k, v, 3 LoRA outputs, g,
    // v_first and writes the output; both read and write the state
    const double io = (variant != 5 && variant != 6 ? 7.0 : 9.0) * n * sizeof(T) + 2.0 * B * H * 64 * 64 * 4;
    std::printf("variant %d %-4s check %.1e  median %7.3f ms  %6.2f ns/token  %6.0f GB/s  floors: HBM %.3f ms, "
                "FMA %.3f ms\n",
                variant, sizeof(T) == 4 ? "f32" : "bf16", err, med, med * 1e6 / tokens, io / med / 1e6,
                io / copy_gbs / 1e6, fma_floor_ms);
    CK(cudaEventDestroy(e0));
    CK(cudaEventDestroy(e1));
  }
}

}  // namespace

int main(int argc, char** argv) {
  int B = 32, T_len = 512, H = 32;
  std::string dtype = "bf16";
  std::vector<int> variants = {1, 2, 3, 4, 5, 6, 7, 8, 11, 12, 13, 14, 12, 14};
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--B") B = std::atoi(argv[i + 1]);
    else if (a == "--T") T_len = std::atoi(argv[i + 1]);
    else if (a == "--H") H = std::atoi(argv[i + 1]);
    else if (a == "--dtype") dtype = argv[i + 1];
    else if (a == "--variants") {
      variants.clear();
      const std::string list = argv[i + 1];
      for (size_t at = 0; at < list.size();) {
        const size_t comma = std::min(list.find(',', at), list.size());
        variants.push_back(std::atoi(list.substr(at, comma - at).c_str()));
        at = comma + 1;
      }
    }
  }
  cudaDeviceProp prop;
  CK(cudaGetDeviceProperties(&prop, 0));
  int clock_khz = 0;
  CK(cudaDeviceGetAttribute(&clock_khz, cudaDevAttrClockRate, 0));
  // copy bandwidth (read + write counted) of a 2 GB device-to-device copy
  const size_t bytes = size_t{1} << 31;
  char *src, *dst;
  CK(cudaMalloc(&src, bytes));
  CK(cudaMalloc(&dst, bytes));
  cudaEvent_t e0, e1;
  CK(cudaEventCreate(&e0));
  CK(cudaEventCreate(&e1));
  CK(cudaMemcpy(dst, src, bytes, cudaMemcpyDeviceToDevice));
  CK(cudaEventRecord(e0));
  for (int i = 0; i < 5; ++i) CK(cudaMemcpy(dst, src, bytes, cudaMemcpyDeviceToDevice));
  CK(cudaEventRecord(e1));
  CK(cudaEventSynchronize(e1));
  float ms = 0;
  CK(cudaEventElapsedTime(&ms, e0, e1));
  const double copy_gbs = 2.0 * 5 * bytes / (ms * 1e6);
  CK(cudaFree(src));
  CK(cudaFree(dst));
  std::printf("card %s, %d SMs, %.0f MHz; copy %.0f GB/s; shape B=%d T=%d H=%d N=64 (%d tokens)\n", prop.name,
              prop.multiProcessorCount, clock_khz / 1e3, copy_gbs, B, T_len, H, B * T_len);
  if (dtype == "f32")
    Bench<float>(B, T_len, H, copy_gbs, prop, clock_khz, variants);
  else
    Bench<__nv_bfloat16>(B, T_len, H, copy_gbs, prop, clock_khz, variants);
  return 0;
}

// bench/kernels/wkv_variants.cu — experimental variants of the WKV forward kernels, selected by
// number as in llm.c dev/cuda (docs/conventions.md). Each variant is first checked against the CPU
// twin (kernels/wkv_reference.h, tolerances from tests/kernels/tolerances.h) on a small awkward
// shape, and only then timed on a Finch-1.6B-shaped layer. Results go to docs/kernels_notes.md.
//
//   wkv_variants [VARIANT|all] [--dtype f32|f16|bf16|all] [--version 5|6] [--B n] [--T n] [--H n]
//   1  sequential: one block per (b, h), a barrier per token (kernels/, the checker baseline)
//   2  chunked C=16, one block per (b, h) holding all 64 value columns (kernels/ default)
//   3  chunked C=16, two blocks per (b, h), 32 value columns each
//   4  chunked C=8, one block per (b, h)
// Prints, per variant and dtype: the check's max error, median time of 20 runs (CUDA events,
// 3 warm-ups), tokens/s, GB/s and the card. Inputs are generated on the device; the method
// (byte counts, why C=32 is not tried, L2): docs/kernels_notes.md.
// Not a test: never run by ctest; built with -DRWKVKIT_BUILD_BENCH=ON.
#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "kernels/dtype_convert.cuh"
#include "kernels/wkv.cuh"
#include "kernels/wkv_reference.h"
#include "tests/kernels/tolerances.h"

namespace {

using rwkvkit::kernels::detail::LaunchWkvChunked;
using rwkvkit::kernels::detail::LaunchWkvSequential;

#define CHECK_CUDA(expr)                                                                     \
  do {                                                                                       \
    const cudaError_t err_ = (expr);                                                         \
    if (err_ != cudaSuccess) {                                                               \
      std::fprintf(stderr, "%s:%d: %s: %s\n", __FILE__, __LINE__, #expr,                    \
                   cudaGetErrorString(err_));                                                \
      std::exit(1);                                                                          \
    }                                                                                        \
  } while (0)

constexpr int kN = 64;

template <typename T, bool kV6>
cudaError_t RunVariant(int variant, int B, int T_len, int H, const T* r, const T* k, const T* v,
                       const float* w, const float* u, float* state, T* y) {
  switch (variant) {
    case 1: return LaunchWkvSequential<T, kN, kV6>(B, T_len, H, r, k, v, w, u, state, y, nullptr);
    case 2: return LaunchWkvChunked<T, kN, 16, kN, kV6>(B, T_len, H, r, k, v, w, u, state, y, nullptr);
    case 3: return LaunchWkvChunked<T, kN, 16, kN / 2, kV6>(B, T_len, H, r, k, v, w, u, state, y, nullptr);
    case 4: return LaunchWkvChunked<T, kN, 8, kN, kV6>(B, T_len, H, r, k, v, w, u, state, y, nullptr);
    default: return cudaErrorInvalidValue;
  }
}
constexpr int kVariants = 4;
const char* kVariantNames[kVariants + 1] = {"", "sequential", "chunked C16 NC64", "chunked C16 NC32",
                                            "chunked C8 NC64"};

template <typename T>
T FromF(float x) {
  return rwkvkit::kernels::FromFloat<T>(x);
}
template <typename T>
float ToF(T x) {
  return rwkvkit::kernels::ToFloat(x);
}
template <typename T>
const char* Name() {
  if constexpr (std::is_same_v<T, __half>) return "f16";
  else if constexpr (std::is_same_v<T, __nv_bfloat16>) return "bf16";
  else return "f32";
}
template <typename T>
rwkvkit::kernels::testing::Tolerance YTol() {
  if constexpr (std::is_same_v<T, __half>) return rwkvkit::kernels::testing::kWkvF16;
  else if constexpr (std::is_same_v<T, __nv_bfloat16>) return rwkvkit::kernels::testing::kWkvBf16;
  else return rwkvkit::kernels::testing::kWkvF32;
}

__device__ float HashUniform(uint64_t i, uint32_t seed) {
  uint64_t x = i * 0x9E3779B97F4A7C15ull + seed * 0xBF58476D1CE4E5B9ull;
  x ^= x >> 31;
  x *= 0x94D049BB133111EBull;
  x ^= x >> 29;
  return static_cast<float>(x >> 40) * (1.0f / 16777216.0f);  // [0, 1)
}

template <typename T>
__global__ void FillUniform(T* x, int64_t n, uint32_t seed) {
  for (int64_t i = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; i < n;
       i += int64_t{gridDim.x} * blockDim.x) {
    x[i] = rwkvkit::kernels::detail::FromFloat<T>(2.0f * HashUniform(i, seed) - 1.0f);
  }
}

__global__ void FillDecay(float* w, int64_t n, uint32_t seed) {
  for (int64_t i = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; i < n;
       i += int64_t{gridDim.x} * blockDim.x) {
    w[i] = expf(-expf(-6.0f + 7.0f * HashUniform(i, seed)));
  }
}

template <typename T>
struct Dev {
  T* p = nullptr;
  explicit Dev(size_t n) { CHECK_CUDA(cudaMalloc(&p, std::max<size_t>(n, 1) * sizeof(T))); }
  ~Dev() { cudaFree(p); }
  Dev(const Dev&) = delete;
  Dev& operator=(const Dev&) = delete;
};

// Check one variant against the CPU twin on a small awkward shape; returns max |err| of y, or -1
// on a failure (which it prints).
template <typename T, bool kV6>
double Check(int variant) {
  const int B = 2, T_len = 77, H = 3;
  const size_t n = static_cast<size_t>(B) * T_len * H * kN;
  const size_t ns = static_cast<size_t>(B) * H * kN * kN;
  std::mt19937 rng(variant * 7919 + 17);
  std::uniform_real_distribution<float> uni(-1.0f, 1.0f), dec(-6.0f, 1.0f);
  std::vector<float> r(n), k(n), v(n), w(kV6 ? n : static_cast<size_t>(H) * kN), u(H * kN), s(ns);
  for (auto* x : {&r, &k, &v}) {
    for (float& e : *x) e = ToF<T>(FromF<T>(uni(rng)));
  }
  for (float& e : w) e = std::exp(-std::exp(dec(rng)));
  for (float& e : u) e = uni(rng);
  for (float& e : s) e = uni(rng);
  std::vector<float> y_ref(n), s_ref = s;
  (kV6 ? rwkvkit::kernels::Wkv6ForwardReference : rwkvkit::kernels::Wkv5ForwardReference)(
      B, T_len, H, kN, r.data(), k.data(), v.data(), w.data(), u.data(), s_ref.data(), y_ref.data());

  auto up = [](const std::vector<float>& x) {
    std::vector<T> h(x.size());
    for (size_t e = 0; e < x.size(); ++e) h[e] = FromF<T>(x[e]);
    return h;
  };
  Dev<T> dr(n), dk(n), dv(n), dy(n);
  Dev<float> dw(w.size()), du(u.size()), ds(ns);
  CHECK_CUDA(cudaMemcpy(dr.p, up(r).data(), n * sizeof(T), cudaMemcpyHostToDevice));
  CHECK_CUDA(cudaMemcpy(dk.p, up(k).data(), n * sizeof(T), cudaMemcpyHostToDevice));
  CHECK_CUDA(cudaMemcpy(dv.p, up(v).data(), n * sizeof(T), cudaMemcpyHostToDevice));
  CHECK_CUDA(cudaMemcpy(dw.p, w.data(), w.size() * 4, cudaMemcpyHostToDevice));
  CHECK_CUDA(cudaMemcpy(du.p, u.data(), u.size() * 4, cudaMemcpyHostToDevice));
  CHECK_CUDA(cudaMemcpy(ds.p, s.data(), ns * 4, cudaMemcpyHostToDevice));
  CHECK_CUDA(cudaMemset(dy.p, 0xff, n * sizeof(T)));
  CHECK_CUDA((RunVariant<T, kV6>(variant, B, T_len, H, dr.p, dk.p, dv.p, dw.p, du.p, ds.p, dy.p)));
  CHECK_CUDA(cudaDeviceSynchronize());
  std::vector<T> yh(n);
  std::vector<float> sg(ns);
  CHECK_CUDA(cudaMemcpy(yh.data(), dy.p, n * sizeof(T), cudaMemcpyDeviceToHost));
  CHECK_CUDA(cudaMemcpy(sg.data(), ds.p, ns * 4, cudaMemcpyDeviceToHost));
  double max_err = 0;
  bool ok = true;
  const auto ty = YTol<T>();
  const auto ts = rwkvkit::kernels::testing::kWkvState;
  for (size_t e = 0; e < n; ++e) {
    const double g = ToF<T>(yh[e]), x = y_ref[e], err = std::fabs(g - x);
    if (!(err <= ty.abs + ty.rel * std::fabs(x))) {
      if (ok) std::printf("    y[%zu]: got %g want %g\n", e, g, x);
      ok = false;
    }
    if (std::isfinite(err)) max_err = std::max(max_err, err);
  }
  for (size_t e = 0; e < ns; ++e) {
    const double err = std::fabs(static_cast<double>(sg[e]) - s_ref[e]);
    if (!(err <= ts.abs + ts.rel * std::fabs(s_ref[e]))) {
      if (ok) std::printf("    state[%zu]: got %g want %g\n", e, sg[e], s_ref[e]);
      ok = false;
    }
  }
  return ok ? max_err : -1.0;
}

template <typename T, bool kV6>
void Bench(int variant, int B, int T_len, int H) {
  const double check = Check<T, kV6>(variant);
  if (check < 0) {
    std::printf("v%d %-5s %-18s CHECK FAILED, not timed\n", kV6 ? 6 : 5, Name<T>(),
                kVariantNames[variant]);
    return;
  }
  const size_t n = static_cast<size_t>(B) * T_len * H * kN;
  const size_t nw = kV6 ? n : static_cast<size_t>(H) * kN;
  const size_t ns = static_cast<size_t>(B) * H * kN * kN;
  Dev<T> r(n), k(n), v(n), y(n);
  Dev<float> w(nw), u(H * kN), s(ns);
  FillUniform<T><<<1024, 256>>>(r.p, n, 1);
  FillUniform<T><<<1024, 256>>>(k.p, n, 2);
  FillUniform<T><<<1024, 256>>>(v.p, n, 3);
  FillDecay<<<1024, 256>>>(w.p, nw, 4);
  FillUniform<float><<<64, 256>>>(u.p, H * kN, 5);
  FillUniform<float><<<1024, 256>>>(s.p, ns, 6);
  CHECK_CUDA(cudaGetLastError());
  for (int i = 0; i < 3; ++i) {
    CHECK_CUDA((RunVariant<T, kV6>(variant, B, T_len, H, r.p, k.p, v.p, w.p, u.p, s.p, y.p)));
  }
  CHECK_CUDA(cudaDeviceSynchronize());
  cudaEvent_t e0, e1;
  CHECK_CUDA(cudaEventCreate(&e0));
  CHECK_CUDA(cudaEventCreate(&e1));
  std::vector<float> ms;
  for (int i = 0; i < 20; ++i) {
    CHECK_CUDA(cudaEventRecord(e0));
    CHECK_CUDA((RunVariant<T, kV6>(variant, B, T_len, H, r.p, k.p, v.p, w.p, u.p, s.p, y.p)));
    CHECK_CUDA(cudaEventRecord(e1));
    CHECK_CUDA(cudaEventSynchronize(e1));
    float t = 0;
    CHECK_CUDA(cudaEventElapsedTime(&t, e0, e1));
    ms.push_back(t);
  }
  CHECK_CUDA(cudaEventDestroy(e0));
  CHECK_CUDA(cudaEventDestroy(e1));
  std::sort(ms.begin(), ms.end());
  const double med = ms[ms.size() / 2];
  const double bytes = static_cast<double>(n) * (4 * sizeof(T)) + static_cast<double>(nw) * 4 +
                       2.0 * ns * 4;
  std::printf("v%d %-5s %-18s check max|err| %.2e  median %8.3f ms (min %8.3f)  %7.2f Mtok/s  %7.1f GB/s\n",
              kV6 ? 6 : 5, Name<T>(), kVariantNames[variant], check, med, ms.front(),
              B * static_cast<double>(T_len) / med / 1e3, bytes / med / 1e6);
}

template <typename T>
void BenchDtype(int variant, int version, int B, int T_len, int H) {
  if (version == 6) Bench<T, true>(variant, B, T_len, H);
  else Bench<T, false>(variant, B, T_len, H);
}

}  // namespace

int main(int argc, char** argv) {
  std::string which = "all", dtype = "all";
  int version = 6, B = 8, T_len = 4096, H = 32;
  for (int a = 1; a < argc; ++a) {
    const std::string arg = argv[a];
    auto next = [&]() -> std::string {
      if (a + 1 >= argc) {
        std::fprintf(stderr, "%s needs a value\n", arg.c_str());
        std::exit(2);
      }
      return argv[++a];
    };
    if (arg == "--dtype") dtype = next();
    else if (arg == "--version") version = std::atoi(next().c_str());
    else if (arg == "--B") B = std::atoi(next().c_str());
    else if (arg == "--T") T_len = std::atoi(next().c_str());
    else if (arg == "--H") H = std::atoi(next().c_str());
    else which = arg;
  }
  cudaDeviceProp prop{};
  CHECK_CUDA(cudaGetDeviceProperties(&prop, 0));
  int driver = 0, runtime = 0;
  CHECK_CUDA(cudaDriverGetVersion(&driver));
  CHECK_CUDA(cudaRuntimeGetVersion(&runtime));
  std::printf("card: %s, %d SMs, L2 %d MB, driver API %d, runtime %d\n", prop.name,
              prop.multiProcessorCount, prop.l2CacheSize >> 20, driver, runtime);
  std::printf("shape: WKV-%d B=%d T=%d H=%d N=%d (%d tokens)\n", version, B, T_len, H, kN,
              B * T_len);
  for (int variant = 1; variant <= kVariants; ++variant) {
    if (which != "all" && std::atoi(which.c_str()) != variant) continue;
    if (dtype == "all" || dtype == "f32") BenchDtype<float>(variant, version, B, T_len, H);
    if (dtype == "all" || dtype == "f16") BenchDtype<__half>(variant, version, B, T_len, H);
    if (dtype == "all" || dtype == "bf16") BenchDtype<__nv_bfloat16>(variant, version, B, T_len, H);
  }
  return 0;
}

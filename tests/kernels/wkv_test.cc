// tests/kernels/wkv_test.cc — the `gpu` checker of kernels/wkv.h (docs/conventions.md): every launcher
// (chunked and sequential, v5.2 and v6, fp32/fp16/bf16) against the fp64 CPU twin
// kernels/wkv_reference.h on random inputs with a fixed seed, over awkward shapes (T = 1, odd T,
// T not a multiple of the 16-token chunk, one head, B up to 4, N = 32 and 64), plus the carried
// state (two calls == one call). Tolerances: tolerances.h. Each test skips itself when
// cudaGetDeviceCount finds no device (CI has none); the argument-check tests need no device.
// Host code only (g++): it talks to the kernels through wkv.h and the CUDA runtime.
#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "kernels/dtype_convert.cuh"
#include "kernels/wkv.h"
#include "kernels/wkv_reference.h"
#include "tests/kernels/gpu_checks.h"
#include "tests/kernels/tolerances.h"

namespace rwkvkit::kernels {
namespace {

using testing::Tolerance;

enum class Dtype { kF32, kF16, kBf16 };
enum class Impl { kSequential, kChunked };

const char* DtypeName(Dtype d) { return d == Dtype::kF32 ? "f32" : d == Dtype::kF16 ? "f16" : "bf16"; }

// Round a float to the dtype and back (what the kernel will read).
float RoundTo(Dtype d, float x) {
  if (d == Dtype::kF16) return __half2float(__float2half_rn(x));
  if (d == Dtype::kBf16) return __bfloat162float(__float2bfloat16_rn(x));
  return x;
}

struct Shape {
  int B, T, H, N;
};

std::string ShapeName(const Shape& s) {
  std::ostringstream o;
  o << "B" << s.B << "_T" << s.T << "_H" << s.H << "_N" << s.N;
  return o.str();
}

// Inputs of one problem, already rounded to the dtype where the kernel reads that dtype.
struct Inputs {
  std::vector<float> r, k, v, w, u, state;
};

// r, k, v, u, state uniform in [-1, 1]. Decays w = exp(-exp(d)) with d uniform in [-6, 1] (the
// range of released Finch/Eagle decays), plus channel 0 of each head pinned slow (d = -12,
// w ≈ 1 - 6e-6), channel 1 fast (d = 3, w ≈ 2e-9) and, for v6, an exact w = 0 now and then:
// the edges of the log2-decay path.
Inputs MakeInputs(const Shape& s, bool v6, Dtype dt, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> uni(-1.0f, 1.0f), dec(-6.0f, 1.0f);
  const size_t n = static_cast<size_t>(s.B) * s.T * s.H * s.N;
  Inputs in;
  auto fill = [&](std::vector<float>& x, size_t count, bool round) {
    x.resize(count);
    for (float& e : x) e = round ? RoundTo(dt, uni(rng)) : uni(rng);
  };
  fill(in.r, n, true);
  fill(in.k, n, true);
  fill(in.v, n, true);
  fill(in.u, static_cast<size_t>(s.H) * s.N, false);
  fill(in.state, static_cast<size_t>(s.B) * s.H * s.N * s.N, false);
  const size_t nw = v6 ? n : static_cast<size_t>(s.H) * s.N;
  in.w.resize(nw);
  for (size_t e = 0; e < nw; ++e) {
    const int ch = static_cast<int>(e % s.N);
    float d = dec(rng);
    if (ch == 0) d = -12.0f;
    if (ch == 1) d = 3.0f;
    in.w[e] = std::exp(-std::exp(d));
    if (v6 && ch == 2 && (e / s.N) % 7 == 3) in.w[e] = 0.0f;
  }
  return in;
}

// Compare got with want; on failure list the first mismatches and the worst one, with the
// [outer..., last] index decoded through `dims` (row-major).
::testing::AssertionResult Near(const char* what, const std::vector<float>& got,
                                const std::vector<float>& want, Tolerance tol,
                                const std::vector<int>& dims) {
  auto index = [&](size_t e) {
    std::string s = "[";
    std::vector<int> idx(dims.size());
    for (size_t d = dims.size(); d-- > 0;) {
      idx[d] = static_cast<int>(e % dims[d]);
      e /= dims[d];
    }
    for (size_t d = 0; d < idx.size(); ++d) s += (d ? "," : "") + std::to_string(idx[d]);
    return s + "]";
  };
  if (got.size() != want.size()) return ::testing::AssertionFailure() << what << ": size mismatch";
  size_t bad = 0, worst = 0;
  double worst_ratio = -1, max_abs = 0;
  std::ostringstream first;
  for (size_t e = 0; e < got.size(); ++e) {
    const double g = got[e], x = want[e];
    const double err = std::fabs(g - x);
    const double ratio =
        std::isfinite(g) ? err / (tol.abs + tol.rel * std::fabs(x)) : INFINITY;
    const bool ok = ratio <= 1.0;
    if (std::isfinite(err)) max_abs = std::max(max_abs, err);
    if (ratio > worst_ratio) {
      worst_ratio = ratio;
      worst = e;
    }
    if (!ok && bad++ < 5) first << "\n  " << what << index(e) << ": got " << g << ", want " << x;
  }
  if (bad == 0) return ::testing::AssertionSuccess() << what << " max |err| " << max_abs;
  return ::testing::AssertionFailure()
         << bad << " of " << got.size() << " " << what << " values off (tolerance abs "
         << tol.abs << " + rel " << tol.rel << "), first:" << first.str() << "\n  worst "
         << what << index(worst) << ": got " << got[worst] << ", want " << want[worst]
         << " (" << worst_ratio << "x the tolerance); max |err| " << max_abs;
}

template <typename T>
T FromF(float x) {
  return kernels::FromFloat<T>(x);
}
template <typename T>
float ToF(T x) {
  return kernels::ToFloat(x);
}

// Device copy of a host vector, freed on scope exit.
template <typename T>
struct DeviceArray {
  T* p = nullptr;
  size_t n = 0;
  explicit DeviceArray(size_t count) : n(count) {
    if (cudaMalloc(&p, std::max<size_t>(n, 1) * sizeof(T)) != cudaSuccess) p = nullptr;
  }
  DeviceArray(const DeviceArray&) = delete;
  DeviceArray& operator=(const DeviceArray&) = delete;
  ~DeviceArray() { cudaFree(p); }
};

template <typename T>
cudaError_t Upload(DeviceArray<T>& d, const std::vector<float>& x) {
  std::vector<T> h(x.size());
  for (size_t e = 0; e < x.size(); ++e) h[e] = FromF<T>(x[e]);
  return cudaMemcpy(d.p, h.data(), h.size() * sizeof(T), cudaMemcpyHostToDevice);
}

template <typename T>
cudaError_t Download(std::vector<float>& x, const DeviceArray<T>& d) {
  std::vector<T> h(d.n);
  const cudaError_t err = cudaMemcpy(h.data(), d.p, h.size() * sizeof(T), cudaMemcpyDeviceToHost);
  x.resize(d.n);
  for (size_t e = 0; e < d.n; ++e) x[e] = ToF<T>(h[e]);
  return err;
}

template <typename T>
cudaError_t Launch(bool v6, Impl impl, const Shape& s, const T* r, const T* k, const T* v,
                   const float* w, const float* u, float* state, T* y) {
  if (v6) {
    return impl == Impl::kChunked
               ? Wkv6Forward<T>(s.B, s.T, s.H, s.N, r, k, v, w, u, state, y)
               : Wkv6ForwardSequential<T>(s.B, s.T, s.H, s.N, r, k, v, w, u, state, y);
  }
  return impl == Impl::kChunked
             ? Wkv5Forward<T>(s.B, s.T, s.H, s.N, r, k, v, w, u, state, y)
             : Wkv5ForwardSequential<T>(s.B, s.T, s.H, s.N, r, k, v, w, u, state, y);
}

// Run the kernel on `in` (state in/out) and return y as floats. y is poisoned with NaN bytes
// first so an unwritten element fails the comparison.
template <typename T>
void RunGpu(bool v6, Impl impl, const Shape& s, const Inputs& in, std::vector<float>& y,
            std::vector<float>& state) {
  const size_t n = static_cast<size_t>(s.B) * s.T * s.H * s.N;
  DeviceArray<T> dr(n), dk(n), dv(n), dy(n);
  DeviceArray<float> dw(in.w.size()), du(in.u.size()), ds(in.state.size());
  ASSERT_TRUE(dr.p && dk.p && dv.p && dy.p && dw.p && du.p && ds.p) << "cudaMalloc failed";
  CUDA_OK(Upload(dr, in.r));
  CUDA_OK(Upload(dk, in.k));
  CUDA_OK(Upload(dv, in.v));
  CUDA_OK(Upload(dw, in.w));
  CUDA_OK(Upload(du, in.u));
  CUDA_OK(Upload(ds, in.state));
  CUDA_OK(cudaMemset(dy.p, 0xff, n * sizeof(T)));
  CUDA_OK(Launch<T>(v6, impl, s, dr.p, dk.p, dv.p, dw.p, du.p, ds.p, dy.p));
  CUDA_OK(cudaDeviceSynchronize());
  CUDA_OK(Download(y, dy));
  CUDA_OK(Download(state, ds));
}

void RunReference(bool v6, const Shape& s, const Inputs& in, std::vector<float>& y,
                  std::vector<float>& state) {
  y.assign(static_cast<size_t>(s.B) * s.T * s.H * s.N, 0.0f);
  state = in.state;
  (v6 ? Wkv6ForwardReference : Wkv5ForwardReference)(s.B, s.T, s.H, s.N, in.r.data(),
                                                     in.k.data(), in.v.data(), in.w.data(),
                                                     in.u.data(), state.data(), y.data());
}

Tolerance YTolerance(Dtype d) {
  return d == Dtype::kF32 ? testing::kWkvF32 : d == Dtype::kF16 ? testing::kWkvF16 : testing::kWkvBf16;
}

void RunGpuDtype(Dtype d, bool v6, Impl impl, const Shape& s, const Inputs& in,
                 std::vector<float>& y, std::vector<float>& state) {
  if (d == Dtype::kF32) RunGpu<float>(v6, impl, s, in, y, state);
  if (d == Dtype::kF16) RunGpu<__half>(v6, impl, s, in, y, state);
  if (d == Dtype::kBf16) RunGpu<__nv_bfloat16>(v6, impl, s, in, y, state);
}

// ---------------------------------------------------------------------------------------------
// One pass against the twin.
using Param = std::tuple<bool /*v6*/, Impl, Dtype, Shape>;

class WkvCheck : public ::testing::TestWithParam<Param> {};

TEST_P(WkvCheck, MatchesReference) {
  SKIP_WITHOUT_GPU();
  const auto [v6, impl, dt, s] = GetParam();
  const Inputs in = MakeInputs(s, v6, dt, 1234u + s.B * 7 + s.T * 131 + s.H * 17 + s.N);
  std::vector<float> y_ref, s_ref, y_gpu, s_gpu;
  RunReference(v6, s, in, y_ref, s_ref);
  RunGpuDtype(dt, v6, impl, s, in, y_gpu, s_gpu);
  if (HasFatalFailure()) return;
  const auto yr = Near("y", y_gpu, y_ref, YTolerance(dt), {s.B, s.T, s.H, s.N});
  const auto sr = Near("state", s_gpu, s_ref, testing::kWkvState, {s.B, s.H, s.N, s.N});
  EXPECT_TRUE(yr);
  EXPECT_TRUE(sr);
  std::printf("  %s; %s\n", yr.message(), sr.message());
}

const Shape kShapes[] = {
    {1, 1, 1, 64},   // one token, one head
    {2, 17, 3, 64},  // odd T: one full chunk + 1
    {1, 129, 2, 64}, // odd T, 9 chunks, the last of 1 token
    {3, 40, 1, 64},  // T not a multiple of the chunk, one head
    {4, 64, 2, 64},  // T a multiple of the chunk, B = 4
    {2, 300, 4, 64}, // longer: decay and state errors compound over 19 chunks
    {1, 1, 2, 32},   // N = 32
    {2, 33, 3, 32},
    {4, 129, 1, 32},
};

std::string ParamName(const ::testing::TestParamInfo<Param>& info) {
  const auto [v6, impl, dt, s] = info.param;
  return std::string(v6 ? "v6_" : "v5_") + (impl == Impl::kChunked ? "chunked_" : "sequential_") +
         DtypeName(dt) + "_" + ShapeName(s);
}

INSTANTIATE_TEST_SUITE_P(Wkv, WkvCheck,
                         ::testing::Combine(::testing::Bool(),
                                            ::testing::Values(Impl::kSequential, Impl::kChunked),
                                            ::testing::Values(Dtype::kF32, Dtype::kF16,
                                                              Dtype::kBf16),
                                            ::testing::ValuesIn(kShapes)),
                         ParamName);

// ---------------------------------------------------------------------------------------------
// Carried state: tokens [0, T1) then [T1, T) in two calls equal one call over [0, T).
using CarryParam = std::tuple<bool /*v6*/, Impl, Dtype>;

class WkvCarry : public ::testing::TestWithParam<CarryParam> {};

// Copy tokens [t0, t1) of a [B, T, H, N] tensor into a contiguous [B, t1 - t0, H, N] one.
std::vector<float> Slice(const std::vector<float>& x, const Shape& s, int t0, int t1) {
  std::vector<float> out;
  const size_t row = static_cast<size_t>(s.H) * s.N;
  for (int b = 0; b < s.B; ++b) {
    const auto first = x.begin() + (static_cast<size_t>(b) * s.T + t0) * row;
    out.insert(out.end(), first, first + (t1 - t0) * row);
  }
  return out;
}

std::string CarryName(const ::testing::TestParamInfo<CarryParam>& info) {
  const auto [v6, impl, dt] = info.param;
  return std::string(v6 ? "v6_" : "v5_") + (impl == Impl::kChunked ? "chunked_" : "sequential_") +
         DtypeName(dt);
}

TEST_P(WkvCarry, TwoCallsEqualOne) {
  SKIP_WITHOUT_GPU();
  const auto [v6, impl, dt] = GetParam();
  const Shape s{2, 53, 3, 64};
  const int t1 = 21;  // neither half is a multiple of the chunk
  const Inputs in = MakeInputs(s, v6, dt, 99u);
  std::vector<float> y_ref, s_ref;
  RunReference(v6, s, in, y_ref, s_ref);

  Inputs a = in, c = in;
  const Shape sa{s.B, t1, s.H, s.N}, sc{s.B, s.T - t1, s.H, s.N};
  for (auto [dst, src] : {std::pair{&a.r, &in.r}, {&a.k, &in.k}, {&a.v, &in.v}}) {
    *dst = Slice(*src, s, 0, t1);
  }
  for (auto [dst, src] : {std::pair{&c.r, &in.r}, {&c.k, &in.k}, {&c.v, &in.v}}) {
    *dst = Slice(*src, s, t1, s.T);
  }
  if (v6) {
    a.w = Slice(in.w, s, 0, t1);
    c.w = Slice(in.w, s, t1, s.T);
  }
  std::vector<float> ya, sa_out, yc, sc_out;
  RunGpuDtype(dt, v6, impl, sa, a, ya, sa_out);
  if (HasFatalFailure()) return;
  c.state = sa_out;
  RunGpuDtype(dt, v6, impl, sc, c, yc, sc_out);
  if (HasFatalFailure()) return;
  // Reassemble y over [B, T, H, N].
  std::vector<float> y(y_ref.size());
  const size_t row = static_cast<size_t>(s.H) * s.N;
  for (int b = 0; b < s.B; ++b) {
    std::copy(ya.begin() + b * t1 * row, ya.begin() + (b + 1) * t1 * row,
              y.begin() + static_cast<size_t>(b) * s.T * row);
    std::copy(yc.begin() + b * (s.T - t1) * row, yc.begin() + (b + 1) * (s.T - t1) * row,
              y.begin() + (static_cast<size_t>(b) * s.T + t1) * row);
  }
  EXPECT_TRUE(Near("y", y, y_ref, YTolerance(dt), {s.B, s.T, s.H, s.N}));
  EXPECT_TRUE(Near("state", sc_out, s_ref, testing::kWkvState, {s.B, s.H, s.N, s.N}));
}

INSTANTIATE_TEST_SUITE_P(Wkv, WkvCarry,
                         ::testing::Combine(::testing::Bool(),
                                            ::testing::Values(Impl::kSequential, Impl::kChunked),
                                            ::testing::Values(Dtype::kF32, Dtype::kF16,
                                                              Dtype::kBf16)),
                         CarryName);


// ---------------------------------------------------------------------------------------------
// Wkv6ForwardRawDecay: the decay made inside the kernel from d and the per-channel bias, against
// the twin fed w = exp(-exp(bias + d)) computed on the host. Includes d that makes w = 0
// (exp overflows) and d that makes w round to 1 in fp32.
using RawParam = std::tuple<Dtype, Shape>;

class WkvRawDecay : public ::testing::TestWithParam<RawParam> {};

template <typename T>
void RunRawDecay(const Shape& s, const Inputs& in, const std::vector<float>& d, const std::vector<float>& bias,
                 std::vector<float>& y, std::vector<float>& state) {
  const size_t n = static_cast<size_t>(s.B) * s.T * s.H * s.N;
  DeviceArray<T> dr(n), dk(n), dv(n), dy(n);
  DeviceArray<float> dd(n), db(bias.size()), du(in.u.size()), ds(in.state.size());
  ASSERT_TRUE(dr.p && dk.p && dv.p && dy.p && dd.p && db.p && du.p && ds.p) << "cudaMalloc failed";
  CUDA_OK(Upload(dr, in.r));
  CUDA_OK(Upload(dk, in.k));
  CUDA_OK(Upload(dv, in.v));
  CUDA_OK(Upload(dd, d));
  CUDA_OK(Upload(db, bias));
  CUDA_OK(Upload(du, in.u));
  CUDA_OK(Upload(ds, in.state));
  CUDA_OK(cudaMemset(dy.p, 0xff, n * sizeof(T)));
  CUDA_OK(Wkv6ForwardRawDecay<T>(s.B, s.T, s.H, s.N, dr.p, dk.p, dv.p, dd.p, db.p, du.p, ds.p, dy.p));
  CUDA_OK(cudaDeviceSynchronize());
  CUDA_OK(Download(y, dy));
  CUDA_OK(Download(state, ds));
}

TEST_P(WkvRawDecay, MatchesReference) {
  SKIP_WITHOUT_GPU();
  const auto [dt, s] = GetParam();
  Inputs in = MakeInputs(s, true, dt, 7u);
  std::mt19937 rng(11);
  std::uniform_real_distribution<float> bias_d(-5.0f, 0.5f), lora_d(-1.0f, 1.0f);
  std::vector<float> bias(static_cast<size_t>(s.H) * s.N), d(in.w.size());
  for (float& b : bias) b = bias_d(rng);
  for (size_t e = 0; e < d.size(); ++e) {
    const size_t c = e % bias.size();
    d[e] = lora_d(rng);
    if (c % s.N == 0) d[e] = -12.0f - bias[c];                  // w within 6e-6 of 1
    if (c % s.N == 1 && (e / bias.size()) % 5 == 2) d[e] = 90.0f;  // exp(exp(.)) overflows: w = 0
    in.w[e] = static_cast<float>(std::exp(-std::exp(static_cast<double>(bias[c]) + d[e])));
  }
  std::vector<float> y_ref, s_ref, y, st;
  RunReference(true, s, in, y_ref, s_ref);
  if (dt == Dtype::kF32) RunRawDecay<float>(s, in, d, bias, y, st);
  if (dt == Dtype::kBf16) RunRawDecay<__nv_bfloat16>(s, in, d, bias, y, st);
  if (HasFatalFailure()) return;
  EXPECT_TRUE(Near("y", y, y_ref, YTolerance(dt), {s.B, s.T, s.H, s.N}));
  EXPECT_TRUE(Near("state", st, s_ref, testing::kWkvState, {s.B, s.H, s.N, s.N}));
}

std::string RawName(const ::testing::TestParamInfo<RawParam>& info) {
  return std::string(DtypeName(std::get<0>(info.param))) + "_" + ShapeName(std::get<1>(info.param));
}

INSTANTIATE_TEST_SUITE_P(Wkv, WkvRawDecay,
                         ::testing::Combine(::testing::Values(Dtype::kF32, Dtype::kBf16),
                                            ::testing::Values(Shape{2, 45, 3, 64}, Shape{1, 70, 2, 32})),
                         RawName);

}  // namespace
}  // namespace rwkvkit::kernels

// tests/kernels/wkv7_test.cc — the `gpu` checker of kernels/wkv7.h (docs/conventions.md): both
// launchers (staged and per-token) in fp32/fp16/bf16 against the fp64 CPU twin
// Wkv7ForwardReference on random RWKV-7-like inputs with a fixed seed (a = -kk and b = kk·ρ with
// kk a unit vector per head and ρ in (0, 1), so the transition keeps the state bounded; decay
// logits over [-6, 6] plus one channel pinned at w -> 1 and one at the fastest decay), over
// awkward shapes (T = 1, T around the 16-token stage, B up to 3, one head, N = 32 and 64), the
// carried state (two calls == one call), and the argument checks (those need no device). Each
// GPU test skips itself when no device is present. Tolerances: tolerances.h.
#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "kernels/dtype_convert.cuh"
#include "kernels/wkv7.h"
#include "kernels/wkv_reference.h"
#include "tests/kernels/gpu_checks.h"
#include "tests/kernels/tolerances.h"

namespace rwkvkit::kernels {
namespace {

using testing::Tolerance;

enum class Dtype { kF32, kF16, kBf16 };

struct Shape {
  int B, T, H, N;
};

struct Inputs {
  std::vector<float> r, d, k, v, a, b, state;
};

template <typename T>
float Round(float x) {
  return ToFloat(FromFloat<T>(x));
}

// Inputs already rounded to T where the kernel reads T.
template <typename T>
Inputs MakeInputs(const Shape& s, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> uni(-1.0f, 1.0f), unit(0.0f, 1.0f), dec(-6.0f, 6.0f);
  const size_t n = static_cast<size_t>(s.B) * s.T * s.H * s.N;
  Inputs in;
  for (auto* x : {&in.r, &in.d, &in.k, &in.v, &in.a, &in.b}) x->resize(n);
  for (size_t e = 0; e < n; ++e) {
    in.r[e] = Round<T>(uni(rng));
    in.k[e] = Round<T>(uni(rng));
    in.v[e] = Round<T>(uni(rng));
    const int ch = static_cast<int>(e % s.N);
    in.d[e] = Round<T>(ch == 0 ? -30.0f : ch == 1 ? 30.0f : dec(rng));
  }
  for (size_t o = 0; o < n; o += s.N) {  // per (b, t, h): kk unit vector, a = -kk, b = kk·ρ
    std::vector<float> kk(s.N);
    double norm = 0;
    for (float& x : kk) {
      x = uni(rng);
      norm += static_cast<double>(x) * x;
    }
    for (int j = 0; j < s.N; ++j) {
      const float u = static_cast<float>(kk[j] / std::sqrt(norm));
      in.a[o + j] = Round<T>(-u);
      in.b[o + j] = Round<T>(u * unit(rng));
    }
  }
  in.state.resize(static_cast<size_t>(s.B) * s.H * s.N * s.N);
  for (float& x : in.state) x = uni(rng);
  return in;
}

template <typename T>
struct Dev {
  T* p = nullptr;
  size_t n = 0;
  explicit Dev(size_t count) : n(count) { (void)cudaMalloc(&p, std::max<size_t>(n, 1) * sizeof(T)); }
  Dev(const Dev&) = delete;
  ~Dev() { cudaFree(p); }
  cudaError_t Put(const std::vector<float>& x) {
    std::vector<T> h(x.size());
    for (size_t e = 0; e < x.size(); ++e) h[e] = FromFloat<T>(x[e]);
    return cudaMemcpy(p, h.data(), h.size() * sizeof(T), cudaMemcpyHostToDevice);
  }
  cudaError_t Get(std::vector<float>& x) const {
    std::vector<T> h(n);
    const cudaError_t e = cudaMemcpy(h.data(), p, n * sizeof(T), cudaMemcpyDeviceToHost);
    x.resize(n);
    for (size_t i = 0; i < n; ++i) x[i] = ToFloat(h[i]);
    return e;
  }
};

// Runs [t0, t1) of every sequence on the GPU, state in/out. y covers only those tokens.
template <typename T>
void RunGpu(bool staged, const Shape& s, const Inputs& in, int t0, int t1, std::vector<float>& state,
            std::vector<float>& y) {
  const int T_len = t1 - t0;
  const size_t row = static_cast<size_t>(s.H) * s.N, n = static_cast<size_t>(s.B) * T_len * row;
  auto slice = [&](const std::vector<float>& x) {
    std::vector<float> out(n);
    for (int b = 0; b < s.B; ++b)
      std::copy(x.begin() + (static_cast<size_t>(b) * s.T + t0) * row, x.begin() + (static_cast<size_t>(b) * s.T + t1) * row,
                out.begin() + static_cast<size_t>(b) * T_len * row);
    return out;
  };
  Dev<T> r(n), d(n), k(n), v(n), a(n), b(n), yy(n);
  Dev<float> st(state.size());
  ASSERT_TRUE(r.p && d.p && k.p && v.p && a.p && b.p && yy.p && st.p);
  CUDA_OK(r.Put(slice(in.r)));
  CUDA_OK(d.Put(slice(in.d)));
  CUDA_OK(k.Put(slice(in.k)));
  CUDA_OK(v.Put(slice(in.v)));
  CUDA_OK(a.Put(slice(in.a)));
  CUDA_OK(b.Put(slice(in.b)));
  CUDA_OK(st.Put(state));
  CUDA_OK(cudaMemset(yy.p, 0xFF, n * sizeof(T)));  // NaN: an unwritten y fails
  const cudaError_t e = staged ? Wkv7Forward<T>(s.B, T_len, s.H, s.N, r.p, d.p, k.p, v.p, a.p, b.p, st.p, yy.p)
                               : Wkv7ForwardSequential<T>(s.B, T_len, s.H, s.N, r.p, d.p, k.p, v.p, a.p, b.p, st.p, yy.p);
  CUDA_OK(e);
  CUDA_OK(cudaDeviceSynchronize());
  CUDA_OK(yy.Get(y));
  CUDA_OK(st.Get(state));
}

::testing::AssertionResult Near(const char* what, const std::vector<float>& got, const std::vector<float>& want,
                                Tolerance tol) {
  if (got.size() != want.size()) return ::testing::AssertionFailure() << what << ": size";
  size_t bad = 0, first = 0;
  double worst = 0;
  for (size_t e = 0; e < got.size(); ++e) {
    const double err = std::fabs(static_cast<double>(got[e]) - want[e]);
    const bool ok = std::isfinite(got[e]) && err <= tol.abs + tol.rel * std::fabs(want[e]);
    if (std::isfinite(err)) worst = std::max(worst, err);
    if (!ok && bad++ == 0) first = e;
  }
  if (bad == 0) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << bad << " of " << got.size() << " " << what << " off; first at " << first
                                       << ": got " << got[first] << " want " << want[first] << "; max |err| " << worst;
}

template <typename T>
void CheckOne(bool staged, const Shape& s, Tolerance ytol, uint32_t seed) {
  const Inputs in = MakeInputs<T>(s, seed);
  std::vector<float> want_state = in.state, want_y(in.r.size());
  Wkv7ForwardReference(s.B, s.T, s.H, s.N, in.r.data(), in.d.data(), in.k.data(), in.v.data(), in.a.data(),
                       in.b.data(), want_state.data(), want_y.data());
  std::vector<float> state = in.state, y;
  RunGpu<T>(staged, s, in, 0, s.T, state, y);
  EXPECT_TRUE(Near("y", y, want_y, ytol));
  EXPECT_TRUE(Near("state", state, want_state, testing::kWkvState));
}

const Shape kShapes[] = {{1, 1, 1, 64}, {2, 15, 2, 64}, {1, 16, 3, 64}, {3, 17, 2, 64},
                         {1, 100, 2, 64}, {2, 33, 1, 32}, {1, 257, 1, 64}};

TEST(Wkv7, StagedAndSequentialMatchTheFp64TwinInEveryDtype) {
  SKIP_WITHOUT_GPU();
  uint32_t seed = 70;
  for (const Shape& s : kShapes) {
    for (bool staged : {true, false}) {
      SCOPED_TRACE(::testing::Message() << (staged ? "staged" : "sequential") << " B" << s.B << " T" << s.T << " H"
                                        << s.H << " N" << s.N);
      CheckOne<float>(staged, s, testing::kWkvF32, seed++);
      CheckOne<__nv_bfloat16>(staged, s, testing::kWkvBf16, seed++);
      CheckOne<__half>(staged, s, testing::kWkvF16, seed++);
    }
  }
}

TEST(Wkv7, CarriedStateEqualsOneCall) {
  SKIP_WITHOUT_GPU();
  const Shape s{2, 50, 2, 64};
  const Inputs in = MakeInputs<float>(s, 7);
  std::vector<float> one_state = in.state, one_y;
  RunGpu<float>(true, s, in, 0, s.T, one_state, one_y);
  std::vector<float> st = in.state, y1, y2;
  RunGpu<float>(true, s, in, 0, 21, st, y1);
  RunGpu<float>(true, s, in, 21, s.T, st, y2);
  EXPECT_EQ(st, one_state);  // the same fp32 operations in the same order
  const size_t row = static_cast<size_t>(s.H) * s.N;
  for (int b = 0; b < s.B; ++b)
    for (int t = 0; t < s.T; ++t)
      for (size_t c = 0; c < row; ++c) {
        const float split = t < 21 ? y1[(static_cast<size_t>(b) * 21 + t) * row + c]
                                   : y2[(static_cast<size_t>(b) * 29 + (t - 21)) * row + c];
        ASSERT_EQ(split, one_y[(static_cast<size_t>(b) * s.T + t) * row + c]) << "b " << b << " t " << t;
      }
}

TEST(Wkv7Args, InvalidArgumentsAreRejectedWithoutLaunching) {
  float x = 0, st = 0;
  const float* p = &x;
  EXPECT_EQ(Wkv7Forward<float>(1, 1, 1, 48, p, p, p, p, p, p, &st, &x), cudaErrorInvalidValue);
  EXPECT_EQ(Wkv7Forward<float>(0, 1, 1, 64, p, p, p, p, p, p, &st, &x), cudaErrorInvalidValue);
  EXPECT_EQ(Wkv7Forward<float>(1, -1, 1, 64, p, p, p, p, p, p, &st, &x), cudaErrorInvalidValue);
  EXPECT_EQ(Wkv7Forward<float>(1, 1, 1, 64, p, nullptr, p, p, p, p, &st, &x), cudaErrorInvalidValue);
  EXPECT_EQ(Wkv7ForwardSequential<float>(1, 1, 1, 64, p, p, p, p, p, p, nullptr, &x), cudaErrorInvalidValue);
  EXPECT_EQ(Wkv7Forward<float>(1, 0, 1, 64, p, p, p, p, p, p, &st, &x), cudaSuccess);  // T = 0: nothing to do
}

}  // namespace
}  // namespace rwkvkit::kernels

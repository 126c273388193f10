// kernels/wkv_reference.cc — see wkv_reference.h. One function body serves both versions; the
// only difference is where the decay factor of token t comes from.
#include "kernels/wkv_reference.h"

#include <cmath>
#include <cstddef>
#include <vector>

namespace rwkvkit::kernels {
namespace {

void WkvReference(int B, int T, int H, int N, const float* r, const float* k, const float* v,
                  const float* w, bool per_token_w, const float* u, float* state, float* y) {
  std::vector<double> s(static_cast<size_t>(N) * N);
  std::vector<double> yt(N);
  for (int b = 0; b < B; ++b) {
    for (int h = 0; h < H; ++h) {
      float* sh = state + (static_cast<size_t>(b) * H + h) * N * N;
      for (size_t e = 0; e < s.size(); ++e) s[e] = sh[e];
      const float* uh = u + static_cast<size_t>(h) * N;
      for (int t = 0; t < T; ++t) {
        const size_t o = ((static_cast<size_t>(b) * T + t) * H + h) * N;
        const float* wt = per_token_w ? w + o : w + static_cast<size_t>(h) * N;
        for (int j = 0; j < N; ++j) yt[j] = 0.0;
        for (int i = 0; i < N; ++i) {
          const double ri = r[o + i], ki = k[o + i], ui = uh[i], wi = wt[i];
          double* si = s.data() + static_cast<size_t>(i) * N;
          for (int j = 0; j < N; ++j) {
            const double kv = ki * static_cast<double>(v[o + j]);
            yt[j] += ri * (ui * kv + si[j]);
            si[j] = wi * si[j] + kv;
          }
        }
        for (int j = 0; j < N; ++j) y[o + j] = static_cast<float>(yt[j]);
      }
      for (size_t e = 0; e < s.size(); ++e) sh[e] = static_cast<float>(s[e]);
    }
  }
}

}  // namespace

void Wkv5ForwardReference(int B, int T, int H, int N, const float* r, const float* k,
                          const float* v, const float* w, const float* u, float* state, float* y) {
  WkvReference(B, T, H, N, r, k, v, w, /*per_token_w=*/false, u, state, y);
}

void Wkv6ForwardReference(int B, int T, int H, int N, const float* r, const float* k,
                          const float* v, const float* w, const float* u, float* state, float* y) {
  WkvReference(B, T, H, N, r, k, v, w, /*per_token_w=*/true, u, state, y);
}

void Wkv7ForwardReference(int B, int T, int H, int N, const float* r, const float* d, const float* k,
                          const float* v, const float* a, const float* b, float* state, float* y) {
  std::vector<double> s(static_cast<size_t>(N) * N), sa(N), w(N);
  for (int bb = 0; bb < B; ++bb) {
    for (int h = 0; h < H; ++h) {
      float* sh = state + (static_cast<size_t>(bb) * H + h) * N * N;
      for (size_t e = 0; e < s.size(); ++e) s[e] = sh[e];
      for (int t = 0; t < T; ++t) {
        const size_t o = ((static_cast<size_t>(bb) * T + t) * H + h) * N;
        for (int j = 0; j < N; ++j) w[j] = std::exp(-0.606531 / (1.0 + std::exp(-static_cast<double>(d[o + j]))));
        for (int i = 0; i < N; ++i) {
          double acc = 0;
          for (int j = 0; j < N; ++j) acc += s[static_cast<size_t>(i) * N + j] * a[o + j];
          sa[i] = acc;
        }
        for (int i = 0; i < N; ++i) {
          double* si = s.data() + static_cast<size_t>(i) * N;
          double acc = 0;
          for (int j = 0; j < N; ++j) {
            si[j] = si[j] * w[j] + sa[i] * b[o + j] + static_cast<double>(v[o + i]) * k[o + j];
            acc += si[j] * r[o + j];
          }
          y[o + i] = static_cast<float>(acc);
        }
      }
      for (size_t e = 0; e < s.size(); ++e) sh[e] = static_cast<float>(s[e]);
    }
  }
}

}  // namespace rwkvkit::kernels

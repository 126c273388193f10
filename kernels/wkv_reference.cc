// kernels/wkv_reference.cc — see wkv_reference.h. One function body serves both versions; the
// only difference is where the decay factor of token t comes from.
#include "kernels/wkv_reference.h"

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

}  // namespace rwkvkit::kernels

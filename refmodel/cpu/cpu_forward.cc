// refmodel/cpu/cpu_forward.cc — see cpu_forward.h. Reads top-down: helpers (matrix product,
// norms, token shift), the v5.2/v6 wkv recurrence, the RWKV-7 layer (its wkv, TimeMix7,
// ChannelMix7), then TimeMix (v5.2 and v6), ChannelMix, and the model loop. Every equation
// follows the `rwkv` pip package (model.py att_seq_v5_2, att_seq_v6_0, ffn_seq, ffn_seq_v6,
// RWKV_x070_TMix_seq, RWKV_x070_CMix_seq) operation by operation (docs/refmodel.md). Why the
// products are a fixed grid of OpenBLAS calls and the recurrence a plain loop, and what that
// measures: docs/refmodel.md, "The CPU forward".
#include "refmodel/cpu/cpu_forward.h"

#include <cblas.h>
#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>

namespace rwkvkit::refmodel {
namespace {

constexpr double kLayerNormEps = 1e-5;  // PyTorch LayerNorm default (docs/refmodel.md)
constexpr double kGroupNormEps = 64e-5;  // 1e-5 · head_size_divisor² on the raw y (docs/refmodel.md)
constexpr int kRowBlock = 128;           // matrix-product grid (see the performance notes)
constexpr int kColBlock = 256;

// A broken precondition of the caller (wrong sizes, token out of range): our bug, not input.
[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "rwkvkit::refmodel::CpuModel: %s\n", what.c_str());
  std::abort();
}

void CheckSize(const char* name, int layer, const std::vector<float>& v, size_t want) {
  if (v.size() != want) {
    Die(std::string(name) + (layer >= 0 ? " of layer " + std::to_string(layer) : "") + " has " +
        std::to_string(v.size()) + " floats, want " + std::to_string(want));
  }
}

// y = x @ W. x: [T, in] fp32 with row stride ldx; W: [in, out] fp32 with row stride ldw;
// y: [T, out] fp32 with row stride ldy (overwritten). fp32 accumulation (OpenBLAS).
void MatMul(const float* x, size_t ldx, int T, int in, const float* W, size_t ldw, int out,
            float* y, size_t ldy) {
  const int row_blocks = (T + kRowBlock - 1) / kRowBlock;
  const int col_blocks = (out + kColBlock - 1) / kColBlock;
  tbb::parallel_for(0, row_blocks * col_blocks, [&](int b) {
    const int r0 = (b / col_blocks) * kRowBlock, rows = std::min(kRowBlock, T - r0);
    const int c0 = (b % col_blocks) * kColBlock, cols = std::min(kColBlock, out - c0);
    if (rows == 1) {
      cblas_sgemv(CblasRowMajor, CblasTrans, in, cols, 1.0f, W + c0, ldw, x + r0 * ldx, 1, 0.0f,
                  y + r0 * ldy + c0, 1);
    } else {
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, rows, cols, in, 1.0f, x + r0 * ldx,
                  ldx, W + c0, ldw, 0.0f, y + r0 * ldy + c0, ldy);
    }
  });
}

// Runs body(t) for t in [0, T) on TBB; for per-token work whose rows are independent.
template <typename Body>
void ForEachToken(int T, const Body& body) {
  tbb::parallel_for(tbb::blocked_range<int>(0, T), [&](const tbb::blocked_range<int>& r) {
    for (int t = r.begin(); t < r.end(); ++t) body(t);
  });
}

// Mean and 1/sqrt(biased variance + eps) of x[0..n), in fp64 (the norms' statistics).
struct Moments {
  double mean, rstd;
};
Moments MeanRstd(const float* x, int n, double eps) {
  double mean = 0;
  for (int i = 0; i < n; ++i) mean += x[i];
  mean /= n;
  double var = 0;
  for (int i = 0; i < n; ++i) var += (x[i] - mean) * (x[i] - mean);
  var /= n;
  return {mean, 1.0 / std::sqrt(var + eps)};
}

// LayerNorm over the last dim. x, y: [T, D] fp32 (may not alias); w, b: [D]. eps 1e-5, biased
// variance, statistics in fp64.
void LayerNorm(const float* x, int T, int D, const float* w, const float* b, float* y) {
  ForEachToken(T, [&](int t) {
    const float* xt = x + static_cast<size_t>(t) * D;
    float* yt = y + static_cast<size_t>(t) * D;
    const auto [mean, rstd] = MeanRstd(xt, D, kLayerNormEps);
    for (int i = 0; i < D; ++i) yt[i] = static_cast<float>((xt[i] - mean) * rstd * w[i] + b[i]);
  });
}

// Token shift (docs/refmodel.md): prev[t] = a[t-1], prev[0] = carry; then carry = a[T-1].
// a, prev: [T, D] fp32; carry: [D] fp32 (the state's att_x or ffn_x row of this layer).
void TokenShift(const float* a, int T, int D, float* carry, float* prev) {
  std::copy(carry, carry + D, prev);
  std::copy(a, a + static_cast<size_t>(T - 1) * D, prev + D);
  std::copy(a + static_cast<size_t>(T - 1) * D, a + static_cast<size_t>(T) * D, carry);
}

float Sigmoid(float z) { return 1.0f / (1.0f + std::exp(-z)); }

// Per-call buffers, all row-major fp32. Sizes in the comments.
struct Scratch {
  std::vector<float> x;                  // [T, D] the residual stream
  std::vector<float> a, prev;            // [T, D] normed input, its token shift
  std::vector<float> xr, xk, xv, xg, xw;  // [T, D] mixed inputs
  std::vector<float> r, k, v, g, w, y;    // [T, A] (g also reused as [T, D] in ChannelMix)
  std::vector<float> lora, lora_out;     // [T, 5·Dm] or [T, Dd]; [T, max(D, A)]
  std::vector<float> hidden;             // [T, F]
  std::vector<float> out;                // [T, D]
  // RWKV-7 only: the mixed input for the "a" LoRA, the in-context rate a, kk, layer 0's v
  std::vector<float> xa, iclr, kk, v_first;  // [T, D]
};

// ---------------------------------------------------------------------------------------------
// The wkv recurrence (docs/refmodel.md), per head h, key channel i, value channel j:
//   y[h,j]   = Σ_i r[h,i] · (u[h,i]·k[h,i]·v[h,j] + S[h,i,j])
//   S[h,i,j] = k[h,i]·v[h,j] + w[h,i]·S[h,i,j]        (after y; the pip package's order)
// r, k, v: [T, A] fp32; w: [T, A] fp32 when per_token_w (v6), else [A] (v5.2, static);
// u: [A]; S: [H, N, N] fp32, updated in place; y: [T, A] fp32, written. One task per head.
void Wkv(const float* r, const float* k, const float* v, const float* w, bool per_token_w,
         const float* u, int T, int H, int N, float* S, float* y) {
  const int A = H * N;
  tbb::parallel_for(0, H, [&](int h) {
    float* s = S + static_cast<size_t>(h) * N * N;
    const float* uh = u + h * N;
    for (int t = 0; t < T; ++t) {
      const size_t o = static_cast<size_t>(t) * A + h * N;
      const float* rt = r + o;
      const float* kt = k + o;
      const float* vt = v + o;
      const float* wt = per_token_w ? w + o : w + h * N;
      float* yt = y + o;
      std::fill(yt, yt + N, 0.0f);
      for (int i = 0; i < N; ++i) {
        const float ri = rt[i], ki = kt[i], ui = uh[i], wi = wt[i];
        float* si = s + static_cast<size_t>(i) * N;
        for (int j = 0; j < N; ++j) {
          const float kv = ki * vt[j];
          yt[j] += ri * (ui * kv + si[j]);
          si[j] = kv + wi * si[j];
        }
      }
    }
  });
}

// GroupNorm of the wkv output (docs/refmodel.md) times the gate: y := (GN(y) ⊙ g), in place.
// y, g: [T, A] fp32 (g already SiLU'd); ln_x_w, ln_x_b: [A]. H groups of N, eps 64e-5,
// biased variance over each head's N values, statistics in fp64.
void GroupNormGate(float* y, const float* g, int T, int H, int N, const float* ln_x_w,
                   const float* ln_x_b) {
  const int A = H * N;
  ForEachToken(T, [&](int t) {
    for (int h = 0; h < H; ++h) {
      const size_t o = static_cast<size_t>(t) * A + h * N;
      float* yh = y + o;
      const auto [mean, rstd] = MeanRstd(yh, N, kGroupNormEps);
      for (int j = 0; j < N; ++j) {
        const int c = h * N + j;
        const float normed = static_cast<float>((yh[j] - mean) * rstd * ln_x_w[c] + ln_x_b[c]);
        yh[j] = normed * g[o + j];
      }
    }
  });
}

// ---------------------------------------------------------------------------------------------
// The RWKV-7 wkv recurrence (docs/refmodel.md, "RWKV-7"), per head h, value channel i, key
// channel j, state S[h][i][j] (value-major, the package's layout):
//   sa[i]   = Σ_j S[i][j]·α[j]                          (S before this token; α = -kk)
//   S[i][j] = S[i][j]·w[j] + sa[i]·β[j] + v[i]·k[j]     (β = kk⊙a)
//   y[i]    = Σ_j S[i][j]·r[j]                          (after the update)
// r, w, k, v, kk, iclr: [T, A] fp32 (k already modified, kk normalized); S: [H, N, N] updated
// in place; y: [T, A] written. One task per head.
void Wkv7(const float* r, const float* w, const float* k, const float* v, const float* kk,
          const float* iclr, int T, int H, int N, float* S, float* y) {
  const int A = H * N;
  tbb::parallel_for(0, H, [&](int h) {
    float* s = S + static_cast<size_t>(h) * N * N;
    std::vector<float> alpha(N), beta(N), sa(N);
    for (int t = 0; t < T; ++t) {
      const size_t o = static_cast<size_t>(t) * A + h * N;
      for (int j = 0; j < N; ++j) {
        alpha[j] = -kk[o + j];
        beta[j] = kk[o + j] * iclr[o + j];
      }
      for (int i = 0; i < N; ++i) {
        const float* si = s + static_cast<size_t>(i) * N;
        float acc = 0.0f;
        for (int j = 0; j < N; ++j) acc += si[j] * alpha[j];
        sa[i] = acc;
      }
      for (int i = 0; i < N; ++i) {
        float* si = s + static_cast<size_t>(i) * N;
        const float vi = v[o + i], sai = sa[i];
        float acc = 0.0f;
        for (int j = 0; j < N; ++j) {
          si[j] = si[j] * w[o + j] + sai * beta[j] + vi * k[o + j];
          acc += si[j] * r[o + j];
        }
        y[o + i] = acc;
      }
    }
  });
}

// y := LoRA(x) = act(x @ m1) @ m2 for x [T, D], m1 [D, rank], m2 [rank, D]; act is tanh,
// sigmoid or none (kind 't', 's', '-'); `lora` is [T, rank] scratch.
void Lora(const float* x, int T, int D, const std::vector<float>& m1, const std::vector<float>& m2, int rank,
          char act, float* lora, float* y) {
  MatMul(x, D, T, D, m1.data(), rank, rank, lora, rank);
  const size_t n = static_cast<size_t>(T) * rank;
  if (act == 't') for (size_t i = 0; i < n; ++i) lora[i] = std::tanh(lora[i]);
  if (act == 's') for (size_t i = 0; i < n; ++i) lora[i] = Sigmoid(lora[i]);
  MatMul(lora, rank, T, rank, m2.data(), D, D, y, D);
}

// RWKV-7 TimeMix of one layer over T tokens (docs/refmodel.md; the package's
// RWKV_x070_TMix_seq, CPU branch, operation by operation): x += TimeMix(LN1(x)).
// att_x: [D] token-shift carry; S: [H, N, N] value-major; s.v_first: layer 0's v, [T, D].
void TimeMix7(const ModelConfig& c, const LayerWeights& lw, int layer, int T, float* att_x, float* S,
              Scratch& s) {
  const int D = c.n_embd, H = c.n_head, N = c.head_size;
  const V7Ranks& rk = c.v7_ranks[layer];
  LayerNorm(s.x.data(), T, D, lw.ln1_w.data(), lw.ln1_b.data(), s.a.data());
  TokenShift(s.a.data(), T, D, att_x, s.prev.data());
  // δ = a_prev - a; x_c = a + δ⊙x_c for c in r, w, k, v, a, g (static mixes)
  ForEachToken(T, [&](int t) {
    const size_t o = static_cast<size_t>(t) * D;
    for (int i = 0; i < D; ++i) {
      const float a = s.a[o + i], d = s.prev[o + i] - a;
      s.xr[o + i] = a + d * lw.x_r[i];
      s.xw[o + i] = a + d * lw.x_w[i];
      s.xk[o + i] = a + d * lw.x_k[i];
      s.xv[o + i] = a + d * lw.x_v[i];
      s.xa[o + i] = a + d * lw.x_a[i];
      s.xg[o + i] = a + d * lw.x_g[i];
    }
  });
  MatMul(s.xr.data(), D, T, D, lw.att_r.data(), D, D, s.r.data(), D);
  MatMul(s.xk.data(), D, T, D, lw.att_k.data(), D, D, s.k.data(), D);
  MatMul(s.xv.data(), D, T, D, lw.att_v.data(), D, D, s.v.data(), D);
  Lora(s.xw.data(), T, D, lw.w1, lw.w2, rk.decay, 't', s.lora.data(), s.w.data());      // d - w0
  Lora(s.xa.data(), T, D, lw.a1, lw.a2, rk.a, '-', s.lora.data(), s.iclr.data());      // a - a0
  Lora(s.xg.data(), T, D, lw.g1, lw.g2, rk.gate, 's', s.lora.data(), s.g.data());      // g
  if (layer > 0) Lora(s.xv.data(), T, D, lw.v1, lw.v2, rk.value, '-', s.lora.data(), s.lora_out.data());
  ForEachToken(T, [&](int t) {
    const size_t o = static_cast<size_t>(t) * D;
    for (int i = 0; i < D; ++i) {
      s.w[o + i] = std::exp(-0.606531f * Sigmoid(lw.w0[i] + s.w[o + i]));  // the package's constant
      s.iclr[o + i] = Sigmoid(lw.a0[i] + s.iclr[o + i]);
    }
    // kk = per-head L2 normalization of k⊙k_k (torch F.normalize, eps 1e-12), from the original k
    for (int h = 0; h < H; ++h) {
      double ss = 0;
      for (int j = 0; j < N; ++j) {
        const float u = s.k[o + h * N + j] * lw.k_k[h * N + j];
        s.kk[o + h * N + j] = u;
        ss += static_cast<double>(u) * u;
      }
      const float norm = std::max(static_cast<float>(std::sqrt(ss)), 1e-12f);
      for (int j = 0; j < N; ++j) s.kk[o + h * N + j] /= norm;
    }
    for (int i = 0; i < D; ++i) {
      s.k[o + i] = s.k[o + i] * (1.0f + (s.iclr[o + i] - 1.0f) * lw.k_a[i]);
      if (layer == 0) {
        s.v_first[o + i] = s.v[o + i];
      } else {
        const float v = s.v[o + i];
        s.v[o + i] = v + (s.v_first[o + i] - v) * Sigmoid(lw.v0[i] + s.lora_out[o + i]);
      }
    }
  });
  Wkv7(s.r.data(), s.w.data(), s.k.data(), s.v.data(), s.kk.data(), s.iclr.data(), T, H, N, S, s.y.data());
  // GroupNorm, then + (Σ_j r·k·r_k per head)·v, then ⊙ g
  ForEachToken(T, [&](int t) {
    for (int h = 0; h < H; ++h) {
      const size_t o = static_cast<size_t>(t) * D + h * N;
      float* yh = s.y.data() + o;
      const auto [mean, rstd] = MeanRstd(yh, N, kGroupNormEps);
      float bonus = 0.0f;
      for (int j = 0; j < N; ++j) bonus += s.r[o + j] * s.k[o + j] * lw.r_k[h * N + j];
      for (int j = 0; j < N; ++j) {
        const int ch = h * N + j;
        const float normed = static_cast<float>((yh[j] - mean) * rstd * lw.ln_x_w[ch] + lw.ln_x_b[ch]);
        yh[j] = (normed + bonus * s.v[o + j]) * s.g[o + j];
      }
    }
  });
  MatMul(s.y.data(), D, T, D, lw.att_o.data(), D, D, s.out.data(), D);
  for (size_t i = 0; i < static_cast<size_t>(T) * D; ++i) s.x[i] += s.out[i];
}

// RWKV-7 ChannelMix (the package's RWKV_x070_CMix_seq): x += ReLU(xk @ Wk')² @ Wv' with
// xk = b + (b_prev - b)⊙x_k; no receptance gate.
void ChannelMix7(const ModelConfig& c, const LayerWeights& lw, int T, float* ffn_x, Scratch& s) {
  const int D = c.n_embd, F = c.n_ffn;
  LayerNorm(s.x.data(), T, D, lw.ln2_w.data(), lw.ln2_b.data(), s.a.data());
  TokenShift(s.a.data(), T, D, ffn_x, s.prev.data());
  ForEachToken(T, [&](int t) {
    const size_t o = static_cast<size_t>(t) * D;
    for (int i = 0; i < D; ++i) s.xk[o + i] = s.a[o + i] + (s.prev[o + i] - s.a[o + i]) * lw.ffn_mix_k[i];
  });
  MatMul(s.xk.data(), D, T, D, lw.ffn_k.data(), F, F, s.hidden.data(), F);
  for (size_t i = 0; i < static_cast<size_t>(T) * F; ++i) {
    const float z = std::max(s.hidden[i], 0.0f);
    s.hidden[i] = z * z;
  }
  MatMul(s.hidden.data(), F, T, F, lw.ffn_v.data(), D, D, s.out.data(), D);
  for (size_t i = 0; i < static_cast<size_t>(T) * D; ++i) s.x[i] += s.out[i];
}

// ---------------------------------------------------------------------------------------------
// TimeMix of one layer over T tokens (docs/refmodel.md):
// x: [T, D] fp32 residual, x += TimeMix(LN1(x)); att_x: [D] token-shift carry; S: [H, N, N].
void TimeMix(const ModelConfig& c, const LayerWeights& lw, int T, float* att_x, float* S,
             Scratch& s) {
  const int D = c.n_embd, A = c.n_att, H = c.n_head, N = c.head_size;
  const bool v6 = c.version == ModelVersion::kV6_0;
  LayerNorm(s.x.data(), T, D, lw.ln1_w.data(), lw.ln1_b.data(), s.a.data());
  TokenShift(s.a.data(), T, D, att_x, s.prev.data());

  if (!v6) {
    // v5.2: x_c = a⊙μ_c + a_prev⊙(1-μ_c), μ weights the current token.
    ForEachToken(T, [&](int t) {
      const size_t o = static_cast<size_t>(t) * D;
      for (int i = 0; i < D; ++i) {
        const float a = s.a[o + i], p = s.prev[o + i];
        s.xk[o + i] = a * lw.time_mix_k[i] + p * (1.0f - lw.time_mix_k[i]);
        s.xv[o + i] = a * lw.time_mix_v[i] + p * (1.0f - lw.time_mix_v[i]);
        s.xr[o + i] = a * lw.time_mix_r[i] + p * (1.0f - lw.time_mix_r[i]);
        s.xg[o + i] = a * lw.time_mix_g[i] + p * (1.0f - lw.time_mix_g[i]);
      }
    });
  } else {
    // v6: δ = a_prev - a (kept in s.prev); xxx = a + δ⊙maa_x; m = tanh(xxx @ maa_w1) viewed as
    // [T, 5, Dm] in the order w, k, v, r, g; m_c = m[:, c] @ maa_w2[c]; x_c = a + δ⊙(maa_c + m_c).
    const int Dm = c.time_mix_lora;
    ForEachToken(T, [&](int t) {
      const size_t o = static_cast<size_t>(t) * D;
      for (int i = 0; i < D; ++i) {
        s.prev[o + i] = s.prev[o + i] - s.a[o + i];
        s.xw[o + i] = s.a[o + i] + s.prev[o + i] * lw.maa_x[i];  // xxx, before the LoRA
      }
    });
    MatMul(s.xw.data(), D, T, D, lw.maa_w1.data(), 5 * Dm, 5 * Dm, s.lora.data(), 5 * Dm);
    for (size_t i = 0; i < static_cast<size_t>(T) * 5 * Dm; ++i) s.lora[i] = std::tanh(s.lora[i]);
    const std::vector<float>* maa[5] = {&lw.maa_w, &lw.maa_k, &lw.maa_v, &lw.maa_r, &lw.maa_g};
    std::vector<float>* dst[5] = {&s.xw, &s.xk, &s.xv, &s.xr, &s.xg};
    for (int ch = 0; ch < 5; ++ch) {
      MatMul(s.lora.data() + ch * Dm, 5 * Dm, T, Dm, lw.maa_w2.data() + static_cast<size_t>(ch) * Dm * D,
             D, D, s.lora_out.data(), D);
      const float* mc = maa[ch]->data();
      float* xc = dst[ch]->data();
      ForEachToken(T, [&](int t) {
        const size_t o = static_cast<size_t>(t) * D;
        for (int i = 0; i < D; ++i) xc[o + i] = s.a[o + i] + s.prev[o + i] * (mc[i] + s.lora_out[o + i]);
      });
    }
  }

  // r, k, v, g = SiLU(xg @ Wg): [T, A]
  MatMul(s.xr.data(), D, T, D, lw.att_r.data(), A, A, s.r.data(), A);
  MatMul(s.xk.data(), D, T, D, lw.att_k.data(), A, A, s.k.data(), A);
  MatMul(s.xv.data(), D, T, D, lw.att_v.data(), A, A, s.v.data(), A);
  MatMul(s.xg.data(), D, T, D, lw.att_g.data(), A, A, s.g.data(), A);
  ForEachToken(T, [&](int t) {
    float* gt = s.g.data() + static_cast<size_t>(t) * A;
    for (int i = 0; i < A; ++i) gt[i] = gt[i] * Sigmoid(gt[i]);
  });

  if (v6) {
    // d = time_decay + tanh(xw @ decay_w1) @ decay_w2; w = exp(-exp(d)): [T, A], fp32.
    const int Dd = c.time_decay_lora;
    MatMul(s.xw.data(), D, T, D, lw.decay_w1.data(), Dd, Dd, s.lora.data(), Dd);
    for (size_t i = 0; i < static_cast<size_t>(T) * Dd; ++i) s.lora[i] = std::tanh(s.lora[i]);
    MatMul(s.lora.data(), Dd, T, Dd, lw.decay_w2.data(), A, A, s.w.data(), A);
    ForEachToken(T, [&](int t) {
      float* wt = s.w.data() + static_cast<size_t>(t) * A;
      for (int i = 0; i < A; ++i) wt[i] = std::exp(-std::exp(lw.time_decay[i] + wt[i]));
    });
    Wkv(s.r.data(), s.k.data(), s.v.data(), s.w.data(), true, lw.time_first.data(), T, H, N, S,
        s.y.data());
  } else {
    Wkv(s.r.data(), s.k.data(), s.v.data(), lw.time_decay.data(), false, lw.time_first.data(), T,
        H, N, S, s.y.data());
  }

  GroupNormGate(s.y.data(), s.g.data(), T, H, N, lw.ln_x_w.data(), lw.ln_x_b.data());
  MatMul(s.y.data(), A, T, A, lw.att_o.data(), D, D, s.out.data(), D);
  for (size_t i = 0; i < static_cast<size_t>(T) * D; ++i) s.x[i] += s.out[i];
}

// ChannelMix of one layer over T tokens (docs/refmodel.md): x += σ(xr @ Wr') ⊙ (ReLU(xk @ Wk')² @ Wv').
// x: [T, D] fp32 residual (s.x); ffn_x: [D] token-shift carry.
void ChannelMix(const ModelConfig& c, const LayerWeights& lw, int T, float* ffn_x, Scratch& s) {
  const int D = c.n_embd, F = c.n_ffn;
  const bool v6 = c.version == ModelVersion::kV6_0;
  LayerNorm(s.x.data(), T, D, lw.ln2_w.data(), lw.ln2_b.data(), s.a.data());
  TokenShift(s.a.data(), T, D, ffn_x, s.prev.data());
  ForEachToken(T, [&](int t) {
    const size_t o = static_cast<size_t>(t) * D;
    for (int i = 0; i < D; ++i) {
      const float b = s.a[o + i], p = s.prev[o + i];
      if (v6) {  // δ' = b_prev - b; x_c = b + δ'⊙maa_c
        const float d = p - b;
        s.xk[o + i] = b + d * lw.ffn_mix_k[i];
        s.xr[o + i] = b + d * lw.ffn_mix_r[i];
      } else {  // x_c = b⊙μ_c + b_prev⊙(1-μ_c)
        s.xk[o + i] = b * lw.ffn_mix_k[i] + p * (1.0f - lw.ffn_mix_k[i]);
        s.xr[o + i] = b * lw.ffn_mix_r[i] + p * (1.0f - lw.ffn_mix_r[i]);
      }
    }
  });
  MatMul(s.xr.data(), D, T, D, lw.ffn_r.data(), D, D, s.g.data(), D);  // receptance [T, D]
  MatMul(s.xk.data(), D, T, D, lw.ffn_k.data(), F, F, s.hidden.data(), F);
  ForEachToken(T, [&](int t) {
    float* ht = s.hidden.data() + static_cast<size_t>(t) * F;
    for (int i = 0; i < F; ++i) {
      const float z = std::max(ht[i], 0.0f);
      ht[i] = z * z;
    }
  });
  MatMul(s.hidden.data(), F, T, F, lw.ffn_v.data(), D, D, s.out.data(), D);
  ForEachToken(T, [&](int t) {
    const size_t o = static_cast<size_t>(t) * D;
    for (int i = 0; i < D; ++i) s.x[o + i] += Sigmoid(s.g[o + i]) * s.out[o + i];
  });
}

}  // namespace

// ---------------------------------------------------------------------------------------------

// OpenBLAS's own call (pthreads and OpenMP builds; the serial build lacks it, hence weak).
extern "C" int blas_thread_shutdown_(void) __attribute__((weak));

void StopBlasThreads() {
  if (blas_thread_shutdown_ != nullptr) blas_thread_shutdown_();
}

CpuModel::CpuModel(const ModelWeights& w) : w_(w) {
  static std::once_flag blas_once;
  // Setting the thread count restarts OpenBLAS's worker pool when it was stopped (0.3.21:
  // goto_set_num_threads calls blas_thread_init); one-thread calls never use the pool, so it
  // is stopped again.
  std::call_once(blas_once, [] {
    openblas_set_num_threads(1);
    StopBlasThreads();
  });
  const ModelConfig& c = w.config;
  const size_t D = c.n_embd, A = c.n_att, H = c.n_head, N = c.head_size, F = c.n_ffn,
               V = c.vocab_size, Dm = c.time_mix_lora, Dd = c.time_decay_lora;
  const bool v6 = c.version == ModelVersion::kV6_0;
  if (c.n_layer <= 0 || D == 0 || H == 0 || N == 0 || F == 0 || V == 0 || A != H * N) {
    Die("bad config: L=" + std::to_string(c.n_layer) + " D=" + std::to_string(D) +
        " A=" + std::to_string(A) + " H=" + std::to_string(H) + " N=" + std::to_string(N) +
        " F=" + std::to_string(F) + " V=" + std::to_string(V));
  }
  if (v6 && (Dm == 0 || Dd == 0)) Die("v6 config without LoRA sizes");
  if (w.layers.size() != static_cast<size_t>(c.n_layer)) Die("layer count differs from config");
  CheckSize("emb", -1, w.emb, V * D);
  CheckSize("ln_out_w", -1, w.ln_out_w, D);
  CheckSize("ln_out_b", -1, w.ln_out_b, D);
  CheckSize("head", -1, w.head, D * V);
  if (c.version == ModelVersion::kV7_0) {
    if (A != D || c.v7_ranks.size() != static_cast<size_t>(c.n_layer)) Die("v7 config: A != D or no ranks per layer");
    for (int l = 0; l < c.n_layer; ++l) {
      const LayerWeights& lw = w.layers[l];
      const V7Ranks& r = c.v7_ranks[l];
      if (r.decay <= 0 || r.a <= 0 || r.gate <= 0 || (l > 0 && r.value <= 0)) Die("v7 config: a LoRA rank <= 0");
      for (const auto* p : {&lw.ln1_w, &lw.ln1_b, &lw.ln2_w, &lw.ln2_b, &lw.ffn_mix_k, &lw.x_r, &lw.x_w, &lw.x_k,
                            &lw.x_v, &lw.x_a, &lw.x_g, &lw.w0, &lw.a0, &lw.k_k, &lw.k_a, &lw.r_k, &lw.ln_x_w,
                            &lw.ln_x_b})
        CheckSize("a [D] vector", l, *p, D);
      for (const auto* p : {&lw.att_r, &lw.att_k, &lw.att_v, &lw.att_o}) CheckSize("att r/k/v/o", l, *p, D * D);
      CheckSize("w1", l, lw.w1, D * r.decay);
      CheckSize("w2", l, lw.w2, D * r.decay);
      CheckSize("a1", l, lw.a1, D * r.a);
      CheckSize("a2", l, lw.a2, D * r.a);
      CheckSize("g1", l, lw.g1, D * r.gate);
      CheckSize("g2", l, lw.g2, D * r.gate);
      if (l > 0) {
        CheckSize("v0", l, lw.v0, D);
        CheckSize("v1", l, lw.v1, D * r.value);
        CheckSize("v2", l, lw.v2, D * r.value);
      }
      CheckSize("ffn_k", l, lw.ffn_k, D * F);
      CheckSize("ffn_v", l, lw.ffn_v, F * D);
    }
    return;
  }
  for (int l = 0; l < c.n_layer; ++l) {
    const LayerWeights& lw = w.layers[l];
    for (const auto* p : {&lw.ln1_w, &lw.ln1_b, &lw.ln2_w, &lw.ln2_b, &lw.ffn_mix_k, &lw.ffn_mix_r})
      CheckSize("a [D] vector", l, *p, D);
    for (const auto* p : {&lw.att_r, &lw.att_k, &lw.att_v, &lw.att_g}) CheckSize("att r/k/v/g", l, *p, D * A);
    CheckSize("att_o", l, lw.att_o, A * D);
    CheckSize("ln_x_w", l, lw.ln_x_w, A);
    CheckSize("ln_x_b", l, lw.ln_x_b, A);
    CheckSize("time_first", l, lw.time_first, A);
    CheckSize("time_decay", l, lw.time_decay, A);
    CheckSize("ffn_k", l, lw.ffn_k, D * F);
    CheckSize("ffn_r", l, lw.ffn_r, D * D);
    CheckSize("ffn_v", l, lw.ffn_v, F * D);
    if (v6) {
      for (const auto* p : {&lw.maa_x, &lw.maa_w, &lw.maa_k, &lw.maa_v, &lw.maa_r, &lw.maa_g})
        CheckSize("time_maa", l, *p, D);
      CheckSize("maa_w1", l, lw.maa_w1, D * 5 * Dm);
      CheckSize("maa_w2", l, lw.maa_w2, 5 * Dm * D);
      CheckSize("decay_w1", l, lw.decay_w1, D * Dd);
      CheckSize("decay_w2", l, lw.decay_w2, Dd * A);
    } else {
      for (const auto* p : {&lw.time_mix_k, &lw.time_mix_v, &lw.time_mix_r, &lw.time_mix_g})
        CheckSize("time_mix", l, *p, D);
    }
  }
}

CpuModel::State CpuModel::NewState() const {
  const ModelConfig& c = w_.config;
  const size_t L = c.n_layer, D = c.n_embd, H = c.n_head, N = c.head_size;
  State s;
  s.att_x.assign(L * D, 0.0f);
  s.ffn_x.assign(L * D, 0.0f);
  s.wkv.assign(L * H * N * N, 0.0f);
  return s;
}

namespace {

// The whole model over T ≥ 1 tokens (docs/refmodel.md); logits: [T, V] fp32, written.
void RunModel(const ModelWeights& w, std::span<const uint16_t> tokens, CpuModel::State& state,
              float* logits) {
  const ModelConfig& c = w.config;
  const int T = static_cast<int>(tokens.size());
  const size_t D = c.n_embd, A = c.n_att, H = c.n_head, N = c.head_size, F = c.n_ffn,
               V = c.vocab_size, L = c.n_layer;
  if (state.att_x.size() != L * D || state.ffn_x.size() != L * D || state.wkv.size() != L * H * N * N)
    Die("state sizes do not match the model (use NewState())");
  for (uint16_t tok : tokens) {
    if (tok >= V) Die("token " + std::to_string(tok) + " >= vocab " + std::to_string(V));
  }

  const size_t TD = T * D, TA = T * A;
  Scratch s;
  for (auto* p : {&s.x, &s.a, &s.prev, &s.xr, &s.xk, &s.xv, &s.xg, &s.out}) p->resize(TD);
  for (auto* p : {&s.r, &s.k, &s.v, &s.y}) p->resize(TA);
  s.g.resize(T * std::max(D, A));
  s.hidden.resize(T * F);
  if (c.version == ModelVersion::kV6_0) {
    s.xw.resize(TD);
    s.w.resize(TA);
    s.lora.resize(T * std::max<size_t>(5 * c.time_mix_lora, c.time_decay_lora));
    s.lora_out.resize(TD);
  }
  const bool v7 = c.version == ModelVersion::kV7_0;
  if (v7) {
    size_t rank = 1;
    for (const V7Ranks& r : c.v7_ranks) rank = std::max<size_t>({rank, size_t(r.decay), size_t(r.a), size_t(r.value), size_t(r.gate)});
    for (auto* p : {&s.xw, &s.w, &s.lora_out, &s.xa, &s.iclr, &s.kk, &s.v_first}) p->resize(TD);
    s.lora.resize(T * rank);
  }

  // x = emb[token] (LN0 is folded into emb at load time, docs/formats/checkpoints.md).
  for (int t = 0; t < T; ++t) {
    const float* e = w.emb.data() + tokens[t] * D;
    std::copy(e, e + D, s.x.data() + t * D);
  }
  for (size_t l = 0; l < L; ++l) {
    if (v7) {
      TimeMix7(c, w.layers[l], static_cast<int>(l), T, state.att_x.data() + l * D, state.wkv.data() + l * H * N * N, s);
      ChannelMix7(c, w.layers[l], T, state.ffn_x.data() + l * D, s);
      continue;
    }
    TimeMix(c, w.layers[l], T, state.att_x.data() + l * D, state.wkv.data() + l * H * N * N, s);
    ChannelMix(c, w.layers[l], T, state.ffn_x.data() + l * D, s);
  }
  LayerNorm(s.x.data(), T, D, w.ln_out_w.data(), w.ln_out_b.data(), s.a.data());
  MatMul(s.a.data(), D, T, D, w.head.data(), V, V, logits, V);
}

}  // namespace

void CpuModel::Forward(std::span<const uint16_t> tokens, State& state,
                       std::vector<float>& logits) const {
  logits.resize(tokens.size() * static_cast<size_t>(w_.config.vocab_size));
  if (tokens.empty()) return;
  RunModel(w_, tokens, state, logits.data());
}

void CpuModel::ForwardOne(uint16_t token, State& state, std::span<float> logits) const {
  if (logits.size() != static_cast<size_t>(w_.config.vocab_size))
    Die("ForwardOne: logits has " + std::to_string(logits.size()) + " floats, want V");
  RunModel(w_, std::span<const uint16_t>(&token, 1), state, logits.data());
}

void TokenNll(std::span<const float> logits, size_t vocab, std::span<const uint16_t> targets,
              std::span<double> nll) {
  if (logits.size() != targets.size() * vocab || nll.size() != targets.size())
    Die("TokenNll: sizes disagree");
  tbb::parallel_for(size_t{0}, targets.size(), [&](size_t t) {
    const float* row = logits.data() + t * vocab;
    if (targets[t] >= vocab) Die("TokenNll: target out of range");
    double m = row[0];
    for (size_t i = 1; i < vocab; ++i) m = std::max(m, static_cast<double>(row[i]));
    double sum = 0;
    for (size_t i = 0; i < vocab; ++i) sum += std::exp(static_cast<double>(row[i]) - m);
    nll[t] = m + std::log(sum) - static_cast<double>(row[targets[t]]);
  });
}

}  // namespace rwkvkit::refmodel

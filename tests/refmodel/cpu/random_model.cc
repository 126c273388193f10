// tests/refmodel/cpu/random_model.cc — see random_model.h.
#include "tests/refmodel/cpu/random_model.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "base/hash_mix.h"

namespace rwkvkit::refmodel::testing {
namespace {

// splitmix64 stream with uniform and normal draws; identical on every platform.
class Rng {
 public:
  explicit Rng(uint64_t seed) : s_(seed) {}
  uint64_t Next() { return base::SplitMix64Next(s_); }
  double Uniform() { return (Next() >> 11) * 0x1.0p-53; }  // [0, 1)
  double Uniform(double lo, double hi) { return lo + (hi - lo) * Uniform(); }
  double Normal() {
    const double u1 = 1.0 - Uniform(), u2 = Uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
  }

 private:
  uint64_t s_;
};

std::vector<float> Normal(Rng& rng, size_t n, double stddev, double mean = 0.0) {
  std::vector<float> v(n);
  for (float& x : v) x = static_cast<float>(mean + stddev * rng.Normal());
  return v;
}

std::vector<float> Uniform(Rng& rng, size_t n, double lo, double hi) {
  std::vector<float> v(n);
  for (float& x : v) x = static_cast<float>(rng.Uniform(lo, hi));
  return v;
}

}  // namespace

ModelConfig MakeConfig(ModelVersion version, int n_layer, int n_head, int head_size, int vocab,
                       int n_ffn, int dm, int dd) {
  ModelConfig c;
  c.version = version;
  c.n_layer = n_layer;
  c.n_head = n_head;
  c.head_size = head_size;
  c.n_embd = c.n_att = n_head * head_size;
  c.n_ffn = n_ffn > 0 ? n_ffn : std::max(32, (c.n_embd * 7 / 2) / 32 * 32);
  c.vocab_size = vocab;
  if (version == ModelVersion::kV6_0) {
    c.time_mix_lora = dm;
    c.time_decay_lora = dd;
  }
  return c;
}

ModelConfig MakeConfigV7(int n_layer, int n_head, int head_size, int vocab, V7Ranks ranks) {
  ModelConfig c;
  c.version = ModelVersion::kV7_0;
  c.n_layer = n_layer;
  c.n_head = n_head;
  c.head_size = head_size;
  c.n_embd = c.n_att = n_head * head_size;
  c.n_ffn = 4 * c.n_embd;
  c.vocab_size = vocab;
  c.v7_ranks.assign(n_layer, ranks);
  c.v7_ranks[0].value = 0;
  return c;
}

namespace {

// RWKV-7 layer weights: decays exp(-0.6065·σ(d)) spread over (0.55, 0.99), every LoRA O(1).
LayerWeights RandomLayerV7(Rng& rng, const ModelConfig& c, int l) {
  const size_t D = c.n_embd, F = c.n_ffn;
  const V7Ranks& r = c.v7_ranks[l];
  const double sd = 1.0 / std::sqrt(static_cast<double>(D));
  auto out_sd = [](size_t rank) { return 0.5 / std::sqrt(static_cast<double>(rank)); };
  LayerWeights lw;
  lw.ln1_w = Normal(rng, D, 0.1, 1.0);
  lw.ln1_b = Normal(rng, D, 0.1);
  lw.ln2_w = Normal(rng, D, 0.1, 1.0);
  lw.ln2_b = Normal(rng, D, 0.1);
  for (std::vector<float>* x : {&lw.x_r, &lw.x_w, &lw.x_k, &lw.x_v, &lw.x_a, &lw.x_g, &lw.ffn_mix_k, &lw.k_a})
    *x = Uniform(rng, D, 0.0, 1.0);
  lw.w0 = Uniform(rng, D, -4.0, 3.0);
  lw.w1 = Normal(rng, D * r.decay, sd);
  lw.w2 = Normal(rng, r.decay * D, 2.0 * out_sd(r.decay));
  lw.a0 = Normal(rng, D, 1.0);
  lw.a1 = Normal(rng, D * r.a, sd);
  lw.a2 = Normal(rng, r.a * D, 2.0 * out_sd(r.a));
  if (l > 0) {
    lw.v0 = Normal(rng, D, 1.0);
    lw.v1 = Normal(rng, D * r.value, sd);
    lw.v2 = Normal(rng, r.value * D, 2.0 * out_sd(r.value));
  }
  lw.g1 = Normal(rng, D * r.gate, sd);
  lw.g2 = Normal(rng, r.gate * D, 2.0 * out_sd(r.gate));
  lw.k_k = Uniform(rng, D, 0.5, 1.5);
  lw.r_k = Normal(rng, D, 0.3);
  lw.att_r = Normal(rng, D * D, sd);
  lw.att_k = Normal(rng, D * D, sd);
  lw.att_v = Normal(rng, D * D, sd);
  lw.att_o = Normal(rng, D * D, 0.5 * sd);
  lw.ln_x_w = Normal(rng, D, 0.2, 1.0);
  lw.ln_x_b = Normal(rng, D, 0.1);
  lw.ffn_k = Normal(rng, D * F, sd);
  lw.ffn_v = Normal(rng, F * D, 0.5 / std::sqrt(static_cast<double>(F)));
  return lw;
}

}  // namespace

ModelWeights RandomModel(const ModelConfig& c, uint64_t seed) {
  Rng rng(seed * 0x2545F4914F6CDD1Dull + 1);
  const size_t D = c.n_embd, A = c.n_att, F = c.n_ffn, V = c.vocab_size, Dm = c.time_mix_lora,
               Dd = c.time_decay_lora;
  const double sd = 1.0 / std::sqrt(static_cast<double>(D));
  ModelWeights w;
  w.config = c;
  w.emb = Normal(rng, V * D, 1.0);
  w.ln_out_w = Normal(rng, D, 0.1, 1.0);
  w.ln_out_b = Normal(rng, D, 0.1);
  w.head = Normal(rng, D * V, 2.0 * sd);
  for (int l = 0; l < c.n_layer; ++l) {
    if (c.version == ModelVersion::kV7_0) {
      w.layers.push_back(RandomLayerV7(rng, c, l));
      continue;
    }
    LayerWeights lw;
    lw.ln1_w = Normal(rng, D, 0.1, 1.0);
    lw.ln1_b = Normal(rng, D, 0.1);
    lw.ln2_w = Normal(rng, D, 0.1, 1.0);
    lw.ln2_b = Normal(rng, D, 0.1);
    lw.att_r = Normal(rng, D * A, sd);
    lw.att_k = Normal(rng, D * A, sd);
    lw.att_v = Normal(rng, D * A, sd);
    lw.att_g = Normal(rng, D * A, sd);
    lw.att_o = Normal(rng, A * D, 0.5 / std::sqrt(static_cast<double>(A)));
    lw.ln_x_w = Normal(rng, A, 0.2, 1.0);
    lw.ln_x_b = Normal(rng, A, 0.1);
    lw.time_first = Uniform(rng, A, -1.0, 1.0);
    if (c.version == ModelVersion::kV5_2) {
      lw.time_decay = Uniform(rng, A, -3.0, 1.0);  // raw d, then w = exp(-exp(d)) as loaded
      for (float& x : lw.time_decay) x = std::exp(-std::exp(x));
      lw.time_mix_k = Uniform(rng, D, 0.0, 1.0);
      lw.time_mix_v = Uniform(rng, D, 0.0, 1.0);
      lw.time_mix_r = Uniform(rng, D, 0.0, 1.0);
      lw.time_mix_g = Uniform(rng, D, 0.0, 1.0);
    } else {
      lw.time_decay = Uniform(rng, A, -3.0, 0.5);  // raw d
      lw.maa_x = Uniform(rng, D, 0.0, 1.0);
      lw.maa_w = Uniform(rng, D, 0.0, 1.0);
      lw.maa_k = Uniform(rng, D, 0.0, 1.0);
      lw.maa_v = Uniform(rng, D, 0.0, 1.0);
      lw.maa_r = Uniform(rng, D, 0.0, 1.0);
      lw.maa_g = Uniform(rng, D, 0.0, 1.0);
      lw.maa_w1 = Normal(rng, D * 5 * Dm, sd);
      lw.maa_w2 = Normal(rng, 5 * Dm * D, 0.3 / std::sqrt(static_cast<double>(Dm)));
      lw.decay_w1 = Normal(rng, D * Dd, sd);
      lw.decay_w2 = Normal(rng, Dd * A, 0.5 / std::sqrt(static_cast<double>(Dd)));
    }
    lw.ffn_mix_k = Uniform(rng, D, 0.0, 1.0);
    lw.ffn_mix_r = Uniform(rng, D, 0.0, 1.0);
    lw.ffn_k = Normal(rng, D * F, sd);
    lw.ffn_r = Normal(rng, D * D, sd);
    lw.ffn_v = Normal(rng, F * D, 0.5 / std::sqrt(static_cast<double>(F)));
    w.layers.push_back(std::move(lw));
  }
  return w;
}

std::vector<uint16_t> RandomTokens(int n, int vocab, uint64_t seed) {
  Rng rng(seed ^ 0x5851F42D4C957F2Dull);
  std::vector<uint16_t> t(n);
  for (uint16_t& x : t) x = static_cast<uint16_t>(rng.Next() % static_cast<uint64_t>(vocab));
  return t;
}

}  // namespace rwkvkit::refmodel::testing

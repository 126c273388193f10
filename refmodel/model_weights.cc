// refmodel/model_weights.cc — LoadModel()/BuildModel(): check every tensor's shape against
// the inferred config, convert to fp32, and apply the rwkv package's load-time preprocessing
// (docs/refmodel.md): emb := LN0(emb); projections transposed to [in, out]; v5.2 decay
// w = exp(-exp(time_decay)); time_faaaa is u ("time_first"); '.time_*' and the x070 vectors
// squeezed (they are flat vectors here). Not applied: RESCALE_LAYER (the rwkv package uses it only for fp16
// strategies; this is the fp32 reference). Part of rwkvkit_refmodel_weights. Thread-safe.
#include "refmodel/model_weights.h"

#include <cstring>

#include <algorithm>
#include <cmath>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "refmodel/checkpoint/checkpoint_reader.h"
#include "refmodel/checkpoint/internal/printable.h"
#include "refmodel/checkpoint/tensor.h"

namespace rwkvkit::refmodel {
namespace {

using Shape = std::vector<int64_t>;

// The shape each tensor must have (docs/formats/checkpoints.md), BlinkDL names.
// RWKV-7 (docs/refmodel.md): per layer, with this layer's LoRA ranks; layer 0's v0/v1/v2 are
// not listed (present or not, never read).
void AddV7Shapes(const ModelConfig& c, std::vector<std::pair<std::string, Shape>>& e) {
  const int64_t D = c.n_embd, H = c.n_head, N = c.head_size, F = c.n_ffn;
  for (int l = 0; l < c.n_layer; ++l) {
    const std::string b = absl::StrCat("blocks.", l, ".");
    const V7Ranks& r = c.v7_ranks[l];
    auto add = [&](const char* n, Shape s) { e.emplace_back(b + n, std::move(s)); };
    for (const char* n : {"ln1.weight", "ln1.bias", "ln2.weight", "ln2.bias", "att.ln_x.weight", "att.ln_x.bias"})
      add(n, {D});
    for (const char* n : {"att.x_r", "att.x_w", "att.x_k", "att.x_v", "att.x_a", "att.x_g", "att.w0", "att.a0",
                          "att.k_k", "att.k_a", "ffn.x_k"})
      add(n, {1, 1, D});
    add("att.w1", {D, r.decay});
    add("att.w2", {r.decay, D});
    add("att.a1", {D, r.a});
    add("att.a2", {r.a, D});
    if (l > 0) {
      add("att.v0", {1, 1, D});
      add("att.v1", {D, r.value});
      add("att.v2", {r.value, D});
    }
    add("att.g1", {D, r.gate});
    add("att.g2", {r.gate, D});
    add("att.r_k", {H, N});
    for (const char* n : {"att.receptance.weight", "att.key.weight", "att.value.weight", "att.output.weight"})
      add(n, {D, D});
    add("ffn.key.weight", {F, D});
    add("ffn.value.weight", {D, F});
  }
}

std::vector<std::pair<std::string, Shape>> ExpectedShapes(const ModelConfig& c) {
  const int64_t D = c.n_embd, A = c.n_att, H = c.n_head, N = c.head_size, F = c.n_ffn, V = c.vocab_size;
  const int64_t Dm = c.time_mix_lora, Dd = c.time_decay_lora;
  std::vector<std::pair<std::string, Shape>> e = {
      {"emb.weight", {V, D}},         {"blocks.0.ln0.weight", {D}}, {"blocks.0.ln0.bias", {D}},
      {"ln_out.weight", {D}},         {"ln_out.bias", {D}},         {"head.weight", {V, D}}};
  if (c.version == ModelVersion::kV7_0) {
    AddV7Shapes(c, e);
    return e;
  }
  for (int l = 0; l < c.n_layer; ++l) {
    const std::string b = absl::StrCat("blocks.", l, ".");
    auto add = [&](const char* n, Shape s) { e.emplace_back(b + n, std::move(s)); };
    for (const char* n : {"ln1.weight", "ln1.bias", "ln2.weight", "ln2.bias"}) add(n, {D});
    for (const char* n : {"att.receptance.weight", "att.key.weight", "att.value.weight", "att.gate.weight"}) add(n, {A, D});
    add("att.output.weight", {D, A});
    add("att.ln_x.weight", {A});
    add("att.ln_x.bias", {A});
    add("att.time_faaaa", {H, N});
    add("ffn.key.weight", {F, D});
    add("ffn.receptance.weight", {D, D});
    add("ffn.value.weight", {D, F});
    if (c.version == ModelVersion::kV5_2) {
      for (const char* n : {"att.time_mix_k", "att.time_mix_v", "att.time_mix_r", "att.time_mix_g",
                            "ffn.time_mix_k", "ffn.time_mix_r"})
        add(n, {1, 1, D});
      add("att.time_decay", {H, N});
    } else {
      for (const char* n : {"att.time_maa_x", "att.time_maa_w", "att.time_maa_k", "att.time_maa_v",
                            "att.time_maa_r", "att.time_maa_g", "ffn.time_maa_k", "ffn.time_maa_r"})
        add(n, {1, 1, D});
      add("att.time_maa_w1", {D, 5 * Dm});
      add("att.time_maa_w2", {5, Dm, D});
      add("att.time_decay", {1, 1, A});
      add("att.time_decay_w1", {D, Dd});
      add("att.time_decay_w2", {Dd, A});
    }
  }
  return e;
}

// The package squeezes '.time_*' tensors (v5/v6) and every x070 tensor at load, so [D] passes
// for [1,1,D] there. (A LoRA matrix is never [1,1,D]-shaped, so this cannot hide a rank.)
bool ShapeOk(const std::string& name, const Shape& got, const Shape& want) {
  if (got == want) return true;
  const bool squeezable = absl::StrContains(name, ".time_") || (want.size() == 3 && want[0] == 1 && want[1] == 1);
  return squeezable && Squeezed(got) == Squeezed(want);
}

std::string SizesText(const ModelConfig& c) {
  std::string s = absl::StrCat("D=", c.n_embd, " A=", c.n_att, " H=", c.n_head, " N=", c.head_size, " F=", c.n_ffn,
                               " V=", c.vocab_size);
  if (c.version == ModelVersion::kV6_0) absl::StrAppend(&s, " Dm=", c.time_mix_lora, " Dd=", c.time_decay_lora);
  for (size_t l = 0; l < c.v7_ranks.size(); ++l) {
    const V7Ranks& r = c.v7_ranks[l];
    absl::StrAppend(&s, l == 0 ? " LoRA ranks w/a/v/g" : ",", " L", l, ":", r.decay, "/", r.a, "/", r.value, "/",
                    r.gate);
  }
  return s;
}

absl::Status CheckAll(const TensorSet& s, const ModelConfig& c) {
  for (const auto& [name, want] : ExpectedShapes(c)) {
    const TensorView* t = s.Find(name);
    if (t == nullptr)
      return absl::InvalidArgumentError(absl::StrCat(s.path(), ": missing tensor ", name, " ", ShapeString(want),
                                                     " (RWKV-", std::string(VersionName(c.version)), " with ",
                                                     SizesText(c), ")"));
    if (!ShapeOk(name, t->shape, want))
      return absl::InvalidArgumentError(absl::StrCat(s.path(), "@", t->file_offset, ": tensor ", name, " has shape ",
                                                     ShapeString(t->shape), ", expected ", ShapeString(want),
                                                     " (", SizesText(c), " from the other tensors)"));
    if (t->dtype == DType::kOther)
      return absl::UnimplementedError(absl::StrCat(s.path(), "@", t->file_offset, ": tensor ", name, " ",
                                                   ShapeString(t->shape), " has dtype ", checkpoint::Printable(t->dtype_name),
                                                   "; only fp32, fp16 and bf16 are supported"));
  }
  return absl::OkStatus();
}

// [rows, cols] -> [cols, rows], in 32x32 tiles so that a [65536, 4096] head does not walk
// memory with a 256 KB stride on every element.
std::vector<float> Transposed(const std::vector<float>& in, int64_t rows, int64_t cols) {
  constexpr int64_t kTile = 32;
  std::vector<float> out(in.size());
  for (int64_t r0 = 0; r0 < rows; r0 += kTile)
    for (int64_t c0 = 0; c0 < cols; c0 += kTile)
      for (int64_t r = r0; r < std::min(rows, r0 + kTile); ++r)
        for (int64_t c = c0; c < std::min(cols, c0 + kTile); ++c) out[c * rows + r] = in[r * cols + c];
  return out;
}

// LayerNorm over each row of x [rows, d], eps 1e-5; statistics in double, result fp32.
void LayerNormRows(std::vector<float>& x, int64_t d, const std::vector<float>& w, const std::vector<float>& b) {
  for (size_t r = 0; r + d <= x.size(); r += d) {
    double mean = 0, var = 0;
    for (int64_t k = 0; k < d; ++k) mean += x[r + k];
    mean /= d;
    for (int64_t k = 0; k < d; ++k) var += (x[r + k] - mean) * (x[r + k] - mean);
    const double inv = 1.0 / std::sqrt(var / d + 1e-5);
    for (int64_t k = 0; k < d; ++k) x[r + k] = static_cast<float>((x[r + k] - mean) * inv * w[k] + b[k]);
  }
}

class Builder {
 public:
  Builder(const TensorSet& s, const ModelConfig& c) : s_(s), c_(c) {}

  absl::StatusOr<std::vector<float>> Get(const std::string& name) {
    return ToFloat32(*s_.Find(name), s_.path());  // CheckAll saw every name
  }
  // A weight stored [out, in] (nn.Linear), returned as [in, out].
  absl::StatusOr<std::vector<float>> GetT(const std::string& name) {
    const TensorView* t = s_.Find(name);
    RWKVKIT_ASSIGN_OR_RETURN(std::vector<float> v, ToFloat32(*t, s_.path()));
    return Transposed(v, t->shape[0], t->shape[1]);
  }

  absl::Status Layer(int l, LayerWeights& w);
  absl::Status LayerV7(int l, LayerWeights& w);

 private:
  const TensorSet& s_;
  const ModelConfig& c_;
};

absl::Status Builder::Layer(int l, LayerWeights& w) {
  if (c_.version == ModelVersion::kV7_0) return LayerV7(l, w);
  const std::string b = absl::StrCat("blocks.", l, ".");
  RWKVKIT_ASSIGN_OR_RETURN(w.ln1_w, Get(b + "ln1.weight"));
  RWKVKIT_ASSIGN_OR_RETURN(w.ln1_b, Get(b + "ln1.bias"));
  RWKVKIT_ASSIGN_OR_RETURN(w.ln2_w, Get(b + "ln2.weight"));
  RWKVKIT_ASSIGN_OR_RETURN(w.ln2_b, Get(b + "ln2.bias"));
  RWKVKIT_ASSIGN_OR_RETURN(w.att_r, GetT(b + "att.receptance.weight"));
  RWKVKIT_ASSIGN_OR_RETURN(w.att_k, GetT(b + "att.key.weight"));
  RWKVKIT_ASSIGN_OR_RETURN(w.att_v, GetT(b + "att.value.weight"));
  RWKVKIT_ASSIGN_OR_RETURN(w.att_g, GetT(b + "att.gate.weight"));
  RWKVKIT_ASSIGN_OR_RETURN(w.att_o, GetT(b + "att.output.weight"));
  RWKVKIT_ASSIGN_OR_RETURN(w.ln_x_w, Get(b + "att.ln_x.weight"));
  RWKVKIT_ASSIGN_OR_RETURN(w.ln_x_b, Get(b + "att.ln_x.bias"));
  RWKVKIT_ASSIGN_OR_RETURN(w.time_first, Get(b + "att.time_faaaa"));  // u, used as-is (REAL_TIME_FIRST)
  RWKVKIT_ASSIGN_OR_RETURN(w.time_decay, Get(b + "att.time_decay"));
  RWKVKIT_ASSIGN_OR_RETURN(w.ffn_k, GetT(b + "ffn.key.weight"));
  RWKVKIT_ASSIGN_OR_RETURN(w.ffn_r, GetT(b + "ffn.receptance.weight"));
  RWKVKIT_ASSIGN_OR_RETURN(w.ffn_v, GetT(b + "ffn.value.weight"));
  if (c_.version == ModelVersion::kV5_2) {
    // exp(-exp(d)) in fp32 as the rwkv package does; the decay is static for 5.2.
    for (float& d : w.time_decay) d = std::exp(-std::exp(d));
    RWKVKIT_ASSIGN_OR_RETURN(w.time_mix_k, Get(b + "att.time_mix_k"));
    RWKVKIT_ASSIGN_OR_RETURN(w.time_mix_v, Get(b + "att.time_mix_v"));
    RWKVKIT_ASSIGN_OR_RETURN(w.time_mix_r, Get(b + "att.time_mix_r"));
    RWKVKIT_ASSIGN_OR_RETURN(w.time_mix_g, Get(b + "att.time_mix_g"));
    RWKVKIT_ASSIGN_OR_RETURN(w.ffn_mix_k, Get(b + "ffn.time_mix_k"));
    RWKVKIT_ASSIGN_OR_RETURN(w.ffn_mix_r, Get(b + "ffn.time_mix_r"));
    return absl::OkStatus();
  }
  RWKVKIT_ASSIGN_OR_RETURN(w.maa_x, Get(b + "att.time_maa_x"));
  RWKVKIT_ASSIGN_OR_RETURN(w.maa_w, Get(b + "att.time_maa_w"));
  RWKVKIT_ASSIGN_OR_RETURN(w.maa_k, Get(b + "att.time_maa_k"));
  RWKVKIT_ASSIGN_OR_RETURN(w.maa_v, Get(b + "att.time_maa_v"));
  RWKVKIT_ASSIGN_OR_RETURN(w.maa_r, Get(b + "att.time_maa_r"));
  RWKVKIT_ASSIGN_OR_RETURN(w.maa_g, Get(b + "att.time_maa_g"));
  // The LoRA matrices are input-major already (x @ W1): not transposed.
  RWKVKIT_ASSIGN_OR_RETURN(w.maa_w1, Get(b + "att.time_maa_w1"));
  RWKVKIT_ASSIGN_OR_RETURN(w.maa_w2, Get(b + "att.time_maa_w2"));
  RWKVKIT_ASSIGN_OR_RETURN(w.decay_w1, Get(b + "att.time_decay_w1"));
  RWKVKIT_ASSIGN_OR_RETURN(w.decay_w2, Get(b + "att.time_decay_w2"));
  RWKVKIT_ASSIGN_OR_RETURN(w.ffn_mix_k, Get(b + "ffn.time_maa_k"));
  RWKVKIT_ASSIGN_OR_RETURN(w.ffn_mix_r, Get(b + "ffn.time_maa_r"));
  return absl::OkStatus();
}

// RWKV-7: every tensor as the x070 loader of the rwkv package has it (squeezed, r_k
// flattened, projections [in, out]); the LoRA matrices are input-major already.
absl::Status Builder::LayerV7(int l, LayerWeights& w) {
  const std::string b = absl::StrCat("blocks.", l, ".");
  struct Plain {
    const char* name;
    std::vector<float>* dst;
  };
  const std::vector<Plain> plain = {
      {"ln1.weight", &w.ln1_w}, {"ln1.bias", &w.ln1_b},       {"ln2.weight", &w.ln2_w},     {"ln2.bias", &w.ln2_b},
      {"att.x_r", &w.x_r},      {"att.x_w", &w.x_w},          {"att.x_k", &w.x_k},          {"att.x_v", &w.x_v},
      {"att.x_a", &w.x_a},      {"att.x_g", &w.x_g},          {"att.w0", &w.w0},            {"att.w1", &w.w1},
      {"att.w2", &w.w2},        {"att.a0", &w.a0},            {"att.a1", &w.a1},            {"att.a2", &w.a2},
      {"att.g1", &w.g1},        {"att.g2", &w.g2},            {"att.k_k", &w.k_k},          {"att.k_a", &w.k_a},
      {"att.r_k", &w.r_k},      {"att.ln_x.weight", &w.ln_x_w}, {"att.ln_x.bias", &w.ln_x_b}, {"ffn.x_k", &w.ffn_mix_k}};
  for (const Plain& p : plain) {
    RWKVKIT_ASSIGN_OR_RETURN(*p.dst, Get(b + p.name));
  }
  if (l > 0) {  // layer 0 defines v_first; its v0/v1/v2 (if any) are never read
    RWKVKIT_ASSIGN_OR_RETURN(w.v0, Get(b + "att.v0"));
    RWKVKIT_ASSIGN_OR_RETURN(w.v1, Get(b + "att.v1"));
    RWKVKIT_ASSIGN_OR_RETURN(w.v2, Get(b + "att.v2"));
  }
  RWKVKIT_ASSIGN_OR_RETURN(w.att_r, GetT(b + "att.receptance.weight"));
  RWKVKIT_ASSIGN_OR_RETURN(w.att_k, GetT(b + "att.key.weight"));
  RWKVKIT_ASSIGN_OR_RETURN(w.att_v, GetT(b + "att.value.weight"));
  RWKVKIT_ASSIGN_OR_RETURN(w.att_o, GetT(b + "att.output.weight"));
  RWKVKIT_ASSIGN_OR_RETURN(w.ffn_k, GetT(b + "ffn.key.weight"));
  RWKVKIT_ASSIGN_OR_RETURN(w.ffn_v, GetT(b + "ffn.value.weight"));
  return absl::OkStatus();
}

// IEEE binary16 of `f`, rounded to nearest even (overflow to inf, NaN kept quiet).
uint16_t FloatToHalf(float f) {
  uint32_t x;
  std::memcpy(&x, &f, 4);
  const uint32_t sign = (x >> 16) & 0x8000u;
  const uint32_t exp = (x >> 23) & 0xFFu;
  uint32_t mant = x & 0x7FFFFFu;
  if (exp == 0xFF) return static_cast<uint16_t>(sign | 0x7C00u | (mant ? 0x200u : 0u));
  const int e = static_cast<int>(exp) - 127 + 15;
  if (e >= 31) return static_cast<uint16_t>(sign | 0x7C00u);
  if (e <= 0) {  // a half subnormal (or zero)
    if (e < -10) return static_cast<uint16_t>(sign);
    mant |= 0x800000u;
    const int shift = 14 - e;
    uint32_t h = mant >> shift;
    const uint32_t rem = mant & ((1u << shift) - 1), halfway = 1u << (shift - 1);
    if (rem > halfway || (rem == halfway && (h & 1u))) ++h;
    return static_cast<uint16_t>(sign | h);
  }
  uint32_t h = (static_cast<uint32_t>(e) << 10) | (mant >> 13);
  const uint32_t rem = mant & 0x1FFFu;
  if (rem > 0x1000u || (rem == 0x1000u && (h & 1u))) ++h;  // a carry into the exponent is right
  return static_cast<uint16_t>(sign | h);
}

// Rounds every value to `dtype` (round to nearest even) and back to fp32; fp32 is left as is.
void RoundToStorage(std::vector<float>& x, DType dtype) {
  if (dtype != DType::kBF16 && dtype != DType::kF16) return;
  for (float& v : x) {
    uint32_t bits;
    std::memcpy(&bits, &v, 4);
    if (dtype == DType::kBF16) {
      if ((bits & 0x7F800000u) != 0x7F800000u) bits += 0x7FFFu + ((bits >> 16) & 1u);
      bits &= 0xFFFF0000u;
      std::memcpy(&v, &bits, 4);
    } else {
      v = HalfToFloat(FloatToHalf(v));
    }
  }
}

}  // namespace

absl::StatusOr<ModelWeights> BuildModel(const TensorSet& s) {
  ModelWeights m;
  RWKVKIT_ASSIGN_OR_RETURN(m.config, InferConfig(s));
  RWKVKIT_RETURN_IF_ERROR(CheckAll(s, m.config));
  Builder b(s, m.config);
  RWKVKIT_ASSIGN_OR_RETURN(m.emb, b.Get("emb.weight"));
  RWKVKIT_ASSIGN_OR_RETURN(std::vector<float> ln0_w, b.Get("blocks.0.ln0.weight"));
  RWKVKIT_ASSIGN_OR_RETURN(std::vector<float> ln0_b, b.Get("blocks.0.ln0.bias"));
  LayerNormRows(m.emb, m.config.n_embd, ln0_w, ln0_b);
  // The official `rwkv` package applies LayerNorm0 to the embedding in the file's own dtype and
  // keeps the rounded result (the rest of the model then runs in fp32). Rounding our fp32
  // result to that dtype reproduces its NLL (tests/refmodel/fixtures: up to 0.009 nats per
  // token on bf16 files without this; within 2e-6 with it, 3e-5 on one fp16 file where torch's
  // fp16 LayerNorm differs by an ulp).
  // Not for RWKV-7: the package's x070 loader casts every tensor to the strategy dtype (fp32)
  // before LayerNorm0.
  if (const TensorView* emb = s.Find("emb.weight"); emb != nullptr && m.config.version != ModelVersion::kV7_0)
    RoundToStorage(m.emb, emb->dtype);
  RWKVKIT_ASSIGN_OR_RETURN(m.ln_out_w, b.Get("ln_out.weight"));
  RWKVKIT_ASSIGN_OR_RETURN(m.ln_out_b, b.Get("ln_out.bias"));
  RWKVKIT_ASSIGN_OR_RETURN(m.head, b.GetT("head.weight"));
  m.layers.resize(m.config.n_layer);
  for (int l = 0; l < m.config.n_layer; ++l) RWKVKIT_RETURN_IF_ERROR(b.Layer(l, m.layers[l]));
  return m;
}

absl::StatusOr<ModelWeights> LoadModel(const std::filesystem::path& path) {
  RWKVKIT_ASSIGN_OR_RETURN(TensorSet s, ReadCheckpoint(path));
  return BuildModel(s);
}

}  // namespace rwkvkit::refmodel

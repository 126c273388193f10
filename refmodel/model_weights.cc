// refmodel/model_weights.cc — LoadModel()/BuildModel(): check every tensor's shape against
// the inferred config, convert to fp32, and apply the rwkv package's load-time preprocessing
// (docs/refmodel.md): emb := LN0(emb); projections transposed to [in, out]; v5.2 decay
// w = exp(-exp(time_decay)); time_faaaa is u ("time_first"); '.time_*' and the x070 vectors
// squeezed (they are flat vectors here). Not applied: RESCALE_LAYER (the rwkv package uses it only for fp16
// strategies; this is the fp32 reference). Part of rwkvkit_refmodel_weights. Thread-safe.
#include "refmodel/model_weights.h"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

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

// LayerNorm over each row of x [rows, d], eps 1e-5; statistics in double, result fp32. Rows
// in parallel (each row's arithmetic is the same for any split).
void LayerNormRows(std::vector<float>& x, int64_t d, const std::vector<float>& w, const std::vector<float>& b) {
  const size_t rows = x.size() / d;
  tbb::parallel_for(tbb::blocked_range<size_t>(0, rows, 256), [&](const tbb::blocked_range<size_t>& rr) {
    for (size_t row = rr.begin(); row < rr.end(); ++row) {
      float* v = x.data() + row * d;
      double mean = 0, var = 0;
      for (int64_t k = 0; k < d; ++k) mean += v[k];
      mean /= d;
      for (int64_t k = 0; k < d; ++k) var += (v[k] - mean) * (v[k] - mean);
      const double inv = 1.0 / std::sqrt(var / d + 1e-5);
      for (int64_t k = 0; k < d; ++k) v[k] = static_cast<float>((v[k] - mean) * inv * w[k] + b[k]);
    }
  });
}

// Converts the checkpoint's tensors to fp32 arrays. Get/GetT only record what goes where; Run()
// checks every tensor, then converts them all in parallel: tensors side by side, and inside a
// large tensor, blocks of elements (or of rows, when transposing). Each output element is a
// function of one input element, so the result is the same for any thread count.
class Builder {
 public:
  Builder(const TensorSet& s, const ModelConfig& c) : s_(s), c_(c) {}

  void Get(const std::string& name, std::vector<float>* dst) { jobs_.push_back({s_.Find(name), dst, false}); }
  // A weight stored [out, in] (nn.Linear), converted to [in, out].
  void GetT(const std::string& name, std::vector<float>* dst) { jobs_.push_back({s_.Find(name), dst, true}); }

  void Layer(int l, LayerWeights& w);
  void LayerV7(int l, LayerWeights& w);
  absl::Status Run();

 private:
  struct Job {
    const TensorView* t;  // CheckAll saw every name
    std::vector<float>* dst;
    bool transpose;
  };
  static void Convert(const Job& j);
  static void ConvertTransposed(const Job& j);

  const TensorSet& s_;
  const ModelConfig& c_;
  std::vector<Job> jobs_;
};

absl::Status Builder::Run() {
  for (const Job& j : jobs_) RWKVKIT_RETURN_IF_ERROR(CheckConvertible(*j.t, s_.path()));
  tbb::parallel_for(size_t{0}, jobs_.size(), [&](size_t i) {
    const Job& j = jobs_[i];
    j.dst->resize(static_cast<size_t>(j.t->numel()));
    if (j.transpose) {
      ConvertTransposed(j);
    } else {
      Convert(j);
    }
  });
  return absl::OkStatus();
}

void Builder::Convert(const Job& j) {
  constexpr int64_t kBlock = int64_t{1} << 18;  // elements per task
  const int64_t n = j.t->numel();
  tbb::parallel_for(int64_t{0}, (n + kBlock - 1) / kBlock, [&](int64_t b) {
    const int64_t begin = b * kBlock, end = std::min(n, begin + kBlock);
    ConvertElements(*j.t, begin, end, j.dst->data() + begin);
  });
}

// [rows, cols] -> [cols, rows] in tiles of 8 x 1024: a task owns a band of up to 1024 source
// columns and a stretch of up to 1024 source rows, and walks down it 8 rows at a time: 2 KB read
// from each source row, each tile converted into a 32 KB buffer, then written out as 1024 runs
// of 8 floats that continue the previous tile's. On one thread of the 2-core development VM this
// took the Finch-1.6B load from 8.0 to 5.9 CPU seconds against whole 32-row strips (which write
// one page per column: a [65536, 2048] head spreads them 256 KB apart); 64 x 64 and 16 x 512
// tiles gave 8.0 and 6.4 s.
void Builder::ConvertTransposed(const Job& j) {
  constexpr int64_t kRows = 8, kCols = 1024, kStretch = 1024;
  const int64_t rows = j.t->shape[0], cols = j.t->shape[1];
  const int64_t bands = (cols + kCols - 1) / kCols, stretches = (rows + kStretch - 1) / kStretch;
  float* out = j.dst->data();
  tbb::parallel_for(int64_t{0}, bands * stretches, [&](int64_t task) {
    const int64_t c0 = task / stretches * kCols, nc = std::min(kCols, cols - c0);
    const int64_t s0 = task % stretches * kStretch, s1 = std::min(rows, s0 + kStretch);
    float buf[kRows * kCols];
    for (int64_t r0 = s0; r0 < s1; r0 += kRows) {
      const int64_t nr = std::min(kRows, s1 - r0);
      for (int64_t r = 0; r < nr; ++r)
        ConvertElements(*j.t, (r0 + r) * cols + c0, (r0 + r) * cols + c0 + nc, buf + r * kCols);
      for (int64_t c = 0; c < nc; ++c)
        for (int64_t r = 0; r < nr; ++r) out[(c0 + c) * rows + r0 + r] = buf[r * kCols + c];
    }
  });
}

void Builder::Layer(int l, LayerWeights& w) {
  if (c_.version == ModelVersion::kV7_0) return LayerV7(l, w);
  const std::string b = absl::StrCat("blocks.", l, ".");
  Get(b + "ln1.weight", &w.ln1_w);
  Get(b + "ln1.bias", &w.ln1_b);
  Get(b + "ln2.weight", &w.ln2_w);
  Get(b + "ln2.bias", &w.ln2_b);
  GetT(b + "att.receptance.weight", &w.att_r);
  GetT(b + "att.key.weight", &w.att_k);
  GetT(b + "att.value.weight", &w.att_v);
  GetT(b + "att.gate.weight", &w.att_g);
  GetT(b + "att.output.weight", &w.att_o);
  Get(b + "att.ln_x.weight", &w.ln_x_w);
  Get(b + "att.ln_x.bias", &w.ln_x_b);
  Get(b + "att.time_faaaa", &w.time_first);  // u, used as-is (REAL_TIME_FIRST)
  Get(b + "att.time_decay", &w.time_decay);
  GetT(b + "ffn.key.weight", &w.ffn_k);
  GetT(b + "ffn.receptance.weight", &w.ffn_r);
  GetT(b + "ffn.value.weight", &w.ffn_v);
  if (c_.version == ModelVersion::kV5_2) {
    Get(b + "att.time_mix_k", &w.time_mix_k);
    Get(b + "att.time_mix_v", &w.time_mix_v);
    Get(b + "att.time_mix_r", &w.time_mix_r);
    Get(b + "att.time_mix_g", &w.time_mix_g);
    Get(b + "ffn.time_mix_k", &w.ffn_mix_k);
    Get(b + "ffn.time_mix_r", &w.ffn_mix_r);
    return;
  }
  Get(b + "att.time_maa_x", &w.maa_x);
  Get(b + "att.time_maa_w", &w.maa_w);
  Get(b + "att.time_maa_k", &w.maa_k);
  Get(b + "att.time_maa_v", &w.maa_v);
  Get(b + "att.time_maa_r", &w.maa_r);
  Get(b + "att.time_maa_g", &w.maa_g);
  // The LoRA matrices are input-major already (x @ W1): not transposed.
  Get(b + "att.time_maa_w1", &w.maa_w1);
  Get(b + "att.time_maa_w2", &w.maa_w2);
  Get(b + "att.time_decay_w1", &w.decay_w1);
  Get(b + "att.time_decay_w2", &w.decay_w2);
  Get(b + "ffn.time_maa_k", &w.ffn_mix_k);
  Get(b + "ffn.time_maa_r", &w.ffn_mix_r);
}

// RWKV-7: every tensor as the x070 loader of the rwkv package has it (squeezed, r_k
// flattened, projections [in, out]); the LoRA matrices are input-major already.
void Builder::LayerV7(int l, LayerWeights& w) {
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
  for (const Plain& p : plain) Get(b + p.name, p.dst);
  if (l > 0) {  // layer 0 defines v_first; its v0/v1/v2 (if any) are never read
    Get(b + "att.v0", &w.v0);
    Get(b + "att.v1", &w.v1);
    Get(b + "att.v2", &w.v2);
  }
  GetT(b + "att.receptance.weight", &w.att_r);
  GetT(b + "att.key.weight", &w.att_k);
  GetT(b + "att.value.weight", &w.att_v);
  GetT(b + "att.output.weight", &w.att_o);
  GetT(b + "ffn.key.weight", &w.ffn_k);
  GetT(b + "ffn.value.weight", &w.ffn_v);
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
  tbb::parallel_for(tbb::blocked_range<size_t>(0, x.size(), size_t{1} << 16), [&](const tbb::blocked_range<size_t>& r) {
    for (size_t i = r.begin(); i < r.end(); ++i) {
      float& v = x[i];
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
  });
}

}  // namespace

absl::StatusOr<ModelWeights> BuildModel(const TensorSet& s) {
  ModelWeights m;
  RWKVKIT_ASSIGN_OR_RETURN(m.config, InferConfig(s));
  RWKVKIT_RETURN_IF_ERROR(CheckAll(s, m.config));
  Builder b(s, m.config);
  std::vector<float> ln0_w, ln0_b;
  b.Get("emb.weight", &m.emb);
  b.Get("blocks.0.ln0.weight", &ln0_w);
  b.Get("blocks.0.ln0.bias", &ln0_b);
  b.Get("ln_out.weight", &m.ln_out_w);
  b.Get("ln_out.bias", &m.ln_out_b);
  b.GetT("head.weight", &m.head);
  m.layers.resize(m.config.n_layer);
  for (int l = 0; l < m.config.n_layer; ++l) b.Layer(l, m.layers[l]);
  RWKVKIT_RETURN_IF_ERROR(b.Run());
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
  // v5.2: w = exp(-exp(d)) in fp32 as the rwkv package does; the decay is static for 5.2.
  if (m.config.version == ModelVersion::kV5_2)
    for (LayerWeights& w : m.layers)
      for (float& d : w.time_decay) d = std::exp(-std::exp(d));
  return m;
}

absl::StatusOr<ModelWeights> LoadModel(const std::filesystem::path& path) {
  RWKVKIT_ASSIGN_OR_RETURN(TensorSet s, ReadCheckpoint(path));
  return BuildModel(s);
}

}  // namespace rwkvkit::refmodel

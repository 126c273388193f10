// tests/refmodel/checkpoint/v7_load_test.cc — LoadModel on tiny RWKV-7 (x070) checkpoints
// written by the tests (test_util.cc, independent of the readers): the config inferred from the
// shapes (H, N from att.r_k; LoRA ranks per layer), every tensor where the forward expects it
// (projections transposed, LoRA matrices input-major, [1,1,D] squeezed), LayerNorm0 folded in
// fp32 and NOT rounded to the file's dtype (the package's x070 loader casts first), layer 0's
// att.v0/v1/v2 accepted present, absent or malformed and never read, and the errors that name
// the tensor and the shape expected.
#include <cmath>
#include <map>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "refmodel/checkpoint/checkpoint_reader.h"
#include "refmodel/model_weights.h"
#include "tests/refmodel/checkpoint/test_util.h"

namespace rwkvkit::refmodel {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using testing::EmbAfterLn0;
using testing::MakeTinyModel;
using testing::NamedTensor;
using testing::PthOptions;
using testing::StatusIs;
using testing::TestDType;
using testing::TinyDims;

constexpr TinyDims kDims{.L = 3, .D = 32, .A = 32, .H = 2, .N = 16, .F = 128, .V = 50, .Dw = 4, .Da = 6, .Dv = 2, .Dg = 8};

absl::StatusOr<ModelWeights> Build(const std::string& name, const std::string& bytes) {
  const auto dir = testing::FreshTestDir();
  testing::WriteFile(dir / name, bytes);
  return LoadModel(dir / name);
}

const NamedTensor& Get(const std::vector<NamedTensor>& ts, const std::string& name) {
  for (const NamedTensor& t : ts)
    if (t.name == name) return t;
  ADD_FAILURE() << "no tensor " << name;
  static const NamedTensor none;
  return none;
}

std::vector<float> Transposed(const NamedTensor& t) {
  const int64_t r = t.shape[0], c = t.shape[1];
  std::vector<float> out(t.values.size());
  for (int64_t i = 0; i < r; ++i)
    for (int64_t j = 0; j < c; ++j) out[j * r + i] = t.values[i * c + j];
  return out;
}

std::vector<NamedTensor> Without(std::vector<NamedTensor> ts, const std::string& name) {
  std::erase_if(ts, [&](const NamedTensor& t) { return t.name == name; });
  return ts;
}

std::vector<NamedTensor> Reshaped(std::vector<NamedTensor> ts, const std::string& name, std::vector<int64_t> shape) {
  for (NamedTensor& t : ts)
    if (t.name == name) {
      int64_t n = 1;
      for (int64_t x : shape) n *= x;
      t.shape = std::move(shape);
      t.values.resize(n, 0.25f);
    }
  return ts;
}

void CheckV7(const ModelWeights& m, const std::vector<NamedTensor>& ts, const TinyDims& d) {
  const ModelConfig& c = m.config;
  EXPECT_EQ(VersionName(c.version), "7.0");
  EXPECT_EQ(c.n_layer, d.L);
  EXPECT_EQ(c.n_embd, d.D);
  EXPECT_EQ(c.n_att, d.D);
  EXPECT_EQ(c.n_head, d.H);
  EXPECT_EQ(c.head_size, d.N);
  EXPECT_EQ(c.n_ffn, d.F);
  EXPECT_EQ(c.vocab_size, d.V);
  ASSERT_EQ(c.v7_ranks.size(), static_cast<size_t>(d.L));
  // LN0 in fp32 (double statistics, one rounding): no rounding to the storage dtype for x070
  const std::vector<float>& emb = Get(ts, "emb.weight").values;
  const std::vector<double> ln0 =
      EmbAfterLn0(emb, Get(ts, "blocks.0.ln0.weight").values, Get(ts, "blocks.0.ln0.bias").values, d.V, d.D);
  for (int v = 0; v < d.V; ++v) {
    for (int k = 0; k < d.D; ++k) {
      const double want = ln0[v * d.D + k];
      ASSERT_NEAR(m.emb[v * d.D + k], want, 1e-6 * (1 + std::abs(want))) << "emb row " << v << " col " << k;
    }
  }
  EXPECT_EQ(m.head, Transposed(Get(ts, "head.weight")));
  for (int l = 0; l < d.L; ++l) {
    SCOPED_TRACE(absl::StrCat("layer ", l));
    const std::string b = absl::StrCat("blocks.", l, ".");
    const LayerWeights& w = m.layers[l];
    const V7Ranks& r = c.v7_ranks[l];
    EXPECT_EQ(r.decay, Get(ts, b + "att.w1").shape[1]);
    EXPECT_EQ(r.a, Get(ts, b + "att.a1").shape[1]);
    EXPECT_EQ(r.gate, Get(ts, b + "att.g1").shape[1]);
    const std::map<std::string, const std::vector<float>*> plain = {
        {"ln1.weight", &w.ln1_w}, {"ln1.bias", &w.ln1_b}, {"ln2.weight", &w.ln2_w}, {"ln2.bias", &w.ln2_b},
        {"att.x_r", &w.x_r},      {"att.x_w", &w.x_w},    {"att.x_k", &w.x_k},      {"att.x_v", &w.x_v},
        {"att.x_a", &w.x_a},      {"att.x_g", &w.x_g},    {"att.w0", &w.w0},        {"att.w1", &w.w1},
        {"att.w2", &w.w2},        {"att.a0", &w.a0},      {"att.a1", &w.a1},        {"att.a2", &w.a2},
        {"att.g1", &w.g1},        {"att.g2", &w.g2},      {"att.k_k", &w.k_k},      {"att.k_a", &w.k_a},
        {"att.r_k", &w.r_k},      {"att.ln_x.weight", &w.ln_x_w}, {"att.ln_x.bias", &w.ln_x_b},
        {"ffn.x_k", &w.ffn_mix_k}};
    for (const auto& [name, got] : plain) EXPECT_EQ(*got, Get(ts, b + name).values) << name;
    EXPECT_EQ(w.att_r, Transposed(Get(ts, b + "att.receptance.weight")));
    EXPECT_EQ(w.att_k, Transposed(Get(ts, b + "att.key.weight")));
    EXPECT_EQ(w.att_v, Transposed(Get(ts, b + "att.value.weight")));
    EXPECT_EQ(w.att_o, Transposed(Get(ts, b + "att.output.weight")));
    EXPECT_EQ(w.ffn_k, Transposed(Get(ts, b + "ffn.key.weight")));
    EXPECT_EQ(w.ffn_v, Transposed(Get(ts, b + "ffn.value.weight")));
    if (l == 0) {  // never read
      EXPECT_EQ(r.value, 0);
      EXPECT_TRUE(w.v0.empty() && w.v1.empty() && w.v2.empty());
    } else {
      EXPECT_EQ(r.value, Get(ts, b + "att.v1").shape[1]);
      EXPECT_EQ(w.v0, Get(ts, b + "att.v0").values);
      EXPECT_EQ(w.v1, Get(ts, b + "att.v1").values);
      EXPECT_EQ(w.v2, Get(ts, b + "att.v2").values);
    }
    EXPECT_TRUE(w.att_g.empty() && w.ffn_r.empty() && w.time_first.empty());
  }
}

TEST(V7Load, PthAndSafetensorsInEveryDType) {
  const auto ts = MakeTinyModel("7.0", kDims, 3);
  for (TestDType dt : {TestDType::kF32, TestDType::kF16, TestDType::kBF16}) {
    SCOPED_TRACE(static_cast<int>(dt));
    PthOptions o;
    o.dtype = dt;
    absl::StatusOr<ModelWeights> pth = Build("m.pth", testing::WritePth(ts, o));
    ASSERT_TRUE(pth.ok()) << pth.status();
    CheckV7(*pth, ts, kDims);  // the test's values are exact in every dtype
    absl::StatusOr<ModelWeights> st = Build("m.safetensors", testing::WriteSafetensors(ts, dt));
    ASSERT_TRUE(st.ok()) << st.status();
    CheckV7(*st, ts, kDims);
  }
}

TEST(V7Load, RanksAreReadPerLayer) {
  auto ts = MakeTinyModel("7.0", kDims, 4);
  ts = Reshaped(Reshaped(ts, "blocks.2.att.w1", {32, 12}), "blocks.2.att.w2", {12, 32});
  ts = Reshaped(Reshaped(ts, "blocks.1.att.v1", {32, 5}), "blocks.1.att.v2", {5, 32});
  ts = Reshaped(Reshaped(ts, "blocks.2.att.g1", {32, 3}), "blocks.2.att.g2", {3, 32});
  absl::StatusOr<ModelWeights> m = Build("m.pth", testing::WritePth(ts, PthOptions{}));
  ASSERT_TRUE(m.ok()) << m.status();
  const auto& r = m->config.v7_ranks;
  EXPECT_EQ(r[0].decay, 4);
  EXPECT_EQ(r[2].decay, 12);
  EXPECT_EQ(r[1].value, 5);
  EXPECT_EQ(r[2].value, 2);
  EXPECT_EQ(r[1].gate, 8);
  EXPECT_EQ(r[2].gate, 3);
  CheckV7(*m, ts, kDims);
}

TEST(V7Load, LayerZeroValueLoraIsNeverRead) {
  const auto full = MakeTinyModel("7.0", kDims, 5);
  const std::vector<NamedTensor> absent = [&] {
    std::vector<NamedTensor> a = full;
    for (const char* n : {"blocks.0.att.v0", "blocks.0.att.v1", "blocks.0.att.v2"}) a = Without(a, n);
    return a;
  }();
  // present but of a shape no layer could use: still ignored
  const auto odd = Reshaped(Reshaped(full, "blocks.0.att.v1", {7}), "blocks.0.att.v2", {3, 3, 3});
  for (const std::vector<NamedTensor>* ts : {&full, &absent, &odd}) {
    absl::StatusOr<ModelWeights> m = Build("m.pth", testing::WritePth(*ts, PthOptions{}));
    ASSERT_TRUE(m.ok()) << m.status();
    CheckV7(*m, full, kDims);
  }
}

TEST(V7Load, SqueezedVectorsAreAccepted) {
  auto ts = MakeTinyModel("7.0", kDims, 6);
  for (NamedTensor& t : ts)
    if (t.shape.size() == 3) t.shape = {t.shape[2]};
  absl::StatusOr<ModelWeights> m = Build("m.safetensors", testing::WriteSafetensors(ts, TestDType::kF32));
  ASSERT_TRUE(m.ok()) << m.status();
  CheckV7(*m, MakeTinyModel("7.0", kDims, 6), kDims);
}

TEST(V7Load, ErrorsNameTheTensorAndTheExpectedShape) {
  const auto ts = MakeTinyModel("7.0", kDims, 7);
  struct Case {
    std::vector<NamedTensor> tensors;
    std::string message;
  };
  const std::vector<Case> cases = {
      {Without(ts, "blocks.1.att.v1"), "m.safetensors: missing tensor blocks.1.att.v1"},
      {Without(ts, "blocks.2.att.k_a"), "m.safetensors: missing tensor blocks.2.att.k_a [1,1,32] (RWKV-7.0 with D=32"},
      {Without(ts, "blocks.0.att.r_k"), "m.safetensors: missing tensor blocks.0.att.r_k"},
      {Reshaped(ts, "blocks.1.att.w2", {5, 32}), "tensor blocks.1.att.w2 has shape [5,32], expected [4,32]"},
      {Reshaped(ts, "blocks.2.att.a2", {6, 31}), "tensor blocks.2.att.a2 has shape [6,31], expected [6,32]"},
      {Reshaped(ts, "blocks.1.att.r_k", {4, 8}), "tensor blocks.1.att.r_k has shape [4,8], expected [2,16]"},
      {Reshaped(ts, "blocks.0.att.r_k", {3, 16}), "tensor blocks.0.att.r_k has shape [3,16]: H * N must be n_embd 32"},
      {Reshaped(ts, "blocks.1.ffn.value.weight", {32, 64}), "tensor blocks.1.ffn.value.weight has shape [32,64], expected [32,128]"},
      {Reshaped(ts, "blocks.1.att.x_g", {2, 16}), "tensor blocks.1.att.x_g has shape [2,16], expected [1,1,32]"},
      {Reshaped(ts, "blocks.1.att.g1", {32}), "tensor blocks.1.att.g1 has shape [32], expected 2 dimensions"}};
  for (const Case& c : cases) {
    SCOPED_TRACE(c.message);
    EXPECT_THAT(Build("m.safetensors", testing::WriteSafetensors(c.tensors, TestDType::kBF16)),
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(c.message)));
  }
}

TEST(V7Load, DeepEmbedVariantIsRejectedByName) {
  auto ts = MakeTinyModel("7.0", kDims, 8);
  ts.push_back({"blocks.0.ffn.s1", {32, 32}, std::vector<float>(32 * 32, 0.0f)});
  EXPECT_THAT(Build("de.pth", testing::WritePth(ts, PthOptions{})),
              StatusIs(absl::StatusCode::kUnimplemented,
                       AllOf(HasSubstr("de.pth: RWKV-7 DeepEmbed checkpoint (blocks.0.ffn.s1 present)"),
                             HasSubstr("only RWKV-5.2, RWKV-6.0 and RWKV-7.0"))));
}

TEST(V7Load, MarkerWithoutRkIsAMissingTensor) {
  // k_k marks an x070 file; H and N come from r_k, so its absence is named.
  auto ts = Without(MakeTinyModel("7.0", kDims, 9), "blocks.0.att.r_k");
  EXPECT_THAT(Build("m.pth", testing::WritePth(ts, PthOptions{})),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("m.pth: missing tensor blocks.0.att.r_k")));
}

}  // namespace
}  // namespace rwkvkit::refmodel

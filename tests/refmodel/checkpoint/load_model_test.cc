// tests/refmodel/checkpoint/load_model_test.cc — LoadModel on tiny v5.2 and v6 checkpoints
// written by the tests (.pth in several torch.save shapes, safetensors with BlinkDL and Hugging
// Face names) in fp32/fp16/bf16: the inferred config, and every preprocessing rule of
// docs/formats/checkpoints.md against a direct computation from the values that were written.
#include <tbb/global_control.h>

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

using testing::EmbAfterLn0;
using testing::MakeTinyModel;
using testing::NamedTensor;
using testing::PthOptions;
using testing::TestDType;
using testing::TinyDims;

class Expect {
 public:
  explicit Expect(const std::vector<NamedTensor>& ts) {
    for (const NamedTensor& t : ts) by_name_[t.name] = &t;
  }
  const std::vector<float>& V(const std::string& n) const { return by_name_.at(n)->values; }
  // [rows, cols] stored → [cols, rows]
  std::vector<float> T(const std::string& n) const {
    const NamedTensor& t = *by_name_.at(n);
    const int64_t r = t.shape[0], c = t.shape[1];
    std::vector<float> out(t.values.size());
    for (int64_t i = 0; i < r; ++i)
      for (int64_t j = 0; j < c; ++j) out[j * r + i] = t.values[i * c + j];
    return out;
  }

 private:
  std::map<std::string, const NamedTensor*> by_name_;
};

void CheckConfig(const ModelConfig& c, const std::string& version, const TinyDims& d) {
  EXPECT_EQ(VersionName(c.version), version);
  EXPECT_EQ(c.n_layer, d.L);
  EXPECT_EQ(c.n_embd, d.D);
  EXPECT_EQ(c.n_att, d.A);
  EXPECT_EQ(c.n_head, d.H);
  EXPECT_EQ(c.head_size, d.N);
  EXPECT_EQ(c.n_ffn, d.F);
  EXPECT_EQ(c.vocab_size, d.V);
  EXPECT_EQ(c.time_mix_lora, version == "6.0" ? d.Dm : 0);
  EXPECT_EQ(c.time_decay_lora, version == "6.0" ? d.Dd : 0);
}

void CheckWeights(const ModelWeights& m, const std::vector<NamedTensor>& ts, const std::string& version,
                  const TinyDims& d, TestDType dt) {
  Expect e(ts);
  CheckConfig(m.config, version, d);
  // emb := LayerNorm(emb; ln0, eps 1e-5), statistics over D per row, then rounded to the file's
  // dtype as the official package keeps it: within half a unit in the last place of that dtype.
  const double ulp_half = dt == TestDType::kBF16 ? std::ldexp(1.0, -8) : dt == TestDType::kF16 ? std::ldexp(1.0, -11) : 0.0;
  const std::vector<float>& emb = e.V("emb.weight");
  ASSERT_EQ(m.emb.size(), emb.size());
  const std::vector<double> ln0 = EmbAfterLn0(emb, e.V("blocks.0.ln0.weight"), e.V("blocks.0.ln0.bias"), d.V, d.D);
  for (int v = 0; v < d.V; ++v) {
    for (int k = 0; k < d.D; ++k) {
      const double want = ln0[v * d.D + k];
      ASSERT_NEAR(m.emb[v * d.D + k], want, 2e-6 + std::abs(want) * ulp_half) << "emb row " << v << " col " << k;
      if (dt == TestDType::kBF16) {
        uint32_t bits;
        std::memcpy(&bits, &m.emb[v * d.D + k], 4);
        ASSERT_EQ(bits & 0xFFFFu, 0u) << "emb row " << v << " col " << k << " is not a bf16 value";
      }
    }
  }
  EXPECT_EQ(m.ln_out_w, e.V("ln_out.weight"));
  EXPECT_EQ(m.ln_out_b, e.V("ln_out.bias"));
  EXPECT_EQ(m.head, e.T("head.weight"));
  ASSERT_EQ(m.layers.size(), static_cast<size_t>(d.L));
  for (int l = 0; l < d.L; ++l) {
    SCOPED_TRACE(absl::StrCat("layer ", l));
    const LayerWeights& w = m.layers[l];
    const std::string b = absl::StrCat("blocks.", l, ".");
    EXPECT_EQ(w.ln1_w, e.V(b + "ln1.weight"));
    EXPECT_EQ(w.ln1_b, e.V(b + "ln1.bias"));
    EXPECT_EQ(w.ln2_w, e.V(b + "ln2.weight"));
    EXPECT_EQ(w.ln2_b, e.V(b + "ln2.bias"));
    EXPECT_EQ(w.att_r, e.T(b + "att.receptance.weight"));
    EXPECT_EQ(w.att_k, e.T(b + "att.key.weight"));
    EXPECT_EQ(w.att_v, e.T(b + "att.value.weight"));
    EXPECT_EQ(w.att_g, e.T(b + "att.gate.weight"));
    EXPECT_EQ(w.att_o, e.T(b + "att.output.weight"));
    EXPECT_EQ(w.ln_x_w, e.V(b + "att.ln_x.weight"));
    EXPECT_EQ(w.ln_x_b, e.V(b + "att.ln_x.bias"));
    EXPECT_EQ(w.time_first, e.V(b + "att.time_faaaa"));
    EXPECT_EQ(w.ffn_k, e.T(b + "ffn.key.weight"));
    EXPECT_EQ(w.ffn_r, e.T(b + "ffn.receptance.weight"));
    EXPECT_EQ(w.ffn_v, e.T(b + "ffn.value.weight"));
    // Shapes of the [in, out] matrices, spot-checked by index: att_k[i * A + o] = key[o][i].
    EXPECT_EQ(w.att_k[3 * d.A + 5], e.V(b + "att.key.weight")[5 * d.D + 3]);
    if (version == "5.2") {
      const std::vector<float>& td = e.V(b + "att.time_decay");
      ASSERT_EQ(w.time_decay.size(), static_cast<size_t>(d.H * d.N));
      for (size_t i = 0; i < td.size(); ++i)
        EXPECT_NEAR(w.time_decay[i], std::exp(-std::exp(static_cast<double>(td[i]))), 1e-7) << i;
      EXPECT_EQ(w.time_mix_k, e.V(b + "att.time_mix_k"));
      EXPECT_EQ(w.time_mix_v, e.V(b + "att.time_mix_v"));
      EXPECT_EQ(w.time_mix_r, e.V(b + "att.time_mix_r"));
      EXPECT_EQ(w.time_mix_g, e.V(b + "att.time_mix_g"));
      EXPECT_EQ(w.ffn_mix_k, e.V(b + "ffn.time_mix_k"));
      EXPECT_EQ(w.ffn_mix_r, e.V(b + "ffn.time_mix_r"));
      EXPECT_TRUE(w.maa_w1.empty());
    } else {
      EXPECT_EQ(w.time_decay, e.V(b + "att.time_decay"));  // raw, [A]
      EXPECT_EQ(w.maa_x, e.V(b + "att.time_maa_x"));
      EXPECT_EQ(w.maa_w, e.V(b + "att.time_maa_w"));
      EXPECT_EQ(w.maa_k, e.V(b + "att.time_maa_k"));
      EXPECT_EQ(w.maa_v, e.V(b + "att.time_maa_v"));
      EXPECT_EQ(w.maa_r, e.V(b + "att.time_maa_r"));
      EXPECT_EQ(w.maa_g, e.V(b + "att.time_maa_g"));
      EXPECT_EQ(w.maa_w1, e.V(b + "att.time_maa_w1"));  // [D, 5*Dm], not transposed
      EXPECT_EQ(w.maa_w2, e.V(b + "att.time_maa_w2"));  // [5, Dm, D]
      EXPECT_EQ(w.decay_w1, e.V(b + "att.time_decay_w1"));
      EXPECT_EQ(w.decay_w2, e.V(b + "att.time_decay_w2"));
      EXPECT_EQ(w.ffn_mix_k, e.V(b + "ffn.time_maa_k"));
      EXPECT_EQ(w.ffn_mix_r, e.V(b + "ffn.time_maa_r"));
      EXPECT_TRUE(w.time_mix_k.empty());
    }
  }
}

struct Case {
  std::string version;
  TestDType dtype;
};

std::vector<Case> AllCases() {
  std::vector<Case> cs;
  for (const char* v : {"5.2", "6.0"})
    for (TestDType dt : {TestDType::kF32, TestDType::kF16, TestDType::kBF16}) cs.push_back({v, dt});
  return cs;
}

std::string DTypeText(TestDType dt) {
  return dt == TestDType::kF32 ? "fp32" : dt == TestDType::kF16 ? "fp16" : "bf16";
}

TEST(LoadModel, PthEveryVersionAndDType) {
  const TinyDims d;
  const auto dir = testing::FreshTestDir();
  for (const Case& c : AllCases()) {
    SCOPED_TRACE(absl::StrCat(c.version, " ", DTypeText(c.dtype)));
    const auto ts = MakeTinyModel(c.version, d, 7);
    PthOptions o;
    o.dtype = c.dtype;
    const auto path = dir / absl::StrCat("m", c.version, DTypeText(c.dtype), ".pth");
    testing::WriteFile(path, testing::WritePth(ts, o));
    absl::StatusOr<ModelWeights> m = LoadModel(path);
    ASSERT_TRUE(m.ok()) << m.status();
    CheckWeights(*m, ts, c.version, d, c.dtype);
  }
}

TEST(LoadModel, SafetensorsEveryVersionAndDType) {
  const TinyDims d;
  const auto dir = testing::FreshTestDir();
  for (const Case& c : AllCases()) {
    SCOPED_TRACE(absl::StrCat(c.version, " ", DTypeText(c.dtype)));
    const auto ts = MakeTinyModel(c.version, d, 11);
    const auto path = dir / absl::StrCat("m", c.version, DTypeText(c.dtype), ".safetensors");
    testing::WriteFile(path, testing::WriteSafetensors(ts, c.dtype));
    absl::StatusOr<ModelWeights> m = LoadModel(path);
    ASSERT_TRUE(m.ok()) << m.status();
    CheckWeights(*m, ts, c.version, d, c.dtype);
  }
}

// The conversion runs in parallel, a large tensor in blocks (2^18 elements; of 32 rows when
// transposed): an embedding of 8209 x 32 values spans two blocks and a head of 8209 rows ends in a
// partial block of 17. Every element must be where the direct computation puts it, and the
// weights must be the same on one thread and on four.
TEST(LoadModel, LargeTensorsAreConvertedWholeOnAnyThreadCount) {
  const TinyDims d{.L = 1, .D = 32, .A = 32, .H = 2, .N = 16, .F = 64, .V = 8209, .Dm = 4, .Dd = 8};
  const auto dir = testing::FreshTestDir();
  for (TestDType dt : {TestDType::kF32, TestDType::kF16, TestDType::kBF16}) {
    SCOPED_TRACE(DTypeText(dt));
    const auto ts = MakeTinyModel("6.0", d, 5);
    PthOptions o;
    o.dtype = dt;
    const auto path = dir / absl::StrCat("large_", DTypeText(dt), ".pth");
    testing::WriteFile(path, testing::WritePth(ts, o));
    std::vector<ModelWeights> by_threads;
    for (int threads : {1, 4}) {
      tbb::global_control limit(tbb::global_control::max_allowed_parallelism, threads);
      absl::StatusOr<ModelWeights> m = LoadModel(path);
      ASSERT_TRUE(m.ok()) << m.status();
      CheckWeights(*m, ts, "6.0", d, dt);
      by_threads.push_back(*std::move(m));
    }
    EXPECT_EQ(by_threads[0].emb, by_threads[1].emb);
    EXPECT_EQ(by_threads[0].head, by_threads[1].head);
  }
}

// torch.save variants: another folder name, ZIP64 records, protocol-4 strings and MEMOIZE,
// all tensors in one storage at different offsets.
TEST(LoadModel, PthWriterVariants) {
  const TinyDims d{.L = 3, .D = 16, .A = 32, .H = 4, .N = 8, .F = 48, .V = 70, .Dm = 2, .Dd = 6};
  for (const char* version : {"5.2", "6.0"}) {
    const auto ts = MakeTinyModel(version, d, 3);
    for (int variant = 0; variant < 4; ++variant) {
      SCOPED_TRACE(absl::StrCat(version, " variant ", variant));
      PthOptions o;
      o.dtype = TestDType::kF16;
      o.folder = variant == 0 ? "RWKV-x060-World-tiny" : "archive";
      o.zip64 = variant == 1;
      o.short_strings = variant == 2;
      o.shared_storage = variant == 3;
      absl::StatusOr<TensorSet> s =
          ReadCheckpointBytes("v.pth", FileBytes::FromString(testing::WritePth(ts, o)));
      ASSERT_TRUE(s.ok()) << s.status();
      absl::StatusOr<ModelWeights> m = BuildModel(*s);
      ASSERT_TRUE(m.ok()) << m.status();
      CheckWeights(*m, ts, version, d, TestDType::kF16);
    }
  }
}

TEST(InferConfig, SizesComeFromShapes) {
  const TinyDims d{.L = 1, .D = 24, .A = 48, .H = 3, .N = 16, .F = 40, .V = 11, .Dm = 3, .Dd = 5};
  for (const char* version : {"5.2", "6.0"}) {
    absl::StatusOr<TensorSet> s = ReadCheckpointBytes(
        "c.safetensors", FileBytes::FromString(testing::WriteSafetensors(MakeTinyModel(version, d, 1), TestDType::kBF16)));
    ASSERT_TRUE(s.ok()) << s.status();
    absl::StatusOr<ModelConfig> c = InferConfig(*s);
    ASSERT_TRUE(c.ok()) << c.status();
    CheckConfig(*c, version, d);
  }
}

// Hugging Face RWKV-6 names (docs/formats/checkpoints.md) load to the same weights as the BlinkDL names.
TEST(LoadModel, HuggingFaceNames) {
  const TinyDims d;
  auto ts = MakeTinyModel("6.0", d, 5);
  const auto blinkdl = ts;
  for (NamedTensor& t : ts) {
    std::string& n = t.name;
    if (n == "emb.weight") n = "rwkv.embeddings.weight";
    else if (n.rfind("blocks.0.ln0.", 0) == 0) n = "rwkv.blocks.0.pre_ln." + n.substr(13);
    else if (n != "head.weight") {
      for (auto [from, to] : {std::pair<std::string, std::string>{".att.", ".attention."}, {".ffn.", ".feed_forward."}})
        if (size_t at = n.find(from); at != std::string::npos) n.replace(at, from.size(), to);
      n = "rwkv." + n;
    }
  }
  EXPECT_EQ(BlinkDlName("rwkv.blocks.1.attention.time_maa_w1"), "blocks.1.att.time_maa_w1");
  EXPECT_EQ(BlinkDlName("rwkv.blocks.0.feed_forward.key.weight"), "blocks.0.ffn.key.weight");
  EXPECT_EQ(BlinkDlName("rwkv.ln_out.weight"), "ln_out.weight");
  EXPECT_EQ(BlinkDlName("head.weight"), "head.weight");
  const auto dir = testing::FreshTestDir();
  testing::WriteFile(dir / "hf.safetensors", testing::WriteSafetensors(ts, TestDType::kBF16));
  PthOptions o;
  testing::WriteFile(dir / "pytorch_model.bin", testing::WritePth(ts, o));
  for (const char* f : {"hf.safetensors", "pytorch_model.bin"}) {
    SCOPED_TRACE(f);
    absl::StatusOr<ModelWeights> m = LoadModel(dir / f);
    ASSERT_TRUE(m.ok()) << m.status();
    CheckWeights(*m, blinkdl, "6.0", d, TestDType::kBF16);
  }
}

// State-tuned files carry att.time_state [H, N, N]; it is ignored, as are squeezed time_* shapes.
TEST(LoadModel, IgnoresTimeStateAndAcceptsSqueezedTimeTensors) {
  const TinyDims d;
  auto ts = MakeTinyModel("6.0", d, 9);
  const auto original = ts;
  ts.push_back({"blocks.0.att.time_state", {d.H, d.N, d.N}, std::vector<float>(d.H * d.N * d.N, 0.5f)});
  for (NamedTensor& t : ts)
    if (t.name.find("time_maa_x") != std::string::npos) t.shape = {d.D};
  absl::StatusOr<TensorSet> s =
      ReadCheckpointBytes("st.safetensors", FileBytes::FromString(testing::WriteSafetensors(ts, TestDType::kF32)));
  ASSERT_TRUE(s.ok()) << s.status();
  absl::StatusOr<ModelWeights> m = BuildModel(*s);
  ASSERT_TRUE(m.ok()) << m.status();
  CheckWeights(*m, original, "6.0", d, TestDType::kF32);
}

}  // namespace
}  // namespace rwkvkit::refmodel

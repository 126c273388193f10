// tests/refmodel/checkpoint/fixtures_test.cc — the real torch.save fixtures made with PyTorch
// 2.11 on the GPU machine (tests/refmodel/fixtures/, see its README): each loads, its inferred
// config matches expected.json's description, every tensor has the stated dtype, and the
// safetensors twin of v6_bf16.pth gives identical weights.
#include <fstream>
#include <sstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "refmodel/checkpoint/checkpoint_reader.h"
#include "refmodel/checkpoint/internal/json_lite.h"
#include "refmodel/model_weights.h"

namespace rwkvkit::refmodel {
namespace {

using checkpoint::Json;

const std::filesystem::path kDir = RWKVKIT_REFMODEL_FIXTURES;

Json LoadExpected() {
  std::ifstream f(kDir / "expected.json");
  std::stringstream ss;
  ss << f.rdbuf();
  Json j;
  size_t at = 0;
  std::string err;
  EXPECT_TRUE(checkpoint::ParseJson(ss.str(), &j, &at, &err)) << err << " at " << at;
  return j;
}

int ConfigInt(const Json& config, const char* key) {
  const Json* v = config.Get(key);
  uint64_t n = 0;
  if (v == nullptr || v->kind == Json::kNull) return 0;  // Dm/Dd are null for v5.2
  EXPECT_TRUE(v->AsUint64(&n)) << key;
  return static_cast<int>(n);
}

TEST(Fixtures, ConfigMatchesExpectedJson) {
  if (!std::filesystem::exists(kDir / "expected.json")) GTEST_SKIP() << "no fixtures in " << kDir;
  const Json expected = LoadExpected();
  const Json* files = expected.Get("files");
  ASSERT_NE(files, nullptr);
  ASSERT_EQ(files->object.size(), 4u);
  for (const auto& [name, desc] : files->object) {
    SCOPED_TRACE(name);
    const Json& c = *desc.Get("config");
    absl::StatusOr<TensorSet> s = ReadCheckpoint(kDir / name);
    ASSERT_TRUE(s.ok()) << s.status();
    const std::string dtype = desc.Get("dtype")->text;
    for (const auto& [tname, t] : s->tensors()) EXPECT_EQ(DTypeName(t.dtype), dtype) << tname;
    absl::StatusOr<ModelWeights> m = BuildModel(*s);
    ASSERT_TRUE(m.ok()) << m.status();
    const ModelConfig& got = m->config;
    EXPECT_EQ(VersionName(got.version), desc.Get("version")->text);
    EXPECT_EQ(got.n_layer, ConfigInt(c, "L"));
    EXPECT_EQ(got.n_embd, ConfigInt(c, "D"));
    EXPECT_EQ(got.n_att, ConfigInt(c, "A"));
    EXPECT_EQ(got.n_head, ConfigInt(c, "H"));
    EXPECT_EQ(got.head_size, ConfigInt(c, "N"));
    EXPECT_EQ(got.n_ffn, ConfigInt(c, "F"));
    EXPECT_EQ(got.vocab_size, ConfigInt(c, "V"));
    EXPECT_EQ(got.time_mix_lora, ConfigInt(c, "Dm"));
    EXPECT_EQ(got.time_decay_lora, ConfigInt(c, "Dd"));
    EXPECT_EQ(m->layers.size(), static_cast<size_t>(got.n_layer));
  }
}

TEST(Fixtures, SafetensorsTwinGivesTheSameWeights) {
  if (!std::filesystem::exists(kDir / "v6_bf16.safetensors")) GTEST_SKIP() << "no fixtures in " << kDir;
  absl::StatusOr<ModelWeights> a = LoadModel(kDir / "v6_bf16.pth");
  absl::StatusOr<ModelWeights> b = LoadModel(kDir / "v6_bf16.safetensors");
  ASSERT_TRUE(a.ok()) << a.status();
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(a->emb, b->emb);
  EXPECT_EQ(a->head, b->head);
  for (size_t l = 0; l < a->layers.size(); ++l) {
    EXPECT_EQ(a->layers[l].att_k, b->layers[l].att_k);
    EXPECT_EQ(a->layers[l].maa_w2, b->layers[l].maa_w2);
    EXPECT_EQ(a->layers[l].time_decay, b->layers[l].time_decay);
    EXPECT_EQ(a->layers[l].ffn_v, b->layers[l].ffn_v);
  }
}

}  // namespace
}  // namespace rwkvkit::refmodel

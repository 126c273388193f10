// tests/refmodel/checkpoint/fixtures_test.cc — the real torch.save fixtures made with PyTorch
// 2.11 on the GPU machine (tests/refmodel/fixtures/, see its README): each loads, its inferred
// config matches expected.json's description, every tensor has the stated dtype, and the
// safetensors twin of v6_bf16.pth gives identical weights.
#include <string>

#include <simdjson.h>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "refmodel/checkpoint/checkpoint_reader.h"
#include "refmodel/model_weights.h"

namespace rwkvkit::refmodel {
namespace {

using simdjson::dom::element;

const std::filesystem::path kDir = RWKVKIT_REFMODEL_FIXTURES;

int ConfigInt(element config, const char* key) {
  element v;
  if (config[key].get(v) != simdjson::SUCCESS || v.is_null()) return 0;  // Dm/Dd are null for v5.2
  uint64_t n = 0;
  EXPECT_EQ(v.get_uint64().get(n), simdjson::SUCCESS) << key;
  return static_cast<int>(n);
}

std::string Text(element desc, const char* key) {
  std::string_view s;
  EXPECT_EQ(desc[key].get_string().get(s), simdjson::SUCCESS) << key;
  return std::string(s);
}

TEST(Fixtures, ConfigMatchesExpectedJson) {
  if (!std::filesystem::exists(kDir / "expected.json")) GTEST_SKIP() << "no fixtures in " << kDir;
  simdjson::dom::parser parser;
  element expected;
  ASSERT_EQ(parser.load((kDir / "expected.json").string()).get(expected), simdjson::SUCCESS);
  simdjson::dom::object files;
  ASSERT_EQ(expected["files"].get_object().get(files), simdjson::SUCCESS);
  ASSERT_EQ(files.size(), 4u);
  for (const simdjson::dom::key_value_pair file : files) {
    const std::string name(file.key);
    SCOPED_TRACE(name);
    const element desc = file.value;
    element c;
    ASSERT_EQ(desc["config"].get(c), simdjson::SUCCESS);
    absl::StatusOr<TensorSet> s = ReadCheckpoint(kDir / name);
    ASSERT_TRUE(s.ok()) << s.status();
    const std::string dtype = Text(desc, "dtype");
    for (const auto& [tname, t] : s->tensors()) EXPECT_EQ(DTypeName(t.dtype), dtype) << tname;
    absl::StatusOr<ModelWeights> m = BuildModel(*s);
    ASSERT_TRUE(m.ok()) << m.status();
    const ModelConfig& got = m->config;
    EXPECT_EQ(VersionName(got.version), Text(desc, "version"));
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

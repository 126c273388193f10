// tests/refmodel/cpu/cpu_forward_test.cc — properties of the CPU forward (cpu_forward.h) on
// random models: sequence mode == RNN mode, a state carried across windows == one long pass,
// documents from a fresh state do not see each other, TokenNll == a direct computation, and
// bitwise-identical results for any thread count. The equations themselves are checked
// against an independent numpy model in numpy_reference_test.py.
#include "refmodel/cpu/cpu_forward.h"

#include <gtest/gtest.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <cmath>
#include <span>
#include <string>
#include <vector>

#include "tests/refmodel/cpu/random_model.h"

namespace rwkvkit::refmodel {
namespace {

using testing::MakeConfig;
using testing::RandomModel;
using testing::RandomTokens;

// Relative logit tolerance between two fp32 evaluation orders (sgemm vs sgemv, window splits):
// measured ~1e-6 on these models; 1e-4 leaves room for other OpenBLAS kernels.
constexpr double kLogitRelTol = 1e-4;

struct Shape {
  ModelVersion version;
  int layers, heads, head_size, vocab, tokens, dm, dd;
};

std::string Name(const Shape& s) {
  return std::string(s.version == ModelVersion::kV5_2 ? "v5_2" : "v6") + "_L" +
         std::to_string(s.layers) + "_H" + std::to_string(s.heads) + "_N" +
         std::to_string(s.head_size) + "_V" + std::to_string(s.vocab) + "_T" +
         std::to_string(s.tokens);
}

// max |a - b| / max(1, max |b|) over equal-length arrays; reports the worst index.
double RelDiff(const std::vector<float>& a, const std::vector<float>& b, size_t* worst = nullptr) {
  EXPECT_EQ(a.size(), b.size());
  double scale = 1.0, diff = 0.0;
  for (size_t i = 0; i < b.size(); ++i) scale = std::max(scale, std::fabs(double{b[i]}));
  for (size_t i = 0; i < std::min(a.size(), b.size()); ++i) {
    const double d = std::fabs(double{a[i]} - double{b[i]});
    if (d > diff) {
      diff = d;
      if (worst) *worst = i;
    }
  }
  return diff / scale;
}

class CpuForwardTest : public ::testing::TestWithParam<Shape> {
 protected:
  ModelConfig Config() const {
    const Shape& s = GetParam();
    return MakeConfig(s.version, s.layers, s.heads, s.head_size, s.vocab, 0, s.dm, s.dd);
  }
};

TEST_P(CpuForwardTest, SequenceModeEqualsRnnMode) {
  const Shape& s = GetParam();
  const ModelWeights w = RandomModel(Config(), 7);
  const CpuModel model(w);
  const std::vector<uint16_t> tokens = RandomTokens(s.tokens, s.vocab, 11);
  CpuModel::State seq = model.NewState(), rnn = model.NewState();
  std::vector<float> seq_logits, rnn_logits(tokens.size() * s.vocab);
  model.Forward(tokens, seq, seq_logits);
  for (size_t t = 0; t < tokens.size(); ++t)
    model.ForwardOne(tokens[t], rnn, std::span<float>(rnn_logits.data() + t * s.vocab, s.vocab));
  size_t worst = 0;
  const double d = RelDiff(seq_logits, rnn_logits, &worst);
  EXPECT_LE(d, kLogitRelTol) << "worst at token " << worst / s.vocab << " id " << worst % s.vocab;
  EXPECT_LE(RelDiff(seq.att_x, rnn.att_x), kLogitRelTol);
  EXPECT_LE(RelDiff(seq.ffn_x, rnn.ffn_x), kLogitRelTol);
  EXPECT_LE(RelDiff(seq.wkv, rnn.wkv), kLogitRelTol);
  for (float x : seq_logits) ASSERT_TRUE(std::isfinite(x));
}

TEST_P(CpuForwardTest, CarriedStateEqualsOneLongPass) {
  const Shape& s = GetParam();
  const ModelWeights w = RandomModel(Config(), 8);
  const CpuModel model(w);
  const std::vector<uint16_t> tokens = RandomTokens(s.tokens, s.vocab, 12);
  CpuModel::State one = model.NewState();
  std::vector<float> full;
  model.Forward(tokens, one, full);
  for (size_t window : {size_t{1}, size_t{2}, size_t{5}, size_t{129}}) {
    CpuModel::State st = model.NewState();
    std::vector<float> pieces, part;
    for (size_t b = 0; b < tokens.size(); b += window) {
      const size_t n = std::min(window, tokens.size() - b);
      model.Forward(std::span<const uint16_t>(tokens.data() + b, n), st, part);
      pieces.insert(pieces.end(), part.begin(), part.end());
    }
    EXPECT_LE(RelDiff(pieces, full), kLogitRelTol) << "window " << window;
    EXPECT_LE(RelDiff(st.wkv, one.wkv), kLogitRelTol) << "window " << window;
  }
}

TEST_P(CpuForwardTest, BitwiseIdenticalForAnyThreadCount) {
  const Shape& s = GetParam();
  const ModelWeights w = RandomModel(Config(), 9);
  const CpuModel model(w);
  const std::vector<uint16_t> tokens = RandomTokens(s.tokens, s.vocab, 13);
  std::vector<std::vector<float>> logits, wkv;
  for (int threads : {1, 2, 3, 8}) {
    tbb::task_arena arena(threads);
    arena.execute([&] {
      CpuModel::State st = model.NewState();
      std::vector<float> out;
      model.Forward(tokens, st, out);
      logits.push_back(out);
      wkv.push_back(st.wkv);
    });
  }
  for (size_t i = 1; i < logits.size(); ++i) {
    EXPECT_EQ(logits[i], logits[0]) << "thread-count variant " << i;
    EXPECT_EQ(wkv[i], wkv[0]) << "thread-count variant " << i;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, CpuForwardTest,
    ::testing::Values(Shape{ModelVersion::kV5_2, 1, 1, 16, 37, 1, 0, 0},
                      Shape{ModelVersion::kV5_2, 2, 3, 16, 300, 17, 0, 0},
                      Shape{ModelVersion::kV5_2, 3, 2, 64, 513, 131, 0, 0},
                      Shape{ModelVersion::kV6_0, 1, 1, 16, 37, 1, 4, 8},
                      Shape{ModelVersion::kV6_0, 2, 3, 16, 300, 17, 4, 8},
                      Shape{ModelVersion::kV6_0, 3, 2, 64, 513, 131, 32, 64},
                      Shape{ModelVersion::kV6_0, 1, 1, 64, 1000, 257, 32, 64}),
    [](const ::testing::TestParamInfo<Shape>& i) { return Name(i.param); });

TEST(CpuForward, NewStateIsZeroAndSized) {
  const ModelWeights w = RandomModel(MakeConfig(ModelVersion::kV6_0, 2, 3, 16, 50, 0, 4, 8), 1);
  const CpuModel model(w);
  const CpuModel::State s = model.NewState();
  EXPECT_EQ(s.att_x.size(), 2u * 48);
  EXPECT_EQ(s.ffn_x.size(), 2u * 48);
  EXPECT_EQ(s.wkv.size(), 2u * 3 * 16 * 16);
  for (const auto* v : {&s.att_x, &s.ffn_x, &s.wkv})
    EXPECT_TRUE(std::all_of(v->begin(), v->end(), [](float x) { return x == 0.0f; }));
}

// Documents evaluated from a fresh state are independent of what ran before (the model keeps
// no hidden state), while carrying the state across the boundary does change the logits.
TEST(CpuForward, FreshStatePerDocument) {
  for (ModelVersion v : {ModelVersion::kV5_2, ModelVersion::kV6_0}) {
    const ModelWeights w = RandomModel(MakeConfig(v, 2, 2, 16, 64, 0, 4, 8), 3);
    const CpuModel model(w);
    const std::vector<uint16_t> doc_a = RandomTokens(9, 64, 1), doc_b = RandomTokens(6, 64, 2);
    std::vector<float> b_alone, b_after_a, b_carried, a_logits;
    CpuModel::State s1 = model.NewState();
    model.Forward(doc_b, s1, b_alone);
    CpuModel::State s2 = model.NewState();
    model.Forward(doc_a, s2, a_logits);
    CpuModel::State s3 = model.NewState();
    model.Forward(doc_b, s3, b_after_a);
    EXPECT_EQ(b_after_a, b_alone);
    EXPECT_EQ(s3.wkv, s1.wkv);
    model.Forward(doc_b, s2, b_carried);
    EXPECT_GT(RelDiff(b_carried, b_alone), 1e-3);
  }
}

TEST(CpuForward, EmptyInputLeavesStateUnchanged) {
  const ModelWeights w = RandomModel(MakeConfig(ModelVersion::kV5_2, 1, 1, 16, 20), 4);
  const CpuModel model(w);
  CpuModel::State s = model.NewState();
  std::vector<float> logits(5, 1.0f);
  const std::vector<uint16_t> some = {1, 2, 3};
  model.Forward(some, s, logits);
  const CpuModel::State before = s;
  model.Forward({}, s, logits);
  EXPECT_TRUE(logits.empty());
  EXPECT_EQ(s.wkv, before.wkv);
  EXPECT_EQ(s.att_x, before.att_x);
}

// nll = log Σ_i exp(l_i) - l_target, computed here in long double the obvious way.
TEST(TokenNll, MatchesDirectComputation) {
  const size_t V = 7;
  std::vector<float> logits = {1, 2, 3, 0, -1, 0.5f, 4,              // ordinary
                               0, 0, 0, 0, 0, 0, 0,                  // uniform: log 7
                               1000, 1001, 999, 0, 0, 0, -1000,      // large: must not overflow
                               -50, -60, -70, -80, -90, -95, -100};  // all very negative
  const std::vector<uint16_t> targets = {2, 5, 0, 6};
  std::vector<double> nll(4);
  TokenNll(logits, V, targets, nll);
  for (size_t t = 0; t < targets.size(); ++t) {
    long double m = logits[t * V];
    for (size_t i = 0; i < V; ++i) m = std::max<long double>(m, logits[t * V + i]);
    long double sum = 0;
    for (size_t i = 0; i < V; ++i) sum += std::exp(static_cast<long double>(logits[t * V + i]) - m);
    const long double want = m + std::log(sum) - logits[t * V + targets[t]];
    EXPECT_NEAR(nll[t], static_cast<double>(want), 1e-12) << "row " << t;
  }
  EXPECT_NEAR(nll[1], std::log(7.0), 1e-14);
  EXPECT_NEAR(nll[2], std::log1p(std::exp(-1.0) + std::exp(-2.0)) + 1.0, 1e-12);
}

// No targets: nothing is read or written (the buffer around the empty output keeps its values).
TEST(TokenNll, EmptyWritesNothing) {
  std::vector<double> buf(3, 42.0);
  TokenNll({}, 5, {}, std::span<double>(buf).subspan(1, 0));
  EXPECT_EQ(buf, std::vector<double>(3, 42.0));
}

// Disagreeing sizes and out-of-range targets stop the process with a message, never read past
// the logits.
TEST(TokenNllDeathTest, BadSizesAndTargetsDie) {
  std::vector<float> logits(10, 0.0f);  // T = 2, vocab = 5
  std::vector<uint16_t> targets{1, 2};
  std::vector<double> nll(2);
  EXPECT_DEATH(TokenNll(logits, 4, targets, nll), "sizes disagree");
  EXPECT_DEATH(TokenNll(logits, 5, targets, std::span<double>(nll).first(1)), "sizes disagree");
  targets[1] = 5;
  EXPECT_DEATH(TokenNll(logits, 5, targets, nll), "target out of range");
}

}  // namespace
}  // namespace rwkvkit::refmodel

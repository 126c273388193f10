// tests/corpus/dedup/minhash_test.cc — config validation, the modular arithmetic, signatures of
// identical / empty texts, thread independence, and the Jaccard estimate against the exact
// Jaccard of the shingle sets within binomial error; every min-loop kernel against the
// straightforward loop.
#include "corpus/dedup/minhash.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "corpus/dedup/shingles.h"

namespace rwkvkit::corpus::dedup {
namespace {

using ::testing::HasSubstr;

std::string RandomText(std::mt19937_64& rng, int words) {
  static const char* kWords[] = {"alpha", "beta", "gamma", "delta", "café", "niño", "straße",
                                 "мир", "дом", "λόγος", "東京", "data", "river", "stone"};
  std::string s;
  for (int i = 0; i < words; ++i) {
    s += kWords[rng() % 14];
    s += (rng() % 8 == 0) ? "x" + std::string(1, static_cast<char>('a' + rng() % 26)) : "";
    s += ' ';
  }
  return s;
}

TEST(MinHashConfig, Validate) {
  EXPECT_TRUE(MinHashConfig{}.Validate().ok());
  MinHashConfig c;
  c.ngram = 0;
  EXPECT_EQ(c.Validate().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(c.Validate().message()), HasSubstr("ngram"));
  c = {};
  c.rows = 0;
  EXPECT_EQ(c.Validate().code(), absl::StatusCode::kInvalidArgument);
  c = {};
  c.threshold = 1.5;
  EXPECT_EQ(MinHasher::Create(c).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(MersenneAffine, MatchesWideModulo) {
  std::mt19937_64 rng(3);
  for (int t = 0; t < 100000; ++t) {
    const uint64_t a = rng() % kMersenne61, x = rng() % kMersenne61, b = rng() % kMersenne61;
    const unsigned __int128 want = (static_cast<unsigned __int128>(a) * x + b) % kMersenne61;
    ASSERT_EQ(MersenneAffine(a, x, b), static_cast<uint64_t>(want));
  }
  EXPECT_EQ(MersenneAffine(kMersenne61 - 1, kMersenne61 - 1, kMersenne61 - 1),
            static_cast<uint64_t>((static_cast<unsigned __int128>(kMersenne61 - 1) *
                                       (kMersenne61 - 1) + (kMersenne61 - 1)) % kMersenne61));
}

TEST(MinHasher, PermutationsDeterministicFromSeed) {
  MinHasher h1 = *MinHasher::Create({});
  MinHasher h2 = *MinHasher::Create({});
  MinHashConfig other;
  other.seed = 2;
  MinHasher h3 = *MinHasher::Create(other);
  for (int k = 0; k < 112; ++k) {
    EXPECT_EQ(h1.a(k), h2.a(k));
    EXPECT_EQ(h1.b(k), h2.b(k));
    EXPECT_GE(h1.a(k), 1u);
    EXPECT_LT(h1.a(k), kMersenne61);
    EXPECT_LT(h1.b(k), kMersenne61);
  }
  EXPECT_NE(h1.a(0), h3.a(0));
}

TEST(MinHasher, IdenticalAndEmptyTexts) {
  MinHasher h = *MinHasher::Create({});
  std::vector<uint64_t> s1, s2, s3, e1, e2;
  h.Signature("The quick brown fox jumps over the lazy dog again and again.", s1);
  h.Signature("the QUICK brown fox, jumps over the lazy dog -- again and again", s2);
  h.Signature("A completely different sentence about rivers and stones here.", s3);
  ASSERT_EQ(s1.size(), 112u);
  EXPECT_EQ(s1, s2);  // identical after simplification
  EXPECT_EQ(EstimateJaccard(s1.data(), s2.data(), 112), 1.0);
  EXPECT_LT(EstimateJaccard(s1.data(), s3.data(), 112), 0.1);
  for (uint64_t v : s1) EXPECT_LT(v, kMersenne61);
  h.Signature("", e1);
  h.Signature(" ?! ", e2);
  EXPECT_EQ(e1, std::vector<uint64_t>(112, kEmptySignatureValue));
  EXPECT_EQ(e1, e2);
  EXPECT_EQ(EstimateJaccard(e1.data(), e2.data(), 112), 0.0);  // empty never matches
}

TEST(MinHasher, SameSignaturesFromManyThreads) {
  MinHasher h = *MinHasher::Create({});
  std::mt19937_64 rng(11);
  std::vector<std::string> texts;
  for (int i = 0; i < 64; ++i) texts.push_back(RandomText(rng, 20 + i));
  texts.push_back("私は東京大学で日本語を勉強しています。ภาษาไทยเป็นภาษาที่สวยงาม");
  std::vector<std::vector<uint64_t>> want(texts.size()), got(texts.size());
  for (size_t i = 0; i < texts.size(); ++i) h.Signature(texts[i], want[i]);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (size_t i = t; i < texts.size(); i += 4) h.Signature(texts[i], got[i]);
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(want, got);
}

// Letters only: digit runs fold to "0".
std::string Letters(uint64_t v) {
  std::string s;
  for (int i = 0; i < 4; ++i, v /= 26) s += static_cast<char>('a' + v % 26);
  return s;
}

double ExactJaccard(std::string_view x, std::string_view y) {
  WordSpans w;
  std::vector<uint64_t> hx, hy;
  SplitWords(x, w);
  ShingleHashes(w, 5, hx);
  SplitWords(y, w);
  ShingleHashes(w, 5, hy);
  std::set<uint64_t> a(hx.begin(), hx.end()), b(hy.begin(), hy.end()), u = a;
  u.insert(b.begin(), b.end());
  size_t inter = 0;
  for (uint64_t v : a) inter += b.count(v);
  return static_cast<double>(inter) / static_cast<double>(u.size());
}

TEST(MinHasher, EstimateWithinBinomialErrorOfExactJaccard) {
  MinHasher h = *MinHasher::Create({});
  std::mt19937_64 rng(5);
  int outside = 0, total = 0;
  for (int t = 0; t < 200; ++t) {
    std::vector<std::string> words;
    for (int i = 0; i < 150; ++i) words.push_back("w" + Letters(rng() % 5000));
    std::vector<std::string> edited = words;
    const int edits = static_cast<int>(rng() % 40);
    for (int e = 0; e < edits; ++e) edited[rng() % edited.size()] = "z" + Letters(rng());
    std::string x, y;
    for (auto& w : words) x += w + " ";
    for (auto& w : edited) y += w + " ";
    std::vector<uint64_t> sx, sy;
    h.Signature(x, sx);
    h.Signature(y, sy);
    const double j = ExactJaccard(x, y), est = EstimateJaccard(sx.data(), sy.data(), 112);
    const double sd = std::sqrt(j * (1 - j) / 112.0);
    ++total;
    outside += std::abs(est - j) > 3 * sd + 1.0 / 112;
  }
  // Each estimate is Binomial(112, J)/112; beyond 3 sd (+ one step) has probability < 0.5%.
  EXPECT_LE(outside, 4) << "of " << total;
}

// The min loop as it was first written (one MersenneAffine per permutation and shingle): every
// kernel of SignatureOfHashes must give exactly these values.
std::vector<uint64_t> ReferenceSignature(const MinHasher& h, const std::vector<uint64_t>& hashes) {
  const int n = h.config().num_hashes();
  if (hashes.empty()) return std::vector<uint64_t>(n, kEmptySignatureValue);
  std::vector<uint64_t> sig(n, kMersenne61);
  for (int k = 0; k < n; ++k) {
    for (uint64_t v : hashes) sig[k] = std::min(sig[k], MersenneAffine(h.a(k), v % kMersenne61, h.b(k)));
  }
  return sig;
}

TEST(MinHasher, EveryKernelMatchesReference) {
  std::mt19937_64 rng(29);
  const MinHasher::Kernel kernels[] = {MinHasher::Kernel::kScalar, MinHasher::Kernel::kAvx2,
                                       MinHasher::Kernel::kAvx512, MinHasher::Kernel::kBest};
  // 112 (the default), sizes that leave vector tails, and a single permutation.
  for (auto [bands, rows] : {std::pair{14, 8}, {13, 3}, {5, 7}, {1, 1}, {9, 12}, {64, 64}}) {
    MinHashConfig config;
    config.bands = bands;
    config.rows = rows;
    config.seed = rng();
    const MinHasher h = *MinHasher::Create(config);
    for (int trial = 0; trial < 20; ++trial) {
      std::vector<uint64_t> hashes(rng() % 300);
      for (auto& v : hashes) v = rng();
      if (trial == 0) hashes = {~uint64_t{0}, kMersenne61, kMersenne61 - 1, 0, kMersenne61 + 1};
      if (trial == 1) hashes.assign(40, rng());  // one repeated shingle
      const std::vector<uint64_t> want = ReferenceSignature(h, hashes);
      for (MinHasher::Kernel kernel : kernels) {
        if (!MinHasher::KernelSupported(kernel)) continue;
        std::vector<uint64_t> got;
        h.SignatureOfHashes(hashes, got, kernel);
        ASSERT_EQ(got, want) << "kernel " << static_cast<int>(kernel) << " bands " << bands
                             << " rows " << rows << " trial " << trial;
      }
      std::vector<uint64_t> best;
      h.SignatureOfHashes(hashes, best);
      ASSERT_EQ(best, want);
    }
  }
  // Multilingual text through the whole path.
  const MinHasher h = *MinHasher::Create({});
  for (int i = 0; i < 40; ++i) {
    const std::string text = RandomText(rng, 1 + i * 7) + "私は東京大学で日本語を勉強しています。" +
                             "ภาษาไทยเป็นภาษาที่สวยงาม 123 café";
    WordSpans w;
    std::vector<uint64_t> hashes, got;
    SplitWords(text, w);
    ShingleHashes(w, 5, hashes);
    h.Signature(text, got);
    ASSERT_EQ(got, ReferenceSignature(h, hashes));
  }
}

}  // namespace
}  // namespace rwkvkit::corpus::dedup

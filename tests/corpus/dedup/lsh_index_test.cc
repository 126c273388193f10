// tests/corpus/dedup/lsh_index_test.cc — clustering: the first document in input order is the
// representative, empty documents never match, both signature APIs agree, stats, errors.
#include "corpus/dedup/lsh_index.h"

#include <random>
#include <span>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <tbb/task_arena.h>

namespace rwkvkit::corpus::dedup {
namespace {

// Letters only: digit runs fold to "0", so numbered words would all be equal.
std::string Letters(uint64_t v) {
  std::string s;
  for (int i = 0; i < 4; ++i, v /= 26) s += static_cast<char>('a' + v % 26);
  return s;
}

std::vector<std::string> BaseWords(uint64_t seed, int n) {
  std::mt19937_64 rng(seed);
  std::vector<std::string> w;
  for (int i = 0; i < n; ++i) w.push_back(Letters(rng()));
  return w;
}

std::string Join(const std::vector<std::string>& w) {
  std::string s;
  for (const auto& x : w) s += x + " ";
  return s;
}

std::string NearCopy(std::vector<std::string> w, int edits, uint64_t seed) {
  std::mt19937_64 rng(seed);
  for (int e = 0; e < edits; ++e) w[rng() % w.size()] = "edit" + Letters(rng());
  return Join(w);
}

struct Corpus {
  std::vector<uint64_t> flat;
  uint64_t n = 0;
};

Corpus Sign(const std::vector<std::string>& texts) {
  MinHasher h = *MinHasher::Create({});
  Corpus c;
  std::vector<uint64_t> sig;
  for (const auto& t : texts) {
    h.Signature(t, sig);
    c.flat.insert(c.flat.end(), sig.begin(), sig.end());
  }
  c.n = texts.size();
  return c;
}

TEST(ClusterNearDuplicates, FirstInInputOrderIsRepresentative) {
  const auto base = BaseWords(1, 400);
  std::vector<std::string> texts = {
      Join(BaseWords(2, 300)),  // 0 unrelated
      NearCopy(base, 2, 9),     // 1 near copy, first of the cluster in input order
      Join(BaseWords(3, 300)),  // 2 unrelated
      Join(base),               // 3 the "original"
      "",                       // 4 empty
      NearCopy(base, 3, 10),    // 5 near copy
      "",                       // 6 empty
      Join(BaseWords(2, 300)),  // 7 exact copy of 0
  };
  Corpus c = Sign(texts);
  auto r = ClusterNearDuplicates({}, c.n, c.flat.data());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->representative, (std::vector<uint64_t>{0, 1, 2, 1, 4, 1, 6, 0}));
  EXPECT_EQ(r->stats.clusters, 2u);
  EXPECT_EQ(r->stats.removed, 3u);
  EXPECT_EQ(r->stats.confirmed_pairs, 3u);  // later pairs of a cluster are skipped
  EXPECT_GE(r->stats.candidate_pairs, 3u);
}

// Enough documents that the flat array's band keys and sorts are split over threads: the same
// clusters as the callback's one-thread pass, in arenas of 1, 2 and 4 threads. Random signatures,
// every 7th a near copy of an earlier one (6 of 112 values changed), every 101st empty.
TEST(ClusterNearDuplicates, ThreadsGiveTheSameClusters) {
  const uint64_t n = 10000, h = 112;
  std::mt19937_64 rng(5);
  std::vector<uint64_t> sig(n * h);
  for (uint64_t& v : sig) v = rng() % kMersenne61;
  for (uint64_t d = 7; d < n; d += 7) {
    const uint64_t from = rng() % d;
    std::copy_n(sig.begin() + static_cast<ptrdiff_t>(from * h), h, sig.begin() + static_cast<ptrdiff_t>(d * h));
    for (int k = 0; k < 6; ++k) sig[d * h + rng() % h] = rng() % kMersenne61;
  }
  for (uint64_t d = 0; d < n; d += 101) std::fill_n(sig.begin() + static_cast<ptrdiff_t>(d * h), h, kEmptySignatureValue);
  auto serial = ClusterNearDuplicates({}, n, [&](uint64_t d) { return sig.data() + d * h; });
  ASSERT_TRUE(serial.ok());
  EXPECT_GT(serial->stats.removed, 1000u);
  for (const int threads : {1, 2, 4}) {
    tbb::task_arena arena(threads);
    absl::StatusOr<LshResult> r;
    arena.execute([&] { r = ClusterNearDuplicates({}, n, sig.data()); });
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->representative, serial->representative) << threads;
    EXPECT_EQ(r->removed, serial->removed) << threads;
    EXPECT_EQ(r->stats.candidate_pairs, serial->stats.candidate_pairs) << threads;
    EXPECT_EQ(r->stats.confirmed_pairs, serial->stats.confirmed_pairs) << threads;
  }
}

TEST(ClusterNearDuplicates, CallbackAndFlatArrayAgreeAndRepeat) {
  std::vector<std::string> texts;
  for (int b = 0; b < 20; ++b) {
    const auto base = BaseWords(100 + b, 200);
    texts.push_back(Join(base));
    for (int k = 0; k < b % 4; ++k) texts.push_back(NearCopy(base, k, 1000 + 10 * b + k));
    texts.push_back(Join(BaseWords(500 + b, 150)));
  }
  Corpus c = Sign(texts);
  const uint64_t h = 112;
  auto a = ClusterNearDuplicates({}, c.n, c.flat.data());
  auto b = ClusterNearDuplicates({}, c.n, [&](uint64_t d) { return c.flat.data() + d * h; });
  auto again = ClusterNearDuplicates({}, c.n, c.flat.data());
  ASSERT_TRUE(a.ok() && b.ok() && again.ok());
  EXPECT_EQ(a->representative, b->representative);
  EXPECT_EQ(a->representative, again->representative);
  for (uint64_t i = 0; i < c.n; ++i) EXPECT_LE(a->representative[i], i);
  EXPECT_EQ(a->stats.removed, 0u + 1 + 2 + 3 + 0 + 1 + 2 + 3 + 0 + 1 + 2 + 3 + 0 + 1 + 2 + 3 + 0 + 1 + 2 + 3);
  // `removed` lists exactly the documents whose representative is another, ascending; the
  // sparse union-find gives the same clusters and stats.
  std::vector<RemovedDoc> want;
  for (uint64_t i = 0; i < c.n; ++i)
    if (a->representative[i] != i) want.push_back({i, a->representative[i]});
  EXPECT_EQ(a->removed, want);
  LshOptions sparse;
  sparse.sparse = true;
  auto s = ClusterNearDuplicates({}, c.n, c.flat.data(), sparse);
  ASSERT_TRUE(s.ok());
  EXPECT_TRUE(s->representative.empty());
  EXPECT_EQ(s->removed, want);
  EXPECT_EQ(s->stats.clusters, a->stats.clusters);
  EXPECT_EQ(s->stats.candidate_pairs, a->stats.candidate_pairs);
  EXPECT_EQ(s->stats.confirmed_pairs, a->stats.confirmed_pairs);
}

TEST(ClusterNearDuplicates, ExhaustiveReportsEveryConfirmedPair) {
  const auto base = BaseWords(7, 300);
  std::vector<std::string> texts = {Join(base), Join(base), Join(base), Join(BaseWords(8, 300))};
  Corpus c = Sign(texts);
  LshOptions opt;
  opt.exhaustive_pairs = true;
  std::vector<std::pair<uint64_t, uint64_t>> pairs;
  opt.on_confirmed_pair = [&](uint64_t i, uint64_t j, double jac) {
    EXPECT_EQ(jac, 1.0);
    pairs.emplace_back(i, j);
  };
  auto r = ClusterNearDuplicates({}, c.n, c.flat.data(), opt);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(pairs.size(), 3u * 14);  // 3 pairs, found in each of the 14 bands
  EXPECT_EQ(r->representative, (std::vector<uint64_t>{0, 0, 0, 3}));
}

TEST(ClusterNearDuplicatesError, BadConfig) {
  MinHashConfig cfg;
  cfg.bands = 0;
  auto r = ClusterNearDuplicates(cfg, 0, static_cast<const uint64_t*>(nullptr));
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(ClusterNearDuplicates, NoDocuments) {
  auto r = ClusterNearDuplicates({}, 0, static_cast<const uint64_t*>(nullptr));
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->representative.empty());
}

}  // namespace
}  // namespace rwkvkit::corpus::dedup

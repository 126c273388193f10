// tests/refmodel/eval/doc_sample_test.cc — SampleDocuments: the per-source split (largest
// remainder, fixed K), determinism, seeds, nesting, and documents without a source.
#include "refmodel/eval/doc_sample.h"

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace rwkvkit::refmodel {
namespace {

// Two shards: shard 0 = 60 "web" then 25 "code"; shard 1 = 10 "code" then 5 "books". "code"
// appears under two indexes (two build.json files can both name a source): one source.
const std::vector<std::string> kNames = {"web", "code", "books", "code"};
std::vector<std::vector<uint32_t>> Ids() {
  std::vector<std::vector<uint32_t>> s(2);
  s[0].assign(60, 0);
  s[0].insert(s[0].end(), 25, 1);
  s[1].assign(10, 3);
  s[1].insert(s[1].end(), 5, 2);
  return s;
}
const std::vector<uint64_t> kDocs = {85, 15};

DocumentSelection Sample(const SampleSpec& spec, std::map<std::string, uint64_t>* reported = nullptr) {
  return SampleDocuments(kDocs, Ids(), kNames, spec, reported);
}

std::map<std::string, uint64_t> Count(const DocumentSelection& sel) {
  const auto ids = Ids();
  std::map<std::string, uint64_t> c;
  for (size_t s = 0; s < sel.size(); ++s) {
    EXPECT_TRUE(std::is_sorted(sel[s].begin(), sel[s].end()));
    EXPECT_EQ(std::set<uint64_t>(sel[s].begin(), sel[s].end()).size(), sel[s].size());
    for (uint64_t d : sel[s]) {
      EXPECT_LT(d, kDocs[s]);
      ++c[kNames[ids[s][d]]];
    }
  }
  return c;
}

TEST(DocSample, ProportionalSplitAddsUpByLargestRemainder) {
  std::map<std::string, uint64_t> reported;
  // 10 of 100: web 6, code 3.5, books 0.5 -> 6, 3, 1 or 6, 4, 0? Remainders: code .5, books .5:
  // the tie goes to the name that sorts first ("books").
  DocumentSelection sel = Sample({.max_docs = 10, .seed = 1}, &reported);
  EXPECT_EQ(Count(sel), (std::map<std::string, uint64_t>{{"books", 1}, {"code", 3}, {"web", 6}}));
  EXPECT_EQ(reported, Count(sel));
  for (uint64_t n : {1u, 7u, 33u, 99u}) {
    std::map<std::string, uint64_t> c = Count(Sample({.max_docs = n, .seed = 3}));
    uint64_t sum = 0;
    for (const auto& [k, v] : c) sum += v;
    EXPECT_EQ(sum, n);
    EXPECT_LE(c["web"], 60 * n / 100 + 1);
    EXPECT_GE(c["web"], 60 * n / 100);
  }
  EXPECT_EQ(Count(Sample({.max_docs = 1000})),
            (std::map<std::string, uint64_t>{{"books", 5}, {"code", 35}, {"web", 60}}));
}

TEST(DocSample, FixedPerSourceNestsAndSeedsDiffer) {
  DocumentSelection k3 = Sample({.docs_per_source = 3, .seed = 9});
  DocumentSelection k8 = Sample({.docs_per_source = 8, .seed = 9});
  EXPECT_EQ(Count(k3), (std::map<std::string, uint64_t>{{"books", 3}, {"code", 3}, {"web", 3}}));
  EXPECT_EQ(Count(k8), (std::map<std::string, uint64_t>{{"books", 5}, {"code", 8}, {"web", 8}}));
  for (size_t s = 0; s < 2; ++s)
    EXPECT_TRUE(std::includes(k8[s].begin(), k8[s].end(), k3[s].begin(), k3[s].end()));
  EXPECT_EQ(Sample({.docs_per_source = 3, .seed = 9}), k3);
  EXPECT_NE(Sample({.docs_per_source = 3, .seed = 10}), k3);
  // docs_per_source wins over max_docs.
  EXPECT_EQ(Sample({.max_docs = 50, .docs_per_source = 3, .seed = 9}), k3);
}

TEST(DocSample, ShardsWithoutSourcesAreOneSource) {
  std::map<std::string, uint64_t> reported;
  DocumentSelection sel = SampleDocuments({40, 60}, {}, {}, {.max_docs = 10, .seed = 5}, &reported);
  EXPECT_EQ(sel[0].size() + sel[1].size(), 10u);
  EXPECT_EQ(reported, (std::map<std::string, uint64_t>{{"", 10}}));
  EXPECT_EQ(SampleDocuments({0, 0}, {}, {}, {.max_docs = 10}), DocumentSelection(2));
}

}  // namespace
}  // namespace rwkvkit::refmodel

// corpus/dedup/lsh_index.cc — see lsh_index.h.
//
// Performance notes: one sort of n 12-byte entries per band instead of a hash map of buckets
// (datatrove sorts too: its bucket files are sorted records). Union-find uses path halving;
// linking the larger root under the smaller keeps the root equal to the cluster's minimum.
#include "corpus/dedup/lsh_index.h"

#include <algorithm>
#include <cstring>

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/parallel_sort.h>
#include <tbb/task_arena.h>
#include <xxhash.h>

#include "absl/container/flat_hash_map.h"

namespace rwkvkit::corpus::dedup {
namespace {

#pragma pack(push, 4)
template <typename Index>
struct BandEntry {
  uint64_t key;
  Index doc;
};
#pragma pack(pop)

// Dense: a parent per document. Sparse: parents in a hash map, only for documents that were
// ever linked (a document absent from it is its own root).
class UnionFind {
 public:
  UnionFind(uint64_t n, bool sparse) : sparse_(sparse) {
    if (sparse) return;
    parent_.resize(n);
    for (uint64_t i = 0; i < n; ++i) parent_[i] = i;
  }
  uint64_t Find(uint64_t x) {
    if (sparse_) return FindSparse(x);
    while (parent_[x] != x) {
      parent_[x] = parent_[parent_[x]];
      x = parent_[x];
    }
    return x;
  }
  void Union(uint64_t a, uint64_t b) {
    a = Find(a);
    b = Find(b);
    if (a == b) return;
    if (b < a) std::swap(a, b);
    if (sparse_) {
      sparse_parent_[b] = a;
    } else {
      parent_[b] = a;
    }
  }
  // Dense: every document's root.
  std::vector<uint64_t> TakeRoots() {
    for (uint64_t i = 0; i < parent_.size(); ++i) parent_[i] = Find(i);
    return std::move(parent_);
  }
  // Every document that is not a root, with its root, ascending.
  std::vector<RemovedDoc> NonRoots() {
    std::vector<RemovedDoc> out;
    if (sparse_) {
      std::vector<uint64_t> linked;
      linked.reserve(sparse_parent_.size());
      for (const auto& [x, p] : sparse_parent_) linked.push_back(x);
      for (const uint64_t x : linked) out.push_back({x, Find(x)});
      std::sort(out.begin(), out.end(), [](const RemovedDoc& a, const RemovedDoc& b) { return a.doc < b.doc; });
    } else {
      for (uint64_t i = 0; i < parent_.size(); ++i)
        if (parent_[i] != i) out.push_back({i, Find(i)});
    }
    return out;
  }

 private:
  uint64_t FindSparse(uint64_t x) {
    for (;;) {
      const auto it = sparse_parent_.find(x);
      if (it == sparse_parent_.end()) return x;
      const uint64_t p = it->second;
      const auto up = sparse_parent_.find(p);
      if (up == sparse_parent_.end()) return p;
      it->second = up->second;  // path halving
      x = up->second;
    }
  }
  bool sparse_;
  std::vector<uint64_t> parent_;
  absl::flat_hash_map<uint64_t, uint64_t> sparse_parent_;  // only non-roots
};

uint64_t BandKey(const uint64_t* values, int rows) {
  if (values[0] == kEmptySignatureValue) return 0;  // never used: empty docs are skipped
  return XXH3_64bits(values, sizeof(uint64_t) * rows);  // little-endian hosts only
}

// Runs the bands over all documents and hands each bucket to `clusterer`, band by band and in
// key order. With `signatures` (an array, safe to read from any thread) a band's keys are
// computed and sorted on the calling task arena's threads; the buckets, and so the clusters,
// are the same as from one thread: (key, doc) orders the entries totally.
template <typename Index>
void RunBands(const MinHashConfig& config, uint64_t n, const SignatureSource& source, const uint64_t* signatures,
              LshClusterer& clusterer) {
  const bool parallel = signatures != nullptr && tbb::this_task_arena::max_concurrency() > 1;
  const auto h = static_cast<uint64_t>(config.num_hashes());
  std::vector<BandEntry<Index>> entries;
  std::vector<Index> live;  // documents with a signature (parallel: the keys fill `entries` by index)
  if (parallel)
    for (uint64_t d = 0; d < n; ++d)
      if (signatures[d * h] != kEmptySignatureValue) live.push_back(static_cast<Index>(d));
  std::vector<uint64_t> docs;
  const auto before = [](const auto& x, const auto& y) { return x.key != y.key ? x.key < y.key : x.doc < y.doc; };
  for (int band = 0; band < config.bands; ++band) {
    if (parallel) {
      entries.resize(live.size());
      tbb::parallel_for(tbb::blocked_range<size_t>(0, live.size(), 4096), [&](const tbb::blocked_range<size_t>& r) {
        for (size_t i = r.begin(); i < r.end(); ++i) {
          const Index d = live[i];
          entries[i] = {BandKey(signatures + d * h + band * config.rows, config.rows), d};
        }
      });
      tbb::parallel_sort(entries.begin(), entries.end(), before);
    } else {
      entries.clear();
      entries.reserve(n);
      for (uint64_t d = 0; d < n; ++d) {
        const uint64_t* sig = source(d);
        if (sig[0] == kEmptySignatureValue) continue;
        entries.push_back({BandKey(sig + band * config.rows, config.rows), static_cast<Index>(d)});
      }
      std::sort(entries.begin(), entries.end(), before);
    }
    for (size_t s = 0, e = 0; s < entries.size(); s = e) {
      for (e = s + 1; e < entries.size() && entries[e].key == entries[s].key; ++e) {}
      if (e - s < 2) continue;
      docs.clear();
      for (size_t k = s; k < e; ++k) docs.push_back(entries[k].doc);
      clusterer.Bucket(docs);
    }
  }
}

}  // namespace

struct LshClusterer::State {
  State(const MinHashConfig& c, uint64_t n, SignatureSource src, LshOptions opt)
      : config(c), n(n), source(std::move(src)), options(std::move(opt)), uf(n, options.sparse), first(c.num_hashes()) {}
  MinHashConfig config;
  uint64_t n;
  SignatureSource source;
  LshOptions options;
  UnionFind uf;
  std::vector<uint64_t> first;
  uint64_t candidates = 0, confirmed = 0;
};

absl::StatusOr<LshClusterer> LshClusterer::Create(const MinHashConfig& config, uint64_t num_docs,
                                                  SignatureSource source, LshOptions options) {
  if (absl::Status st = config.Validate(); !st.ok()) return st;
  return LshClusterer(std::make_unique<State>(config, num_docs, std::move(source), std::move(options)));
}

LshClusterer::LshClusterer(std::unique_ptr<State> s) : s_(std::move(s)) {}
LshClusterer::LshClusterer(LshClusterer&&) noexcept = default;
LshClusterer::~LshClusterer() = default;

void LshClusterer::Bucket(std::span<const uint64_t> b) {
  State& st = *s_;
  const size_t h = st.first.size();
  for (size_t jj = 1; jj < b.size(); ++jj) {
    const uint64_t j = b[jj];
    size_t compares = 0;
    for (size_t ii = 0; ii < jj && compares < st.options.max_compares_per_doc; ++ii) {
      const uint64_t i = b[ii];
      if (!st.options.exhaustive_pairs && st.uf.Find(i) == st.uf.Find(j)) continue;
      ++compares;
      ++st.candidates;
      std::memcpy(st.first.data(), st.source(i), h * sizeof(uint64_t));
      const double jac = EstimateJaccard(st.first.data(), st.source(j), h);
      if (jac < st.config.threshold) continue;
      ++st.confirmed;
      st.uf.Union(i, j);
      if (st.options.on_confirmed_pair) st.options.on_confirmed_pair(i, j, jac);
      if (!st.options.exhaustive_pairs) break;  // j joined the cluster; the rest are skipped
    }
  }
}

LshResult LshClusterer::Finish() {
  State& st = *s_;
  LshResult out;
  out.removed = st.uf.NonRoots();
  if (!st.options.sparse) out.representative = st.uf.TakeRoots();
  std::vector<uint64_t> roots;
  roots.reserve(out.removed.size());
  for (const RemovedDoc& r : out.removed) roots.push_back(r.keep);
  std::sort(roots.begin(), roots.end());
  out.stats.clusters = static_cast<uint64_t>(std::unique(roots.begin(), roots.end()) - roots.begin());
  out.stats.removed = out.removed.size();
  out.stats.candidate_pairs = st.candidates;
  out.stats.confirmed_pairs = st.confirmed;
  return out;
}

uint64_t LshBandKey(const MinHashConfig& config, const uint64_t* signature, int band) {
  return BandKey(signature + band * config.rows, config.rows);
}

namespace {

absl::StatusOr<LshResult> Cluster(const MinHashConfig& config, uint64_t num_docs, const SignatureSource& source,
                                  const uint64_t* signatures, const LshOptions& options) {
  absl::StatusOr<LshClusterer> c = LshClusterer::Create(config, num_docs, source, options);
  if (!c.ok()) return c.status();
  if (num_docs < (uint64_t{1} << 32)) {
    RunBands<uint32_t>(config, num_docs, source, signatures, *c);
  } else {
    RunBands<uint64_t>(config, num_docs, source, signatures, *c);
  }
  return c->Finish();
}

}  // namespace

absl::StatusOr<LshResult> ClusterNearDuplicates(const MinHashConfig& config, uint64_t num_docs,
                                                const SignatureSource& source,
                                                const LshOptions& options) {
  return Cluster(config, num_docs, source, nullptr, options);
}

absl::StatusOr<LshResult> ClusterNearDuplicates(const MinHashConfig& config, uint64_t num_docs,
                                                const uint64_t* signatures,
                                                const LshOptions& options) {
  const uint64_t h = static_cast<uint64_t>(config.num_hashes());
  return Cluster(
      config, num_docs, [signatures, h](uint64_t doc) { return signatures + doc * h; }, signatures, options);
}

}  // namespace rwkvkit::corpus::dedup

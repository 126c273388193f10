// corpus/dedup/lsh_index.cc — see lsh_index.h.
//
// Performance notes: one sort of n 12-byte entries per band instead of a hash map of buckets
// (datatrove sorts too: its bucket files are sorted records). Union-find uses path halving;
// linking the larger root under the smaller keeps the root equal to the cluster's minimum.
#include "corpus/dedup/lsh_index.h"

#include <algorithm>
#include <cstring>

#include <xxhash.h>

namespace rwkvkit::corpus {
namespace {

#pragma pack(push, 4)
template <typename Index>
struct BandEntry {
  uint64_t key;
  Index doc;
};
#pragma pack(pop)

class UnionFind {
 public:
  explicit UnionFind(uint64_t n) : parent_(n) {
    for (uint64_t i = 0; i < n; ++i) parent_[i] = i;
  }
  uint64_t Find(uint64_t x) {
    while (parent_[x] != x) {
      parent_[x] = parent_[parent_[x]];
      x = parent_[x];
    }
    return x;
  }
  void Union(uint64_t a, uint64_t b) {
    a = Find(a);
    b = Find(b);
    if (a < b) parent_[b] = a;
    if (b < a) parent_[a] = b;
  }
  std::vector<uint64_t> TakeRoots() {
    for (uint64_t i = 0; i < parent_.size(); ++i) parent_[i] = Find(i);
    return std::move(parent_);
  }

 private:
  std::vector<uint64_t> parent_;
};

uint64_t BandKey(const uint64_t* values, int rows) {
  if (values[0] == kEmptySignatureValue) return 0;  // never used: empty docs are skipped
  return XXH3_64bits(values, sizeof(uint64_t) * rows);  // little-endian hosts only
}

template <typename Index>
class Clusterer {
 public:
  Clusterer(const MinHashConfig& config, uint64_t n, const SignatureSource& source,
            const LshOptions& options)
      : config_(config), n_(n), source_(source), options_(options), uf_(n),
        first_(config.num_hashes()) {}

  LshResult Run() {
    std::vector<BandEntry<Index>> entries;
    for (int band = 0; band < config_.bands; ++band) {
      entries.clear();
      entries.reserve(n_);
      for (uint64_t d = 0; d < n_; ++d) {
        const uint64_t* sig = source_(d);
        if (sig[0] == kEmptySignatureValue) continue;
        entries.push_back({BandKey(sig + band * config_.rows, config_.rows), static_cast<Index>(d)});
      }
      std::sort(entries.begin(), entries.end(), [](const auto& x, const auto& y) {
        return x.key != y.key ? x.key < y.key : x.doc < y.doc;
      });
      for (size_t s = 0, e = 0; s < entries.size(); s = e) {
        for (e = s + 1; e < entries.size() && entries[e].key == entries[s].key; ++e) {}
        if (e - s > 1) Bucket(entries.data() + s, e - s);
      }
    }
    LshResult out;
    out.representative = uf_.TakeRoots();
    std::vector<uint8_t> has_member(n_, 0);
    for (uint64_t i = 0; i < n_; ++i) {
      if (out.representative[i] != i) {
        ++out.stats.removed;
        has_member[out.representative[i]] = 1;
      }
    }
    for (uint8_t m : has_member) out.stats.clusters += m;
    out.stats.candidate_pairs = candidates_;
    out.stats.confirmed_pairs = confirmed_;
    return out;
  }

 private:
  void Bucket(const BandEntry<Index>* b, size_t m) {
    const size_t h = first_.size();
    for (size_t jj = 1; jj < m; ++jj) {
      const uint64_t j = b[jj].doc;
      size_t compares = 0;
      for (size_t ii = 0; ii < jj && compares < options_.max_compares_per_doc; ++ii) {
        const uint64_t i = b[ii].doc;
        if (!options_.exhaustive_pairs && uf_.Find(i) == uf_.Find(j)) continue;
        ++compares;
        ++candidates_;
        std::memcpy(first_.data(), source_(i), h * sizeof(uint64_t));
        const double jac = EstimateJaccard(first_.data(), source_(j), h);
        if (jac < config_.threshold) continue;
        ++confirmed_;
        uf_.Union(i, j);
        if (options_.on_confirmed_pair) options_.on_confirmed_pair(i, j, jac);
        if (!options_.exhaustive_pairs) break;  // j joined the cluster; the rest are skipped
      }
    }
  }

  const MinHashConfig& config_;
  const uint64_t n_;
  const SignatureSource& source_;
  const LshOptions& options_;
  UnionFind uf_;
  std::vector<uint64_t> first_;
  uint64_t candidates_ = 0, confirmed_ = 0;
};

}  // namespace

absl::StatusOr<LshResult> ClusterNearDuplicates(const MinHashConfig& config, uint64_t num_docs,
                                                const SignatureSource& source,
                                                const LshOptions& options) {
  absl::Status st = config.Validate();
  if (!st.ok()) return st;
  if (num_docs < (uint64_t{1} << 32)) {
    return Clusterer<uint32_t>(config, num_docs, source, options).Run();
  }
  return Clusterer<uint64_t>(config, num_docs, source, options).Run();
}

absl::StatusOr<LshResult> ClusterNearDuplicates(const MinHashConfig& config, uint64_t num_docs,
                                                const uint64_t* signatures,
                                                const LshOptions& options) {
  const uint64_t h = static_cast<uint64_t>(config.num_hashes());
  return ClusterNearDuplicates(
      config, num_docs, [signatures, h](uint64_t doc) { return signatures + doc * h; }, options);
}

}  // namespace rwkvkit::corpus

// refmodel/eval/doc_sample.cc — see doc_sample.h.
#include "refmodel/eval/doc_sample.h"

#include <algorithm>
#include <queue>
#include <utility>

#include "base/hash_mix.h"

namespace rwkvkit::refmodel {
namespace {

using base::SplitMix64;

uint64_t DocKey(uint64_t seed, uint64_t shard, uint64_t doc) {
  return SplitMix64(SplitMix64(seed) ^ SplitMix64(SplitMix64(shard) + doc));
}

const std::string& SourceOf(const std::vector<std::vector<uint32_t>>& doc_sources, const std::vector<std::string>& names,
                            size_t shard, uint64_t doc) {
  static const std::string kNone;
  if (shard >= doc_sources.size() || doc >= doc_sources[shard].size()) return kNone;
  const uint32_t i = doc_sources[shard][doc];
  return i < names.size() ? names[i] : kNone;
}

// k per source: min(K, n) with K fixed; else N split by the largest-remainder rule (ties to
// the source that sorts first).
std::map<std::string, uint64_t> Quotas(const std::map<std::string, uint64_t>& counts, const SampleSpec& spec) {
  std::map<std::string, uint64_t> k;
  uint64_t total = 0;
  for (const auto& [name, n] : counts) total += n;
  if (spec.docs_per_source > 0 || spec.max_docs >= total) {
    for (const auto& [name, n] : counts) k[name] = spec.docs_per_source > 0 ? std::min(spec.docs_per_source, n) : n;
    return k;
  }
  uint64_t given = 0;
  std::vector<std::pair<unsigned __int128, std::string>> remainders;  // (remainder, name)
  for (const auto& [name, n] : counts) {
    const unsigned __int128 scaled = static_cast<unsigned __int128>(spec.max_docs) * n;
    k[name] = static_cast<uint64_t>(scaled / total);
    given += k[name];
    remainders.emplace_back(scaled % total, name);
  }
  std::stable_sort(remainders.begin(), remainders.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  for (size_t i = 0; given < spec.max_docs && i < remainders.size(); ++i, ++given) ++k[remainders[i].second];
  return k;
}

}  // namespace

DocumentSelection SampleDocuments(const std::vector<uint64_t>& documents,
                                  const std::vector<std::vector<uint32_t>>& doc_sources,
                                  const std::vector<std::string>& names, const SampleSpec& spec,
                                  std::map<std::string, uint64_t>* chosen_per_source) {
  std::map<std::string, uint64_t> counts;
  for (size_t s = 0; s < documents.size(); ++s) {
    if (s < doc_sources.size() && !doc_sources[s].empty()) {
      for (uint64_t d = 0; d < documents[s]; ++d) ++counts[SourceOf(doc_sources, names, s, d)];
    } else {
      counts[""] += documents[s];
    }
  }
  const std::map<std::string, uint64_t> quota = Quotas(counts, spec);
  // Per source, a max-heap of the k smallest (key, shard, doc).
  using Entry = std::pair<uint64_t, std::pair<size_t, uint64_t>>;
  std::map<std::string, std::priority_queue<Entry>> keep;
  for (size_t s = 0; s < documents.size(); ++s) {
    for (uint64_t d = 0; d < documents[s]; ++d) {
      const std::string& src = SourceOf(doc_sources, names, s, d);
      const uint64_t k = quota.at(src);
      if (k == 0) continue;
      std::priority_queue<Entry>& heap = keep[src];
      const Entry e{DocKey(spec.seed, s, d), {s, d}};
      if (heap.size() < k) {
        heap.push(e);
      } else if (e < heap.top()) {
        heap.pop();
        heap.push(e);
      }
    }
  }
  DocumentSelection out(documents.size());
  for (auto& [src, heap] : keep) {
    if (chosen_per_source) (*chosen_per_source)[src] = heap.size();
    for (; !heap.empty(); heap.pop()) out[heap.top().second.first].push_back(heap.top().second.second);
  }
  for (std::vector<uint64_t>& v : out) std::sort(v.begin(), v.end());
  return out;
}

}  // namespace rwkvkit::refmodel

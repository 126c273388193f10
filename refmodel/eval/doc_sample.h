// refmodel/eval/doc_sample.h — which documents an evaluation reads when it samples: a seeded
// sample per source, either in proportion to the sources' document counts or a fixed number
// from each (`rwkvkit eval --max-docs N` / `--docs-per-source K`, docs/eval.md).
//
// Every document gets a key = SplitMix64 of (seed, shard index, document index); a source
// keeps its k documents with the smallest keys. So the sample depends only on the seed and the
// shard list (not on thread counts or reading order), within a source a larger k keeps every
// document a smaller k chose, and a different seed draws an independent sample. Proportional counts use the
// largest-remainder rule, so they add up to exactly N (all documents when N >= the total).
// Memory: O(documents chosen). Pure; thread-safe.
#ifndef RWKVKIT_REFMODEL_EVAL_DOC_SAMPLE_H_
#define RWKVKIT_REFMODEL_EVAL_DOC_SAMPLE_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace rwkvkit::refmodel {

struct SampleSpec {
  uint64_t max_docs = 0;         // N documents in all, split across sources by their sizes
  uint64_t docs_per_source = 0;  // K documents from each source (min(K, its size)); wins over max_docs
  uint64_t seed = 0;
};

// The documents of each shard to evaluate, ascending (the reading order).
using DocumentSelection = std::vector<std::vector<uint64_t>>;

// SampleDocuments()
// `documents[s]`: the document count of shard s; `doc_sources[s][d]`: the source of its
// document d as an index into `names` (a shard with no entries, or documents past them, are
// the unnamed source ""). Sources are grouped by name. Returns, per shard, the chosen
// documents, and in `chosen_per_source` how many each source gave (optional).
DocumentSelection SampleDocuments(const std::vector<uint64_t>& documents,
                                  const std::vector<std::vector<uint32_t>>& doc_sources,
                                  const std::vector<std::string>& names, const SampleSpec& spec,
                                  std::map<std::string, uint64_t>* chosen_per_source = nullptr);

}  // namespace rwkvkit::refmodel

#endif  // RWKVKIT_REFMODEL_EVAL_DOC_SAMPLE_H_

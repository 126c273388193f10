// corpus/stats/examples.h — a few example documents of each source, for the reports.
//
// Which documents: a source's documents in corpus order (shard by shard, as build.json's
// source_runs list them) are numbered 0..n-1, and the k examples are those at positions
// floor((2i + 1) * n / (2k)) for i < k — spread evenly over the source, decided from
// build.json alone, so the choice does not depend on the thread count (or on reading the
// shards twice). Each is decoded and cut to its first `max_chars` code points. Documents in
// shards that could not be read are left out. Depends on the tokenizer and the shard reader.
#ifndef RWKVKIT_CORPUS_STATS_EXAMPLES_H_
#define RWKVKIT_CORPUS_STATS_EXAMPLES_H_

#include <cstddef>
#include <filesystem>
#include <vector>

#include "corpus/build/build_json.h"
#include "corpus/stats/corpus_stats.h"
#include "tokenizer/tokenizer.h"

namespace rwkvkit::corpus::stats {

// ReadExamples()
// By source index: up to `per_source` examples (fewer when the source has fewer documents).
// `shard_ok[s]` false leaves out the examples in shard s.
std::vector<std::vector<ExampleDocument>> ReadExamples(const std::filesystem::path& dir, const build::BuildJson& info,
                                                       const tokenizer::Tokenizer& tok,
                                                       const std::vector<bool>& shard_ok, size_t per_source,
                                                       size_t max_chars);

// Cuts `text` after `max_chars` code points (an invalid byte counts as one); sets `truncated`.
std::string ClipCodePoints(std::string_view text, size_t max_chars, bool& truncated);

}  // namespace rwkvkit::corpus::stats

#endif  // RWKVKIT_CORPUS_STATS_EXAMPLES_H_

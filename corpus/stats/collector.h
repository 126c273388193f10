// corpus/stats/collector.h — counts a built corpus: reads every shard of a build directory,
// decodes every document and fills CorpusStats (corpus_stats.h). Methods, memory and the
// handling of bad input: docs/stats_report.md, "Methods".
//
// Streaming and bounded: shards are read in build.json order, documents in batches of
// `batch_documents`, processed in parallel with TBB; lines go into the repeated-line table
// (line_counter.h) serially in corpus order, so the result is the same for any thread count.
// Language of a document: `kAuto` takes the source's manifest language when build.json has
// one, else runs CLD2 on the decoded text; `kCld2` always runs CLD2; `kManifest` never does.
// Example documents of each source: examples.h.
//
// A shard that is missing or damaged is skipped and named in shard_errors; the other shards
// are still counted, and a skipped shard contributes nothing, even when it fails partway.
//
// Depends on TBB, CLD2 (through corpus/filters), xxHash, the tokenizer.
#ifndef RWKVKIT_CORPUS_STATS_COLLECTOR_H_
#define RWKVKIT_CORPUS_STATS_COLLECTOR_H_

#include <cstddef>
#include <filesystem>
#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "corpus/build/build_json.h"
#include "corpus/stats/corpus_stats.h"
#include "tokenizer/tokenizer.h"

namespace rwkvkit::corpus::stats {

enum class LanguageSource { kAuto, kCld2, kManifest };

struct CollectOptions {
  LanguageSource language = LanguageSource::kAuto;
  size_t line_table_capacity = size_t{1} << 20;
  size_t min_line_bytes = 16;
  size_t top_lines = 20;
  size_t batch_documents = 4096;
  size_t examples_per_source = 3;  // example documents of each source (examples.h)
  size_t example_chars = 500;      // code points of an example shown
  // Called after each batch of documents, from one thread: (documents, shard bytes read so
  // far); shard bytes are 2 per token, so the total is 2 x the tokens build.json lists.
  std::function<void(uint64_t, uint64_t)> progress;
  // When set and it becomes true, counting stops after the current batch (the result is then
  // incomplete; stats_run.h fails with kCancelled instead of writing reports).
  const std::atomic<bool>* cancel = nullptr;
};

// "auto" | "cld2" | "manifest"; kInvalidArgument otherwise.
absl::StatusOr<LanguageSource> ParseLanguageSource(std::string_view name);
const char* LanguageSourceName(LanguageSource s);

// CollectStats()
// Counts the shards of `dir` that `info` lists. Fails only for our own bugs; bad shards are
// reported in the result.
CorpusStats CollectStats(const std::filesystem::path& dir, const build::BuildJson& info, const tokenizer::Tokenizer& tok,
                         const CollectOptions& opt);

}  // namespace rwkvkit::corpus::stats

#endif  // RWKVKIT_CORPUS_STATS_COLLECTOR_H_

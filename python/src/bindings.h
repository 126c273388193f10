// python/src/bindings.h — the parts of the rwkvkit extension module (_rwkvkit), one per file.
#ifndef RWKVKIT_PYTHON_SRC_BINDINGS_H_
#define RWKVKIT_PYTHON_SRC_BINDINGS_H_

#include <nanobind/nanobind.h>

namespace rwkvkit::python {

void BindTokenizer(nanobind::module_& m);  // tokenizer_binding.cc: Tokenizer
void BindShards(nanobind::module_& m);     // shards_binding.cc: shard index, RWKV-LM numbers
void BindShardWriter(nanobind::module_& m);  // shard_writer_binding.cc: ShardWriter (binidx out)
void BindBuild(nanobind::module_& m);      // build_binding.cc: start_build (the corpus pipeline)
void BindStats(nanobind::module_& m);      // stats_binding.cc: start_stats (the corpus report)
void BindEval(nanobind::module_& m);       // eval_binding.cc: start_eval (perplexity, bits per byte)

}  // namespace rwkvkit::python

#endif  // RWKVKIT_PYTHON_SRC_BINDINGS_H_

// evaluation/eval_run.h — the whole `rwkvkit eval` job as one call: load the model, resolve
// the shards, read each build's sources from build.json, plan the (sampled) documents, run the
// CPU reference or the CUDA plugin, check every NLL is finite, and total per source. The CLI
// (tools/cmd_eval.cc) and the Python package call it; printing is theirs.
//
// Depends on refmodel (evaluator, checkpoints, document sample), the binidx reader and the
// stats library's build.json reader — which refmodel itself may not (it never depends on
// corpus/), hence this folder. Thread-safe: runs may go on concurrently.
#ifndef RWKVKIT_EVALUATION_EVAL_RUN_H_
#define RWKVKIT_EVALUATION_EVAL_RUN_H_

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "refmodel/cuda/cuda_plugin.h"
#include "refmodel/eval/doc_sample.h"
#include "refmodel/eval/evaluator.h"
#include "tokenizer/tokenizer.h"

namespace rwkvkit::evaluation {

struct EvalRequest {
  std::string model;              // .pth or .safetensors
  std::vector<std::string> data;  // shard prefixes, .bin/.idx paths or directories (shard_set.h)
  // nullptr: the CPU fp32 reference; else the loaded CUDA plugin (cuda_plugin_loader.h).
  const refmodel::CudaPlugin* cuda = nullptr;
  refmodel::CudaDType dtype = refmodel::CudaDType::kFp32;  // cuda only
  int gpu = 0;                    // cuda: device index
  int batch = 256;                // cuda: documents per launch at most
  size_t window = 256;            // tokens per forward call
  refmodel::SampleSpec sample;    // max_docs / docs_per_source / seed (0, 0: every document)
  // Called for every evaluated document, in order, after the finiteness check, with its
  // source name or nullptr (the CLI's --nll-out writes here); an error stops the run.
  std::function<absl::Status(const refmodel::DocumentResult&, const std::string* source)> on_document;
  // Called after each document: (targets done, documents done, targets planned).
  std::function<void(uint64_t, uint64_t, uint64_t)> progress;
  // When set and it becomes true, the run stops after the current document with kCancelled.
  const std::atomic<bool>* cancel = nullptr;
};

struct EvalReport {
  std::string model;
  std::string version;                                // "5.2", "6.0", ...
  refmodel::EvalTotals total;
  std::map<std::string, refmodel::EvalTotals> per_source;  // empty without build.json
  bool sampled = false;
  bool per_source_sample = false;                     // docs_per_source (else proportional)
  uint64_t seed = 0;
  std::map<std::string, uint64_t> chosen_per_source;  // the sample's documents per source
  uint64_t targets_planned = 0;
  std::vector<std::string> warnings;  // e.g. a build.json that does not match its shards
};

// RunEvaluation()
// Errors: the model's (LoadModel), the shards' (kNotFound, kDataLoss), a token outside the
// model's vocab (kOutOfRange), a non-finite NLL (kFailedPrecondition naming the shard,
// document and source), the CUDA plugin's, on_document's, kCancelled.
absl::StatusOr<EvalReport> RunEvaluation(const EvalRequest& request, const tokenizer::Tokenizer& tok);

}  // namespace rwkvkit::evaluation

#endif  // RWKVKIT_EVALUATION_EVAL_RUN_H_

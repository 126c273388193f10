// evaluation/eval_run.h — the whole `rwkvkit eval` job as one call: load the model, resolve
// the shards, read each build's sources from build.json, plan the (sampled) documents, run the
// CPU reference or the CUDA plugin, check every NLL is finite, and total per source. The CLI
// (tools/cmd_eval.cc) and the Python package call it; printing is theirs. A run may cover one
// slice of the plan, and EvalTally totals the slices as one run (eval_tasks.h splits a run
// into tasks that way).
//
// Depends on refmodel (evaluator, checkpoints, document sample), the binidx reader and the
// corpus build's build.json reader (corpus/build/build_json.h) — which refmodel itself may not
// (it never depends on corpus/), hence this folder. Thread-safe: runs may go on concurrently.
#ifndef RWKVKIT_EVALUATION_EVAL_RUN_H_
#define RWKVKIT_EVALUATION_EVAL_RUN_H_

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <span>
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
  // Evaluate only slice `slice` of `slices` of the planned documents (contiguous in reading
  // order, balanced by targets: a document belongs to the slice in which its first target
  // falls; a slice may be empty). The report's totals, per-source numbers and targets_planned
  // then cover that slice; EvalTally adds the slices' documents up as one run does.
  uint32_t slice = 0;
  uint32_t slices = 1;
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
// document and source), the CUDA plugin's, on_document's, kCancelled; kInvalidArgument for
// slice >= slices.
absl::StatusOr<EvalReport> RunEvaluation(const EvalRequest& request, const tokenizer::Tokenizer& tok);

// One document's --nll-out line: its per-target NLLs as a JSON array ("%.8g"), with a newline.
std::string NllLine(std::span<const double> nll);

// EvalTally: the report of a whole run from its documents' totals, added in reading order
// (e.g. the slices' documents, slice after slice). RunEvaluation keeps its totals with it, so
// the sums are the same additions in the same order: equal to the last bit.
class EvalTally {
 public:
  // Plans `request` as RunEvaluation does (shards, build.json sources, the sample; the model
  // is not read; the slice is ignored). The shards' errors.
  static absl::StatusOr<EvalTally> Plan(const EvalRequest& request);
  EvalTally(EvalTally&&) noexcept;
  EvalTally& operator=(EvalTally&&) noexcept;
  ~EvalTally();

  // Adds one document; kDataLoss when it is not the next document of the plan. Returns its
  // source (nullptr when it has none).
  absl::StatusOr<const std::string*> Add(uint64_t shard, uint64_t index_in_shard, const refmodel::EvalTotals& totals);
  // The report (`version`: the model's), once every planned document was added (kDataLoss
  // naming how many are missing otherwise).
  absl::StatusOr<EvalReport> Finish(const std::string& version);

 private:
  struct State;
  explicit EvalTally(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace rwkvkit::evaluation

#endif  // RWKVKIT_EVALUATION_EVAL_RUN_H_

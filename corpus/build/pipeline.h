// corpus/build/pipeline.h — a whole build: manifest → shards + build.json (docs/corpus_pipeline.md).
//
// Phase 1 runs a TBB parallel_pipeline with a bounded number of batches in flight:
//   input (serial, in order)  files → blocks of about 1 MB of whole lines
//   process (parallel)        parse → repair → normalize → hash → tokenize (DocProcessor)
//   output (serial, in order) bad-input report, exact dedup, weight sampling, counters,
//                             append to the token store (spill_store.h)
// Because every decision that depends on other documents is made in the serial in-order
// stage, the result does not depend on the thread count. Phase 2 writes the shards from the
// token store in output order: input order with repeats as extra passes, or a seeded shuffle.
// Only TBB wiring lives here; the stages know nothing about TBB.
//
// Thread-safe: RunBuild may run concurrently for different output directories.
#ifndef RWKVKIT_CORPUS_BUILD_PIPELINE_H_
#define RWKVKIT_CORPUS_BUILD_PIPELINE_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "corpus/build/build_options.h"
#include "corpus/build/build_stages.h"
#include "corpus/build/progress.h"
#include "corpus/build/stage_times.h"
#include "tokenizer/tokenizer.h"

namespace rwkvkit::corpus::build {

struct BuildSummary {
  uint64_t documents_read = 0;
  uint64_t documents_written = 0;
  uint64_t bad_records = 0;
  uint64_t tokens = 0;
  uint64_t shards = 0;
  uint64_t input_bytes = 0;
  bool resumed_phase1 = false;  // --resume found a finished token store
  uint64_t shards_reused = 0;   // --resume found these shards complete
  bool already_complete = false;  // --resume found this very build finished; nothing was touched
  uint64_t resumed_from_file = 0;  // --resume read on from this input file (a phase-1 checkpoint)
  StageTimes times;             // where the time went (build.json "timing")
  double wall_seconds = 0, cpu_seconds = 0;  // of the whole build, as build.json records them
};

// RunBuild()
// Works in the output directory's work area and publishes only a complete build
// (output_dir.h), holding the directory's lock (output_lock.h) throughout.
// kInvalidArgument / kNotFound / kPermissionDenied for bad options or inputs, and
// kFailedPrecondition for an output directory it must not touch or one locked by another
// build (all before any work starts); kDataLoss in --strict mode for the first bad record or
// damaged file; kUnavailable for output I/O failures; kCancelled when options.cancel was set
// (the work area is kept for --resume). On any failure the earlier build in the directory is
// as it was.
absl::StatusOr<BuildSummary> RunBuild(const BuildOptions& options, const tokenizer::Tokenizer& tok);

// RunReadPipeline()
// Phase 1's TBB pipeline: the batches of `input` through DocProcessor (`minhash` may be null)
// into `output`, in input order; `bytes_before` is where the progress starts, `total_bytes`
// where it ends (BuildOptions::on_progress). The first error of `output` stops it and is
// returned; BuildOptions::cancel stops it at the next batch (the caller checks it after). A
// build split into tasks runs it on each read task. With `times`, adds the busy and CPU time
// of each of its stages (read ... exact_dedup; stage_times.h) to it.
absl::Status RunReadPipeline(const BuildOptions& opt, const tokenizer::Tokenizer& tok, const text::TextRepairer& repairer,
                             const dedup::MinHasher* minhash, InputStage& input, OutputStage& output, Progress& progress,
                             uint64_t bytes_before, uint64_t total_bytes, StageTimes* times = nullptr);

}  // namespace rwkvkit::corpus::build

#endif  // RWKVKIT_CORPUS_BUILD_PIPELINE_H_

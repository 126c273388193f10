// evaluation/eval_tasks.h — `rwkvkit eval` split into tasks over the documents, run by the
// build's executors (corpus/tasks/: a local process per task, or a Slurm job array, one GPU
// per task), merged into the report of one process (docs/scale_out.md, "Evaluation").
//
// The work directory's chain has one stage, eval, of N tasks. Task i evaluates slice i of the
// plan (eval_run.h: contiguous in reading order, balanced by targets) and writes to its task
// directory records.bin (one DocumentRecord per document, in order), version.txt (the model's
// version) and, when the NLL lines are wanted, nll.jsonl (its documents' lines). The merge
// reads the slices in order and adds their documents up with EvalTally, so totals, per-source
// numbers and the NLL lines are those of one process: equal to the last bit whenever each
// document's NLLs are (the CPU reference evaluates every document alone, so they are).
//
// Not thread-safe: one task per process; the merge after every task is done.
#ifndef RWKVKIT_EVALUATION_EVAL_TASKS_H_
#define RWKVKIT_EVALUATION_EVAL_TASKS_H_

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "corpus/tasks/work_dir.h"
#include "evaluation/eval_run.h"
#include "tokenizer/tokenizer.h"

namespace rwkvkit::evaluation {

struct EvalSplit {
  std::filesystem::path work;
  uint32_t tasks = 1;
  bool cuda = false;       // the tasks run the CUDA plugin (the executor itself never loads it)
  bool nll_lines = false;  // the tasks keep their documents' NLL lines (--nll-out)
};

// One evaluated document as a task records it (little-endian, 40 bytes).
struct DocumentRecord {
  uint64_t shard;
  uint64_t index_in_shard;
  uint64_t tokens;  // targets
  uint64_t bytes;
  double nll;       // sum, nats
};
static_assert(sizeof(DocumentRecord) == 40);

// PrepareEvalWork()
// The plan of `split`, its work directory created, or checked to serve this very evaluation
// (the fingerprint: the model file and every shard with sizes and times, window, sample,
// device, dtype, batch, NLL lines): kFailedPrecondition naming the first difference.
absl::StatusOr<corpus::tasks::TaskPlan> PrepareEvalWork(const EvalRequest& request, const EvalSplit& split);

// RunEvalTask()
// Runs eval task `task` (corpus/tasks/task_runner.h: lock, done marker); false when it was
// already done. RunEvaluation's errors, and the work directory's.
absl::StatusOr<bool> RunEvalTask(const EvalRequest& request, const tokenizer::Tokenizer& tok,
                                 const EvalSplit& split, const corpus::tasks::TaskPlan& plan, uint32_t task,
                                 const std::string& owner);

// MergeEvalTasks()
// The report of the whole evaluation from the finished tasks, checked against the plan
// (kDataLoss naming the task when its records do not match it); with `nll_text`, the tasks'
// NLL lines are handed to it in order. kFailedPrecondition when a task is not done.
absl::StatusOr<EvalReport> MergeEvalTasks(const EvalRequest& request, const EvalSplit& split,
                                          const corpus::tasks::TaskPlan& plan,
                                          const std::function<absl::Status(std::string_view)>& nll_text);

}  // namespace rwkvkit::evaluation

#endif  // RWKVKIT_EVALUATION_EVAL_TASKS_H_

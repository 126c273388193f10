// corpus/tasks/stage_tasks.h — the task of each stage of a split build (docs/scale_out.md).
//
// A task reads only the work directory (lines, read: also their slice of the inputs), writes
// only its task directory (write: also shards into the output's staging directory; publish:
// the output directory), and is a pure function of them. Together they make exactly the
// one-process build (pipeline.h). The stages — lines i/N, read i/N, dedup p/P, cluster,
// write w/W, publish — and what each reads and writes: docs/scale_out.md. RunTask() wraps
// each in the task's lock, a clean directory and the done marker (work_dir.h).
//
// Thread-safe for different tasks (disjoint files); one process per task.
#ifndef RWKVKIT_CORPUS_TASKS_STAGE_TASKS_H_
#define RWKVKIT_CORPUS_TASKS_STAGE_TASKS_H_

#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "corpus/build/build_options.h"
#include "corpus/build/build_stages.h"
#include "corpus/build/stage_times.h"
#include "corpus/tasks/work_dir.h"
#include "tokenizer/tokenizer.h"

namespace rwkvkit::corpus::tasks {

// What a dedup task sorts in memory before it spills sorted runs to its task directory.
inline constexpr uint64_t kDefaultSortBytes = uint64_t{256} << 20;
// The least it may be: a smaller buffer writes runs of a few records each, to no one's gain.
inline constexpr uint64_t kMinSortBytes = uint64_t{1} << 20;

struct TaskContext {
  const build::BuildOptions& opt;
  const tokenizer::Tokenizer* tok;  // only the read tasks tokenize (null elsewhere)
  std::vector<build::InputFile> files;
  TaskPlan plan;
  std::filesystem::path work;
  uint64_t sort_bytes = kDefaultSortBytes;  // a dedup task's sort buffer (external_sort.h)
};

// Which input files may be cut into byte ranges: uncompressed JSON Lines (record_source.h).
std::vector<bool> SplittableFiles(const build::BuildOptions& opt, const std::vector<build::InputFile>& files);

// ReadSlice()
// The pieces of the input files that read task `task` of `tasks` reads, in input order. The
// files' bytes, end to end, are cut into `tasks` equal ranges; a splittable file is cut at
// the ranges' bounds (its lines go with the range their first byte falls in), any other file
// goes whole with the range its first byte falls in (empty trailing files with the last).
// Together the slices hold every line once, in input order; a slice may be empty.
std::vector<build::FilePiece> ReadSlice(const std::vector<build::InputFile>& files, const std::vector<bool>& splittable,
                                 uint32_t task, uint32_t tasks);

// The bytes of the input files before each of them, end to end (one more value than files:
// the last is the total); and where task `task` of `tasks` starts in those bytes.
std::vector<uint64_t> FileOffsets(const std::vector<build::InputFile>& files);
uint64_t SliceStart(uint64_t total, uint32_t task, uint32_t tasks);

// RunLinesTask()
// Counts the newlines of each piece of its slice that a later slice goes on with (a file cut
// at the slice's end), once: lines.u64, pairs of file index and count.
absl::Status RunLinesTask(const TaskContext& ctx, uint32_t task);

// AddNewlinesBefore()
// Sets, for each of read task `task`'s pieces that starts inside its file, the file's newlines
// before it: the sum of the lines tasks' counts of the file's earlier pieces (left unset when
// a lines task could not read its piece: the reader then counts them and meets the error).
// kDataLoss when a lines task's file lacks a count it must have.
absl::Status AddNewlinesBefore(const TaskContext& ctx, uint32_t task, std::vector<build::FilePiece>& pieces);

// With `times`, adds the busy and CPU time of its stages (read ... exact_dedup) to it.
absl::Status RunReadTask(const TaskContext& ctx, uint32_t task, build::StageTimes* times = nullptr);
absl::Status RunDedupTask(const TaskContext& ctx, uint32_t task);
absl::Status RunClusterTask(const TaskContext& ctx);
// Also returns (appends) the shards it wrote elsewhere, for its done marker.
absl::Status RunWriteTask(const TaskContext& ctx, uint32_t task, std::vector<std::filesystem::path>& shard_files);
absl::Status RunPublishTask(const TaskContext& ctx, std::vector<std::filesystem::path>& published);

// RunTask()
// Runs one task unless its done marker says it is finished (returns false then). Takes the
// task's lock (kFailedPrecondition when another process runs it), checks the done markers of
// the stages before it (task_runner.h; kFailedPrecondition naming a missing or damaged one), clears its
// directory, runs it, and writes its done marker; on failure writes the failed marker with the
// message.
absl::StatusOr<bool> RunTask(const TaskContext& ctx, Stage stage, uint32_t task);

}  // namespace rwkvkit::corpus::tasks

#endif  // RWKVKIT_CORPUS_TASKS_STAGE_TASKS_H_

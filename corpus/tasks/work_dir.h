// corpus/tasks/work_dir.h — the work directory of a split build (docs/scale_out.md).
//
// The build is a fixed chain of stages (lines → read → dedup → cluster → write → publish), each split
// into tasks that talk only through files here (an evaluation split into tasks has one stage,
// eval: evaluation/eval_tasks.h): plan.txt and fingerprint.txt (what the
// directory was made for), <stage>/<task>/ (a task's outputs and lock), <stage>/<task>.done
// (size and XXH3-128 of every output, a hash of the earlier stages' markers and the run's
// process and time, so that a task run again changes the later tasks' chain; written last), <stage>/<task>.usage.json (its time and memory, task_usage.h; not in the marker),
// <stage>/<task>.failed (its last failure), logs/. A task whose marker is present and
// whose outputs still match it is finished; anything else (no marker, a changed or truncated
// output, earlier stages redone differently) is redone.
//
// Thread-safe: free functions over the file system; concurrent tasks touch disjoint paths.
#ifndef RWKVKIT_CORPUS_TASKS_WORK_DIR_H_
#define RWKVKIT_CORPUS_TASKS_WORK_DIR_H_

#include <array>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace rwkvkit::corpus::tasks {

enum class Stage { kLines, kRead, kDedup, kCluster, kWrite, kPublish, kEval };
// The chain of a build, and that of an evaluation.
inline constexpr std::array<Stage, 6> kStages = {Stage::kLines, Stage::kRead,  Stage::kDedup,
                                                 Stage::kCluster, Stage::kWrite, Stage::kPublish};
inline constexpr std::array<Stage, 1> kEvalStages = {Stage::kEval};
std::string StageName(Stage s);

// How a build (or an evaluation) is split; fixed for the life of a work directory.
struct TaskPlan {
  uint32_t read_tasks = 1;   // N: slices of the input files
  uint32_t partitions = 1;   // P: hash ranges of the dedup keys
  uint32_t write_tasks = 1;  // shard writers
  std::string fingerprint;   // what the directory serves (a build: corpus/build/build_checks.h BuildFingerprint)
  uint32_t eval_tasks = 0;   // > 0: an evaluation in this many slices (then the build counts are unused)
};
// The stages of the plan's chain, in order.
std::span<const Stage> StagesOf(const TaskPlan& plan);
uint32_t TaskCount(const TaskPlan& plan, Stage s);
// kInvalidArgument naming the plan's stages for a name that is not one of them.
absl::StatusOr<Stage> ParseStage(const TaskPlan& plan, std::string_view name);

std::filesystem::path TaskDir(const std::filesystem::path& work, Stage s, uint32_t task);
std::filesystem::path DoneMarkerPath(const std::filesystem::path& work, Stage s, uint32_t task);
std::filesystem::path FailedMarkerPath(const std::filesystem::path& work, Stage s, uint32_t task);
std::filesystem::path UsagePath(const std::filesystem::path& work, Stage s, uint32_t task);
std::filesystem::path LogPath(const std::filesystem::path& work, Stage s, uint32_t task);
// LogPath's name as a Slurm --output pattern for a job array of stage `s` (%5a: the task).
std::string SlurmLogPattern(const std::filesystem::path& work, Stage s);

// PrepareWorkDir()
// Creates `work` for `plan`, or checks that the one there was made for the same plan:
// kFailedPrecondition naming the first difference (task counts, or the first line of the
// fingerprint that differs: an input file, a source, an option) when it was not.
absl::Status PrepareWorkDir(const std::filesystem::path& work, const TaskPlan& plan);

// LoadPlan()
// The plan of an existing work directory (kNotFound when there is none; kDataLoss when unreadable).
absl::StatusOr<TaskPlan> LoadPlan(const std::filesystem::path& work);

// WriteDoneMarker()
// Records every file of the task's directory (but its lock) and the `extra` files (absolute
// paths, e.g. shards it wrote elsewhere), with the hash of the earlier stages' markers.
// A marker names the run that wrote it (process id and time): a task run again writes another
// marker even for the same outputs, so every later task computed from the earlier run is redone
// (it may have read a damaged file that the run replaced).
absl::Status WriteDoneMarker(const std::filesystem::path& work, Stage s, uint32_t task,
                             const std::vector<std::filesystem::path>& extra = {});

// How much of a task's files CheckDone reads: every file's checksum, only those of the files in
// the work directory (not the shards a write task staged in the output, whose XXH3-128 is in
// build.json), or none (every file's size is checked in each case).
enum class Verify { kChecksums, kChecksumsInWork, kSizes };

// CheckDone()
// OK when the task's marker exists, every file it lists has its size and, as `verify` says,
// its checksum, and the earlier stages' markers are still those it was computed from
// (`upstream`, when given, is UpstreamHash(work, plan, s), computed once for many tasks).
// kNotFound when there is no marker; kDataLoss naming the first mismatch otherwise.
absl::Status CheckDone(const std::filesystem::path& work, const TaskPlan& plan, Stage s, uint32_t task,
                       Verify verify = Verify::kChecksums, const std::string* upstream = nullptr);
// The same, hashing the files for which `hash(name)` is true (name: as the marker lists it,
// relative to the task's directory or absolute); the others only by size.
using HashFilter = std::function<bool(const std::filesystem::path& name)>;
absl::Status CheckDone(const std::filesystem::path& work, const TaskPlan& plan, Stage s, uint32_t task,
                       const HashFilter& hash, const std::string* upstream = nullptr);

// A hash of the done markers of every task of the stages before `s` (markers missing: "").
std::string UpstreamHash(const std::filesystem::path& work, const TaskPlan& plan, Stage s);

// ClearTaskDir()
// Removes the task's outputs and markers (keeps its lock file); creates the directory.
absl::Status ClearTaskDir(const std::filesystem::path& work, Stage s, uint32_t task);

// True while a process holds the task's lock (it is running).
bool TaskRunning(const std::filesystem::path& work, Stage s, uint32_t task);

// Finished()
// True when every task of the plan's last stage has a done marker that checks out (only the
// sizes when `sizes_only`): the build is published, or every slice of an evaluation is done.
bool Finished(const std::filesystem::path& work, const TaskPlan& plan, bool sizes_only = false);

}  // namespace rwkvkit::corpus::tasks

#endif  // RWKVKIT_CORPUS_TASKS_WORK_DIR_H_

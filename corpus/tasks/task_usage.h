// corpus/tasks/task_usage.h — what each task of a split build cost, and the build.json
// "timing" of a split build made from it (docs/formats/build_json.md).
//
// RunTaskWith (task_runner.h) times every task from taking its lock to its done marker and
// writes <stage>/<task>.usage.json next to the marker: wall and CPU seconds of that stretch,
// the process's peak resident memory, and for a read task its pipeline's stages (read ...
// exact_dedup). The publish task sums the usage files of the stages before it, per stage. A missing or damaged usage file (a task done by an older rwkvkit)
// leaves that task out of the sums, and the stage's "tasks" count says so. Timing is the one
// part of build.json that changes from run to run. Thread-safe: no state.
#ifndef RWKVKIT_CORPUS_TASKS_TASK_USAGE_H_
#define RWKVKIT_CORPUS_TASKS_TASK_USAGE_H_

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "corpus/build/stage_times.h"
#include "corpus/tasks/work_dir.h"

namespace rwkvkit::corpus::tasks {

struct TaskUsage {
  double wall_seconds = 0;
  double cpu_seconds = 0;  // the process's user + system time over the task
  int64_t max_rss_kb = 0;  // the process's peak resident memory (getrusage ru_maxrss)
  // A read task's pipeline: busy and CPU seconds of the one-process build's first seven stages.
  std::optional<build::StageTimes> stages;
};

// Started with the task; Stop() is its usage so far.
class UsageClock {
 public:
  UsageClock();
  TaskUsage Stop() const;

 private:
  std::chrono::steady_clock::time_point wall_;
  double cpu_;
};

// {"wall_seconds": 1.234, "cpu_seconds": 2.345, "max_rss_kb": 30132[, "stages": {"read":
// {"busy_seconds": .., "cpu_seconds": ..}, ... "exact_dedup": {..}}]}, published atomically.
absl::Status WriteTaskUsage(const std::filesystem::path& path, const TaskUsage& usage);
// kNotFound when absent; kDataLoss when it is not such an object.
absl::StatusOr<TaskUsage> ReadTaskUsage(const std::filesystem::path& path);

// SplitTimingJson()
// The "timing" object of a split build: {"tasks", "busy_seconds", "cpu_seconds", "max_rss_kb",
// "stages": {stage: {"tasks", "busy_seconds", "max_wall_seconds", "cpu_seconds", "max_rss_kb"}},
// "read_task_stages": {"read": {"busy_seconds", "cpu_seconds"}, ... "exact_dedup": {...}}}
// over the plan's stages before publish; busy is the tasks' wall seconds summed.
std::string SplitTimingJson(const std::filesystem::path& work, const TaskPlan& plan);

}  // namespace rwkvkit::corpus::tasks

#endif  // RWKVKIT_CORPUS_TASKS_TASK_USAGE_H_

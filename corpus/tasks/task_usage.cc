// corpus/tasks/task_usage.cc — see task_usage.h.
#include "corpus/tasks/task_usage.h"

#include <sys/resource.h>

#include <algorithm>
#include <simdjson.h>

#include "absl/strings/str_cat.h"
#include "base/file_io.h"
#include "base/json_writer.h"
#include "corpus/build/stage_times.h"

namespace rwkvkit::corpus::tasks {
namespace {

double NonNegative(double s) { return s < 0 ? 0.0 : s; }

struct StageSum {
  uint32_t tasks = 0;
  double busy = 0;
  double max_wall = 0;
  double cpu = 0;
  int64_t max_rss_kb = 0;
  void Add(const TaskUsage& u) {
    ++tasks;
    busy += u.wall_seconds;
    max_wall = std::max(max_wall, u.wall_seconds);
    cpu += u.cpu_seconds;
    max_rss_kb = std::max(max_rss_kb, u.max_rss_kb);
  }
};

// {"read": {"busy_seconds", "cpu_seconds"}, ... "exact_dedup": {...}}: the pipeline's stages.
std::string PipelineStagesJson(const build::StageTimes& t) {
  base::JsonWriter w;
  w.BeginObject();
  for (int i = 0; i < build::kStageCount; ++i) {
    if (!build::kPhase1Stage[i]) continue;
    w.Key(build::StageName(static_cast<build::Stage>(i))).BeginObject();
    w.Key("busy_seconds").Fixed(NonNegative(t.stage[i].busy), 3);
    w.Key("cpu_seconds").Fixed(NonNegative(t.stage[i].cpu), 3).EndObject();
  }
  return w.EndObject().Take();
}

// The "stages" member of a usage record; false when a stage is missing or not a pair of numbers.
bool ReadPipelineStages(simdjson::dom::object o, build::StageTimes& t) {
  for (int i = 0; i < build::kStageCount; ++i) {
    if (!build::kPhase1Stage[i]) continue;
    simdjson::dom::object s;
    if (o[build::StageName(static_cast<build::Stage>(i))].get(s) != simdjson::SUCCESS ||
        s["busy_seconds"].get(t.stage[i].busy) != simdjson::SUCCESS ||
        s["cpu_seconds"].get(t.stage[i].cpu) != simdjson::SUCCESS || !(t.stage[i].busy >= 0 && t.stage[i].cpu >= 0))
      return false;
  }
  return true;
}

}  // namespace

UsageClock::UsageClock() : wall_(std::chrono::steady_clock::now()), cpu_(build::ProcessCpuSeconds()) {}

TaskUsage UsageClock::Stop() const {
  TaskUsage u;
  u.wall_seconds = NonNegative(std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_).count());
  u.cpu_seconds = NonNegative(build::ProcessCpuSeconds() - cpu_);
  struct rusage r {};
  if (::getrusage(RUSAGE_SELF, &r) == 0) u.max_rss_kb = r.ru_maxrss;
  return u;
}

absl::Status WriteTaskUsage(const std::filesystem::path& path, const TaskUsage& usage) {
  base::JsonWriter w;
  w.BeginObject().Key("wall_seconds").Fixed(usage.wall_seconds, 3).Key("cpu_seconds").Fixed(usage.cpu_seconds, 3);
  w.Key("max_rss_kb").Int(usage.max_rss_kb);
  if (usage.stages) w.Key("stages").Raw(PipelineStagesJson(*usage.stages));
  return base::WriteFileAtomically(path, w.EndObject().Text("\n").Take());
}

absl::StatusOr<TaskUsage> ReadTaskUsage(const std::filesystem::path& path) {
  absl::StatusOr<std::string> text = base::ReadFile(path);
  if (!text.ok()) return text.status();
  simdjson::dom::parser parser;
  simdjson::dom::object o;
  TaskUsage u;
  if (parser.parse(*text).get(o) != simdjson::SUCCESS || o["wall_seconds"].get(u.wall_seconds) != simdjson::SUCCESS ||
      o["cpu_seconds"].get(u.cpu_seconds) != simdjson::SUCCESS || o["max_rss_kb"].get(u.max_rss_kb) != simdjson::SUCCESS ||
      !(u.wall_seconds >= 0 && u.cpu_seconds >= 0 && u.max_rss_kb >= 0))
    return absl::DataLossError(absl::StrCat(path.string(), ": not a task usage record"));
  simdjson::dom::object stages;
  if (o["stages"].get(stages) == simdjson::SUCCESS) {
    u.stages.emplace();
    if (!ReadPipelineStages(stages, *u.stages))
      return absl::DataLossError(absl::StrCat(path.string(), ": damaged \"stages\""));
  }
  return u;
}

std::string SplitTimingJson(const std::filesystem::path& work, const TaskPlan& plan) {
  StageSum all;
  build::StageTimes read_stages;  // summed over the read tasks
  base::JsonWriter stages;
  stages.BeginObject();
  for (Stage s : StagesOf(plan)) {
    if (s == Stage::kPublish) break;  // it writes build.json: its own time is not known yet
    StageSum sum;
    for (uint32_t t = 0; t < TaskCount(plan, s); ++t)
      if (absl::StatusOr<TaskUsage> u = ReadTaskUsage(UsagePath(work, s, t)); u.ok()) {
        sum.Add(*u);
        all.Add(*u);
        if (u->stages) read_stages.Add(*u->stages);
      }
    stages.Key(StageName(s)).BeginObject().Key("tasks").Uint(sum.tasks).Key("busy_seconds").Fixed(sum.busy, 3);
    stages.Key("max_wall_seconds").Fixed(sum.max_wall, 3).Key("cpu_seconds").Fixed(sum.cpu, 3);
    stages.Key("max_rss_kb").Int(sum.max_rss_kb).EndObject();
  }
  stages.EndObject();
  base::JsonWriter w;
  w.BeginObject().Key("tasks").Uint(all.tasks).Key("busy_seconds").Fixed(all.busy, 3);
  w.Key("cpu_seconds").Fixed(all.cpu, 3).Key("max_rss_kb").Int(all.max_rss_kb);
  w.Key("stages").Raw(stages.str()).Key("read_task_stages").Raw(PipelineStagesJson(read_stages));
  return w.EndObject().Take();
}

}  // namespace rwkvkit::corpus::tasks

// corpus/build/stage_times.cc — see stage_times.h.
#include "corpus/build/stage_times.h"

#include <time.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/json_writer.h"

namespace rwkvkit::corpus::build {
namespace {

double CpuSeconds(clockid_t id) {
  timespec ts{};
  if (::clock_gettime(id, &ts) != 0) return 0;
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

double NonNegative(double s) { return s < 0 ? 0.0 : s; }

}  // namespace

const char* StageName(Stage s) {
  static constexpr const char* kNames[kStageCount] = {"read",       "parse",    "repair_normalize",
                                                      "filters",    "signatures", "tokenize",
                                                      "exact_dedup", "near_dedup", "write"};
  return kNames[static_cast<int>(s)];
}

void StageTimes::Add(const StageTimes& o) {
  for (int i = 0; i < kStageCount; ++i) {
    stage[i].busy += o.stage[i].busy;
    stage[i].cpu += o.stage[i].cpu;
  }
}

double ThreadCpuSeconds() { return CpuSeconds(CLOCK_THREAD_CPUTIME_ID); }
double ProcessCpuSeconds() { return CpuSeconds(CLOCK_PROCESS_CPUTIME_ID); }

void StageClock::Lap(Stage stage, StageTimes& t) {
  const auto now = std::chrono::steady_clock::now();
  const double cpu = ThreadCpuSeconds();
  t[stage].busy += std::chrono::duration<double>(now - wall_).count();
  t[stage].cpu += cpu - cpu_;
  wall_ = now;
  cpu_ = cpu;
}

void AttributePhase1Wall(double phase1_wall, StageTimes& t) {
  double busy = 0;
  for (int i = 0; i < kStageCount; ++i)
    if (kPhase1Stage[i]) busy += t.stage[i].busy;
  for (int i = 0; i < kStageCount; ++i)
    if (kPhase1Stage[i]) t.stage[i].wall = busy > 0 ? phase1_wall * t.stage[i].busy / busy : 0;
}

std::string StageTimesJson(const StageTimes& t, int threads, double wall_seconds, double cpu_seconds,
                           bool phase1_reused) {
  base::JsonWriter w;
  w.BeginObject().Key("threads").Int(threads).Key("wall_seconds").Fixed(NonNegative(wall_seconds), 3);
  w.Key("cpu_seconds").Fixed(NonNegative(cpu_seconds), 3).Key("phase1_reused").Bool(phase1_reused);
  w.Key("stages").BeginObject();
  for (int i = 0; i < kStageCount; ++i) {
    const auto& s = t.stage[i];
    w.Key(StageName(static_cast<Stage>(i))).BeginObject().Key("wall_seconds").Fixed(NonNegative(s.wall), 3);
    w.Key("busy_seconds").Fixed(NonNegative(s.busy), 3).Key("cpu_seconds").Fixed(NonNegative(s.cpu), 3).EndObject();
  }
  return w.EndObject().EndObject().Take();
}

std::string StageTimesLine(const StageTimes& t, double wall_seconds, double cpu_seconds) {
  std::string line = "time:";
  for (int i = 0; i < kStageCount; ++i)
    absl::StrAppend(&line, i ? ", " : " ", StageName(static_cast<Stage>(i)), " ",
                    absl::StrFormat("%.2f", t.stage[i].wall), " s");
  return absl::StrCat(line, absl::StrFormat(" (wall; %.2f s in all, %.2f s CPU)", wall_seconds, cpu_seconds));
}

}  // namespace rwkvkit::corpus::build

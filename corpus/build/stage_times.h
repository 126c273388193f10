// corpus/build/stage_times.h — where a build spends its time, stage by stage (build.json "timing").
//
// As datatrove records time per pipeline step: each stage of a build adds up the wall time
// its threads spent in it ("busy", thread-seconds) and their CPU time. Clocks are read once
// per batch and stage boundary (StageClock::Lap), never per document. Phase 1 overlaps its
// stages (a serial reader, parallel document work, a serial output stage), so its elapsed
// time is shared out over them in proportion to their busy time (AttributePhase1Wall); the
// later stages (near-dedup clustering, shard writing) run alone and are timed directly. The
// timing is the one part of build.json that changes from run to run.
//
// StageTimes is plain data; a StageClock belongs to one thread.
#ifndef RWKVKIT_CORPUS_BUILD_STAGE_TIMES_H_
#define RWKVKIT_CORPUS_BUILD_STAGE_TIMES_H_

#include <array>
#include <chrono>
#include <string>

namespace rwkvkit::corpus::build {

enum class Stage : int {
  kRead,         // input files -> blocks of records (decompression, Parquet decoding); serial
  kParse,        // JSON field extraction (and repair of lines simdjson rejects); parallel
  kRepair,       // text repair and Unicode normalization; parallel
  kFilters,      // language id and quality filters (--filters on); parallel
  kSignatures,   // XXH3-128 key and MinHash signature; parallel
  kTokenize,     // World tokenizer; parallel
  kExactDedup,   // exact dedup, weights, counters, reports, token store; serial
  kNearDedup,    // near-dedup clustering and --dedup-report, after phase 1
  kWrite,        // shards from the token store (phase 2)
};
inline constexpr int kStageCount = 9;
inline constexpr bool kPhase1Stage[kStageCount] = {true, true, true, true, true, true, true, false, false};

// "read", "parse", "repair_normalize", "filters", "signatures", "tokenize", "exact_dedup",
// "near_dedup", "write".
const char* StageName(Stage s);

struct StageTime {
  double wall = 0;  // seconds of the build's elapsed time given to the stage
  double busy = 0;  // thread-seconds spent in the stage (equals wall for a stage running alone)
  double cpu = 0;   // CPU seconds of those threads
};

struct StageTimes {
  std::array<StageTime, kStageCount> stage;
  StageTime& operator[](Stage s) { return stage[static_cast<int>(s)]; }
  const StageTime& operator[](Stage s) const { return stage[static_cast<int>(s)]; }
  // Adds busy and cpu (the per-thread sums of phase 1).
  void Add(const StageTimes& o);
};

// CPU seconds of the calling thread / of the process so far.
double ThreadCpuSeconds();
double ProcessCpuSeconds();

// Times consecutive stretches of one thread's work.
class StageClock {
 public:
  StageClock() : wall_(std::chrono::steady_clock::now()), cpu_(ThreadCpuSeconds()) {}
  // Adds the wall and CPU time since the previous Lap (or construction) to `stage` of `t` as
  // busy and cpu time, and starts the next stretch.
  void Lap(Stage stage, StageTimes& t);

 private:
  std::chrono::steady_clock::time_point wall_;
  double cpu_;
};

// Gives each phase-1 stage its share of `phase1_wall` in proportion to its busy time.
void AttributePhase1Wall(double phase1_wall, StageTimes& t);

// The build.json "timing" object: {"threads", "wall_seconds", "cpu_seconds", "phase1_reused",
// "stages": {name: {"wall_seconds", "busy_seconds", "cpu_seconds"}, ...}} (docs/formats/build_json.md).
std::string StageTimesJson(const StageTimes& t, int threads, double wall_seconds, double cpu_seconds,
                           bool phase1_reused);

// One line for the build summary: "time: read 0.12 s, parse 0.40 s, ... (wall; 3.1 s CPU)".
std::string StageTimesLine(const StageTimes& t, double wall_seconds, double cpu_seconds);

}  // namespace rwkvkit::corpus::build

#endif  // RWKVKIT_CORPUS_BUILD_STAGE_TIMES_H_

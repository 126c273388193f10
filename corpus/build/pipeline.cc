// corpus/build/pipeline.cc — the TBB wiring of a build (see pipeline.h).
#include "corpus/build/pipeline.h"

#include <tbb/enumerable_thread_specific.h>
#include <tbb/info.h>
#include <tbb/parallel_pipeline.h>
#include <tbb/task_arena.h>
#include <sys/stat.h>
#include <xxhash.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <memory>
#include <optional>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/file_io.h"
#include "base/status_macros.h"
#include "corpus/build/build_checks.h"
#include "corpus/build/build_json.h"
#include "corpus/build/build_report.h"
#include "corpus/build/build_stages.h"
#include "corpus/build/doc_processor.h"
#include "corpus/filters/filter_settings.h"
#include "corpus/build/near_dedup_stage.h"
#include "corpus/build/output_dir.h"
#include "corpus/build/output_lock.h"
#include "corpus/build/phase1_checkpoint.h"
#include "corpus/build/progress.h"
#include "corpus/build/shard_stage.h"
#include "corpus/build/source_check.h"
#include "corpus/build/spill_store.h"
#include "corpus/build/stage_times.h"
#include "corpus/build/work_files.h"

namespace rwkvkit::corpus::build {
absl::Status RunReadPipeline(const BuildOptions& opt, const tokenizer::Tokenizer& tok, const text::TextRepairer& repairer,
                             const dedup::MinHasher* minhash, InputStage& input, OutputStage& output, Progress& progress,
                             uint64_t bytes_before, uint64_t total_bytes, StageTimes* times) {
  tbb::enumerable_thread_specific<std::vector<std::unique_ptr<DocProcessor>>> processors;
  // Stage times: the serial stages each own one (one thread at a time), the parallel one per thread.
  StageTimes read_times, output_times;
  tbb::enumerable_thread_specific<StageTimes> work_times;
  absl::Status status;
  std::atomic<bool> stop{false};
  const size_t in_flight = 2 * static_cast<size_t>(tbb::this_task_arena::max_concurrency()) + 2;
  uint64_t bytes_done = bytes_before;
  tbb::parallel_pipeline(
      in_flight,
      tbb::make_filter<void, Batch*>(tbb::filter_mode::serial_in_order,
                                     [&](tbb::flow_control& fc) -> Batch* {
                                       StageClock clock;
                                       std::unique_ptr<Batch> b = stop || BuildCancelled(opt) ? nullptr : input.Next();
                                       clock.Lap(Stage::kRead, read_times);
                                       if (!b) fc.stop();
                                       return b.release();
                                     }) &
          tbb::make_filter<Batch*, Batch*>(
              tbb::filter_mode::parallel,
              [&](Batch* b) -> Batch* {
                StageClock clock;
                StageTimes& stage_times = work_times.local();
                // One processor per thread and source (sources may have different text keys).
                auto& procs = processors.local();
                if (procs.size() <= b->source) procs.resize(b->source + 1);
                if (!procs[b->source])
                  procs[b->source] =
                      std::make_unique<DocProcessor>(tok, repairer, opt.manifest.sources[b->source].text_key, minhash,
                                                     opt.filters ? &opt.manifest.sources[b->source].filters : nullptr);
                DocProcessor& proc = *procs[b->source];
                proc.ProcessBlock(b->block, b->results, clock, stage_times);
                return b;
              }) &
          tbb::make_filter<Batch*, void>(tbb::filter_mode::serial_in_order, [&](Batch* raw) {
            StageClock clock;
            std::unique_ptr<Batch> b(raw);
            if (!status.ok()) return;
            status = output.Consume(*b);
            if (!status.ok()) stop = true;
            bytes_done = std::max(bytes_done, b->bytes_done);
            progress.Update(bytes_done, output.docs());
            if (opt.on_progress) opt.on_progress(BuildProgress{1, bytes_done, total_bytes, output.docs(), 0});
            clock.Lap(Stage::kExactDedup, output_times);
          }));
  if (times != nullptr) {
    times->Add(read_times);
    times->Add(output_times);
    for (const StageTimes& t : work_times) times->Add(t);
  }
  return status;
}

namespace {

// Times a stretch of a stage that runs alone (nothing else of the build runs meanwhile): its
// wall time is its busy time, and its CPU time is the whole process's (it may use many threads).
class TimedStretch {
 public:
  explicit TimedStretch(StageTime& t) : t_(t), wall_(std::chrono::steady_clock::now()), cpu_(ProcessCpuSeconds()) {}
  ~TimedStretch() {
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_).count();
    t_.wall += wall;
    t_.busy += wall;
    t_.cpu += ProcessCpuSeconds() - cpu_;
  }
  TimedStretch(const TimedStretch&) = delete;
  TimedStretch& operator=(const TimedStretch&) = delete;

 private:
  StageTime& t_;
  std::chrono::steady_clock::time_point wall_;
  double cpu_;
};

// Unlinks what phase 1 left in the work directory (everything but the staged shards, reports
// and publish plan). The completion marker and the fingerprint go first, so that a kill midway
// never leaves a work directory that looks like this build's finished phase 1 without its token
// store; then the largest file first.
void RemovePhase1Files(const std::filesystem::path& work) {
  std::error_code ec;
  for (const char* name : {kSpillDoneFile, kFingerprintFile, kTokensFile, kDocsFile, kDocsMetaLog, kDedupKeysLog,
                           kCheckpointFile, kDocsMetaFile, kPhase1JsonFile})
    std::filesystem::remove(work / name, ec);
}

// Phase 1 from the first input file, or (`resume`) from the last checkpoint of an interrupted
// run when there is a usable one (phase1_checkpoint.h).
absl::Status RunPhase1(const BuildOptions& opt, const tokenizer::Tokenizer& tok, const std::vector<InputFile>& files,
                       uint64_t total_bytes, const std::filesystem::path& work, bool resume, BuildSummary& summary) {
  const auto phase1_start = std::chrono::steady_clock::now();  // its set-up is shared out too
  absl::StatusOr<text::TextRepairer> repairer = text::TextRepairer::Create(opt.normalization);
  if (!repairer.ok()) return repairer.status();
  std::vector<SourceCounts> counts;
  BadInputSink bad(stderr);
  std::vector<DocMeta> meta;
  InputStage input(opt, files, total_bytes);
  std::optional<dedup::MinHasher> minhash;
  if (opt.near_dedup) {
    absl::StatusOr<dedup::MinHasher> m = dedup::MinHasher::Create(opt.minhash);
    if (!m.ok()) return m.status();
    minhash.emplace(*std::move(m));
  }
  std::optional<SpillWriter> spill;
  std::optional<NearDedupStage> near;
  std::optional<OutputStage> output_stage;
  auto setup = [&](const Phase1Checkpoint* from) -> absl::Status {
    output_stage.reset();
    near.reset();
    spill.reset();
    counts.assign(opt.manifest.sources.size(), SourceCounts{});
    bad.Restore({});
    meta.clear();
    absl::StatusOr<SpillWriter> sw = from ? SpillWriter::Reopen(work, from->stored, from->tokens) : SpillWriter::Create(work);
    if (!sw.ok()) return sw.status();
    spill.emplace(*std::move(sw));
    if (opt.near_dedup) {
      absl::StatusOr<NearDedupStage> n = NearDedupStage::Create(
          work, opt.minhash, opt.dedup_report.empty() ? std::filesystem::path() : StagedDedupReport(opt.out_dir),
          from ? from->stored : 0);
      if (!n.ok()) return n.status();
      near.emplace(*std::move(n));
    }
    output_stage.emplace(opt, files, *spill, counts, bad, meta, near ? &*near : nullptr);
    return output_stage->EnableCheckpoints(work, from);
  };
  std::optional<Phase1Checkpoint> cp;
  if (resume) {
    absl::StatusOr<Phase1Checkpoint> loaded = LoadCheckpoint(work, opt.manifest.sources.size());
    if (loaded.ok() && loaded->next_file <= files.size()) cp = *std::move(loaded);
    if (cp) {
      if (absl::Status s = setup(&*cp); !s.ok()) {
        std::fprintf(stderr, "rwkvkit build: --resume: cannot continue from the checkpoint (%s); reading from the first file\n",
                     std::string(s.message()).c_str());
        cp.reset();
      }
    }
  }
  if (!cp) {
    RemoveCheckpoint(work);
    RWKVKIT_RETURN_IF_ERROR(setup(nullptr));
  } else {
    input.StartAt(cp->next_file, cp->bytes_before);
    summary.resumed_from_file = cp->next_file;
    std::fprintf(stderr, "rwkvkit build: --resume: reading on from input file %llu of %zu (the first %llu were done)\n",
                 static_cast<unsigned long long>(cp->next_file + 1), files.size(),
                 static_cast<unsigned long long>(cp->next_file));
  }
  SpillWriter& spill_writer = *spill;
  OutputStage& output = *output_stage;
  Progress progress("build", total_bytes, opt.progress);
  const absl::Status status = RunReadPipeline(opt, tok, *repairer, minhash ? &*minhash : nullptr, input, output,
                                              progress, cp ? cp->bytes_before : 0, total_bytes, &summary.times);
  if (!status.ok()) return status;
  // Stopped early: phase 1 is not complete (nothing marks it so); --resume reads on from
  // the last checkpoint.
  if (BuildCancelled(opt)) return absl::CancelledError("build interrupted; --resume continues it");
  AttributePhase1Wall(std::chrono::duration<double>(std::chrono::steady_clock::now() - phase1_start).count(),
                      summary.times);
  progress.Done(total_bytes, output.docs());
  summary.bad_records = bad.total();
  summary.documents_read = output.docs();
  summary.input_bytes = total_bytes;
  std::optional<dedup::LshStats> near_stats;
  if (near) {
    const TimedStretch timed(summary.times[Stage::kNearDedup]);
    absl::StatusOr<dedup::LshStats> st = near->Apply(meta, counts, files, opt.manifest);
    if (!st.ok()) return st.status();
    near_stats = *st;
  }
  RWKVKIT_RETURN_IF_ERROR(CheckSourceYields(opt, counts, bad));
  const TimedStretch timed(summary.times[Stage::kWrite]);  // saving phase 1's results
  RWKVKIT_RETURN_IF_ERROR(output.SyncDropReport());
  RWKVKIT_RETURN_IF_ERROR(base::WriteFileAtomically(
      work / kDocsMetaFile, std::string(reinterpret_cast<const char*>(meta.data()), meta.size() * sizeof(DocMeta))));
  RWKVKIT_RETURN_IF_ERROR(
      base::WriteFileAtomically(work / kPhase1JsonFile, Phase1Json(opt, counts, bad, output.dedup().MemoryBytes(), near_stats)));
  return spill_writer.Finish();  // the completion marker goes last
}

}  // namespace

absl::StatusOr<BuildSummary> RunBuild(const BuildOptions& opt, const tokenizer::Tokenizer& tok) {
  RWKVKIT_RETURN_IF_ERROR(CheckBuildOptions(opt));
  const auto start = std::chrono::steady_clock::now();
  const double cpu_start = ProcessCpuSeconds();
  uint64_t total_bytes = 0;
  RWKVKIT_ASSIGN_OR_RETURN(const std::vector<InputFile> files, ListInputs(opt, total_bytes));
  const std::filesystem::path& out = opt.out_dir;
  RWKVKIT_ASSIGN_OR_RETURN(const OutputLock lock, CreateAndLock(out, opt.command_line));
  std::error_code ec;
  if (PublishPending(out)) {
    std::fprintf(stderr, "rwkvkit build: finishing the publish of a complete build that was cut off in %s\n",
                 out.c_str());
    RWKVKIT_RETURN_IF_ERROR(FinishPendingPublish(out));
    std::filesystem::remove_all(WorkDir(out), ec);
  }
  absl::StatusOr<Ownership> own = CheckOutputBeforeBuild(opt, files);
  if (!own.ok()) return own.status();
  const std::filesystem::path work = WorkDir(out);
  const std::string fingerprint = BuildFingerprint(opt, files);
  const std::string fingerprint_hash = Hash128Hex(fingerprint);
  BuildSummary summary;
  const bool interrupted = std::filesystem::exists(work, ec);
  // A pending publish was finished above, so the published build is whole and its ownership
  // record is its own: when it is this very build, there is nothing to resume. A work directory
  // left beside it (a kill after the publish, before its clean-up) holds nothing this build
  // needs: it goes.
  if (opt.resume && own->fingerprint == fingerprint_hash && std::filesystem::exists(out / kBuildJsonName, ec)) {
    summary.already_complete = true;
    if (interrupted) {
      std::fprintf(stderr, "rwkvkit build: --resume: removing %s, the work directory of an interrupted run of "
                   "this same build\n", work.c_str());
      std::filesystem::remove_all(work, ec);
      if (ec) return absl::UnavailableError(absl::StrCat(work.string(), ": cannot remove (", ec.message(), ")"));
    }
    return summary;
  }
  const bool same_build = opt.resume && base::ReadFile(work / kFingerprintFile).value_or("") == fingerprint;
  if (opt.resume && !same_build)
    std::fprintf(stderr, "rwkvkit build: --resume: %s; building from the start (the build now in %s stays until "
                 "the new one is complete)\n",
                 interrupted ? "the interrupted build had other inputs or options" : "there is no interrupted build",
                 out.c_str());
  if (!same_build) std::filesystem::remove_all(work, ec);
  std::filesystem::create_directories(StagingDir(out), ec);
  if (ec) return absl::UnavailableError(absl::StrCat(work.string(), ": cannot create (", ec.message(), ")"));
  RWKVKIT_RETURN_IF_ERROR(base::WriteFileAtomically(work / kFingerprintFile, fingerprint));

  auto run = [&]() -> absl::Status {
    if (same_build && SpillComplete(work)) {
      summary.resumed_phase1 = true;
      summary.input_bytes = total_bytes;
    } else {
      RWKVKIT_RETURN_IF_ERROR(RunPhase1(opt, tok, files, total_bytes, work, same_build, summary));
    }
    BuildOptions phase2 = opt;
    phase2.resume = same_build;
    std::vector<ShardRecord> shards;
    {
      // Phase 1 is complete: its near-dedup files (27 MB of signatures per 30,000 documents) are
      // unlinked on a thread of their own while the shards are written, not after the publish.
      std::thread remove_near_files([&work] { NearDedupStage::RemoveFiles(work); });
      const TimedStretch timed(summary.times[Stage::kWrite]);
      const absl::Status written = WriteShards(phase2, work, StagingDir(out), shards, summary);
      remove_near_files.join();
      RWKVKIT_RETURN_IF_ERROR(written);
    }
    if (BuildCancelled(opt)) return absl::CancelledError("build interrupted; --resume continues it");
    summary.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    summary.cpu_seconds = ProcessCpuSeconds() - cpu_start;
    const std::string timing = StageTimesJson(summary.times, tbb::this_task_arena::max_concurrency(),
                                              summary.wall_seconds, summary.cpu_seconds, summary.resumed_phase1);
    RWKVKIT_ASSIGN_OR_RETURN(const std::string phase1_json, base::ReadFile(work / kPhase1JsonFile));
    RWKVKIT_RETURN_IF_ERROR(WriteBuildJson(StagingDir(out), phase1_json, shards, opt.ctx_len, timing));
    RWKVKIT_ASSIGN_OR_RETURN(const PublishPlan plan,
                             PlanPublish(out, opt.manifest.name, fingerprint_hash, BuildReports(opt), *own));
    // Once the plan is durable, phase 1's files (the token store above all: 43 MB per 30,000
    // documents) are never read again: they are unlinked on a thread of their own while the
    // plan is carried out, not after it.
    std::thread remove_phase1_files;
    const absl::Status published = Publish(out, plan, [&] {
      remove_phase1_files = std::thread([&work] { RemovePhase1Files(work); });
    });
    if (remove_phase1_files.joinable()) remove_phase1_files.join();
    RWKVKIT_RETURN_IF_ERROR(published);
    std::filesystem::remove_all(work, ec);
    return absl::OkStatus();
  };
  absl::Status s;
  if (opt.threads > 0) {
    // More threads than cores only oversubscribes (and makes TBB print a warning).
    tbb::task_arena arena(std::min(opt.threads, tbb::info::default_concurrency()));
    arena.execute([&] { s = run(); });
  } else {
    s = run();
  }
  if (!s.ok()) return s;
  return summary;
}

}  // namespace rwkvkit::corpus::build

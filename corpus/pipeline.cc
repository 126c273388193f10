// corpus/pipeline.cc — the TBB wiring of a build (see pipeline.h).
#include "corpus/pipeline.h"

#include <tbb/enumerable_thread_specific.h>
#include <tbb/info.h>
#include <tbb/parallel_pipeline.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <memory>
#include <optional>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "corpus/build_report.h"
#include "corpus/build_stages.h"
#include "corpus/doc_processor.h"
#include "corpus/filter_settings.h"
#include "corpus/near_dedup_stage.h"
#include "corpus/progress.h"
#include "corpus/shard_stage.h"
#include "corpus/spill_store.h"

namespace rwkvkit::corpus {
namespace {

constexpr char kWorkDir[] = ".rwkvkit-work";

// Identifies the inputs and options of a build, so --resume never mixes two different builds.
std::string Fingerprint(const BuildOptions& opt, const std::vector<InputFile>& files, const std::string& options_json) {
  std::string f = options_json;
  for (const InputFile& in : files) {
    std::error_code ec;
    const auto size = std::filesystem::file_size(in.path, ec);
    const auto mtime = std::filesystem::last_write_time(in.path, ec).time_since_epoch().count();
    absl::StrAppend(&f, in.source, " ", in.path.string(), " ", size, " ", mtime, "\n");
  }
  absl::StrAppend(&f, "vocab ", opt.vocab_path.string(), "\n");
  if (opt.filters)  // each source's filter settings (the manifest may change them between runs)
    for (const ManifestSource& s : opt.manifest.sources)
      absl::StrAppend(&f, "filters ", s.name, " ", FilterSettingsJson(s.filters), "\n");
  absl::StrAppend(&f, "dedup_report ", opt.dedup_report.string(), "\n");  // written in phase 1
  return f;
}


absl::Status RunPhase1(const BuildOptions& opt, const tokenizer::Tokenizer& tok, const std::vector<InputFile>& files,
                       uint64_t total_bytes, const std::filesystem::path& work, BuildSummary& summary) {
  absl::StatusOr<TextRepairer> repairer = TextRepairer::Create(opt.normalization);
  if (!repairer.ok()) return repairer.status();
  RWKVKIT_ASSIGN_OR_RETURN(SpillWriter spill, SpillWriter::Create(work));
  std::vector<SourceCounts> counts(opt.manifest.sources.size());
  BadInputSink bad(stderr);
  std::vector<DocMeta> meta;
  InputStage input(opt, files);
  std::optional<MinHasher> minhash;
  std::optional<NearDedupStage> near;
  if (opt.near_dedup) {
    absl::StatusOr<MinHasher> m = MinHasher::Create(opt.minhash);
    if (!m.ok()) return m.status();
    minhash.emplace(*std::move(m));
    absl::StatusOr<NearDedupStage> n = NearDedupStage::Create(work, opt.minhash, opt.dedup_report);
    if (!n.ok()) return n.status();
    near.emplace(*std::move(n));
  }
  OutputStage output(opt, files, spill, counts, bad, meta, near ? &*near : nullptr);
  Progress progress("build", total_bytes, opt.progress);
  tbb::enumerable_thread_specific<std::vector<std::unique_ptr<DocProcessor>>> processors;
  absl::Status status;
  std::atomic<bool> stop{false};
  const size_t in_flight = 2 * static_cast<size_t>(tbb::this_task_arena::max_concurrency()) + 2;
  uint64_t bytes_done = 0;
  tbb::parallel_pipeline(
      in_flight,
      tbb::make_filter<void, Batch*>(tbb::filter_mode::serial_in_order,
                                     [&](tbb::flow_control& fc) -> Batch* {
                                       std::unique_ptr<Batch> b = stop ? nullptr : input.Next();
                                       if (!b) fc.stop();
                                       return b.release();
                                     }) &
          tbb::make_filter<Batch*, Batch*>(
              tbb::filter_mode::parallel,
              [&](Batch* b) -> Batch* {
                // One processor per thread and source (sources may have different text keys).
                auto& procs = processors.local();
                if (procs.size() <= b->source) procs.resize(b->source + 1);
                if (!procs[b->source])
                  procs[b->source] =
                      std::make_unique<DocProcessor>(tok, *repairer, opt.manifest.sources[b->source].text_key,
                                                   minhash ? &*minhash : nullptr,
                                                   opt.filters ? &opt.manifest.sources[b->source].filters : nullptr);
                DocProcessor& proc = *procs[b->source];
                if (b->whole_file) {
                  if (b->file_error.empty()) {
                    b->results.resize(1);
                    proc.ProcessText(b->text, b->results[0]);
                  }
                  return b;
                }
                b->results.resize(b->block.size());
                for (size_t k = 0; k < b->block.size(); ++k) proc.ProcessJsonLine(b->block.line(k), b->results[k]);
                return b;
              }) &
          tbb::make_filter<Batch*, void>(tbb::filter_mode::serial_in_order, [&](Batch* raw) {
            std::unique_ptr<Batch> b(raw);
            if (!status.ok()) return;
            status = output.Consume(*b);
            if (!status.ok()) stop = true;
            bytes_done = std::max(bytes_done, b->bytes_done);
            progress.Update(bytes_done, output.docs());
          }));
  if (!status.ok()) return status;
  progress.Done(total_bytes, output.docs());
  summary.bad_records = bad.total();
  summary.documents_read = output.docs();
  summary.input_bytes = total_bytes;
  std::optional<LshStats> near_stats;
  if (near) {
    absl::StatusOr<LshStats> st = near->Apply(meta, counts, files, opt.manifest);
    if (!st.ok()) return st.status();
    near_stats = *st;
  }
  RWKVKIT_RETURN_IF_ERROR(WriteFileAtomically(
      work / "docs_meta.u32", std::string(reinterpret_cast<const char*>(meta.data()), meta.size() * sizeof(DocMeta))));
  RWKVKIT_RETURN_IF_ERROR(
      WriteFileAtomically(work / "phase1.json", Phase1Json(opt, counts, bad, output.dedup().MemoryBytes(), near_stats)));
  return spill.Finish();  // the completion marker goes last
}

// Removes what an earlier build of this corpus left in the output directory.
void RemoveOldOutputs(const BuildOptions& opt) {
  std::error_code ec;
  std::filesystem::remove_all(opt.out_dir / kWorkDir, ec);
  std::filesystem::remove(opt.out_dir / "build.json", ec);
  const std::string prefix = opt.manifest.name + "_";
  for (const auto& e : std::filesystem::directory_iterator(opt.out_dir, ec)) {
    const std::string n = e.path().filename().string();
    if (n.rfind(prefix, 0) == 0 && (n.ends_with(".bin") || n.ends_with(".idx") || n.ends_with(".tmp")))
      std::filesystem::remove(e.path(), ec);
  }
}

}  // namespace

absl::StatusOr<BuildSummary> RunBuild(const BuildOptions& opt, const tokenizer::Tokenizer& tok) {
  if (opt.shard_tokens == 0 || opt.ctx_len == 0)
    return absl::InvalidArgumentError("shard_tokens and ctx_len must be positive");
  if (opt.manifest.sources.size() > 65535)
    return absl::InvalidArgumentError("at most 65535 sources (a document's source is stored in 16 bits)");
  uint64_t total_bytes = 0;
  RWKVKIT_ASSIGN_OR_RETURN(const std::vector<InputFile> files, ListInputs(opt, total_bytes));
  std::error_code ec;
  std::filesystem::create_directories(opt.out_dir, ec);
  if (ec) return absl::UnavailableError(absl::StrCat(opt.out_dir.string(), ": cannot create (", ec.message(), ")"));
  // A report directory that does not exist fails now, not after the tokenization phase (the
  // output directory, created just above, may hold the report).
  if (const auto dir = opt.dedup_report.parent_path(); !opt.dedup_report.empty() && !dir.empty()) {
    std::error_code dir_ec;
    if (!std::filesystem::is_directory(dir, dir_ec))
      return absl::NotFoundError(absl::StrCat(opt.dedup_report.string(), ": no such directory for --dedup-report"));
  }
  const std::filesystem::path work = opt.out_dir / kWorkDir;
  const std::string fingerprint = Fingerprint(opt, files, Phase1Json(opt, {}, BadInputSink(), 0, std::nullopt));
  const bool same_build = opt.resume && ReadSmallFile(work / "fingerprint.txt") == fingerprint;
  if (opt.resume && !same_build && std::filesystem::exists(work, ec))
    std::fprintf(stderr, "rwkvkit build: --resume: the interrupted build had other inputs or options; starting over\n");
  BuildSummary summary;
  if (!same_build) RemoveOldOutputs(opt);
  std::filesystem::remove(opt.out_dir / "build.json", ec);
  std::filesystem::create_directories(work, ec);
  RWKVKIT_RETURN_IF_ERROR(WriteFileAtomically(work / "fingerprint.txt", fingerprint));

  auto run = [&]() -> absl::Status {
    if (same_build && SpillComplete(work)) {
      summary.resumed_phase1 = true;
      summary.input_bytes = total_bytes;
    } else {
      RWKVKIT_RETURN_IF_ERROR(RunPhase1(opt, tok, files, total_bytes, work, summary));
    }
    BuildOptions phase2 = opt;
    phase2.resume = same_build;
    std::vector<ShardRecord> shards;
    RWKVKIT_RETURN_IF_ERROR(WriteShards(phase2, work, shards, summary));
    RWKVKIT_RETURN_IF_ERROR(WriteBuildJson(opt.out_dir, ReadSmallFile(work / "phase1.json"), shards, opt.ctx_len));
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

}  // namespace rwkvkit::corpus

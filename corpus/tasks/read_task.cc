// corpus/tasks/read_task.cc — the read stage of a split build (stage_tasks.h).
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <optional>

#include "absl/strings/str_cat.h"
#include "base/file_io.h"
#include "base/status_macros.h"
#include "corpus/build/build_report.h"
#include "corpus/dedup/lsh_index.h"
#include "corpus/build/near_dedup_stage.h"
#include "corpus/build/phase1_checkpoint.h"
#include "corpus/build/pipeline.h"
#include "corpus/build/progress.h"
#include "corpus/build/spill_store.h"
#include "corpus/build/work_files.h"
#include "corpus/tasks/intermediate.h"
#include "corpus/tasks/stage_tasks.h"

namespace rwkvkit::corpus::tasks {
namespace {

// Writes keyed.bin and keys.<p> as the output stage reports documents with their keys.
class KeyFiles : public build::ExactKeyLog {
 public:
  static absl::StatusOr<KeyFiles> Create(const std::filesystem::path& dir, uint32_t partitions) {
    KeyFiles f;
    RWKVKIT_ASSIGN_OR_RETURN(RecordWriter keyed, RecordWriter::Create(dir / kKeyedFile));
    f.keyed_.emplace(std::move(keyed));
    for (uint32_t p = 0; p < partitions; ++p) {
      RWKVKIT_ASSIGN_OR_RETURN(RecordWriter w, RecordWriter::Create(dir / PartFileName(kKeysStem, p)));
      f.keys_.push_back(std::move(w));
    }
    return f;
  }
  absl::Status Note(const dedup::Hash128& key, uint32_t source, uint32_t copies, uint64_t stored, uint64_t tokens,
                    uint64_t bytes_out) override {
    const KeyedRecord r{source, copies, stored, tokens, bytes_out};
    RWKVKIT_RETURN_IF_ERROR(keyed_->Write(&r, sizeof r));
    const KeyRecord k{key.lo, key.hi, count_++};
    return keys_[PartitionOf(key.hi, static_cast<uint32_t>(keys_.size()))].Write(&k, sizeof k);
  }
  absl::Status Close() {
    RWKVKIT_RETURN_IF_ERROR(keyed_->Close());
    for (RecordWriter& w : keys_) RWKVKIT_RETURN_IF_ERROR(w.Close());
    return absl::OkStatus();
  }
  uint64_t count() const { return count_; }

 private:
  KeyFiles() = default;
  std::optional<RecordWriter> keyed_;
  std::vector<RecordWriter> keys_;
  uint64_t count_ = 0;
};

// bands.<p>: every band key of every stored, non-empty document.
absl::Status WriteBandKeys(const std::filesystem::path& dir, const dedup::MinHashConfig& config, uint64_t docs,
                           uint32_t partitions) {
  std::vector<RecordWriter> out;
  for (uint32_t p = 0; p < partitions; ++p) {
    RWKVKIT_ASSIGN_OR_RETURN(RecordWriter w, RecordWriter::Create(dir / PartFileName(kBandsStem, p)));
    out.push_back(std::move(w));
  }
  // The signatures are read in blocks, not mapped: the task's memory stays the same for any slice.
  const size_t h = static_cast<size_t>(config.num_hashes());
  const std::filesystem::path path = dir / build::kSignaturesFile;
  std::FILE* in = docs > 0 ? std::fopen(path.c_str(), "rb") : nullptr;
  if (docs > 0 && in == nullptr)
    return absl::UnavailableError(absl::StrCat(path.string(), ": cannot open (", std::strerror(errno), ")"));
  std::vector<uint64_t> block(4096 * h);
  absl::Status st;
  for (uint64_t d0 = 0; d0 < docs && st.ok(); d0 += 4096) {
    const uint64_t n = std::min<uint64_t>(4096, docs - d0);
    if (std::fread(block.data(), sizeof(uint64_t) * h, n, in) != n) {
      st = absl::DataLossError(absl::StrCat(path.string(), ": shorter than its documents"));
      break;
    }
    for (uint64_t i = 0; i < n && st.ok(); ++i) {
      const uint64_t* s = block.data() + i * h;
      if (s[0] == dedup::kEmptySignatureValue) continue;  // never a candidate (lsh_index.h)
      for (int b = 0; b < config.bands && st.ok(); ++b) {
        const BandRecord r{dedup::LshBandKey(config, s, b), uint64_t(b) << kBandShift | (d0 + i)};
        st = out[PartitionOf(r.key, partitions)].Write(&r, sizeof r);
      }
    }
  }
  if (in != nullptr) std::fclose(in);
  RWKVKIT_RETURN_IF_ERROR(st);
  for (RecordWriter& w : out) RWKVKIT_RETURN_IF_ERROR(w.Close());
  return absl::OkStatus();
}

}  // namespace

std::vector<bool> SplittableFiles(const build::BuildOptions& opt, const std::vector<build::InputFile>& files) {
  std::vector<bool> out;
  for (const build::InputFile& f : files) {
    const build::ManifestSource& src = opt.manifest.sources[f.source];
    out.push_back(input::ReadableInByteRanges(f.path, input::RecordSourceOptions{src.format, src.text_key, src.id_key,
                                                                   opt.max_record_bytes, std::nullopt, std::nullopt,
                                                                   std::nullopt}));
  }
  return out;
}

std::vector<uint64_t> FileOffsets(const std::vector<build::InputFile>& files) {
  std::vector<uint64_t> before(files.size() + 1, 0);
  for (size_t f = 0; f < files.size(); ++f) {
    std::error_code ec;
    const uint64_t size = std::filesystem::file_size(files[f].path, ec);
    before[f + 1] = before[f] + (ec ? 0 : size);
  }
  return before;
}

uint64_t SliceStart(uint64_t total, uint32_t task, uint32_t tasks) {
  return static_cast<uint64_t>((static_cast<unsigned __int128>(total) * task) / tasks);
}

std::vector<build::FilePiece> ReadSlice(const std::vector<build::InputFile>& files, const std::vector<bool>& splittable,
                                        uint32_t task, uint32_t tasks) {
  const std::vector<uint64_t> before = FileOffsets(files);
  const uint64_t total = before.back();
  auto owner = [&](size_t f) -> uint64_t {
    if (total == 0) return static_cast<uint64_t>(f) * tasks / files.size();
    // Empty files at the end start at `total`: they go with the last task.
    return std::min<uint64_t>(tasks - 1, static_cast<uint64_t>((static_cast<unsigned __int128>(before[f]) * tasks) / total));
  };
  const uint64_t lo = SliceStart(total, task, tasks), hi = SliceStart(total, task + 1, tasks);
  std::vector<build::FilePiece> out;
  for (size_t f = 0; f < files.size(); ++f) {
    const uint64_t size = before[f + 1] - before[f];
    if (size == 0 || !splittable[f] || total == 0) {
      if (owner(f) == task) out.push_back(build::FilePiece{f, true, 0, size, std::nullopt});
      continue;
    }
    const uint64_t begin = std::max(lo, before[f]), end = std::min(hi, before[f + 1]);
    if (begin >= end) continue;
    out.push_back(
        build::FilePiece{f, begin == before[f] && end == before[f + 1], begin - before[f], end - before[f], std::nullopt});
  }
  return out;
}

absl::Status RunReadTask(const TaskContext& ctx, uint32_t task, build::StageTimes* times) {
  const build::BuildOptions& opt = ctx.opt;
  if (ctx.tok == nullptr) return absl::InternalError("a read task needs the tokenizer");
  const std::filesystem::path dir = TaskDir(ctx.work, Stage::kRead, task);
  std::vector<build::FilePiece> pieces = ReadSlice(ctx.files, SplittableFiles(opt, ctx.files), task, ctx.plan.read_tasks);
  RWKVKIT_RETURN_IF_ERROR(AddNewlinesBefore(ctx, task, pieces));
  RWKVKIT_ASSIGN_OR_RETURN(text::TextRepairer repairer, text::TextRepairer::Create(opt.normalization));
  std::optional<dedup::MinHasher> minhash;
  std::optional<build::NearDedupStage> near;
  if (opt.near_dedup) {
    RWKVKIT_ASSIGN_OR_RETURN(dedup::MinHasher m, dedup::MinHasher::Create(opt.minhash));
    minhash.emplace(std::move(m));
    RWKVKIT_ASSIGN_OR_RETURN(build::NearDedupStage n, build::NearDedupStage::Create(dir, opt.minhash, opt.dedup_report));
    near.emplace(std::move(n));
  }
  RWKVKIT_ASSIGN_OR_RETURN(build::SpillWriter spill, build::SpillWriter::Create(dir));
  RWKVKIT_ASSIGN_OR_RETURN(KeyFiles keyed, KeyFiles::Create(dir, ctx.plan.partitions));
  std::vector<build::SourceCounts> counts(opt.manifest.sources.size());
  build::BadInputSink bad(stderr);
  std::vector<build::DocMeta> meta;  // a batch's worth at a time (task mode)
  build::InputStage input(opt, ctx.files);
  input.ReadPieces(pieces);
  build::OutputStage output(opt, ctx.files, spill, counts, bad, meta, near ? &*near : nullptr);
  RWKVKIT_RETURN_IF_ERROR(output.EnableTaskMode(keyed, dir / build::kDocsMetaFile));
  if (!opt.drop_report.empty()) RWKVKIT_RETURN_IF_ERROR(output.WriteDropReportTo(dir / build::kDropReportFile));
  std::string slice;
  for (const build::FilePiece& p : pieces)
    absl::StrAppend(&slice, slice.empty() ? "" : ", ", p.file + 1,
                    p.whole ? std::string()
                            : absl::StrCat(" (bytes ", p.begin, " to ", p.end,
                                           p.newlines_before ? absl::StrCat("; ", *p.newlines_before, " newlines before")
                                                             : std::string(),
                                           ")"));
  std::fprintf(stderr, "rwkvkit build: read task %u of %u: input files %s of %zu\n", task + 1, ctx.plan.read_tasks,
               slice.empty() ? "none" : slice.c_str(), ctx.files.size());
  build::Progress progress("read", 0, false);
  RWKVKIT_RETURN_IF_ERROR(build::RunReadPipeline(opt, *ctx.tok, repairer, minhash ? &*minhash : nullptr, input, output,
                                          progress, 0, 0, times));
  RWKVKIT_RETURN_IF_ERROR(keyed.Close());
  RWKVKIT_RETURN_IF_ERROR(output.FinishTaskMode());
  RWKVKIT_RETURN_IF_ERROR(output.SyncDropReport());
  if (near) {
    RWKVKIT_RETURN_IF_ERROR(near->Sync());
    const std::vector<uint64_t> groups = near->RowGroupRecords();
    RWKVKIT_RETURN_IF_ERROR(base::WriteFileAtomically(
        dir / kRowGroupsFile, std::string(reinterpret_cast<const char*>(groups.data()), groups.size() * 8)));
  }
  build::Phase1Checkpoint cp;
  cp.next_file = pieces.empty() ? 0 : pieces.back().file + 1;
  cp.records = output.docs();
  cp.stored = spill.documents();
  cp.tokens = spill.tokens();
  cp.dedup_keys = keyed.count();  // the cluster task subtracts the duplicates
  cp.counts = counts;
  cp.bad = bad.by_reason();
  RWKVKIT_RETURN_IF_ERROR(spill.Finish());
  if (opt.near_dedup) RWKVKIT_RETURN_IF_ERROR(WriteBandKeys(dir, opt.minhash, cp.stored, ctx.plan.partitions));
  return build::SaveCheckpoint(dir, cp);
}

}  // namespace rwkvkit::corpus::tasks

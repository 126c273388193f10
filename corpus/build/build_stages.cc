// corpus/build/build_stages.cc — see build_stages.h.
#include "corpus/build/build_stages.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "base/file_io.h"
#include "base/hash_mix.h"
#include "base/json_writer.h"
#include "base/status_macros.h"
#include "corpus/input/input_paths.h"
#include "corpus/build/near_dedup_stage.h"
#include "corpus/build/output_dir.h"
#include "corpus/build/work_files.h"

namespace rwkvkit::corpus::build {
namespace {

// Deterministic uniform [0, 1) from a document key, the manifest seed and the source.
double SampleUniform(const dedup::Hash128& key, uint64_t seed, uint32_t source) {
  const uint64_t x = base::SplitMix64Mix(key.lo ^ (key.hi * base::kGoldenGamma) ^ (seed * 0xBF58476D1CE4E5B9ull) ^
                                         (uint64_t{source} << 32));
  return static_cast<double>(x >> 11) * 0x1.0p-53;
}

}  // namespace

std::string DropReportLine(std::string_view source, std::string_view file, const input::RecordBlock& block, size_t k,
                           const DocResult& r) {
  const std::string_view reason = std::string_view(r.drop_reason).substr(7);  // after "filter_"
  base::JsonWriter w;
  w.BeginObject().Key("source").String(source).Key("file").String(file);
  if (block.position == input::PositionKind::kRow) {
    w.Key("row").Uint(block.ordinal(k)).Key("row_group").Int(block.row_group);
    w.Key("row_in_group").Uint(block.first_in_group + k);
  } else if (block.position == input::PositionKind::kFile) {
    w.Key("line").Null();
  } else {
    w.Key("line").Uint(block.ordinal(k));
  }
  w.Key("filter").String(r.filter).Key("reason").String(reason).Key("language").String(r.language);
  return w.EndObject().Text("\n").Take();
}

uint32_t Copies(double weight, const dedup::Hash128& key, uint64_t seed, uint32_t source) {
  const double whole = std::floor(weight);
  const double frac = weight - whole;
  return static_cast<uint32_t>(whole) + (frac > 0 && SampleUniform(key, seed, source) < frac ? 1 : 0);
}

absl::StatusOr<std::vector<InputFile>> ListInputs(const BuildOptions& opt, uint64_t& total_bytes) {
  std::vector<InputFile> files;
  total_bytes = 0;
  for (uint32_t s = 0; s < opt.manifest.sources.size(); ++s) {
    const ManifestSource& src = opt.manifest.sources[s];
    absl::StatusOr<std::vector<std::filesystem::path>> paths = input::ExpandInputPaths(src.paths, src.format);
    if (!paths.ok())
      return absl::Status(paths.status().code(),
                          absl::StrCat(std::string(paths.status().message()), " (source \"", src.name, "\")"));
    for (const auto& p : *paths) {
      std::error_code ec;
      const uintmax_t size = std::filesystem::file_size(p, ec);
      if (!ec) total_bytes += size;
      files.push_back(InputFile{s, p});
    }
  }
  return files;
}


std::unique_ptr<Batch> InputStage::Next() {
  for (;;) {
    const FilePiece* piece = pieces_ && next_piece_ < pieces_->size() ? &(*pieces_)[next_piece_] : nullptr;
    if (pieces_ ? piece == nullptr : next_file_ >= files_.size()) return nullptr;
    const size_t file = piece ? piece->file : next_file_;
    // A file counts once: in the piece that holds its first byte.
    const bool first_piece = piece == nullptr || piece->whole || piece->begin == 0;
    auto b = std::make_unique<Batch>();
    b->file = file;
    b->source = files_[file].source;
    if (!reader_) {
      b->file_start = first_piece;
      const ManifestSource& src = opt_.manifest.sources[b->source];
      input::RecordSourceOptions ro{src.format, src.text_key, src.id_key, opt_.max_record_bytes,
                                    std::nullopt, std::nullopt, std::nullopt};
      if (piece && !piece->whole) {
        ro.byte_range = std::make_pair(piece->begin, piece->end);
        ro.newlines_before = piece->newlines_before;
      }
      absl::StatusOr<std::unique_ptr<input::RecordSource>> r = input::OpenRecordSource(files_[file].path, ro);
      if (!r.ok()) {
        b->file_error = std::string(r.status().message());
        Advance(*b);
        if (!first_piece) continue;  // the file's first piece reports it
        return b;
      }
      reader_ = *std::move(r);
      pending_start_ = first_piece;
    }
    b->file_start = pending_start_;
    pending_start_ = false;
    const bool tail = total_bytes_ > 0 && done_before_ + reader_->bytes_consumed() + kTailBytes >= total_bytes_;
    absl::StatusOr<bool> more = reader_->Next(b->block, tail ? kTailBlockBytes : kBlockBytes);
    if (!more.ok()) {
      b->file_error = std::string(more.status().message());
      Advance(*b);
      return b;
    }
    if (!*more) {
      Advance(*b);
      if (b->file_start) return b;  // an empty file still counts as a file
      continue;
    }
    b->bytes_done = done_before_ + reader_->bytes_consumed();
    return b;
  }
}

void InputStage::Advance(Batch& b) {
  done_before_ += reader_ ? reader_->file_size() : 0;
  b.bytes_done = done_before_;
  reader_.reset();
  if (pieces_) ++next_piece_;
  else ++next_file_;
}

OutputStage::~OutputStage() {
  if (meta_log_ != nullptr) std::fclose(meta_log_);
  if (keys_log_ != nullptr) std::fclose(keys_log_);
  if (drop_log_ != nullptr) std::fclose(drop_log_);
  if (task_meta_ != nullptr) std::fclose(task_meta_);
}

namespace {

absl::Status AppendSynced(std::FILE* f, const void* data, size_t bytes, const std::filesystem::path& path) {
  if (bytes > 0 && std::fwrite(data, 1, bytes, f) != bytes) return base::ErrnoError(path, "write failed", errno);
  return base::FlushAndSync(f, path);
}

}  // namespace

absl::Status OutputStage::EnableCheckpoints(const std::filesystem::path& work, const Phase1Checkpoint* resume_from) {
  work_ = work;
  last_checkpoint_ = std::chrono::steady_clock::now();
  if (resume_from != nullptr) {
    const Phase1Checkpoint& cp = *resume_from;
    meta_.resize(cp.stored);
    std::vector<dedup::Hash128> keys(cp.dedup_keys);
    RWKVKIT_RETURN_IF_ERROR(base::CutBackAndRead(work / kDocsMetaLog, cp.stored * sizeof(DocMeta), meta_.data()));
    RWKVKIT_RETURN_IF_ERROR(base::CutBackAndRead(work / kDedupKeysLog, cp.dedup_keys * sizeof(dedup::Hash128), keys.data()));
    if (!opt_.drop_report.empty())
      RWKVKIT_RETURN_IF_ERROR(base::CutBackAndRead(StagedDropReport(opt_.out_dir), cp.drop_report_bytes, nullptr));
    for (const dedup::Hash128& k : keys) dedup_.Insert(k);
    counts_ = cp.counts;
    bad_.Restore(cp.bad);
    docs_ = cp.records;
    meta_logged_ = cp.stored;
    keys_logged_ = cp.dedup_keys;
    checkpoint_file_ = cp.next_file;
    drop_bytes_ = cp.drop_report_bytes;
  }
  const char* mode = resume_from != nullptr ? "ab" : "wb";
  meta_log_ = std::fopen((work / kDocsMetaLog).c_str(), mode);
  keys_log_ = std::fopen((work / kDedupKeysLog).c_str(), mode);
  if (meta_log_ == nullptr || keys_log_ == nullptr)
    return absl::UnavailableError(absl::StrCat(work.string(), ": cannot open the phase-1 logs (", std::strerror(errno), ")"));
  if (!opt_.drop_report.empty()) {
    drop_path_ = StagedDropReport(opt_.out_dir);
    drop_log_ = std::fopen(drop_path_.c_str(), mode);
    if (drop_log_ == nullptr)
      return absl::UnavailableError(absl::StrCat(StagedDropReport(opt_.out_dir).string(),
                                                 ": cannot create the --drop-report file (", std::strerror(errno), ")"));
  }
  return absl::OkStatus();
}

absl::Status OutputStage::Checkpoint(size_t next_file) {
  RWKVKIT_RETURN_IF_ERROR(AppendSynced(meta_log_, meta_.data() + meta_logged_,
                                       (meta_.size() - meta_logged_) * sizeof(DocMeta), work_ / kDocsMetaLog));
  meta_logged_ = meta_.size();
  RWKVKIT_RETURN_IF_ERROR(
      AppendSynced(keys_log_, new_keys_.data(), new_keys_.size() * sizeof(dedup::Hash128), work_ / kDedupKeysLog));
  keys_logged_ += new_keys_.size();
  new_keys_.clear();
  RWKVKIT_RETURN_IF_ERROR(SyncDropReport());
  RWKVKIT_RETURN_IF_ERROR(spill_.Sync());
  if (near_ != nullptr) RWKVKIT_RETURN_IF_ERROR(near_->Sync());
  Phase1Checkpoint cp;
  cp.next_file = next_file;
  std::error_code ec;
  for (size_t f = 0; f < next_file; ++f) cp.bytes_before += std::filesystem::file_size(files_[f].path, ec);
  cp.records = docs_;
  cp.stored = spill_.documents();
  cp.tokens = spill_.tokens();
  cp.dedup_keys = keys_logged_;
  cp.drop_report_bytes = drop_bytes_;
  cp.counts = counts_;
  cp.bad = bad_.by_reason();
  RWKVKIT_RETURN_IF_ERROR(SaveCheckpoint(work_, cp));
  checkpoint_file_ = next_file;
  last_checkpoint_ = std::chrono::steady_clock::now();
  return absl::OkStatus();
}

absl::Status OutputStage::SyncDropReport() {
  if (drop_log_ == nullptr) return absl::OkStatus();
  return AppendSynced(drop_log_, nullptr, 0, drop_path_);
}

absl::Status OutputStage::WriteDropReportTo(const std::filesystem::path& path) {
  if (drop_log_ != nullptr) std::fclose(drop_log_);
  drop_path_ = path;
  drop_log_ = std::fopen(path.c_str(), "wb");
  if (drop_log_ == nullptr)
    return absl::UnavailableError(absl::StrCat(path.string(), ": cannot create (", std::strerror(errno), ")"));
  return absl::OkStatus();
}

absl::Status OutputStage::EnableTaskMode(ExactKeyLog& log, const std::filesystem::path& meta_path) {
  key_log_ = &log;
  recent_.emplace(kRecentKeyBits);
  task_meta_path_ = meta_path;
  task_meta_ = std::fopen(meta_path.c_str(), "wb");
  if (task_meta_ == nullptr) return base::ErrnoError(meta_path, "cannot create", errno);
  return absl::OkStatus();
}

absl::Status OutputStage::WriteTaskMeta() {
  if (!meta_.empty() && std::fwrite(meta_.data(), sizeof(DocMeta), meta_.size(), task_meta_) != meta_.size())
    return base::ErrnoError(task_meta_path_, "write failed", errno);
  meta_.clear();
  return near_ != nullptr ? near_->Release() : absl::OkStatus();
}

absl::Status OutputStage::FinishTaskMode() {
  if (task_meta_ == nullptr) return absl::InternalError("OutputStage: not in task mode");
  RWKVKIT_RETURN_IF_ERROR(WriteTaskMeta());
  return base::FlushAndSync(task_meta_, task_meta_path_);
}

absl::Status OutputStage::Consume(Batch& b) {
  // Everything before this file is done: a checkpoint, at most one a second.
  if (meta_log_ != nullptr && b.file_start && b.file > checkpoint_file_ &&
      std::chrono::steady_clock::now() - last_checkpoint_ >= std::chrono::seconds(1))
    RWKVKIT_RETURN_IF_ERROR(Checkpoint(b.file));
  SourceCounts& c = counts_[b.source];
  const std::string path = files_[b.file].path.string();
  if (b.file_start) ++c.files;
  if (near_ != nullptr && b.block.position == input::PositionKind::kRow && b.block.size() > 0)
    near_->NoteRowGroup(static_cast<uint32_t>(b.file), b.block.row_group, b.block.first - b.block.first_in_group);
  for (size_t k = 0; k < b.results.size(); ++k) {
    DocResult& r = b.results[k];
    ++c.documents_read;
    c.bytes_in += r.bytes_in;
    c.repairs += r.repairs;
    ++docs_;
    if (!r.language.empty()) ++c.languages[r.language];
    if (r.filtered) {  // a quality verdict, not bad input: counted, not reported, not fatal under --strict
      ++c.dropped[r.drop_reason];
      const std::string_view reason = std::string_view(r.drop_reason).substr(7);  // after "filter_"
      ++c.filter_drops[std::string(r.filter)][r.filter == "language" ? r.language : std::string(reason)];
      if (r.filter != "language") ++c.languages_kept[r.language];
      if (drop_log_ != nullptr) {
        const std::string line = DropReportLine(opt_.manifest.sources[b.source].name, path, b.block, k, r);
        if (std::fwrite(line.data(), 1, line.size(), drop_log_) != line.size())
          return absl::UnavailableError(absl::StrCat(drop_path_.string(), ": write failed (",
                                                     std::strerror(errno), ")"));
        drop_bytes_ += line.size();
      }
      continue;
    }
    if (!r.language.empty()) {  // passed the filters (bad input never reaches them)
      ++c.languages_kept[r.language];
      c.c4_documents_edited += r.c4_edited;
      c.c4_lines_removed += r.c4_lines;
    }
    if (!r.drop_reason.empty()) {
      ++c.dropped[r.drop_reason];
      ++c.bad_records;
      const std::string where = b.block.Location(path, k);
      bad_.Report(r.drop_reason, where, r.message);
      if (opt_.strict) return absl::DataLossError(absl::StrCat(where, ": ", r.message, " (--strict)"));
      continue;
    }
    if (key_log_ == nullptr ? !dedup_.Insert(r.key) : recent_->SeenBefore(r.key)) {
      ++c.dropped["duplicate"];
      continue;
    }
    if (meta_log_ != nullptr) new_keys_.push_back(r.key);
    const uint32_t copies = Copies(opt_.manifest.sources[b.source].weight, r.key, opt_.manifest.seed, b.source);
    if (key_log_ != nullptr)
      RWKVKIT_RETURN_IF_ERROR(key_log_->Note(r.key, b.source, copies,
                                             copies == 0 ? ExactKeyLog::kNotStored : spill_.documents(),
                                             r.tokens.size(), r.bytes_out));
    if (copies == 0) {
      ++c.dropped["sampled_out"];
      continue;
    }
    ++c.documents_kept;
    c.documents_written += copies;
    c.bytes_out += r.bytes_out;
    c.tokens += r.tokens.size() * copies;
    meta_.push_back(DocMeta{static_cast<uint16_t>(std::min<uint32_t>(copies, 65535)), static_cast<uint16_t>(b.source)});
    RWKVKIT_RETURN_IF_ERROR(spill_.Append(r.tokens));
    if (near_ != nullptr)
      RWKVKIT_RETURN_IF_ERROR(near_->Add(r.signature, r.tokens.size(), r.bytes_out, static_cast<uint32_t>(b.file),
                                         b.block.ordinal(k)));
  }
  if (task_meta_ != nullptr) RWKVKIT_RETURN_IF_ERROR(WriteTaskMeta());
  if (!b.file_error.empty()) {
    c.file_errors.push_back(b.file_error);
    std::fprintf(stderr, "rwkvkit build: %s (the rest of this file is skipped)\n", b.file_error.c_str());
    if (opt_.strict) return absl::DataLossError(absl::StrCat(b.file_error, " (--strict)"));
  }
  return absl::OkStatus();
}

}  // namespace rwkvkit::corpus::build

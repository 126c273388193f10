// corpus/build/near_dedup_stage.cc — see near_dedup_stage.h.
#include "corpus/build/near_dedup_stage.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/file_io.h"
#include "base/json_writer.h"
#include "base/status_macros.h"
#include "corpus/build/work_files.h"

namespace rwkvkit::corpus::build {

absl::StatusOr<NearDedupStage> NearDedupStage::Create(const std::filesystem::path& work, const dedup::MinHashConfig& config,
                                                      std::filesystem::path report, uint64_t resume_docs) {
  if (absl::Status s = config.Validate(); !s.ok()) return s;
  const std::filesystem::path p = work / kSignaturesFile;
  const std::filesystem::path numbers = work / kNearDocsFile;
  std::vector<uint64_t> loaded(resume_docs * 4);
  if (resume_docs > 0) {
    const uint64_t sig_bytes = resume_docs * static_cast<uint64_t>(config.num_hashes()) * sizeof(uint64_t);
    RWKVKIT_RETURN_IF_ERROR(base::CutBackAndRead(p, sig_bytes, nullptr));
    RWKVKIT_RETURN_IF_ERROR(base::CutBackAndRead(numbers, loaded.size() * sizeof(uint64_t), loaded.data()));
  } else {
    std::FILE* n = std::fopen(numbers.c_str(), "wb");
    if (n == nullptr) return base::ErrnoError(numbers, "cannot create", errno);
    std::fclose(n);
  }
  std::FILE* f = std::fopen(p.c_str(), resume_docs > 0 ? "ab" : "wb");
  if (f == nullptr) return base::ErrnoError(p, "cannot create", errno);
  NearDedupStage stage(p, f, config, std::move(report));
  stage.LoadNumbers(loaded, resume_docs);
  return stage;
}

void NearDedupStage::LoadNumbers(std::span<const uint64_t> numbers, uint64_t n) {
  tokens_.reserve(n);
  bytes_.reserve(n);
  for (uint64_t i = 0; i < n; ++i) {
    tokens_.push_back(numbers[4 * i]);
    bytes_.push_back(numbers[4 * i + 1]);
    if (!report_.empty()) {
      doc_file_.push_back(static_cast<uint32_t>(numbers[4 * i + 2]));
      doc_line_.push_back(numbers[4 * i + 3]);
    }
  }
  synced_ = n;
}

absl::Status NearDedupStage::AppendNumbers(bool sync) {
  const std::filesystem::path numbers = path_.parent_path() / kNearDocsFile;
  std::vector<uint64_t> add;
  for (uint64_t i = synced_ - first_; i < tokens_.size(); ++i) {
    const bool where = !report_.empty();
    add.insert(add.end(), {tokens_[i], bytes_[i], where ? doc_file_[i] : 0, where ? doc_line_[i] : 0});
  }
  std::FILE* n = std::fopen(numbers.c_str(), "ab");
  if (n == nullptr) return base::ErrnoError(numbers, "cannot open", errno);
  // (fwrite of nothing from an empty vector's null pointer is undefined: skip it)
  absl::Status s = add.empty() || std::fwrite(add.data(), sizeof(uint64_t), add.size(), n) == add.size()
                       ? (sync ? base::FlushAndSync(n, numbers) : absl::OkStatus())
                       : base::ErrnoError(numbers, "write failed", errno);
  if (std::fclose(n) != 0 && s.ok()) s = base::ErrnoError(numbers, "close failed", errno);
  RWKVKIT_RETURN_IF_ERROR(s);
  synced_ = documents();
  return absl::OkStatus();
}

absl::Status NearDedupStage::Sync() {
  RWKVKIT_RETURN_IF_ERROR(AppendNumbers(true));
  return base::FlushAndSync(file_, path_);
}

absl::Status NearDedupStage::Release() {
  RWKVKIT_RETURN_IF_ERROR(AppendNumbers(false));
  first_ = synced_;
  tokens_.clear();
  bytes_.clear();
  doc_file_.clear();
  doc_line_.clear();
  return absl::OkStatus();
}

NearDedupStage::NearDedupStage(NearDedupStage&& o) noexcept
    : path_(std::move(o.path_)), file_(o.file_), config_(o.config_), report_(std::move(o.report_)),
      tokens_(std::move(o.tokens_)), bytes_(std::move(o.bytes_)), doc_file_(std::move(o.doc_file_)),
      doc_line_(std::move(o.doc_line_)), synced_(o.synced_), first_(o.first_),
      group_starts_(std::move(o.group_starts_)) {
  o.file_ = nullptr;
}

NearDedupStage::~NearDedupStage() {
  if (file_ != nullptr) std::fclose(file_);
}

absl::Status NearDedupStage::Add(std::span<const uint64_t> signature, uint64_t tokens, uint64_t bytes_out,
                                 uint32_t file, uint64_t line) {
  if (signature.size() != static_cast<size_t>(config_.num_hashes()))
    return absl::InternalError(absl::StrCat("signature of ", signature.size(), " values, want ", config_.num_hashes()));
  if (std::fwrite(signature.data(), sizeof(uint64_t), signature.size(), file_) != signature.size())
    return base::ErrnoError(path_, "write failed", errno);
  tokens_.push_back(tokens);
  bytes_.push_back(bytes_out);
  // Every 8192 signatures (7 MB) the kernel starts writing out what stdio has handed it (see
  // SpillWriter::Append).
  if (tokens_.size() % 8192 == 0) base::StartWriteBack(fileno(file_));
  if (!report_.empty()) {
    doc_file_.push_back(file);
    doc_line_.push_back(line);
  }
  return absl::OkStatus();
}

void NearDedupStage::NoteRowGroup(uint32_t file, int64_t row_group, uint64_t first_row) {
  if (report_.empty()) return;
  if (group_starts_.size() <= file) group_starts_.resize(file + 1);
  std::vector<GroupStart>& g = group_starts_[file];
  if (g.empty() || g.back().row_group != row_group) g.push_back(GroupStart{first_row, row_group});
}

std::vector<uint64_t> NearDedupStage::RowGroupRecords() const {
  std::vector<uint64_t> out;
  for (uint32_t file = 0; file < group_starts_.size(); ++file)
    for (const GroupStart& g : group_starts_[file])
      out.insert(out.end(), {file, static_cast<uint64_t>(g.row_group), g.first_row});
  return out;
}

absl::StatusOr<dedup::LshStats> NearDedupStage::Apply(std::vector<DocMeta>& meta, std::vector<SourceCounts>& counts,
                                               const std::vector<InputFile>& files, const Manifest& manifest) {
  if (std::fflush(file_) != 0) return base::ErrnoError(path_, "write failed", errno);
  const uint64_t n = tokens_.size();
  if (meta.size() != n || first_ != 0) return absl::InternalError("near-dedup: metadata and signatures disagree");
  const StoredDocSource doc = [&](uint64_t i) -> absl::StatusOr<StoredDoc> {
    const bool where = !report_.empty();
    return StoredDoc{tokens_[i], bytes_[i], where ? doc_file_[i] : 0, where ? doc_line_[i] : 0, meta[i]};
  };
  if (n == 0) {
    RWKVKIT_RETURN_IF_ERROR(ApplyRemoved({}, nullptr, doc, counts, files, manifest));
    return dedup::LshStats{};
  }
  const size_t bytes = n * static_cast<size_t>(config_.num_hashes()) * sizeof(uint64_t);
  const int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return base::ErrnoError(path_, "cannot open", errno);
  void* map = ::mmap(nullptr, bytes, PROT_READ, MAP_PRIVATE, fd, 0);
  ::close(fd);
  if (map == MAP_FAILED) return base::ErrnoError(path_, "cannot map", errno);
  const auto* signatures = static_cast<const uint64_t*>(map);
  const uint64_t h = static_cast<uint64_t>(config_.num_hashes());
  const dedup::SignatureSource source = [signatures, h](uint64_t d) { return signatures + d * h; };
  absl::StatusOr<dedup::LshResult> r = dedup::ClusterNearDuplicates(config_, n, signatures);
  const absl::Status applied = r.ok() ? ApplyRemoved(r->removed, source, doc, counts, files, manifest) : r.status();
  ::munmap(map, bytes);
  if (!applied.ok()) return applied;
  for (const dedup::RemovedDoc& x : r->removed) meta[x.doc].copies = 0;
  return r->stats;
}

void NearDedupStage::RemoveFiles(const std::filesystem::path& work) {
  std::error_code ec;
  std::filesystem::remove(work / kSignaturesFile, ec);
  std::filesystem::remove(work / kNearDocsFile, ec);
}

NearDedupStage NearDedupStage::ForTasks(const dedup::MinHashConfig& config, std::filesystem::path report) {
  return NearDedupStage({}, nullptr, config, std::move(report));
}

// The report: one JSON line per removed document, in input order, published atomically
// (base/file_io.h), so a report that exists is complete.
absl::Status NearDedupStage::ApplyRemoved(std::span<const dedup::RemovedDoc> removed,
                                          const dedup::SignatureSource& signatures, const StoredDocSource& doc,
                                          std::vector<SourceCounts>& counts, const std::vector<InputFile>& files,
                                          const Manifest& manifest) const {
  std::optional<base::AtomicFileWriter> out;
  if (!report_.empty()) {
    RWKVKIT_ASSIGN_OR_RETURN(base::AtomicFileWriter w, base::AtomicFileWriter::Create(report_));
    out.emplace(std::move(w));
  }
  const size_t h = static_cast<size_t>(config_.num_hashes());
  auto where = [&](base::JsonWriter& w, const StoredDoc& d) -> absl::Status {
    if (d.file >= files.size()) return absl::DataLossError(absl::StrCat("near-dedup: no input file ", d.file));
    const InputFile& f = files[d.file];
    w.Key("source").String(manifest.sources[f.source].name).Key("file").String(f.path.string());
    const uint64_t line = d.line;
    if (d.file < group_starts_.size() && !group_starts_[d.file].empty()) {  // a Parquet row
      const std::vector<GroupStart>& g = group_starts_[d.file];
      auto it = std::upper_bound(g.begin(), g.end(), line,
                                 [](uint64_t row, const GroupStart& start) { return row < start.first_row; });
      w.Key("row").Uint(line);
      if (it != g.begin()) {  // a build resumed from a checkpoint may not have seen the row's group
        const GroupStart& start = *(it - 1);
        w.Key("row_group").Int(start.row_group).Key("row_in_group").Uint(line - start.first_row);
      }
    } else if (line == 0) {
      w.Key("line").Null();
    } else {
      w.Key("line").Uint(line);
    }
    return absl::OkStatus();
  };
  std::vector<uint64_t> sig(h);
  for (const dedup::RemovedDoc& x : removed) {
    RWKVKIT_ASSIGN_OR_RETURN(const StoredDoc d, doc(x.doc));
    if (d.meta.source >= counts.size()) return absl::DataLossError("near-dedup: a document's source is out of range");
    if (out) {
      RWKVKIT_ASSIGN_OR_RETURN(const StoredDoc keep, doc(x.keep));
      std::memcpy(sig.data(), signatures(x.doc), h * sizeof(uint64_t));  // the source may reuse its buffer
      const double jaccard = dedup::EstimateJaccard(sig.data(), signatures(x.keep), h);
      base::JsonWriter w;
      w.BeginObject();
      RWKVKIT_RETURN_IF_ERROR(where(w, d));
      w.Key("kept").BeginObject();
      RWKVKIT_RETURN_IF_ERROR(where(w, keep));
      w.EndObject().Key("jaccard").Significant(jaccard, 6).EndObject().Text("\n");
      RWKVKIT_RETURN_IF_ERROR(out->Append(w.str()));  // on failure `out` removes its temporary file
    }
    SourceCounts& c = counts[d.meta.source];
    ++c.dropped["near_duplicate"];
    c.documents_kept -= 1;
    c.documents_written -= d.meta.copies;
    c.tokens -= d.tokens * d.meta.copies;
    c.bytes_out -= d.bytes;
  }
  return out ? out->Commit() : absl::OkStatus();
}

}  // namespace rwkvkit::corpus::build

// corpus/near_dedup_stage.cc — see near_dedup_stage.h.
#include "corpus/near_dedup_stage.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace rwkvkit::corpus {
namespace {

absl::Status IoError(const std::filesystem::path& p, std::string_view what) {
  return absl::UnavailableError(absl::StrCat(p.string(), ": ", std::string(what), " (", std::strerror(errno), ")"));
}

}  // namespace

absl::StatusOr<NearDedupStage> NearDedupStage::Create(const std::filesystem::path& work, const MinHashConfig& config) {
  if (absl::Status s = config.Validate(); !s.ok()) return s;
  const std::filesystem::path p = work / "signatures.u64";
  std::FILE* f = std::fopen(p.c_str(), "wb");
  if (f == nullptr) return IoError(p, "cannot create");
  return NearDedupStage(p, f, config);
}

NearDedupStage::NearDedupStage(NearDedupStage&& o) noexcept
    : path_(std::move(o.path_)), file_(o.file_), config_(o.config_), tokens_(std::move(o.tokens_)),
      bytes_(std::move(o.bytes_)) {
  o.file_ = nullptr;
}

NearDedupStage::~NearDedupStage() {
  if (file_ != nullptr) std::fclose(file_);
}

absl::Status NearDedupStage::Add(std::span<const uint64_t> signature, uint64_t tokens, uint64_t bytes_out) {
  if (signature.size() != static_cast<size_t>(config_.num_hashes()))
    return absl::InternalError(absl::StrCat("signature of ", signature.size(), " values, want ", config_.num_hashes()));
  if (std::fwrite(signature.data(), sizeof(uint64_t), signature.size(), file_) != signature.size())
    return IoError(path_, "write failed");
  tokens_.push_back(tokens);
  bytes_.push_back(bytes_out);
  return absl::OkStatus();
}

absl::StatusOr<LshStats> NearDedupStage::Apply(std::vector<DocMeta>& meta, std::vector<SourceCounts>& counts) {
  if (std::fflush(file_) != 0) return IoError(path_, "write failed");
  const uint64_t n = tokens_.size();
  if (meta.size() != n) return absl::InternalError("near-dedup: metadata and signatures disagree");
  if (n == 0) return LshStats{};
  const size_t bytes = n * static_cast<size_t>(config_.num_hashes()) * sizeof(uint64_t);
  const int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return IoError(path_, "cannot open");
  void* map = ::mmap(nullptr, bytes, PROT_READ, MAP_PRIVATE, fd, 0);
  ::close(fd);
  if (map == MAP_FAILED) return IoError(path_, "cannot map");
  absl::StatusOr<LshResult> r = ClusterNearDuplicates(config_, n, static_cast<const uint64_t*>(map));
  ::munmap(map, bytes);
  if (!r.ok()) return r.status();
  for (uint64_t i = 0; i < n; ++i) {
    if (r->representative[i] == i) continue;
    DocMeta& m = meta[i];
    SourceCounts& c = counts[m.source];
    ++c.dropped["near_duplicate"];
    c.documents_kept -= 1;
    c.documents_written -= m.copies;
    c.tokens -= tokens_[i] * m.copies;
    c.bytes_out -= bytes_[i];
    m.copies = 0;
  }
  return r->stats;
}

}  // namespace rwkvkit::corpus

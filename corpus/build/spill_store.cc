// corpus/build/spill_store.cc — see spill_store.h.
#include "corpus/build/spill_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <utility>

#include "absl/strings/str_cat.h"
#include "base/file_io.h"
#include "base/status_macros.h"
#include "corpus/build/work_files.h"

namespace rwkvkit::corpus::build {
namespace {

// How far a reader going forward reads at once: 1 MiB of tokens.
constexpr uint64_t kReadAheadTokens = (uint64_t{1} << 20) / sizeof(uint16_t);

absl::Status SyncClose(std::FILE*& f, const std::filesystem::path& p) {
  if (f == nullptr) return absl::OkStatus();
  absl::Status s = base::FlushAndSync(f, p);
  if (std::fclose(std::exchange(f, nullptr)) != 0 && s.ok()) s = base::ErrnoError(p, "close failed", errno);
  return s;
}

// Opens a store's token and document files: mode "wb" starts a store, "ab" goes on with one.
absl::StatusOr<std::pair<std::FILE*, std::FILE*>> OpenFiles(const std::filesystem::path& dir, const char* mode) {
  const char* what = mode[0] == 'w' ? "cannot create" : "cannot open";
  std::FILE* t = std::fopen((dir / kTokensFile).c_str(), mode);
  if (t == nullptr) return base::ErrnoError(dir / kTokensFile, what, errno);
  std::FILE* d = std::fopen((dir / kDocsFile).c_str(), mode);
  if (d == nullptr) {
    const absl::Status error = base::ErrnoError(dir / kDocsFile, what, errno);
    std::fclose(t);
    return error;
  }
  std::setvbuf(t, nullptr, _IOFBF, 1 << 20);
  return std::make_pair(t, d);
}

}  // namespace

bool SpillComplete(const std::filesystem::path& dir) {
  std::error_code ec;
  return std::filesystem::exists(dir / kSpillDoneFile, ec);
}

absl::StatusOr<SpillWriter> SpillWriter::Create(const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  std::filesystem::remove(dir / kSpillDoneFile, ec);
  absl::StatusOr<std::pair<std::FILE*, std::FILE*>> files = OpenFiles(dir, "wb");
  if (!files.ok()) return files.status();
  return SpillWriter(dir, files->first, files->second);
}

absl::StatusOr<SpillWriter> SpillWriter::Reopen(const std::filesystem::path& dir, uint64_t documents, uint64_t tokens) {
  std::error_code ec;
  std::filesystem::remove(dir / kSpillDoneFile, ec);
  const uint64_t token_bytes = std::filesystem::file_size(dir / kTokensFile, ec);
  const uint64_t doc_bytes = ec ? 0 : std::filesystem::file_size(dir / kDocsFile, ec);
  uint64_t last_end = 0;
  if (documents > 0) {
    std::ifstream d(dir / kDocsFile, std::ios::binary);
    d.seekg(static_cast<std::streamoff>((documents - 1) * sizeof(uint64_t)));
    d.read(reinterpret_cast<char*>(&last_end), sizeof last_end);
  }
  if (ec || token_bytes < tokens * sizeof(uint16_t) || doc_bytes < documents * sizeof(uint64_t) || last_end != tokens)
    return absl::DataLossError(absl::StrCat(dir.string(), ": the token store is shorter than its checkpoint"));
  std::filesystem::resize_file(dir / kTokensFile, tokens * sizeof(uint16_t), ec);
  if (!ec) std::filesystem::resize_file(dir / kDocsFile, documents * sizeof(uint64_t), ec);
  if (ec) return absl::UnavailableError(absl::StrCat(dir.string(), ": cannot cut the token store back (", ec.message(), ")"));
  absl::StatusOr<std::pair<std::FILE*, std::FILE*>> files = OpenFiles(dir, "ab");
  if (!files.ok()) return files.status();
  SpillWriter w(dir, files->first, files->second);
  w.documents_ = documents;
  w.end_ = tokens;
  return w;
}

absl::Status SpillWriter::Sync() {
  RWKVKIT_RETURN_IF_ERROR(base::FlushAndSync(tokens_, dir_ / kTokensFile));
  return base::FlushAndSync(docs_, dir_ / kDocsFile);
}

SpillWriter::SpillWriter(SpillWriter&& o) noexcept
    : dir_(std::move(o.dir_)), tokens_(o.tokens_), docs_(o.docs_), documents_(o.documents_), end_(o.end_) {
  o.tokens_ = nullptr;
  o.docs_ = nullptr;
}

SpillWriter::~SpillWriter() {
  if (tokens_ != nullptr) std::fclose(tokens_);
  if (docs_ != nullptr) std::fclose(docs_);
}

absl::Status SpillWriter::Append(std::span<const uint16_t> tokens) {
  // The ids go out as little-endian uint16: the host order on every platform we build for.
  if (!tokens.empty() && std::fwrite(tokens.data(), sizeof(uint16_t), tokens.size(), tokens_) != tokens.size())
    return base::ErrnoError(dir_ / kTokensFile, "write failed", errno);
  end_ += tokens.size();
  if (std::fwrite(&end_, sizeof end_, 1, docs_) != 1) return base::ErrnoError(dir_ / kDocsFile, "write failed", errno);
  ++documents_;
  // Every few thousand documents (a few MB of tokens) the kernel starts writing out what stdio
  // has handed it, so that a checkpoint's or Finish's fsync, which the pipeline's serial output
  // stage waits for, finds little left.
  if (documents_ % 4096 == 0) {
    base::StartWriteBack(fileno(tokens_));
    base::StartWriteBack(fileno(docs_));
  }
  return absl::OkStatus();
}

absl::Status SpillWriter::Finish() {
  if (absl::Status s = SyncClose(tokens_, dir_ / kTokensFile); !s.ok()) return s;
  if (absl::Status s = SyncClose(docs_, dir_ / kDocsFile); !s.ok()) return s;
  return base::WriteFileAtomically(dir_ / kSpillDoneFile, absl::StrCat(documents_, "\n"));
}

absl::StatusOr<SpillReader> SpillReader::Open(const std::filesystem::path& dir) { return OpenParts({dir}); }

absl::StatusOr<SpillReader> SpillReader::OpenParts(const std::vector<std::filesystem::path>& dirs) {
  return OpenStores(dirs, /*with_documents=*/true);
}

absl::StatusOr<SpillReader> SpillReader::OpenTokensOnly(const std::vector<std::filesystem::path>& dirs) {
  return OpenStores(dirs, /*with_documents=*/false);
}

absl::StatusOr<SpillReader> SpillReader::OpenStores(const std::vector<std::filesystem::path>& dirs,
                                                    bool with_documents) {
  SpillReader r;
  for (const std::filesystem::path& dir : dirs) {
    if (!SpillComplete(dir))
      return absl::FailedPreconditionError(absl::StrCat(dir.string(), ": token store is incomplete"));
    Part part;
    part.path = dir / kTokensFile;
    if (with_documents) {
      part.first_doc = r.ends_.size();
      part.token_base = r.ends_.empty() ? 0 : r.ends_.back();
      std::ifstream d(dir / kDocsFile, std::ios::binary);
      uint64_t e = 0;
      while (d.read(reinterpret_cast<char*>(&e), sizeof e)) r.ends_.push_back(part.token_base + e);
    }
    part.fd = ::open(part.path.c_str(), O_RDONLY | O_CLOEXEC);
    if (part.fd < 0) return base::ErrnoError(part.path, "cannot open", errno);
    r.parts_.push_back(std::move(part));  // closed by r from here on
    if (!with_documents) continue;
    // A token store cut short (or grown) is refused before any document of it is read.
    const Part& p = r.parts_.back();
    struct stat st {};
    if (::fstat(p.fd, &st) != 0) return base::ErrnoError(p.path, "cannot stat", errno);
    const uint64_t tokens = r.ends_.size() == p.first_doc ? 0 : r.ends_.back() - p.token_base;
    if (static_cast<uint64_t>(st.st_size) != tokens * sizeof(uint16_t))
      return absl::DataLossError(absl::StrCat(p.path.string(), ": ", st.st_size, " bytes, but ", kDocsFile,
                                              " ends at token ", tokens, " (", tokens * sizeof(uint16_t),
                                              " bytes): the token store is damaged"));
  }
  return r;
}

SpillReader::SpillReader(SpillReader&& o) noexcept : parts_(std::move(o.parts_)), ends_(std::move(o.ends_)) {
  o.parts_.clear();
}

SpillReader::~SpillReader() {
  for (const Part& p : parts_)
    if (p.fd >= 0) ::close(p.fd);
}

std::pair<size_t, uint64_t> SpillReader::Location(uint64_t i) const {
  const auto it = std::upper_bound(parts_.begin(), parts_.end(), i,
                                   [](uint64_t doc, const Part& p) { return doc < p.first_doc; }) - 1;
  return {static_cast<size_t>(it - parts_.begin()), (i == 0 ? 0 : ends_[i - 1]) - it->token_base};
}

absl::StatusOr<std::span<const uint16_t>> SpillReader::Read(uint64_t i, Window& w) const {
  const auto [part, offset] = Location(i);
  return ReadTokens(part, offset, DocumentTokens(i), w);
}

absl::StatusOr<std::span<const uint16_t>> SpillReader::ReadTokens(size_t part_index, uint64_t offset, uint64_t count,
                                                                  Window& w) const {
  const Part& part = parts_[part_index];
  const uint64_t w_end = w.begin + w.tokens.size();
  if (w.part == part_index && offset >= w.begin && count <= w_end - w.begin && offset - w.begin <= w_end - w.begin - count)
    return std::span<const uint16_t>(w.tokens.data() + (offset - w.begin), count);
  // Forward from the last read (gaps of documents left out included): read ahead.
  const bool ahead = w.part == part_index && offset >= w_end && offset - w_end <= kReadAheadTokens;
  const uint64_t want = ahead ? std::max<uint64_t>(count, kReadAheadTokens) : count;
  w.part = SIZE_MAX;  // nothing valid until the read succeeds
  w.tokens.resize(want);
  const size_t bytes = want * sizeof(uint16_t), need = count * sizeof(uint16_t);
  const uint64_t at = offset * sizeof(uint16_t);
  char* dst = reinterpret_cast<char*>(w.tokens.data());
  size_t done = 0;
  while (done < bytes) {
    const ssize_t r = ::pread(part.fd, dst + done, bytes - done, static_cast<off_t>(at + done));
    if (r < 0 && errno == EINTR) continue;
    if (r == 0 && done >= need) break;  // the read-ahead ran into the end of the file
    if (r <= 0) return absl::DataLossError(absl::StrCat(part.path.string(), "@", at + done, ": short read"));
    done += static_cast<size_t>(r);
  }
  w.tokens.resize(done / sizeof(uint16_t));
  w.part = part_index;
  w.begin = offset;
  return std::span<const uint16_t>(w.tokens.data(), count);
}

}  // namespace rwkvkit::corpus::build

// corpus/binidx/shard_merge.cc — joins shards into one (shard_merge.h).
#include "corpus/binidx/shard_merge.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "corpus/binidx/binidx_format.h"
#include "base/file_io.h"
#include "corpus/binidx/shard_reader.h"
#include "corpus/binidx/shard_writer.h"

namespace rwkvkit::binidx {
namespace {

namespace fs = std::filesystem;

constexpr uint64_t kCopyChunk = uint64_t{256} << 20;  // bytes per copy call (progress granularity)
constexpr size_t kSectionBuffer = 1 << 20;

// What pass 1 learns of a shard; pass 2 insists it is still so.
struct Part {
  uint64_t sequences = 0, documents = 0, tokens = 0;
  bool operator==(const Part&) const = default;
};

// Buffered little-endian writes to one section of the .idx, at a known offset (pwrite), so
// the three arrays fill in one pass over the shards.
class SectionWriter {
 public:
  SectionWriter(int fd, const fs::path& path, uint64_t offset) : fd_(fd), path_(path), offset_(offset) {
    buf_.reserve(kSectionBuffer);
  }
  template <typename T>
  absl::Status Put(T v) {
    char b[sizeof(T)];
    StoreLE<T>(v, b);
    buf_.append(b, sizeof(T));
    return buf_.size() >= kSectionBuffer ? Flush() : absl::OkStatus();
  }
  absl::Status Flush() {
    size_t done = 0;
    while (done < buf_.size()) {
      const ssize_t w = ::pwrite(fd_, buf_.data() + done, buf_.size() - done, static_cast<off_t>(offset_ + done));
      if (w < 0 && errno == EINTR) continue;
      if (w < 0) return base::ErrnoError(path_, absl::StrCat("write at byte ", offset_ + done, " failed"), errno);
      done += static_cast<size_t>(w);
    }
    offset_ += buf_.size();
    buf_.clear();
    return absl::OkStatus();
  }

 private:
  int fd_;
  const fs::path& path_;
  uint64_t offset_;
  std::string buf_;
};

// Copies `n` bytes of `in` (from 0) to `out` at `out_off`: copy_file_range, else pread/pwrite.
absl::Status CopyBytes(int in, const fs::path& in_path, int out, const fs::path& out_path, uint64_t n, uint64_t out_off,
                       const std::function<void(uint64_t)>& advanced) {
  loff_t src = 0, dst = static_cast<loff_t>(out_off);
  bool kernel_copy = true;
  std::string buf;
  while (static_cast<uint64_t>(src) < n) {
    const size_t want = static_cast<size_t>(std::min<uint64_t>(kCopyChunk, n - static_cast<uint64_t>(src)));
    ssize_t got = -1;
    if (kernel_copy) {
      got = ::copy_file_range(in, &src, out, &dst, want, 0);
      if (got < 0 && (errno == EXDEV || errno == EINVAL || errno == ENOSYS || errno == EOPNOTSUPP)) {
        kernel_copy = false;  // another filesystem or no support: copy through user space
        continue;
      }
      if (got < 0 && errno == EINTR) continue;
      if (got < 0) return base::ErrnoError(out_path, absl::StrCat("copy from ", in_path.string(), " failed"), errno);
    } else {
      buf.resize(std::min<size_t>(want, 8 << 20));
      RWKVKIT_RETURN_IF_ERROR(base::PreadAll(in, buf.data(), buf.size(), static_cast<uint64_t>(src), in_path));
      size_t done = 0;
      while (done < buf.size()) {
        const ssize_t w = ::pwrite(out, buf.data() + done, buf.size() - done, static_cast<off_t>(dst + done));
        if (w < 0 && errno == EINTR) continue;
        if (w < 0) return base::ErrnoError(out_path, "write failed", errno);
        done += static_cast<size_t>(w);
      }
      got = static_cast<ssize_t>(buf.size());
      src += got;
      dst += got;
    }
    if (got == 0) {
      return absl::DataLossError(absl::StrCat(in_path.string(), "@", src, ": file ends early (saw end of file, expected ",
                                              n - static_cast<uint64_t>(src), " more bytes)"));
    }
    advanced(static_cast<uint64_t>(got));
  }
  return absl::OkStatus();
}

// The temporary output: two files, locked, removed unless Publish() succeeded.
class TempOutput {
 public:
  explicit TempOutput(fs::path prefix) : prefix_(std::move(prefix)), bin_(BinPath(prefix_)), idx_(IdxPath(prefix_)) {}
  TempOutput(const TempOutput&) = delete;
  TempOutput& operator=(const TempOutput&) = delete;
  ~TempOutput() {
    if (bin_fd_ >= 0) ::close(bin_fd_);
    if (idx_fd_ >= 0) ::close(idx_fd_);
    if (created_ && !published_) {
      ::unlink(bin_.c_str());
      ::unlink(idx_.c_str());
    }
  }

  // Opens both files without truncating, takes the lock, then truncates.
  absl::Status Create() {
    bin_fd_ = ::open(bin_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (bin_fd_ < 0) return base::ErrnoError(bin_, "cannot create", errno);
    if (::flock(bin_fd_, LOCK_EX | LOCK_NB) != 0) {
      ::close(std::exchange(bin_fd_, -1));
      return absl::FailedPreconditionError(
          absl::StrCat(bin_.string(), ": another merge is writing this output (locked)"));
    }
    created_ = true;
    if (::ftruncate(bin_fd_, 0) != 0) return base::ErrnoError(bin_, "cannot truncate", errno);
    RWKVKIT_ASSIGN_OR_RETURN(idx_fd_, base::CreateForWrite(idx_));
    return absl::OkStatus();
  }

  absl::Status SyncAndClose() {
    RWKVKIT_RETURN_IF_ERROR(base::Fsync(bin_fd_, bin_));
    RWKVKIT_RETURN_IF_ERROR(base::Fsync(idx_fd_, idx_));
    RWKVKIT_RETURN_IF_ERROR(base::CloseFd(std::exchange(idx_fd_, -1), idx_));
    return absl::OkStatus();  // the .bin stays open: it holds the lock until the renames
  }

  // .bin first: a crash between the renames leaves a .bin without its .idx, which no reader
  // accepts, never an .idx describing another .bin.
  absl::Status Publish(const fs::path& out_prefix) {
    RWKVKIT_RETURN_IF_ERROR(base::Rename(bin_, BinPath(out_prefix)));
    if (absl::Status s = base::Rename(idx_, IdxPath(out_prefix)); !s.ok()) {
      ::unlink(BinPath(out_prefix).c_str());
      return s;
    }
    published_ = true;
    return base::FsyncDir(out_prefix.parent_path());
  }

  const fs::path& prefix() const { return prefix_; }
  const fs::path& bin() const { return bin_; }
  const fs::path& idx() const { return idx_; }
  int bin_fd() const { return bin_fd_; }
  int idx_fd() const { return idx_fd_; }

 private:
  fs::path prefix_, bin_, idx_;
  int bin_fd_ = -1, idx_fd_ = -1;
  bool created_ = false, published_ = false;
};

// Pass 1: open every shard (full validation); one dtype for all.
absl::Status Survey(const std::vector<fs::path>& shards, std::vector<Part>& parts, uint8_t& dtype) {
  for (size_t i = 0; i < shards.size(); ++i) {
    RWKVKIT_ASSIGN_OR_RETURN(ShardReader r, ShardReader::Open(shards[i]));
    if (i == 0) dtype = r.dtype_code();
    if (r.dtype_code() != dtype) {
      const int a = dtype, b = r.dtype_code();
      return absl::FailedPreconditionError(absl::StrCat(
          r.idx_path().string(), "@", kDtypeOffset, ": dtype code ", b, " (", std::string(DtypeName(r.dtype_code())),
          ") differs from the first shard's (saw ", b, ", expected ", a, " = ", std::string(DtypeName(dtype)),
          "); merge shards of one dtype"));
    }
    parts.push_back(Part{r.num_sequences(), r.num_documents(), r.num_tokens()});
  }
  return absl::OkStatus();
}

// Refuses an output that exists (without overwrite) or that is one of the inputs.
absl::Status CheckOutput(const std::vector<fs::path>& shards, const fs::path& out_prefix, bool overwrite) {
  for (const fs::path& out : {BinPath(out_prefix), IdxPath(out_prefix)}) {
    std::error_code ec;
    if (!fs::exists(out, ec)) continue;
    for (const fs::path& in : shards) {
      for (const fs::path& in_file : {BinPath(in), IdxPath(in)}) {
        if (fs::equivalent(out, in_file, ec)) {
          return absl::AlreadyExistsError(
              absl::StrCat(out.string(), ": the output is one of the input shards; choose another --out"));
        }
      }
    }
    if (!overwrite) {
      return absl::AlreadyExistsError(
          absl::StrCat(out.string(), ": exists; remove it or pass --force to replace it"));
    }
  }
  return absl::OkStatus();
}

// Pass 2 for one shard: its .bin bytes, then its sizes, pointers and doc_idx entries.
absl::Status AppendShard(const fs::path& shard, const Part& want, TempOutput& out, uint64_t token_base,
                         uint64_t seq_base, SectionWriter& sizes, SectionWriter& pointers, SectionWriter& doc_idx,
                         const std::function<void(uint64_t)>& advanced) {
  RWKVKIT_ASSIGN_OR_RETURN(ShardReader r, ShardReader::Open(shard));
  if (Part{r.num_sequences(), r.num_documents(), r.num_tokens()} != want) {
    return absl::FailedPreconditionError(
        absl::StrCat(r.idx_path().string(), ": the shard changed while merging (saw ", r.num_documents(),
                     " documents and ", r.num_tokens(), " tokens, expected ", want.documents, " and ", want.tokens, ")"));
  }
  const size_t item = r.token_bytes();
  RWKVKIT_ASSIGN_OR_RETURN(int in, base::OpenForRead(r.bin_path()));
  absl::Status s = CopyBytes(in, r.bin_path(), out.bin_fd(), out.bin(), r.bin_bytes(), token_base * item, advanced);
  ::close(in);
  RWKVKIT_RETURN_IF_ERROR(s);
  for (uint64_t i = 0; i < r.num_sequences(); ++i) {
    RWKVKIT_RETURN_IF_ERROR(sizes.Put<int32_t>(static_cast<int32_t>(r.sequence_tokens(i))));
    RWKVKIT_RETURN_IF_ERROR(pointers.Put<int64_t>(static_cast<int64_t>((token_base + r.sequence_begin(i)) * item)));
  }
  // Each shard's doc_idx starts at 0, which the merged doc_idx has once, at its front.
  for (uint64_t d = 1; d <= r.num_documents(); ++d) {
    RWKVKIT_RETURN_IF_ERROR(doc_idx.Put<int64_t>(static_cast<int64_t>(seq_base + r.document_first_sequence(d))));
  }
  return absl::OkStatus();
}

absl::Status WriteHeader(TempOutput& out, uint8_t dtype, uint64_t n, uint64_t m) {
  std::string h(kMagic.data(), kMagic.size());
  char b[8];
  StoreLE<uint64_t>(kVersion, b);
  h.append(b, 8);
  h.push_back(static_cast<char>(dtype));
  StoreLE<uint64_t>(n, b);
  h.append(b, 8);
  StoreLE<uint64_t>(m, b);
  h.append(b, 8);
  SectionWriter w(out.idx_fd(), out.idx(), 0);
  for (char c : h) RWKVKIT_RETURN_IF_ERROR(w.Put<uint8_t>(static_cast<uint8_t>(c)));
  return w.Flush();
}

// The written files, reopened and fully validated, must hold exactly the sums.
absl::Status Verify(const TempOutput& out, const MergeSummary& want) {
  RWKVKIT_ASSIGN_OR_RETURN(ShardReader r, ShardReader::Open(out.prefix()));
  if (r.num_sequences() != want.sequences || r.num_documents() != want.documents || r.num_tokens() != want.tokens ||
      r.dtype_code() != want.dtype_code) {
    return absl::InternalError(absl::StrCat(out.idx().string(), ": the merged shard does not hold the inputs' sums (saw ",
                                            r.num_documents(), " documents, ", r.num_tokens(), " tokens; expected ",
                                            want.documents, ", ", want.tokens, ")"));
  }
  return absl::OkStatus();
}

}  // namespace

fs::path MergeTempPrefix(const fs::path& out_prefix) { return fs::path(out_prefix.string() + ".merging"); }

absl::StatusOr<MergeSummary> MergeShards(const std::vector<fs::path>& shards, const fs::path& out_prefix,
                                         const MergeOptions& options) {
  if (shards.empty()) return absl::InvalidArgumentError("no shards to merge");
  if (out_prefix.empty() || !out_prefix.has_filename()) {
    return absl::InvalidArgumentError(absl::StrCat("'", out_prefix.string(), "': an output prefix needs a file name"));
  }
  RWKVKIT_RETURN_IF_ERROR(CheckOutput(shards, out_prefix, options.overwrite));
  std::vector<Part> parts;
  MergeSummary sum;
  RWKVKIT_RETURN_IF_ERROR(Survey(shards, parts, sum.dtype_code));
  for (const Part& p : parts) {
    sum.sequences += p.sequences;
    sum.documents += p.documents;
    sum.tokens += p.tokens;
  }
  sum.shards = shards.size();
  const size_t item = TokenBytesOf(sum.dtype_code);
  sum.bin_bytes = sum.tokens * item;
  sum.idx_bytes = kHeaderBytes + (kSizeBytes + kPointerBytes) * sum.sequences + kDocIdxBytes * (sum.documents + 1);
  TempOutput out(MergeTempPrefix(out_prefix));
  RWKVKIT_RETURN_IF_ERROR(out.Create());
  RWKVKIT_RETURN_IF_ERROR(WriteHeader(out, sum.dtype_code, sum.sequences, sum.documents + 1));
  SectionWriter sizes(out.idx_fd(), out.idx(), SizesOffset());
  SectionWriter pointers(out.idx_fd(), out.idx(), PointersOffset(sum.sequences));
  SectionWriter doc_idx(out.idx_fd(), out.idx(), DocIdxOffset(sum.sequences));
  RWKVKIT_RETURN_IF_ERROR(doc_idx.Put<int64_t>(0));
  uint64_t copied = 0, token_base = 0, seq_base = 0;
  const auto advanced = [&](uint64_t n) {
    copied += n;
    if (options.progress) options.progress(copied, sum.bin_bytes);
  };
  for (size_t i = 0; i < shards.size(); ++i) {
    RWKVKIT_RETURN_IF_ERROR(AppendShard(shards[i], parts[i], out, token_base, seq_base, sizes, pointers, doc_idx, advanced));
    token_base += parts[i].tokens;
    seq_base += parts[i].sequences;
  }
  RWKVKIT_RETURN_IF_ERROR(sizes.Flush());
  RWKVKIT_RETURN_IF_ERROR(pointers.Flush());
  RWKVKIT_RETURN_IF_ERROR(doc_idx.Flush());
  RWKVKIT_RETURN_IF_ERROR(out.SyncAndClose());
  RWKVKIT_RETURN_IF_ERROR(Verify(out, sum));
  RWKVKIT_RETURN_IF_ERROR(out.Publish(out_prefix));
  sum.bin_path = BinPath(out_prefix);
  sum.idx_path = IdxPath(out_prefix);
  return sum;
}

}  // namespace rwkvkit::binidx

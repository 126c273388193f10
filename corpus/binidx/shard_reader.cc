// corpus/binidx/shard_reader.cc — binidx shard reader and validator (shard_reader.h).
#include "corpus/binidx/shard_reader.h"

#include <unistd.h>

#include <algorithm>
#include <bit>
#include <limits>
#include <string>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "corpus/binidx/binidx_format.h"
#include "base/file_io.h"
#include "corpus/binidx/shard_writer.h"

namespace rwkvkit::binidx {
namespace {

constexpr size_t kChunkBytes = 1 << 20;

struct IndexHeader {
  uint8_t dtype = 0;
  uint64_t n = 0;  // sequences
  uint64_t m = 0;  // doc_idx entries
};

absl::Status Corrupt(const std::filesystem::path& path, uint64_t offset, const std::string& what) {
  return absl::DataLossError(absl::StrCat(path.string(), "@", offset, ": ", what));
}

// Calls fn(i, value, byte_offset) for `count` little-endian T at `offset`, reading in chunks.
template <typename T, typename Fn>
absl::Status ForEachLE(int fd, const std::filesystem::path& path, uint64_t offset, uint64_t count, Fn fn) {
  std::string buf;
  const uint64_t per_chunk = kChunkBytes / sizeof(T);
  for (uint64_t i = 0; i < count;) {
    const uint64_t k = std::min(per_chunk, count - i);
    buf.resize(k * sizeof(T));
    RWKVKIT_RETURN_IF_ERROR(base::PreadAll(fd, buf.data(), buf.size(), offset + i * sizeof(T), path));
    for (uint64_t j = 0; j < k; ++j, ++i) {
      RWKVKIT_RETURN_IF_ERROR(fn(i, LoadLE<T>(buf.data() + j * sizeof(T)), offset + i * sizeof(T)));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckDtype(const std::filesystem::path& path, uint8_t code) {
  if (TokenBytesOf(code) != 0) return absl::OkStatus();
  const int c = code;  // StrCat would print a uint8_t as a character
  if (DtypeName(code) == "unknown") {
    return Corrupt(path, kDtypeOffset, absl::StrCat("unknown dtype code (saw ", c, ", expected 8 = uint16 or 4 = int32)"));
  }
  return absl::FailedPreconditionError(absl::StrCat(
      path.string(), "@", kDtypeOffset, ": dtype code ", c, " (", std::string(DtypeName(code)),
      ") is not supported; rwkvkit reads uint16 and int32 token shards (saw ", c, ", expected 8 = uint16 or 4 = int32)"));
}

// The .idx size must be exactly 34 + 12N + 8M.
absl::Status CheckIndexSize(const std::filesystem::path& path, const IndexHeader& h, uint64_t size) {
  if (h.m == 0) return Corrupt(path, kNumDocIdxOffset, "doc_idx count M is 0 (saw 0, expected at least 1)");
  const unsigned __int128 need = static_cast<unsigned __int128>(kHeaderBytes) +
                                 static_cast<unsigned __int128>(h.n) * (kSizeBytes + kPointerBytes) +
                                 static_cast<unsigned __int128>(h.m) * kDocIdxBytes;
  if (need == size) return absl::OkStatus();
  const std::string what = absl::StrCat("N=", h.n, " sequences and M=", h.m, " doc_idx entries");
  if (need > size) {
    const std::string need_text = need > std::numeric_limits<uint64_t>::max()
                                      ? std::string("more than 2^64")
                                      : absl::StrCat(static_cast<uint64_t>(need));
    return Corrupt(path, size, absl::StrCat("index truncated: ", what, " need ", need_text, " bytes (saw ", size,
                                            " bytes, expected ", need_text, ")"));
  }
  const uint64_t extra = size - static_cast<uint64_t>(need);
  return Corrupt(path, static_cast<uint64_t>(need),
                 absl::StrCat(extra, " trailing bytes after doc_idx for ", what,
                              extra == h.n ? " (a Megatron multimodal sequence_modes array?)" : "", " (saw ",
                              size, " bytes, expected ", static_cast<uint64_t>(need), ")"));
}

absl::StatusOr<IndexHeader> ReadHeader(int fd, const std::filesystem::path& path, uint64_t size) {
  if (size < kHeaderBytes) {
    return Corrupt(path, size,
                   absl::StrCat("index header truncated (saw ", size, " bytes, expected at least ", kHeaderBytes, ")"));
  }
  char b[kHeaderBytes];
  RWKVKIT_RETURN_IF_ERROR(base::PreadAll(fd, b, kHeaderBytes, 0, path));
  if (std::string_view(b, kMagic.size()) != std::string_view(kMagic.data(), kMagic.size())) {
    return Corrupt(path, 0,
                   absl::StrCat("bad magic, not a binidx index (saw \"", absl::CHexEscape(std::string(b, kMagic.size())),
                                "\", expected \"MMIDIDX\\x00\\x00\")"));
  }
  const uint64_t version = LoadLE<uint64_t>(b + kVersionOffset);
  if (version != kVersion) {
    return Corrupt(path, kVersionOffset, absl::StrCat("unsupported index version (saw ", version, ", expected 1)"));
  }
  IndexHeader h;
  h.dtype = LoadLE<uint8_t>(b + kDtypeOffset);
  RWKVKIT_RETURN_IF_ERROR(CheckDtype(path, h.dtype));
  h.n = LoadLE<uint64_t>(b + kNumSequencesOffset);
  h.m = LoadLE<uint64_t>(b + kNumDocIdxOffset);
  RWKVKIT_RETURN_IF_ERROR(CheckIndexSize(path, h, size));
  return h;
}

// sizes >= 0 and pointers = prefix sums of sizes*itemsize from 0; fills token offsets (N+1 entries).
absl::Status ReadSequences(int fd, const std::filesystem::path& path, uint64_t n, size_t itemsize,
                           std::vector<uint64_t>& offsets) {
  std::vector<int32_t> sizes;
  sizes.reserve(n);
  RWKVKIT_RETURN_IF_ERROR(ForEachLE<int32_t>(fd, path, SizesOffset(), n, [&](uint64_t i, int32_t v, uint64_t at) {
    if (v < 0) return Corrupt(path, at, absl::StrCat("sizes[", i, "] is negative (saw ", v, ", expected >= 0)"));
    sizes.push_back(v);
    return absl::OkStatus();
  }));
  offsets.assign(1, 0);
  offsets.reserve(n + 1);
  RWKVKIT_RETURN_IF_ERROR(ForEachLE<int64_t>(fd, path, PointersOffset(n), n, [&](uint64_t i, int64_t v, uint64_t at) {
    const uint64_t want = offsets.back() * itemsize;
    if (v < 0 || static_cast<uint64_t>(v) != want) {
      return Corrupt(path, at,
                     absl::StrCat("pointers[", i, "] is not the byte offset of sequence ", i,
                                  i == 0 ? "" : absl::StrCat(" (the sum of the earlier sizes * ", itemsize, ")"),
                                  " (saw ", v, ", expected ", want, ")"));
    }
    offsets.push_back(offsets.back() + static_cast<uint64_t>(sizes[i]));
    return absl::OkStatus();
  }));
  return absl::OkStatus();
}

// doc_idx: starts at 0, non-decreasing, ends at N. Left empty when it is exactly 0..N.
absl::Status ReadDocIdx(int fd, const std::filesystem::path& path, uint64_t n, uint64_t m,
                        std::vector<uint64_t>& doc_idx) {
  std::vector<uint64_t> values;
  bool identity = m == n + 1;
  uint64_t prev = 0;
  RWKVKIT_RETURN_IF_ERROR(ForEachLE<int64_t>(fd, path, DocIdxOffset(n), m, [&](uint64_t i, int64_t v, uint64_t at) {
    if (i == 0 && v != 0) return Corrupt(path, at, absl::StrCat("doc_idx[0] (saw ", v, ", expected 0)"));
    if (v < 0 || static_cast<uint64_t>(v) < prev) {
      return Corrupt(path, at, absl::StrCat("doc_idx[", i, "] decreases (saw ", v, ", expected >= ", prev, ")"));
    }
    if (static_cast<uint64_t>(v) > n) {
      return Corrupt(path, at, absl::StrCat("doc_idx[", i, "] is past the last sequence (saw ", v, ", expected <= N = ", n, ")"));
    }
    if (i + 1 == m && static_cast<uint64_t>(v) != n) {
      return Corrupt(path, at, absl::StrCat("doc_idx[", i, "], the last entry, (saw ", v, ", expected N = ", n, ")"));
    }
    prev = static_cast<uint64_t>(v);
    identity = identity && prev == i;
    values.push_back(prev);
    return absl::OkStatus();
  }));
  if (!identity) doc_idx = std::move(values);
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<ShardReader> ShardReader::Open(const std::filesystem::path& prefix) {
  ShardReader r;
  r.idx_path_ = IdxPath(prefix);
  r.bin_path_ = BinPath(prefix);
  RWKVKIT_ASSIGN_OR_RETURN(int idx_fd, base::OpenForRead(r.idx_path_));
  absl::Status s = [&]() -> absl::Status {
    RWKVKIT_ASSIGN_OR_RETURN(r.idx_bytes_, base::FileSize(idx_fd, r.idx_path_));
    RWKVKIT_ASSIGN_OR_RETURN(IndexHeader h, ReadHeader(idx_fd, r.idx_path_, r.idx_bytes_));
    r.dtype_ = h.dtype;
    r.token_bytes_ = TokenBytesOf(h.dtype);
    RWKVKIT_RETURN_IF_ERROR(ReadSequences(idx_fd, r.idx_path_, h.n, r.token_bytes_, r.offsets_));
    RWKVKIT_RETURN_IF_ERROR(ReadDocIdx(idx_fd, r.idx_path_, h.n, h.m, r.doc_idx_));
    r.num_documents_ = h.m - 1;
    return absl::OkStatus();
  }();
  ::close(idx_fd);
  RWKVKIT_RETURN_IF_ERROR(s);
  RWKVKIT_ASSIGN_OR_RETURN(r.bin_fd_, base::OpenForRead(r.bin_path_));
  RWKVKIT_ASSIGN_OR_RETURN(const uint64_t bin_size, base::FileSize(r.bin_fd_, r.bin_path_));
  if (bin_size != r.bin_bytes()) {
    return Corrupt(r.bin_path_, std::min(bin_size, r.bin_bytes()),
                   absl::StrCat("data file size does not match the index (saw ", bin_size, " bytes, expected ",
                                r.bin_bytes(), " = pointers[N-1] + sizes[N-1]*", r.token_bytes_, ")"));
  }
  return r;
}

ShardReader::ShardReader(ShardReader&& other) noexcept
    : bin_path_(std::move(other.bin_path_)),
      idx_path_(std::move(other.idx_path_)),
      bin_fd_(std::exchange(other.bin_fd_, -1)),
      dtype_(other.dtype_),
      token_bytes_(other.token_bytes_),
      idx_bytes_(other.idx_bytes_),
      num_documents_(other.num_documents_),
      offsets_(std::move(other.offsets_)),
      doc_idx_(std::move(other.doc_idx_)) {
  other.offsets_.assign(1, 0);
}

ShardReader& ShardReader::operator=(ShardReader&& other) noexcept {
  if (this != &other) {
    if (bin_fd_ >= 0) ::close(bin_fd_);
    bin_path_ = std::move(other.bin_path_);
    idx_path_ = std::move(other.idx_path_);
    bin_fd_ = std::exchange(other.bin_fd_, -1);
    dtype_ = other.dtype_;
    token_bytes_ = other.token_bytes_;
    idx_bytes_ = other.idx_bytes_;
    num_documents_ = other.num_documents_;
    offsets_ = std::move(other.offsets_);
    doc_idx_ = std::move(other.doc_idx_);
    other.offsets_.assign(1, 0);
  }
  return *this;
}

ShardReader::~ShardReader() {
  if (bin_fd_ >= 0) ::close(bin_fd_);
}

absl::Status ShardReader::ReadRange(uint64_t first_token, uint64_t count, std::vector<uint16_t>& out) const {
  out.resize(count);
  if (count == 0) return absl::OkStatus();
  if (dtype_ == kDtypeInt32) return ReadInt32Range(first_token, count, out);
  RWKVKIT_RETURN_IF_ERROR(
      base::PreadAll(bin_fd_, out.data(), count * kTokenBytes, first_token * kTokenBytes, bin_path_));
  if constexpr (std::endian::native == std::endian::big) {
    for (uint16_t& t : out) t = LoadLE<uint16_t>(&t);
  }
  return absl::OkStatus();
}

// int32 ids, read in 1 MiB chunks and narrowed to uint16 (the World vocab's ids all fit).
absl::Status ShardReader::ReadInt32Range(uint64_t first_token, uint64_t count, std::vector<uint16_t>& out) const {
  constexpr uint64_t kPerChunk = kChunkBytes / 4;
  std::string buf;
  for (uint64_t done = 0; done < count;) {
    const uint64_t k = std::min(kPerChunk, count - done);
    buf.resize(k * 4);
    const uint64_t at = (first_token + done) * 4;
    RWKVKIT_RETURN_IF_ERROR(base::PreadAll(bin_fd_, buf.data(), buf.size(), at, bin_path_));
    for (uint64_t j = 0; j < k; ++j) {
      const int32_t v = LoadLE<int32_t>(buf.data() + j * 4);
      if (v < 0 || v > 0xFFFF) {
        return absl::FailedPreconditionError(absl::StrCat(
            bin_path_.string(), "@", at + j * 4, ": token id ", v,
            " does not fit the 65,536-id World vocab (rwkvkit reads int32 shards whose ids are 0..65535)"));
      }
      out[done + j] = static_cast<uint16_t>(v);
    }
    done += k;
  }
  return absl::OkStatus();
}

absl::Status ShardReader::ReadDocument(uint64_t i, std::vector<uint16_t>& out) const {
  if (i >= num_documents_) {
    return absl::OutOfRangeError(
        absl::StrCat(idx_path_.string(), ": document ", i, " does not exist (the shard has ", num_documents_, ")"));
  }
  const uint64_t begin = offsets_[DocBegin(i)];
  return ReadRange(begin, offsets_[DocBegin(i + 1)] - begin, out);
}

absl::Status ShardReader::ReadSequence(uint64_t i, std::vector<uint16_t>& out) const {
  if (i >= num_sequences()) {
    return absl::OutOfRangeError(
        absl::StrCat(idx_path_.string(), ": sequence ", i, " does not exist (the shard has ", num_sequences(), ")"));
  }
  return ReadRange(offsets_[i], offsets_[i + 1] - offsets_[i], out);
}

absl::Status ShardReader::ReadTokens(uint64_t first, uint64_t count, std::vector<uint16_t>& out) const {
  if (first > num_tokens() || count > num_tokens() - first) {
    return absl::OutOfRangeError(absl::StrCat(bin_path_.string(), ": tokens [", first, ", ", first, "+", count,
                                              ") are past the end (the shard has ", num_tokens(), ")"));
  }
  return ReadRange(first, count, out);
}

}  // namespace rwkvkit::binidx

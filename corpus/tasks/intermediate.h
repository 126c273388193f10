// corpus/tasks/intermediate.h — the record files the stages of a split build pass on.
//
// Fixed-size little-endian records, each file written once by one task (docs/scale_out.md
// lists every file): a read task's keyed.bin (KeyedRecord per document that passed the
// filters, duplicates included; the index is its "keyed index"), keys.<p> (KeyRecord) and
// bands.<p> (BandRecord) by partition; a dedup task's losers.u64 (task << 40 | keyed index,
// in the order of their exact keys; the cluster task sorts them)
// and buckets.u64 (per band, ascending band key: band, member count m, m members
// task << 40 | stored index, only m >= 2); the cluster task's layout.bin (LayoutRecord per
// output document) and shard_starts.u64. Partitions are key ranges (key * P / 2^64), so the
// buckets of partitions 0..P-1 in turn come in ascending key order, as one process visits them.
//
// Not thread-safe: one RecordWriter per file.
#ifndef RWKVKIT_CORPUS_TASKS_INTERMEDIATE_H_
#define RWKVKIT_CORPUS_TASKS_INTERMEDIATE_H_

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "base/file_io.h"

namespace rwkvkit::corpus::tasks {

inline constexpr int kTaskShift = 40;  // task << 40 | index: up to 2^24 tasks of 2^40 documents
inline constexpr uint64_t kIndexMask = (uint64_t{1} << kTaskShift) - 1;
inline constexpr int kBandShift = 48;  // band << 48 | stored index in BandRecord::doc

struct KeyedRecord {
  uint32_t source;
  uint32_t copies;
  uint64_t stored;  // index in the task's token store, or ExactKeyLog::kNotStored
  uint64_t tokens;  // per copy
  uint64_t bytes_out;
};
struct KeyRecord {
  uint64_t lo, hi;  // the exact-dedup key (Hash128)
  uint64_t keyed;   // keyed index
};
struct BandRecord {
  uint64_t key;
  uint64_t doc;  // band << 48 | stored index
};
// Where an output document's tokens are: read task `part`'s tokens.u16 from token `offset`.
struct LayoutRecord {
  uint32_t part;
  uint32_t source;
  uint64_t offset;
  uint64_t tokens;
};
static_assert(sizeof(KeyedRecord) == 32 && sizeof(KeyRecord) == 24 && sizeof(BandRecord) == 16 &&
              sizeof(LayoutRecord) == 24);

// The partition of a 64-bit hash among `partitions` ranges.
inline uint32_t PartitionOf(uint64_t hash, uint32_t partitions) {
  return static_cast<uint32_t>((static_cast<unsigned __int128>(hash) * partitions) >> 64);
}

std::string PartFileName(const char* stem, uint32_t partition);  // "keys.00003"

// The task layer's own intermediate files: one name each for the task that writes them, the tasks
// that read them and the done checks (task_runner.cc).
inline constexpr char kKeysStem[] = "keys";    // read task -> dedup task p: PartFileName(kKeysStem, p)
inline constexpr char kBandsStem[] = "bands";  // read task -> dedup task p: PartFileName(kBandsStem, p)
inline constexpr char kRowGroupsFile[] = "row_groups.u64";      // read task -> cluster task
inline constexpr char kShardStartsFile[] = "shard_starts.u64";  // cluster task -> write tasks
inline constexpr char kKeyedFile[] = "keyed.bin";      // read task -> cluster task
inline constexpr char kLosersFile[] = "losers.u64";    // dedup task -> cluster task
inline constexpr char kBucketsFile[] = "buckets.u64";  // dedup task -> cluster task
inline constexpr char kLayoutFile[] = "layout.bin";    // cluster task -> write tasks

// Buffered append of raw records; Close() flushes, fsyncs and reports any write error.
class RecordWriter {
 public:
  static absl::StatusOr<RecordWriter> Create(const std::filesystem::path& path);
  RecordWriter(RecordWriter&& o) noexcept : path_(std::move(o.path_)), f_(o.f_) { o.f_ = nullptr; }
  RecordWriter& operator=(RecordWriter&&) = delete;
  ~RecordWriter();
  absl::Status Write(const void* data, size_t bytes);
  // `sync`: fsync before closing (false for scratch files that a task deletes itself).
  absl::Status Close(bool sync = true);

 private:
  RecordWriter(std::filesystem::path p, std::FILE* f) : path_(std::move(p)), f_(f) {}
  std::filesystem::path path_;
  std::FILE* f_ = nullptr;
};

// The number of T records in a file; kDataLoss when it cannot be read or its size is not a
// multiple of the record size.
absl::StatusOr<uint64_t> RecordCount(const std::filesystem::path& path, size_t record_size);

// A whole file of records, read straight into the vector (kDataLoss as RecordCount).
template <typename T>
absl::StatusOr<std::vector<T>> ReadRecords(const std::filesystem::path& path) {
  absl::StatusOr<uint64_t> n = RecordCount(path, sizeof(T));
  if (!n.ok()) return n.status();
  std::vector<T> out(*n);
  if (out.empty()) return out;
  std::ifstream in(path, std::ios::binary);
  if (!in.read(reinterpret_cast<char*>(out.data()), static_cast<std::streamsize>(out.size() * sizeof(T))))
    return absl::DataLossError(path.string() + ": short read");
  return out;
}

// RecordReader
// A file of T records read one at a time through a buffer of about `buffer_bytes`, so memory
// does not grow with the file (kDataLoss as RecordCount, or on a short read; base/file_io errors).
template <typename T>
class RecordReader {
 public:
  static absl::StatusOr<RecordReader> Open(const std::filesystem::path& path, size_t buffer_bytes = size_t{1} << 20) {
    absl::StatusOr<uint64_t> n = RecordCount(path, sizeof(T));
    if (!n.ok()) return n.status();
    std::FILE* f = std::fopen(path.c_str(), "rb");
    if (f == nullptr) return absl::DataLossError(path.string() + ": cannot open");
    return RecordReader(path, f, *n, std::max<size_t>(1, buffer_bytes / sizeof(T)));
  }
  RecordReader(RecordReader&& o) noexcept
      : path_(std::move(o.path_)), f_(o.f_), left_(o.left_), buf_(std::move(o.buf_)), at_(o.at_), end_(o.end_) {
    o.f_ = nullptr;
  }
  RecordReader& operator=(RecordReader&&) = delete;
  ~RecordReader() {
    if (f_ != nullptr) std::fclose(f_);
  }
  // The next record into `x`; false after the last.
  absl::StatusOr<bool> Next(T& x) {
    if (at_ == end_) {
      if (left_ == 0) return false;
      const size_t want = static_cast<size_t>(std::min<uint64_t>(left_, buf_.size()));
      if (std::fread(buf_.data(), sizeof(T), want, f_) != want) return absl::DataLossError(path_.string() + ": short read");
      left_ -= want;
      at_ = 0;
      end_ = want;
    }
    x = buf_[at_++];
    return true;
  }

 private:
  RecordReader(std::filesystem::path p, std::FILE* f, uint64_t n, size_t records)
      : path_(std::move(p)), f_(f), left_(n), buf_(static_cast<size_t>(std::min<uint64_t>(n, records))) {}
  std::filesystem::path path_;
  std::FILE* f_ = nullptr;
  uint64_t left_ = 0;  // records not yet read from the file
  std::vector<T> buf_;
  size_t at_ = 0, end_ = 0;
};

// RecordsAt
// A file of T records read by index (pread), for the few records a task looks up, so memory
// does not grow with the file (kDataLoss as RecordCount, or on a short read; base/file_io errors).
template <typename T>
class RecordsAt {
 public:
  static absl::StatusOr<RecordsAt> Open(const std::filesystem::path& path) {
    absl::StatusOr<uint64_t> n = RecordCount(path, sizeof(T));
    if (!n.ok()) return n.status();
    absl::StatusOr<int> fd = base::OpenForRead(path);
    if (!fd.ok()) return fd.status();
    return RecordsAt(path, *fd, *n);
  }
  RecordsAt(RecordsAt&& o) noexcept : path_(std::move(o.path_)), fd_(o.fd_), size_(o.size_) { o.fd_ = -1; }
  RecordsAt& operator=(RecordsAt&&) = delete;
  ~RecordsAt() {
    if (fd_ >= 0) ::close(fd_);
  }
  uint64_t size() const { return size_; }
  absl::StatusOr<T> Get(uint64_t i) const {
    if (i >= size_) return absl::DataLossError(path_.string() + ": no record " + std::to_string(i));
    T x;
    if (absl::Status s = base::PreadAll(fd_, &x, sizeof(T), i * sizeof(T), path_); !s.ok()) return s;
    return x;
  }

 private:
  RecordsAt(std::filesystem::path p, int fd, uint64_t n) : path_(std::move(p)), fd_(fd), size_(n) {}
  std::filesystem::path path_;
  int fd_ = -1;
  uint64_t size_ = 0;
};

}  // namespace rwkvkit::corpus::tasks

#endif  // RWKVKIT_CORPUS_TASKS_INTERMEDIATE_H_

// corpus/tasks/external_sort.h — sorting more fixed-size records than a memory budget holds.
//
// ExternalSorter<T> takes records with Add(); whenever its buffer holds `budget_bytes` of them
// it sorts the buffer and writes it as a run file (`<dir>/<stem>.run<k>`). Finish() sorts what
// is left and merges the runs (k-way, at most kFanIn runs at a time: more runs are first merged
// into longer ones), and Next() then yields every record in ascending order. T must be
// trivially copyable with a total operator< under which equal records are identical, so the
// result does not depend on where the input was cut into runs: the same bytes for any budget.
// Memory: the budget (1.5 times it while the buffer grows to it), or kFanIn run buffers of
// kRunBufferBytes while merging. The run files are
// deleted once merged, and by the destructor.
//
// Not thread-safe: one sorter per thread.
#ifndef RWKVKIT_CORPUS_TASKS_EXTERNAL_SORT_H_
#define RWKVKIT_CORPUS_TASKS_EXTERNAL_SORT_H_

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <queue>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "corpus/tasks/intermediate.h"

namespace rwkvkit::corpus::tasks {

template <typename T>
class ExternalSorter {
  static_assert(std::is_trivially_copyable_v<T>);

 public:
  static constexpr size_t kFanIn = 64;
  static constexpr size_t kRunBufferBytes = size_t{1} << 16;

  ExternalSorter(std::filesystem::path dir, std::string stem, uint64_t budget_bytes)
      : dir_(std::move(dir)),
        stem_(std::move(stem)),
        capacity_(static_cast<size_t>(std::max<uint64_t>(1, budget_bytes / sizeof(T)))) {}
  ExternalSorter(const ExternalSorter&) = delete;
  ExternalSorter& operator=(const ExternalSorter&) = delete;
  ~ExternalSorter() {
    merge_.reset();
    for (const std::filesystem::path& p : runs_) {
      std::error_code ec;
      std::filesystem::remove(p, ec);
    }
  }

  absl::Status Add(const T& x) {
    if (buffer_.size() == capacity_) {
      absl::Status s = Spill();
      if (!s.ok()) return s;
    }
    if (buffer_.size() == buffer_.capacity())  // grows as needed, never past the budget
      buffer_.reserve(std::min(capacity_, std::max<size_t>(4096, 2 * buffer_.capacity())));
    buffer_.push_back(x);
    ++added_;
    return absl::OkStatus();
  }

  // Ends the input; Next() then yields the records in order.
  absl::Status Finish() {
    if (runs_.empty()) {  // it all fitted: served from memory
      std::sort(buffer_.begin(), buffer_.end());
      return absl::OkStatus();
    }
    if (!buffer_.empty()) {
      absl::Status s = Spill();  // sorts what is left
      if (!s.ok()) return s;
    }
    std::vector<T>().swap(buffer_);
    // runs_[live..] still hold records; the ones before were merged and removed (they stay
    // listed, so that the list is never shifted: one merge costs its runs, not the whole list).
    size_t live = 0;
    while (runs_.size() - live > kFanIn) {  // the first kFanIn live runs become one, at the end
      const std::vector<std::filesystem::path> group(runs_.begin() + live, runs_.begin() + live + kFanIn);
      absl::Status s = MergeToRun(group);
      if (!s.ok()) return s;
      live += kFanIn;
      for (const std::filesystem::path& p : group) RemoveRun(p);
    }
    absl::StatusOr<Merge> m = Merge::Open({runs_.begin() + live, runs_.end()});
    if (!m.ok()) return m.status();
    merge_.emplace(*std::move(m));
    return absl::OkStatus();
  }

  // The next record in ascending order into `x`; false after the last.
  absl::StatusOr<bool> Next(T& x) {
    if (!merge_) {
      if (next_ == buffer_.size()) return false;
      x = buffer_[next_++];
      return true;
    }
    return merge_->Next(x);
  }

  uint64_t records() const { return added_; }
  // Runs written from the buffer (0: sorted in memory); merged runs not counted.
  size_t spilled() const { return spilled_; }

 private:
  // The smallest head of several sorted run files, one record at a time.
  class Merge {
   public:
    static absl::StatusOr<Merge> Open(const std::vector<std::filesystem::path>& runs) {
      Merge m;
      for (const std::filesystem::path& p : runs) {
        absl::StatusOr<RecordReader<T>> r = RecordReader<T>::Open(p, kRunBufferBytes);
        if (!r.ok()) return r.status();
        m.readers_.push_back(*std::move(r));
      }
      for (size_t i = 0; i < m.readers_.size(); ++i) {
        absl::Status s = m.Refill(i);
        if (!s.ok()) return s;
      }
      return m;
    }
    absl::StatusOr<bool> Next(T& x) {
      if (heap_.empty()) return false;
      const Head h = heap_.top();
      heap_.pop();
      x = h.value;
      absl::Status s = Refill(h.run);
      if (!s.ok()) return s;
      return true;
    }

   private:
    struct Head {
      T value;
      size_t run;
      bool operator>(const Head& o) const { return o.value < value; }  // records are unique
    };
    absl::Status Refill(size_t run) {
      T x{};
      absl::StatusOr<bool> more = readers_[run].Next(x);
      if (!more.ok()) return more.status();
      if (*more) heap_.push(Head{x, run});
      return absl::OkStatus();
    }
    std::vector<RecordReader<T>> readers_;
    std::priority_queue<Head, std::vector<Head>, std::greater<Head>> heap_;
  };

  std::filesystem::path NewRunPath() { return dir_ / absl::StrCat(stem_, ".run", made_++); }

  absl::Status Spill() {
    std::sort(buffer_.begin(), buffer_.end());
    const std::filesystem::path path = NewRunPath();
    absl::StatusOr<RecordWriter> w = RecordWriter::Create(path);
    if (!w.ok()) return w.status();
    runs_.push_back(path);
    ++spilled_;
    absl::Status s = w->Write(buffer_.data(), buffer_.size() * sizeof(T));
    if (s.ok()) s = w->Close(false);
    buffer_.clear();
    return s;
  }

  // Merges `group` into a new run, appended to runs_.
  absl::Status MergeToRun(const std::vector<std::filesystem::path>& group) {
    absl::StatusOr<Merge> m = Merge::Open(group);
    if (!m.ok()) return m.status();
    const std::filesystem::path path = NewRunPath();
    absl::StatusOr<RecordWriter> w = RecordWriter::Create(path);
    if (!w.ok()) return w.status();
    runs_.push_back(path);  // from here on the destructor removes it
    std::vector<T> block;
    block.reserve(kRunBufferBytes / sizeof(T) + 1);
    for (T x{};;) {
      absl::StatusOr<bool> more = m->Next(x);
      if (!more.ok()) return more.status();
      if (*more) block.push_back(x);
      if (!*more || block.size() * sizeof(T) >= kRunBufferBytes) {
        absl::Status s = w->Write(block.data(), block.size() * sizeof(T));
        if (!s.ok()) return s;
        block.clear();
      }
      if (!*more) break;
    }
    return w->Close(false);
  }

  void RemoveRun(const std::filesystem::path& p) {
    std::error_code ec;
    std::filesystem::remove(p, ec);
  }

  std::filesystem::path dir_;
  std::string stem_;
  size_t capacity_;
  std::vector<T> buffer_;
  size_t next_ = 0;
  std::vector<std::filesystem::path> runs_;
  size_t made_ = 0;
  uint64_t added_ = 0;
  size_t spilled_ = 0;
  std::optional<Merge> merge_;
};

}  // namespace rwkvkit::corpus::tasks

#endif  // RWKVKIT_CORPUS_TASKS_EXTERNAL_SORT_H_

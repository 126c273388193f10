// python/src/batch_lists.cc — see batch_lists.h.
#include "python/src/batch_lists.h"

#include <tbb/global_control.h>
#include <tbb/task_group.h>

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <vector>

#include "python/src/id_list.h"

namespace nb = nanobind;

namespace rwkvkit::python {
namespace {

constexpr size_t kChunkBytes = 128 * 1024;

struct Chunk {
  size_t begin = 0;  // texts [begin, end)
  size_t end = 0;
  std::vector<uint16_t> ids;     // filled by the thread that claims the chunk
  std::vector<size_t> offsets;   // text begin + k is ids[offsets[k] .. offsets[k + 1])
  bool failed = false;           // out of memory while encoding it
  std::atomic<bool> done{false};
};

// The chunks and who encodes which. Claim() is thread-safe; a chunk's vectors belong to the
// thread that claimed it until `done` is set, then to the calling thread.
class Chunks {
 public:
  Chunks(const tokenizer::Tokenizer& tok, std::span<const std::string_view> texts) : tok_(tok), texts_(texts) {
    std::vector<size_t> starts;
    for (size_t i = 0; i < texts.size();) {
      starts.push_back(i);
      size_t bytes = 0;
      do bytes += texts[i++].size();
      while (i < texts.size() && bytes < kChunkBytes);
    }
    count_ = starts.size();
    chunks_ = std::make_unique<Chunk[]>(count_);
    for (size_t c = 0; c < count_; ++c) {
      chunks_[c].begin = starts[c];
      chunks_[c].end = c + 1 < count_ ? starts[c + 1] : texts.size();
    }
  }

  size_t count() const { return count_; }
  Chunk& operator[](size_t c) { return chunks_[c]; }

  // Encodes the next unclaimed chunk; false when every chunk is claimed. No GIL needed.
  bool ClaimAndEncode() {
    const size_t c = next_.fetch_add(1, std::memory_order_relaxed);
    if (c >= count_) return false;
    Encode(chunks_[c]);
    return true;
  }

  // No chunk is claimed after this (chunks being encoded are finished).
  void StopClaims() { next_.store(count_, std::memory_order_relaxed); }

 private:
  void Encode(Chunk& chunk) {
    try {
      size_t bytes = 0;
      for (size_t t = chunk.begin; t < chunk.end; ++t) bytes += texts_[t].size();
      chunk.ids.resize(bytes);  // a token is at least one byte
      chunk.offsets.resize(chunk.end - chunk.begin + 1);
      size_t n = 0;
      for (size_t t = chunk.begin; t < chunk.end; ++t) {
        n += tok_.EncodeToBuffer(texts_[t], std::span<uint16_t>(chunk.ids.data() + n, texts_[t].size()));
        chunk.offsets[t - chunk.begin + 1] = n;
      }
    } catch (const std::bad_alloc&) {
      chunk.failed = true;
    }
    chunk.done.store(true, std::memory_order_release);
    chunk.done.notify_all();
  }

  const tokenizer::Tokenizer& tok_;
  std::span<const std::string_view> texts_;
  std::unique_ptr<Chunk[]> chunks_;
  size_t count_ = 0;
  std::atomic<size_t> next_{0};
};

// The helper threads: started on construction, joined on destruction (also when a list
// could not be made), with the GIL released while joining. The helper tasks go to TBB's
// shared arena: one task per helper bounds how many threads help. (A task_arena made per call
// got no worker when it followed another call's within ~100 ms: the second of two
// back-to-back encode_batch calls ran on the calling thread alone.)
class Helpers {
 public:
  Helpers(Chunks& chunks, size_t helpers) : chunks_(chunks), running_(helpers > 0) {
    if (!running_) return;
    nb::gil_scoped_release release;
    for (size_t h = 0; h < helpers; ++h) group_.run([this] { while (chunks_.ClaimAndEncode()) {} });
  }
  Helpers(const Helpers&) = delete;
  Helpers& operator=(const Helpers&) = delete;
  ~Helpers() {
    if (!running_) return;
    chunks_.StopClaims();
    nb::gil_scoped_release release;
    group_.wait();
  }

 private:
  Chunks& chunks_;
  bool running_;
  tbb::task_group group_;
};

}  // namespace

nb::list EncodeBatchToLists(const tokenizer::Tokenizer& tok, std::span<const std::string_view> texts, int threads) {
  nb::list result = nb::steal<nb::list>(PyList_New(static_cast<Py_ssize_t>(texts.size())));
  if (!result.is_valid()) throw nb::python_error();
  Chunks chunks(tok, texts);
  // Helpers beyond TBB's worker threads (max_allowed_parallelism - 1) would never run.
  const size_t workers = tbb::global_control::active_value(tbb::global_control::max_allowed_parallelism) - 1;
  const size_t helpers = std::min({static_cast<size_t>(std::max(threads, 1) - 1), workers,
                                   chunks.count() > 0 ? chunks.count() - 1 : size_t{0}});
  Helpers running(chunks, helpers);
  for (size_t c = 0; c < chunks.count(); ++c) {
    Chunk& chunk = chunks[c];
    if (!chunk.done.load(std::memory_order_acquire)) {
      nb::gil_scoped_release release;
      while (!chunk.done.load(std::memory_order_acquire)) {
        if (!chunks.ClaimAndEncode()) chunk.done.wait(false, std::memory_order_acquire);
      }
    }
    if (chunk.failed) throw std::bad_alloc();
    for (size_t t = chunk.begin; t < chunk.end; ++t) {
      const size_t k = t - chunk.begin;
      nb::list ids = IdsToList(chunk.ids.data() + chunk.offsets[k], chunk.offsets[k + 1] - chunk.offsets[k]);
      PyList_SetItem(result.ptr(), static_cast<Py_ssize_t>(t), ids.release().ptr());
    }
    std::vector<uint16_t>().swap(chunk.ids);
    std::vector<size_t>().swap(chunk.offsets);
  }
  return result;
}

}  // namespace rwkvkit::python

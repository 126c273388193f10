// tokenizer/batch_encoder.cc — TBB parallel encoding (see batch_encoder.h).
#include "tokenizer/batch_encoder.h"

#include <algorithm>
#include <memory>
#include <optional>

#include "tbb/blocked_range.h"
#include "tbb/parallel_for.h"
#include "tbb/task_arena.h"

namespace rwkvkit::tokenizer {
namespace {

// Documents are grouped into tasks of about this many bytes: big enough to amortize task
// overhead, small enough to balance 2..128 cores on a few MB.
constexpr size_t kGroupBytes = 256 * 1024;
// One large input is cut into ranges of about this many bytes per task.
constexpr size_t kRangeBytes = 1 << 20;

template <typename Fn>
void RunWithThreads(int threads, Fn&& fn) {
  if (threads <= 0) {
    fn();
    return;
  }
  tbb::task_arena arena(threads);
  arena.execute(fn);
}

}  // namespace

EncodedBatch EncodeBatch(const Tokenizer& tok, std::span<const std::string_view> docs, int threads) {
  // Contiguous groups of documents: group g covers docs [starts[g], starts[g+1]).
  std::vector<size_t> starts = {0};
  size_t bytes = 0;
  for (size_t i = 0; i < docs.size(); ++i) {
    bytes += docs[i].size();
    if (bytes >= kGroupBytes && i + 1 < docs.size()) {
      starts.push_back(i + 1);
      bytes = 0;
    }
  }
  starts.push_back(docs.size());
  const size_t groups = starts.size() - 1;
  // Each group encodes into a buffer of one id per input byte (the most it can need), not
  // zero-filled, and the ids are appended to the output once: no vector growth, no zero-fill.
  std::vector<std::unique_ptr<uint16_t[]>> group_ids(groups);
  std::vector<size_t> group_counts(groups, 0);
  std::vector<size_t> doc_counts(docs.size());
  auto encode_group = [&](size_t g) {
    size_t group_bytes = 0;
    for (size_t i = starts[g]; i < starts[g + 1]; ++i) group_bytes += docs[i].size();
    group_ids[g].reset(new uint16_t[std::max<size_t>(group_bytes, 1)]);
    uint16_t* ids = group_ids[g].get();
    size_t n = 0;
    for (size_t i = starts[g]; i < starts[g + 1]; ++i) {
      doc_counts[i] = tok.EncodeToBuffer(docs[i], std::span<uint16_t>(ids + n, docs[i].size()));
      n += doc_counts[i];
    }
    group_counts[g] = n;
  };
  if (threads == 1) {
    for (size_t g = 0; g < groups; ++g) encode_group(g);
  } else {
    RunWithThreads(threads, [&] {
      tbb::parallel_for(tbb::blocked_range<size_t>(0, groups, 1), [&](const tbb::blocked_range<size_t>& r) {
        for (size_t g = r.begin(); g != r.end(); ++g) encode_group(g);
      });
    });
  }
  EncodedBatch out;
  out.offsets.resize(docs.size() + 1, 0);
  for (size_t i = 0; i < docs.size(); ++i) out.offsets[i + 1] = out.offsets[i] + doc_counts[i];
  out.ids.reserve(out.offsets.back());
  for (size_t g = 0; g < groups; ++g) {
    out.ids.insert(out.ids.end(), group_ids[g].get(), group_ids[g].get() + group_counts[g]);
    group_ids[g].reset();
  }
  return out;
}

size_t EncodeParallelRange(const Tokenizer& tok, std::string_view text, size_t begin, size_t end, int threads,
                           std::vector<uint16_t>& out) {
  const size_t len = end - begin;
  if (threads == 1 || len < 2 * kRangeBytes) return tok.EncodeRange(text, begin, end, out);
  const size_t ranges = (len + kRangeBytes - 1) / kRangeBytes;
  std::vector<std::vector<uint16_t>> range_ids(ranges);
  RunWithThreads(threads, [&] {
    tbb::parallel_for(tbb::blocked_range<size_t>(0, ranges, 1), [&](const tbb::blocked_range<size_t>& r) {
      for (size_t k = r.begin(); k != r.end(); ++k) {
        const size_t b = begin + k * kRangeBytes;
        tok.EncodeRange(text, b, std::min(end, b + kRangeBytes), range_ids[k]);
      }
    });
  });
  size_t pos = begin;
  out.reserve(out.size() + len / 3);
  for (size_t k = 0; k < ranges; ++k) {
    pos = tok.StitchRange(text, pos, begin + k * kRangeBytes, range_ids[k], out);
    std::vector<uint16_t>().swap(range_ids[k]);
  }
  return pos;  // at or past the end of the last range's last token, so >= end
}

void EncodeParallel(const Tokenizer& tok, std::string_view bytes, int threads, std::vector<uint16_t>& out) {
  EncodeParallelRange(tok, bytes, 0, bytes.size(), threads, out);
}

}  // namespace rwkvkit::tokenizer

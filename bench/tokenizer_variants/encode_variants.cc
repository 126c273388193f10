// bench/tokenizer_variants/encode_variants.cc — experimental encode variants, selected by
// number (docs/conventions.md: each is checked against the plain walk before it is timed; only the
// winner moves into tokenizer/internal/).
//
//   encode_variants VOCAB DOCS.bin [variant...]
// DOCS.bin: documents as (uint32 length, bytes)*. Times per-document encoding (best of 5)
// and prints MB/s. Variant 0 is the production Tokenizer::EncodeInto, 1 the plain walk.
#include <time.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include "bench/tokenizer_variants/simd_walk.h"
#include "tokenizer/internal/double_array.h"
#include "tokenizer/internal/vector_walk.h"
#include "tokenizer/internal/walk.h"
#include "tokenizer/tokenizer.h"

namespace {

using namespace rwkvkit::tokenizer;
using internal::DoubleArrayTrie;
using variants::SimdSegment;

// Segments of about kSeg bytes (at least kMinSeg), chunks of at most kChunk bytes.
template <uint32_t kChunk, uint32_t kSeg, uint32_t kMinSeg, int kMinRun, int kMode = 0, int kVecs = 1>
size_t EncodeSimd(const DoubleArrayTrie& trie, const uint8_t* s, size_t n, uint16_t* out) {
  if (n < 2 * kMinSeg) return internal::EncodeSpan(trie, s, n, out);
  thread_local std::vector<uint32_t> scratch;
  thread_local std::vector<SimdSegment> segs;
  thread_local std::vector<uint32_t> stream(kChunk + 64);
  // Segment k's slots start 16k + 8 ids past its first byte: outputs that are a multiple of
  // 4 KB apart would fall in one L1 set (16 lanes scattering into an 8-way set).
  if (scratch.size() < 2 * kChunk) scratch.resize(2 * kChunk);
  const uint16_t* best = trie.best_ids();
  const uint8_t* token_len = trie.token_lengths();
  size_t o = 0, pos = 0;
  for (size_t chunk = 0; chunk < n; chunk += kChunk) {
    const size_t len = std::min<size_t>(kChunk, n - chunk);
    const size_t nseg = std::max<size_t>(1, std::min<size_t>((len + kSeg - 1) / kSeg, len / kMinSeg));
    const size_t seg_bytes = (len + nseg - 1) / nseg;
    segs.resize(nseg);
    for (size_t k = 0; k < nseg; ++k) {
      const size_t b = k * seg_bytes;
      segs[k] = SimdSegment{static_cast<uint32_t>(b), static_cast<uint32_t>(std::min(len, b + seg_bytes)),
                            static_cast<uint32_t>(b + 16 * k + 8), 0};
    }
    size_t w;
    if constexpr (kMode == 3)
      w = variants::WalkSegmentsV2<kMinRun, kVecs>(trie, s + chunk, n - chunk, segs.data(), static_cast<int>(nseg),
                                                   stream.data());
    else
      w = variants::WalkSegmentsAvx512<kMinRun, kMode>(trie, s + chunk, n - chunk, segs.data(),
                                                       static_cast<int>(nseg), scratch.data(), stream.data());
    if constexpr (kMode == 1 || kMode == 3) {
      for (size_t i = 0; i < w; ++i) ++segs[stream[i] >> 17].count;
      uint32_t at = 0;
      for (size_t k = 0; k < nseg; ++k) {
        segs[k].out = at;
        at += segs[k].count;
      }
      for (size_t i = 0; i < w; ++i) {
        const uint32_t v = stream[i];
        scratch[segs[v >> 17].out++] = v & 0x1FFFF;
      }
      for (size_t k = 0; k < nseg; ++k) segs[k].out -= segs[k].count;
    }
    if constexpr (kMode == 2) return o;
    for (size_t k = 0; k < nseg; ++k) {
      const uint32_t* ats = scratch.data() + segs[k].out;
      pos = internal::StitchTokens(
          trie, s, n, pos, chunk + segs[k].begin, segs[k].count, [&](size_t j) { return best[ats[j]]; },
          [&](size_t j) { return token_len[best[ats[j]]]; }, out, o);
    }
  }
  return o;
}

// v3 driver: segments of about kSeg bytes over the input except its last tail bytes, which
// the scalar walk encodes as a final segment.
template <uint32_t kChunk, uint32_t kSeg>
size_t EncodeSimdV3(const DoubleArrayTrie& trie, const uint8_t* s, size_t n, uint16_t* out) {
  const size_t tail = trie.max_token_bytes() + 8;
  if (n < tail + 2 * kSeg) return internal::EncodeSpan(trie, s, n, out);
  thread_local std::vector<uint32_t> scratch(kChunk + 256), stream(kChunk + 256);
  thread_local std::vector<SimdSegment> segs;
  const uint16_t* best = trie.best_ids();
  const uint8_t* token_len = trie.token_lengths();
  const size_t body = n - tail;
  size_t o = 0, pos = 0;
  for (size_t chunk = 0; chunk < body; chunk += kChunk) {
    const size_t len = std::min<size_t>(kChunk, body - chunk);
    const size_t seg_bytes = (len + std::max<size_t>(1, (len + kSeg / 2) / kSeg) - 1) /
                             std::max<size_t>(1, (len + kSeg / 2) / kSeg);
    const size_t nseg = (len + seg_bytes - 1) / seg_bytes;  // every segment non-empty
    segs.resize(nseg);
    for (size_t k = 0; k < nseg; ++k) {
      const size_t b = chunk + k * seg_bytes;
      segs[k] = SimdSegment{static_cast<uint32_t>(b), static_cast<uint32_t>(std::min(chunk + len, b + seg_bytes)), 0, 0};
    }
    const size_t w = variants::WalkSegmentsV3(trie, s, segs.data(), static_cast<int>(nseg), stream.data());
    for (size_t i = 0; i < w; ++i) ++segs[stream[i] >> 17].count;
    uint32_t at = 0;
    for (size_t k = 0; k < nseg; ++k) {
      segs[k].out = at;
      at += segs[k].count;
    }
    for (size_t i = 0; i < w; ++i) {
      const uint32_t v = stream[i];
      scratch[segs[v >> 17].out++] = v & 0x1FFFF;
    }
    for (size_t k = 0; k < nseg; ++k) {
      const uint32_t* ats = scratch.data() + segs[k].out - segs[k].count;
      pos = internal::StitchTokens(
          trie, s, n, pos, segs[k].begin, segs[k].count, [&](size_t j) { return best[ats[j]]; },
          [&](size_t j) { return token_len[best[ats[j]]]; }, out, o);
    }
  }
  uint32_t* const done = variants::FinishCells(trie, s, n, body, n, scratch.data());
  const uint32_t* ats = scratch.data();
  pos = internal::StitchTokens(
      trie, s, n, pos, body, static_cast<size_t>(done - ats), [&](size_t j) { return best[ats[j]]; },
      [&](size_t j) { return token_len[best[ats[j]]]; }, out, o);
  return o;
}

int DebugMain(const DoubleArrayTrie& tr, const std::vector<std::string_view>& docs) {
  for (size_t i = 0; i < docs.size(); ++i) {
    auto d = docs[i];
    std::vector<uint16_t> a(d.size()), b(d.size());
    a.resize(internal::EncodeSpan(tr, reinterpret_cast<const uint8_t*>(d.data()), d.size(), a.data()));
    b.resize(EncodeSimdV3<16384, 64>(tr, reinterpret_cast<const uint8_t*>(d.data()), d.size(), b.data()));
    if (a != b) {
      size_t j = 0, p = 0;
      while (j < a.size() && a[j] == b[j]) p += tr.token_lengths()[a[j++]];
      std::printf("doc %zu size %zu first diff token %zu byte %zu: %u vs %u\n", i, d.size(), j, p, a[j], b[j]);
      return 1;
    }
  }
  return 0;
}

using Fn = std::function<size_t(const Tokenizer&, const DoubleArrayTrie&, std::string_view, uint16_t*)>;

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) return 2;
  absl::StatusOr<Tokenizer> tok = Tokenizer::Load(argv[1]);
  if (!tok.ok()) return 1;
  absl::StatusOr<Vocab> vocab = LoadVocabFile(argv[1]);
  absl::StatusOr<std::unique_ptr<DoubleArrayTrie>> trie = DoubleArrayTrie::Build(*vocab);
  std::ifstream in(argv[2], std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string all = ss.str();
  std::vector<std::string_view> docs;
  for (size_t p = 0; p < all.size();) {
    uint32_t len;
    std::memcpy(&len, all.data() + p, 4);
    docs.emplace_back(all.data() + p + 4, len);
    p += 4 + len;
  }
  size_t bytes = 0;
  for (auto d : docs) bytes += d.size();
  std::vector<Fn> fns = {
      [](const Tokenizer& t, const DoubleArrayTrie&, std::string_view d, uint16_t* out) {
        return t.EncodeToBuffer(d, std::span<uint16_t>(out, d.size()));
      },
      [](const Tokenizer&, const DoubleArrayTrie& tr, std::string_view d, uint16_t* out) {
        return internal::EncodeSpan(tr, reinterpret_cast<const uint8_t*>(d.data()), d.size(), out);
      },
#define V(...)                                                                             \
  [](const Tokenizer&, const DoubleArrayTrie& tr, std::string_view d, uint16_t* out) {     \
    return EncodeSimd<__VA_ARGS__>(tr, reinterpret_cast<const uint8_t*>(d.data()), d.size(), out); \
  }
      V(16384, 1024, 64, 8),   // 2
      V(16384, 512, 64, 8),    // 3
      V(32768, 1024, 64, 8),   // 4
      V(16384, 256, 64, 8),    // 5
      V(16384, 1024, 128, 16),  // 6
      V(8192, 512, 64, 8),     // 7
      V(16384, 1024, 64, 8, 1),   // 8
      V(16384, 256, 64, 8, 1),   // 9
      V(16384, 1024, 64, 8, 2),   // 10 (no output: timing only)
      V(16384, 256, 64, 8, 3, 1),   // 11
      V(16384, 128, 64, 8, 3, 2),   // 12
      V(16384, 64, 32, 8, 3, 2),   // 13
      V(16384, 128, 32, 8, 3, 1),   // 14
      V(16384, 64, 32, 4, 3, 4),   // 15
#define V3(...)                                                                             \
  [](const Tokenizer&, const DoubleArrayTrie& tr, std::string_view d, uint16_t* out) {     \
    return EncodeSimdV3<__VA_ARGS__>(tr, reinterpret_cast<const uint8_t*>(d.data()), d.size(), out); \
  }
      V3(16384, 128),  // 16
      V3(16384, 64),   // 17
      V3(16384, 256),  // 18
      V3(8192, 128),  // 19
      V3(16384, 96),  // 20
      V3(32768, 128),  // 21
  };
  if (std::getenv("DEBUG")) return DebugMain(**trie, docs);
  // RWKVKIT_SIMD_TARGET=AVX2 (a Highway target name) runs the production path on that
  // instruction set only, as on a CPU that has nothing better.
  if (const char* want = std::getenv("RWKVKIT_SIMD_TARGET"); want != nullptr && !internal::UseVectorWalkTarget(want)) {
    std::printf("target %s not compiled or not supported here\n", want);
    return 2;
  }
  std::printf("vector walk: %s, %zu lanes\n", internal::VectorWalkTarget(), internal::VectorWalkLanes());
  std::vector<int> which;
  for (int i = 3; i < argc; ++i) which.push_back(std::atoi(argv[i]));
  if (which.empty())
    for (size_t i = 0; i < fns.size(); ++i) which.push_back(static_cast<int>(i));
  std::vector<uint16_t> want(bytes), got(bytes);
  size_t nwant = 0;
  for (auto d : docs) nwant += internal::EncodeSpan(**trie, reinterpret_cast<const uint8_t*>(d.data()), d.size(), want.data() + nwant);
  for (int v : which) {
    size_t o = 0;
    for (auto d : docs) o += fns[v](*tok, **trie, d, got.data() + o);
    if (v != 10 && (o != nwant || std::memcmp(got.data(), want.data(), o * 2) != 0)) {
      std::printf("variant %d: MISMATCH (%zu vs %zu tokens)\n", v, o, nwant);
      continue;
    }
    // Best of 5 by thread CPU time (the dev machine is shared), wall time beside it.
    double best_s = 1e9, best_wall = 1e9;
    auto cpu_now = [] {
      timespec ts;
      clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
      return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
    };
    for (int rep = 0; rep < 5; ++rep) {
      const auto t0 = std::chrono::steady_clock::now();
      const double c0 = cpu_now();
      o = 0;
      for (auto d : docs) o += fns[v](*tok, **trie, d, got.data() + o);
      best_s = std::min(best_s, cpu_now() - c0);
      best_wall = std::min(best_wall, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    }
    std::printf("variant %d: %.1f MB/s per CPU second, %.1f MB/s wall (%zu tokens)\n", v, bytes / best_s / 1e6,
                bytes / best_wall / 1e6, o);
  }
}

// tools/cli/id_text.cc — see id_text.h.
#include "tools/cli/id_text.h"

#include <array>
#include <bit>
#include <cstring>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define RWKVKIT_ID_TEXT_VBMI2 1
#endif

namespace rwkvkit::cli {
namespace {

static_assert(std::endian::native == std::endian::little, "the table keeps the length in the top byte of each entry");

// Per id: 0 in byte 0 (the separator's place), the decimal digits from byte 1 on, and 1 + the
// digit count in byte 7. Computed by the compiler: the table is read-only data of the binary,
// mapped from its file when first read, never built or zero-filled at run time.
using Table = std::array<uint64_t, size_t{1} << 16>;

constexpr Table MakeTable() {
  // Ids 0-9 directly; every larger id is its id / 10 with one more digit (id % 10) appended.
  // Few steps per entry: compilers bound the work of a constant evaluation (clang: 2^20 steps).
  Table table{};
  for (uint64_t id = 0; id < 10; ++id) table[id] = ('0' + id) << 8 | uint64_t{2} << 56;
  for (size_t id = 10; id < table.size(); ++id) {
    const uint64_t head = table[id / 10], len = head >> 56;  // len: 1 + the digits of id / 10
    table[id] = (head & 0x00FFFFFFFFFFFFFFull) | (('0' + id % 10) << (8 * len)) | (len + 1) << 56;
  }
  return table;
}

constexpr Table kTable = MakeTable();

// Table ids[0 .. n) → text at p, each id after a separator; returns the end of the text.
char* WriteWithTable(const uint16_t* ids, size_t n, uint64_t separator, char* p) {
  for (size_t i = 0; i < n; ++i) {
    const uint64_t v = kTable[ids[i]] | separator;
    std::memcpy(p, &v, 8);
    p += v >> 56;
  }
  return p;
}

#ifdef RWKVKIT_ID_TEXT_VBMI2
// AVX-512 with VBMI2 (Intel Ice Lake and later, AMD Zen 4 and later): 32 ids at a time with no
// table and no store per id. Their five digits d4..d0 come from four exact divisions by 10 in
// 16-bit lanes (v * 52429 >> 19 == v / 10 for every 16-bit v); each id's six bytes (separator,
// d4 .. d0) are interleaved into three registers of 64 bytes by 16-bit permutes, and a byte
// compress drops the leading zero digits (each register is stored whole; the write position
// moves by the bytes kept). The same text as WriteWithTable.
#define RWKVKIT_VBMI2_TARGET __attribute__((target("avx512f,avx512bw,avx512vbmi2,popcnt")))

// Where output element e (16-bit) of register k comes from: id (32k + e) / 3, part (32k + e) % 3
// (0: separator and d4, 1: d3 d2, 2: d1 d0). As a two-source permute index of parts 0 and 1
// (bit 5 picks the second source) and the mask of the elements taken from part 2 instead.
struct Interleave {
  std::array<std::array<uint16_t, 32>, 3> index;
  std::array<uint32_t, 3> from_part2;
};

constexpr Interleave MakeInterleave() {
  Interleave t{};
  for (size_t k = 0; k < 3; ++k) {
    for (size_t e = 0; e < 32; ++e) {
      const size_t g = 32 * k + e, id = g / 3, part = g % 3;
      t.index[k][e] = static_cast<uint16_t>(part == 1 ? 32 + id : id);
      if (part == 2) t.from_part2[k] |= uint32_t{1} << e;
    }
  }
  return t;
}

constexpr Interleave kInterleave = MakeInterleave();

RWKVKIT_VBMI2_TARGET char* WriteVbmi2(const uint16_t* ids, size_t n, uint64_t separator, char* p, size_t* done) {
  const __m512i ten = _mm512_set1_epi16(10);
  const __m512i magic = _mm512_set1_epi16(static_cast<short>(52429));
  const __m512i zeros = _mm512_set1_epi16(0x3030);  // '0' in both bytes
  const __m512i sep = _mm512_set1_epi16(static_cast<short>(separator | 0x3000));  // separator, '0'
  const __m512i all = _mm512_set1_epi16(-1);
  __m512i index[3];
  for (int k = 0; k < 3; ++k) index[k] = _mm512_loadu_si512(kInterleave.index[k].data());
  size_t i = 0;
  for (; i + 32 <= n; i += 32) {
    const __m512i v = _mm512_loadu_si512(ids + i);
    const __m512i q1 = _mm512_srli_epi16(_mm512_mulhi_epu16(v, magic), 3);
    const __m512i q2 = _mm512_srli_epi16(_mm512_mulhi_epu16(q1, magic), 3);
    const __m512i q3 = _mm512_srli_epi16(_mm512_mulhi_epu16(q2, magic), 3);
    const __m512i d4 = _mm512_srli_epi16(_mm512_mulhi_epu16(q3, magic), 3);
    const __m512i d0 = _mm512_sub_epi16(v, _mm512_mullo_epi16(q1, ten));
    const __m512i d1 = _mm512_sub_epi16(q1, _mm512_mullo_epi16(q2, ten));
    const __m512i d2 = _mm512_sub_epi16(q2, _mm512_mullo_epi16(q3, ten));
    const __m512i d3 = _mm512_sub_epi16(q3, _mm512_mullo_epi16(d4, ten));
    // The three parts of each id, as text (little-endian: the first byte is the low one).
    const __m512i part[3] = {_mm512_add_epi16(sep, _mm512_slli_epi16(d4, 8)),
                             _mm512_add_epi16(zeros, _mm512_or_si512(d3, _mm512_slli_epi16(d2, 8))),
                             _mm512_add_epi16(zeros, _mm512_or_si512(d1, _mm512_slli_epi16(d0, 8)))};
    // Bytes kept, 0xFF each: the separator and the last digit always, d4 .. d1 from the first
    // digit that is not a leading zero on.
    const __mmask32 keep4 = _mm512_cmpge_epu16_mask(v, _mm512_set1_epi16(10000));
    const __mmask32 keep3 = _mm512_cmpge_epu16_mask(v, _mm512_set1_epi16(1000));
    const __mmask32 keep2 = _mm512_cmpge_epu16_mask(v, _mm512_set1_epi16(100));
    const __mmask32 keep1 = _mm512_cmpge_epu16_mask(v, _mm512_set1_epi16(10));
    const __m512i low = _mm512_set1_epi16(0x00FF), high = _mm512_set1_epi16(static_cast<short>(0xFF00));
    const __m512i flag[3] = {
        _mm512_mask_mov_epi16(low, keep4, all),
        _mm512_or_si512(_mm512_maskz_mov_epi16(keep3, low), _mm512_maskz_mov_epi16(keep2, high)),
        _mm512_mask_mov_epi16(high, keep1, all)};
    for (int k = 0; k < 3; ++k) {
      const __m512i bytes = _mm512_mask_permutexvar_epi16(_mm512_permutex2var_epi16(part[0], index[k], part[1]),
                                                         kInterleave.from_part2[k], index[k], part[2]);
      const __m512i kept = _mm512_mask_permutexvar_epi16(_mm512_permutex2var_epi16(flag[0], index[k], flag[1]),
                                                        kInterleave.from_part2[k], index[k], flag[2]);
      const __mmask64 m = _mm512_movepi8_mask(kept);
      _mm512_storeu_si512(p, _mm512_maskz_compress_epi8(m, bytes));
      p += __builtin_popcountll(m);
    }
  }
  *done = i;
  return p;
}

bool CpuHasVbmi2() {
  static const bool has = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
           __builtin_cpu_supports("avx512vbmi2") && __builtin_cpu_supports("popcnt");
  }();
  return has;
}
#endif

}  // namespace

void IdText::Append(std::span<const uint16_t> ids, bool first, std::string& out) const {
  if (ids.empty()) return;
  const size_t old = out.size();
  out.resize(old + kMaxBytesPerId * ids.size() + 8);
  char* const end = Write(ids, first, out.data() + old);
  out.resize(static_cast<size_t>(end - out.data()));
}

char* IdText::Write(std::span<const uint16_t> ids, bool first, char* p) const {
  size_t i = 0;
  if (first && !ids.empty()) {  // no separator before the first id
    const uint64_t v = kTable[ids[0]];
    std::memcpy(p, reinterpret_cast<const char*>(&v) + 1, 7);
    p += (v >> 56) - 1;
    i = 1;
  }
#ifdef RWKVKIT_ID_TEXT_VBMI2
  if (vector_ && CpuHasVbmi2()) {
    size_t done = 0;
    p = WriteVbmi2(ids.data() + i, ids.size() - i, separator_, p, &done);
    i += done;
  }
#endif
  return WriteWithTable(ids.data() + i, ids.size() - i, separator_, p);
}

}  // namespace rwkvkit::cli

// corpus/binidx/binidx_format.h — constants and byte helpers of the Megatron/RWKV-LM binidx
// shard format (docs/formats/binidx.md).
//
// A shard is `<prefix>.bin` (the token ids, little-endian, no header) and `<prefix>.idx`:
// a 34-byte header (magic, version, dtype code, N, M) then sizes (int32 x N), pointers
// (int64 byte offsets x N) and doc_idx (int64 x M). The header is 34 bytes, so the arrays
// are NOT naturally aligned: every load and store here goes through memcpy.
//
// Not here: reading or writing files (shard_reader.h, shard_writer.h). Thread-safe: constants
// and pure functions only. Depends on the standard library only.
#ifndef RWKVKIT_CORPUS_BINIDX_BINIDX_FORMAT_H_
#define RWKVKIT_CORPUS_BINIDX_BINIDX_FORMAT_H_

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <type_traits>

namespace rwkvkit::binidx {

// "MMIDIDX" followed by two NUL bytes.
inline constexpr std::array<char, 9> kMagic = {'M', 'M', 'I', 'D', 'I', 'D', 'X', '\0', '\0'};
inline constexpr uint64_t kVersion = 1;

// Header field offsets in the .idx file.
inline constexpr size_t kVersionOffset = 9;        // u64
inline constexpr size_t kDtypeOffset = 17;         // u8
inline constexpr size_t kNumSequencesOffset = 18;  // u64 N
inline constexpr size_t kNumDocIdxOffset = 26;     // u64 M
inline constexpr size_t kHeaderBytes = 34;

// Dtype codes shared by RWKV-LM, Megatron core and json2binidx for 1..5 and 8. Codes 6 and
// 7 mean different float types in different tools; we never write them.
inline constexpr uint8_t kDtypeUint16 = 8;
inline constexpr size_t kTokenBytes = 2;  // uint16
// int32 tokens: what Megatron's preprocess_data.py, json2binidx and datatrove write for
// vocabs of 65,500+ ids (the RWKV World vocab included). rwkvkit reads them, never writes them.
inline constexpr uint8_t kDtypeInt32 = 4;

// Bytes per token of a token dtype rwkvkit reads (uint16 or int32); 0 for any other code.
constexpr size_t TokenBytesOf(uint8_t code) {
  return code == kDtypeUint16 ? 2 : code == kDtypeInt32 ? 4 : 0;
}

// Bytes per array element in the .idx.
inline constexpr size_t kSizeBytes = 4;     // sizes: int32
inline constexpr size_t kPointerBytes = 8;  // pointers: int64
inline constexpr size_t kDocIdxBytes = 8;   // doc_idx: int64

// The name of a dtype code as RWKV-LM's binidx.py reads it ("unknown" for codes no reader
// knows). For 6 and 7 both readings are given, since they disagree.
constexpr std::string_view DtypeName(uint8_t code) {
  switch (code) {
    case 1: return "uint8";
    case 2: return "int8";
    case 3: return "int16";
    case 4: return "int32";
    case 5: return "int64";
    case 6: return "float64 in RWKV-LM, float32 in json2binidx";
    case 7: return "float64 in RWKV-LM, float32 in Megatron";
    case 8: return "uint16";
    default: return "unknown";
  }
}

// Byte offsets of the three arrays for N sequences. Callers check N against the file size
// first, so these cannot overflow for any file that fits on a disk.
constexpr uint64_t SizesOffset() { return kHeaderBytes; }
constexpr uint64_t PointersOffset(uint64_t n) { return kHeaderBytes + kSizeBytes * n; }
constexpr uint64_t DocIdxOffset(uint64_t n) { return kHeaderBytes + (kSizeBytes + kPointerBytes) * n; }

// LoadLE() / StoreLE()
// Unaligned little-endian load and store of an integer, on any host byte order.
template <typename T>
T LoadLE(const void* p) {
  static_assert(std::is_integral_v<T>);
  T v;
  std::memcpy(&v, p, sizeof(T));
  if constexpr (std::endian::native == std::endian::big && sizeof(T) > 1) {
    auto u = static_cast<std::make_unsigned_t<T>>(v);
    std::make_unsigned_t<T> r = 0;
    for (size_t i = 0; i < sizeof(T); ++i) r = static_cast<decltype(r)>((r << 8) | ((u >> (8 * i)) & 0xff));
    v = static_cast<T>(r);
  }
  return v;
}

template <typename T>
void StoreLE(T v, void* p) {
  static_assert(std::is_integral_v<T>);
  if constexpr (std::endian::native == std::endian::big && sizeof(T) > 1) {
    v = LoadLE<T>(&v);  // a byte swap on a big-endian host
  }
  std::memcpy(p, &v, sizeof(T));
}

}  // namespace rwkvkit::binidx

#endif  // RWKVKIT_CORPUS_BINIDX_BINIDX_FORMAT_H_

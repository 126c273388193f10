// refmodel/checkpoint/zip_reader.cc — ZIP end records, central directory and local headers
// (APPNOTE 6.3.x §4.3). All multi-byte fields are little-endian and unaligned: read with
// byte loads. Every read is bounds-checked against the file, so any prefix or corruption of
// an archive gives a status, never an out-of-range access.
#include "refmodel/checkpoint/zip_reader.h"

#include <array>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/status_macros.h"
#include "refmodel/checkpoint/internal/printable.h"

namespace rwkvkit::refmodel::checkpoint {
namespace {

constexpr uint32_t kLocalSig = 0x04034b50;
constexpr uint32_t kCentralSig = 0x02014b50;
constexpr uint32_t kEocdSig = 0x06054b50;
constexpr uint32_t kZip64EocdSig = 0x06064b50;
constexpr uint32_t kZip64LocatorSig = 0x07064b50;
constexpr size_t kEocdSize = 22;
constexpr size_t kCentralSize = 46;
constexpr size_t kLocalSize = 30;
constexpr size_t kZip64LocatorSize = 20;
constexpr size_t kZip64EocdSize = 56;

uint64_t Le(const uint8_t* p, int n) {
  uint64_t v = 0;
  for (int i = n - 1; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

// True when [off, off + n) lies inside a file of `size` bytes (no overflow).
bool Fits(uint64_t off, uint64_t n, uint64_t size) { return off <= size && n <= size - off; }

absl::Status Corrupt(const std::string& path, uint64_t off, std::string_view what) {
  return absl::DataLossError(absl::StrCat(path, "@", off, ": ", std::string(what)));
}

struct EndRecord {
  uint64_t entries = 0;
  uint64_t cd_size = 0;
  uint64_t cd_offset = 0;
};

// Reads the ZIP64 end record through its locator, which sits just before the EOCD.
absl::StatusOr<EndRecord> ReadZip64End(const std::string& path, std::span<const uint8_t> b,
                                       uint64_t eocd) {
  if (eocd < kZip64LocatorSize || Le(&b[eocd - kZip64LocatorSize], 4) != kZip64LocatorSig)
    return Corrupt(path, eocd, "end record says ZIP64 but there is no ZIP64 locator before it");
  const uint64_t loc = eocd - kZip64LocatorSize;
  const uint64_t rec = Le(&b[loc + 8], 8);
  if (!Fits(rec, kZip64EocdSize, loc) || Le(&b[rec], 4) != kZip64EocdSig)
    return Corrupt(path, loc, absl::StrCat("ZIP64 locator points to ", rec, ", which holds no ZIP64 end record"));
  if (Le(&b[rec + 16], 4) != 0 || Le(&b[rec + 20], 4) != 0)
    return absl::UnimplementedError(absl::StrCat(path, "@", rec, ": multi-disk ZIP archives are not supported"));
  EndRecord r;
  r.entries = Le(&b[rec + 32], 8);
  r.cd_size = Le(&b[rec + 40], 8);
  r.cd_offset = Le(&b[rec + 48], 8);
  return r;
}

// Finds the end-of-central-directory record: the last signature whose comment ends exactly
// at the end of the file (the comment is at most 65535 bytes).
absl::StatusOr<EndRecord> ReadEnd(const std::string& path, std::span<const uint8_t> b,
                                  uint64_t* eocd_out) {
  const uint64_t size = b.size();
  if (size < kEocdSize)
    return Corrupt(path, size, absl::StrCat("not a ZIP archive or truncated (", size,
                                            " bytes, the end record alone needs 22)"));
  const uint64_t lowest = size - kEocdSize > 65535 ? size - kEocdSize - 65535 : 0;
  for (uint64_t p = size - kEocdSize + 1; p-- > lowest;) {
    if (Le(&b[p], 4) != kEocdSig || p + kEocdSize + Le(&b[p + 20], 2) != size) continue;
    *eocd_out = p;
    if (Le(&b[p + 4], 2) != 0 || Le(&b[p + 6], 2) != 0)
      return absl::UnimplementedError(absl::StrCat(path, "@", p, ": multi-disk ZIP archives are not supported"));
    EndRecord r{Le(&b[p + 10], 2), Le(&b[p + 12], 4), Le(&b[p + 16], 4)};
    if (r.entries == 0xFFFF || r.cd_size == 0xFFFFFFFF || r.cd_offset == 0xFFFFFFFF)
      return ReadZip64End(path, b, p);
    return r;
  }
  return Corrupt(path, size, "no ZIP end-of-central-directory record (truncated file, or not a ZIP archive)");
}

// Applies the ZIP64 extended-information extra field (id 1) of a central record: each
// 8-byte value is present only for the fields that hold the 0xFFFFFFFF marker, in order.
absl::Status ApplyZip64Extra(const std::string& path, std::span<const uint8_t> extra,
                             uint64_t extra_off, ZipEntry& e) {
  size_t p = 0;
  while (p + 4 <= extra.size()) {
    const uint64_t id = Le(&extra[p], 2), len = Le(&extra[p + 2], 2);
    if (p + 4 + len > extra.size()) return Corrupt(path, extra_off + p, "extra field runs past its record");
    if (id == 1) {
      size_t q = p + 4;
      for (uint64_t* field : {&e.size, &e.compressed_size, &e.local_header_offset}) {
        if (*field != 0xFFFFFFFF) continue;
        if (q + 8 > p + 4 + len) return Corrupt(path, extra_off + p, "ZIP64 extra field too short");
        *field = Le(&extra[q], 8);
        q += 8;
      }
    }
    p += 4 + len;
  }
  return absl::OkStatus();
}

}  // namespace

uint32_t Crc32(std::span<const uint8_t> bytes) {
  static const std::array<uint32_t, 256> table = [] {
    std::array<uint32_t, 256> t{};
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      t[i] = c;
    }
    return t;
  }();
  uint32_t c = 0xFFFFFFFFu;
  for (uint8_t x : bytes) c = table[(c ^ x) & 0xFF] ^ (c >> 8);
  return c ^ 0xFFFFFFFFu;
}

absl::StatusOr<ZipArchive> ZipArchive::Open(std::string path, std::span<const uint8_t> b) {
  ZipArchive z;
  z.path_ = std::move(path);
  z.bytes_ = b;
  uint64_t eocd = 0;
  RWKVKIT_ASSIGN_OR_RETURN(EndRecord end, ReadEnd(z.path_, b, &eocd));
  if (!Fits(end.cd_offset, end.cd_size, b.size()))
    return Corrupt(z.path_, eocd, absl::StrCat("central directory [", end.cd_offset, ", +", end.cd_size,
                                               ") lies outside the file (", b.size(), " bytes)"));
  // Each record is at least 46 bytes: an entry count beyond that is corrupt (and would
  // otherwise make us reserve absurd memory).
  if (end.entries > end.cd_size / kCentralSize)
    return Corrupt(z.path_, eocd, absl::StrCat("end record claims ", end.entries, " entries in a ",
                                               end.cd_size, "-byte central directory"));
  z.entries_.reserve(end.entries);
  uint64_t p = end.cd_offset;
  const uint64_t cd_end = end.cd_offset + end.cd_size;
  for (uint64_t i = 0; i < end.entries; ++i) {
    if (!Fits(p, kCentralSize, cd_end))
      return Corrupt(z.path_, p, absl::StrCat("central directory ends inside record ", i, " of ", end.entries));
    if (Le(&b[p], 4) != kCentralSig)
      return Corrupt(z.path_, p, absl::StrFormat("bad central directory signature 0x%08x (record %d)", Le(&b[p], 4), i));
    ZipEntry e;
    e.central_offset = p;
    e.method = static_cast<uint16_t>(Le(&b[p + 10], 2));
    e.crc32 = static_cast<uint32_t>(Le(&b[p + 16], 4));
    e.compressed_size = Le(&b[p + 20], 4);
    e.size = Le(&b[p + 24], 4);
    const uint64_t name_len = Le(&b[p + 28], 2), extra_len = Le(&b[p + 30], 2), comment_len = Le(&b[p + 32], 2);
    e.local_header_offset = Le(&b[p + 42], 4);
    const uint64_t rec_len = kCentralSize + name_len + extra_len + comment_len;
    if (!Fits(p, rec_len, cd_end))
      return Corrupt(z.path_, p, "central directory record runs past the end of the directory");
    e.name.assign(reinterpret_cast<const char*>(&b[p + kCentralSize]), name_len);
    RWKVKIT_RETURN_IF_ERROR(ApplyZip64Extra(z.path_, b.subspan(p + kCentralSize + name_len, extra_len),
                                            p + kCentralSize + name_len, e));
    z.by_name_.emplace(e.name, z.entries_.size());  // the first of a repeated name wins
    z.entries_.push_back(std::move(e));
    p += rec_len;
  }
  return z;
}

const ZipEntry* ZipArchive::Find(std::string_view name) const {
  const auto it = by_name_.find(std::string(name));
  return it == by_name_.end() ? nullptr : &entries_[it->second];
}

absl::StatusOr<uint64_t> ZipArchive::DataOffset(const ZipEntry& e) const {
  const uint64_t h = e.local_header_offset;
  if (!Fits(h, kLocalSize, bytes_.size()))
    return Corrupt(path_, e.central_offset, absl::StrCat("entry ", Printable(e.name), ": local header offset ", h,
                                                         " lies outside the file (", bytes_.size(), " bytes)"));
  if (Le(&bytes_[h], 4) != kLocalSig)
    return Corrupt(path_, h, absl::StrCat("entry ", Printable(e.name), ": bad local header signature"));
  // The local extra field may differ from the central one (torch pads it to align data).
  const uint64_t data = h + kLocalSize + Le(&bytes_[h + 26], 2) + Le(&bytes_[h + 28], 2);
  if (!Fits(data, e.compressed_size, bytes_.size()))
    return Corrupt(path_, h, absl::StrCat("entry ", Printable(e.name), ": data [", data, ", +", e.compressed_size,
                                          ") runs past the end of the file (", bytes_.size(), " bytes)"));
  return data;
}

absl::StatusOr<std::span<const uint8_t>> ZipArchive::Data(const ZipEntry& e) const {
  if (e.method != 0)
    return absl::UnimplementedError(absl::StrCat(path_, "@", e.central_offset, ": entry ", Printable(e.name),
                                                 " is compressed (method ", e.method, "); only stored entries are read"));
  if (e.compressed_size != e.size)
    return Corrupt(path_, e.central_offset, absl::StrCat("stored entry ", Printable(e.name), " has compressed size ",
                                                         e.compressed_size, " but size ", e.size));
  RWKVKIT_ASSIGN_OR_RETURN(uint64_t off, DataOffset(e));
  return bytes_.subspan(off, e.size);
}

absl::Status ZipArchive::CheckCrc(const ZipEntry& e) const {
  RWKVKIT_ASSIGN_OR_RETURN(std::span<const uint8_t> d, Data(e));
  const uint32_t got = Crc32(d);
  if (got != e.crc32) {
    RWKVKIT_ASSIGN_OR_RETURN(uint64_t off, DataOffset(e));
    return Corrupt(path_, off, absl::StrFormat("entry %s: CRC-32 0x%08x, central directory says 0x%08x",
                                               Printable(e.name), got, e.crc32));
  }
  return absl::OkStatus();
}

}  // namespace rwkvkit::refmodel::checkpoint

// refmodel/checkpoint/zip_reader.h — the central directory of a ZIP archive held in memory
// (an mmap), as torch.save writes it: stored (uncompressed) entries, ZIP64 records when the
// archive needs them.
//
// Does not inflate: a compressed entry is reported as kUnimplemented when it is opened. Does
// not check CRC-32 except through ZipArchive::CheckCrc(), which the .pth reader calls for the
// small entries (data.pkl, version). Thread-safe after Open() (values only).
#ifndef RWKVKIT_REFMODEL_CHECKPOINT_ZIP_READER_H_
#define RWKVKIT_REFMODEL_CHECKPOINT_ZIP_READER_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "absl/status/statusor.h"

namespace rwkvkit::refmodel::checkpoint {

struct ZipEntry {
  std::string name;
  uint16_t method = 0;          // 0 = stored
  uint32_t crc32 = 0;
  uint64_t compressed_size = 0;
  uint64_t size = 0;
  uint64_t local_header_offset = 0;
  uint64_t central_offset = 0;  // where its central directory record starts, for messages
};

class ZipArchive {
 public:
  // Open()
  // Parses the end-of-central-directory record (and the ZIP64 one when present) and every
  // central directory record of `bytes`. kDataLoss "path@offset: ..." for a truncated or
  // corrupt archive; kUnimplemented for a multi-disk archive.
  static absl::StatusOr<ZipArchive> Open(std::string path, std::span<const uint8_t> bytes);

  const std::vector<ZipEntry>& entries() const { return entries_; }
  // nullptr when there is no entry of that exact name (the first one when it repeats).
  const ZipEntry* Find(std::string_view name) const;

  // Data()
  // The bytes of a stored entry, after checking its local header. kDataLoss when the
  // local header or the data lie outside the file; kUnimplemented when it is compressed.
  absl::StatusOr<std::span<const uint8_t>> Data(const ZipEntry& e) const;
  // File offset where Data(e) starts (valid once Data(e) succeeded).
  absl::StatusOr<uint64_t> DataOffset(const ZipEntry& e) const;

  // CheckCrc(): kDataLoss when the entry's bytes do not match its CRC-32.
  absl::Status CheckCrc(const ZipEntry& e) const;

  const std::string& path() const { return path_; }

 private:
  std::string path_;
  std::span<const uint8_t> bytes_;
  std::vector<ZipEntry> entries_;
  std::unordered_map<std::string, size_t> by_name_;  // index into entries_
};

// CRC-32 (ISO-HDLC, the ZIP polynomial 0xEDB88320).
uint32_t Crc32(std::span<const uint8_t> bytes);

}  // namespace rwkvkit::refmodel::checkpoint

#endif  // RWKVKIT_REFMODEL_CHECKPOINT_ZIP_READER_H_

// corpus/binidx/shard_writer.h — writes one binidx shard (`<prefix>.bin` + `<prefix>.idx`)
// exactly as RWKV-LM's make_data.py and Megatron's IndexedDatasetBuilder write it.
//
// One sequence per document, dtype uint16 (docs/formats/binidx.md). Tokens stream to
// `<prefix>.bin.tmp`; only the sizes stay in memory (4 bytes per document). Finish() writes
// `<prefix>.idx.tmp`, fsyncs both, renames .bin then .idx into place and fsyncs the
// directory, so no partial file is ever visible under a final name; a writer destroyed
// without a successful Finish() removes its temporary files. The end-of-document token 0 is
// the caller's to append. Not thread-safe: one writer per thread. Depends on std + Abseil.
//
//   absl::StatusOr<ShardWriter> w = ShardWriter::Create("out/demo_00000");
//   RWKVKIT_RETURN_IF_ERROR(w->AddDocument(ids));   // ids end with 0
//   RWKVKIT_ASSIGN_OR_RETURN(ShardSummary s, w->Finish());
#ifndef RWKVKIT_CORPUS_BINIDX_SHARD_WRITER_H_
#define RWKVKIT_CORPUS_BINIDX_SHARD_WRITER_H_

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace rwkvkit::binidx {

struct ShardSummary {
  std::filesystem::path bin_path, idx_path;
  uint64_t documents = 0;
  uint64_t tokens = 0;
  uint64_t bin_bytes = 0;
  uint64_t idx_bytes = 0;
};

class ShardWriter {
 public:
  // Create()
  // Creates `<prefix>.bin.tmp` (truncating a stale one). The directory must exist
  // (kNotFound otherwise). Existing `<prefix>.bin/.idx` are replaced only by Finish().
  static absl::StatusOr<ShardWriter> Create(const std::filesystem::path& prefix);

  ShardWriter(ShardWriter&& other) noexcept;
  ShardWriter& operator=(ShardWriter&& other) noexcept;
  ShardWriter(const ShardWriter&) = delete;
  ShardWriter& operator=(const ShardWriter&) = delete;
  // Removes the temporary files unless Finish() succeeded.
  ~ShardWriter();

  // AddDocument()
  // Appends one document as one sequence (an empty document is a sequence of size 0).
  // kInvalidArgument for more than INT32_MAX tokens (sizes are int32); an I/O error names
  // the temporary path. After any error, or after Finish(), every call fails
  // (kFailedPrecondition).
  absl::Status AddDocument(std::span<const uint16_t> tokens);

  // Finish()
  // Publishes the shard atomically (see the banner) and returns what was written.
  absl::StatusOr<ShardSummary> Finish();

  uint64_t documents() const { return sizes_.size(); }
  uint64_t tokens() const { return tokens_; }
  const std::filesystem::path& prefix() const { return prefix_; }

 private:
  ShardWriter(std::filesystem::path prefix, int bin_fd);
  absl::Status FlushBuffer();
  absl::Status CheckWritable() const;
  absl::StatusOr<uint64_t> WriteIndex(const std::filesystem::path& idx_tmp) const;
  absl::Status Fail(absl::Status s);
  void RemoveTempFiles() noexcept;

  std::filesystem::path prefix_;
  int bin_fd_ = -1;
  std::string buffer_;           // pending .bin bytes, flushed at kBufferBytes
  std::vector<int32_t> sizes_;   // tokens per document
  uint64_t tokens_ = 0;
  absl::Status error_;           // sticky: the first error
  bool finished_ = false;        // Finish() succeeded
  bool owns_files_ = false;      // false once moved from
};

// The file names of a shard prefix: "<prefix>.bin", "<prefix>.idx" and their ".tmp" twins.
std::filesystem::path BinPath(const std::filesystem::path& prefix);
std::filesystem::path IdxPath(const std::filesystem::path& prefix);
std::filesystem::path TempPath(const std::filesystem::path& final_path);

}  // namespace rwkvkit::binidx

#endif  // RWKVKIT_CORPUS_BINIDX_SHARD_WRITER_H_

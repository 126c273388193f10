// corpus/binidx/shard_reader.h — opens a binidx shard (`<prefix>.bin` + `<prefix>.idx`),
// validates all of it, and reads documents.
//
// Open() checks everything RWKV-LM's binidx.py and Megatron's indexed_dataset.py assert and
// more (docs/formats/binidx.md, "What the reader checks", lists each check and its error).
// Dtype code 8 (uint16) and 4 (int32) are read; ids come out as uint16, and an int32 id
// outside 0..65535 is kFailedPrecondition. Corruption is kDataLoss "<path>@<byte offset>:
// what (saw X, expected Y)". The .idx is read once with plain reads (no mmap); documents are
// read from the .bin with pread(). Thread-safe after Open(): all methods are const, so one
// reader may serve many threads. Depends on std + Abseil only.
//
//   RWKVKIT_ASSIGN_OR_RETURN(ShardReader r, ShardReader::Open("out/demo_00000"));
//   std::vector<uint16_t> ids;
//   for (uint64_t i = 0; i < r.num_documents(); ++i) RWKVKIT_RETURN_IF_ERROR(r.ReadDocument(i, ids));
#ifndef RWKVKIT_CORPUS_BINIDX_SHARD_READER_H_
#define RWKVKIT_CORPUS_BINIDX_SHARD_READER_H_

#include <cstdint>
#include <filesystem>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace rwkvkit::binidx {

class ShardReader {
 public:
  // Open()
  // kNotFound when either file is missing; kDataLoss for any corruption or truncation;
  // kFailedPrecondition for a valid index of a dtype other than uint16 or int32.
  static absl::StatusOr<ShardReader> Open(const std::filesystem::path& prefix);

  ShardReader(ShardReader&& other) noexcept;
  ShardReader& operator=(ShardReader&& other) noexcept;
  ShardReader(const ShardReader&) = delete;
  ShardReader& operator=(const ShardReader&) = delete;
  ~ShardReader();

  // Documents are the ranges doc_idx[i]..doc_idx[i+1] of sequences; in shards RWKV-LM's
  // make_data.py and rwkvkit write, every document is exactly one sequence.
  uint64_t num_documents() const { return num_documents_; }
  uint64_t num_sequences() const { return offsets_.size() - 1; }
  uint64_t num_tokens() const { return offsets_.back(); }
  uint64_t bin_bytes() const { return offsets_.back() * token_bytes_; }
  uint8_t dtype_code() const { return dtype_; }      // 8 (uint16) or 4 (int32)
  size_t token_bytes() const { return token_bytes_; }  // 2 or 4
  uint64_t idx_bytes() const { return idx_bytes_; }
  bool one_sequence_per_document() const { return doc_idx_.empty(); }
  const std::filesystem::path& bin_path() const { return bin_path_; }
  const std::filesystem::path& idx_path() const { return idx_path_; }

  // Token counts. `i` must be < num_sequences() / num_documents().
  uint64_t sequence_tokens(uint64_t i) const { return offsets_[i + 1] - offsets_[i]; }
  // Token offset of sequence i in the .bin (i <= num_sequences()).
  uint64_t sequence_begin(uint64_t i) const { return offsets_[i]; }
  uint64_t document_tokens(uint64_t i) const { return offsets_[DocBegin(i + 1)] - offsets_[DocBegin(i)]; }
  // doc_idx[i] (i <= num_documents()): the first sequence of document i.
  uint64_t document_first_sequence(uint64_t i) const { return DocBegin(i); }

  // ReadDocument() / ReadSequence()
  // Replace `out` with the token ids. kOutOfRange for a bad index; kDataLoss if the .bin
  // was truncated after Open(); kFailedPrecondition for an int32 id outside 0..65535.
  absl::Status ReadDocument(uint64_t i, std::vector<uint16_t>& out) const;
  absl::Status ReadSequence(uint64_t i, std::vector<uint16_t>& out) const;

  // ReadTokens()
  // Replaces `out` with `count` ids from token position `first` of the .bin read as one
  // flat stream, which is how RWKV-LM samples it. kOutOfRange past the end.
  absl::Status ReadTokens(uint64_t first, uint64_t count, std::vector<uint16_t>& out) const;

 private:
  ShardReader() = default;
  uint64_t DocBegin(uint64_t i) const { return doc_idx_.empty() ? i : doc_idx_[i]; }
  absl::Status ReadRange(uint64_t first_token, uint64_t count, std::vector<uint16_t>& out) const;
  absl::Status ReadInt32Range(uint64_t first_token, uint64_t count, std::vector<uint16_t>& out) const;

  std::filesystem::path bin_path_, idx_path_;
  int bin_fd_ = -1;
  uint8_t dtype_ = 8;
  size_t token_bytes_ = 2;
  uint64_t idx_bytes_ = 0;
  uint64_t num_documents_ = 0;
  std::vector<uint64_t> offsets_{0};  // token offset of each sequence, then the total
  std::vector<uint64_t> doc_idx_;     // empty when doc_idx is 0..N (the usual case)
};

}  // namespace rwkvkit::binidx

#endif  // RWKVKIT_CORPUS_BINIDX_SHARD_READER_H_

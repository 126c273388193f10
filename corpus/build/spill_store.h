// corpus/build/spill_store.h — the tokenized documents of a build, in input order, on disk.
//
// Phase 1 of a build (read → repair → dedup → tokenize) appends every kept document's
// tokens here; phase 2 writes the shards from it in output order (input order, repeats,
// or a seeded shuffle) without holding the corpus in memory. The store is two files in the
// build's work directory: `tokens.u16` (the ids, little-endian uint16) and `docs.u64` (the
// end offset, in tokens, of each document). Finish() fsyncs both and writes a completion
// marker last, so `--resume` can trust a finished store and skip phase 1.
//
// Not thread-safe: written by the pipeline's serial stage; read-only after Open().
#ifndef RWKVKIT_CORPUS_BUILD_SPILL_STORE_H_
#define RWKVKIT_CORPUS_BUILD_SPILL_STORE_H_

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace rwkvkit::corpus::build {

class SpillWriter {
 public:
  static absl::StatusOr<SpillWriter> Create(const std::filesystem::path& dir);
  // Continues a store from a checkpoint (phase1_checkpoint.h): cuts both files back to
  // `documents` documents of `tokens` tokens in all and appends from there. kDataLoss when
  // they are shorter than that or disagree.
  static absl::StatusOr<SpillWriter> Reopen(const std::filesystem::path& dir, uint64_t documents, uint64_t tokens);
  SpillWriter(SpillWriter&&) noexcept;
  SpillWriter& operator=(SpillWriter&&) = delete;
  ~SpillWriter();
  absl::Status Append(std::span<const uint16_t> tokens);
  // Flushes and fsyncs both files (a checkpoint).
  absl::Status Sync();
  // Flushes, fsyncs, and writes the completion marker.
  absl::Status Finish();
  uint64_t documents() const { return documents_; }
  uint64_t tokens() const { return end_; }

 private:
  SpillWriter(std::filesystem::path dir, std::FILE* tokens, std::FILE* docs) : dir_(std::move(dir)), tokens_(tokens), docs_(docs) {}
  std::filesystem::path dir_;
  std::FILE* tokens_ = nullptr;
  std::FILE* docs_ = nullptr;
  uint64_t documents_ = 0;
  uint64_t end_ = 0;
};

class SpillReader {
 public:
  // kFailedPrecondition when the store is missing its completion marker; kDataLoss (naming the
  // file) when tokens.u16's size is not the last document's end in docs.u64.
  static absl::StatusOr<SpillReader> Open(const std::filesystem::path& dir);
  // Several finished stores read as one, their documents in the order of `dirs` (a build split
  // into tasks: one store per read task).
  static absl::StatusOr<SpillReader> OpenParts(const std::vector<std::filesystem::path>& dirs);
  // The same stores' token files only, without the per-document index (no memory per
  // document): only ReadTokens() works on it (a shard writer that is told where each document is).
  static absl::StatusOr<SpillReader> OpenTokensOnly(const std::vector<std::filesystem::path>& dirs);
  // The tokens a reader holds from one store's token file: the last read, which for a reader
  // going forward through the file (the shard writers, in input order) is a large one that
  // serves the documents that follow without another system call.
  struct Window {
    std::vector<uint16_t> tokens;
    size_t part = SIZE_MAX;
    uint64_t begin = 0;  // the token offset of tokens[0] in that store
  };
  // `count` tokens of store `part` from token `offset`, as a view into `w` (valid until its
  // next use). Reads ahead (about 1 MiB) when the request starts at or shortly after the end of
  // the window's last read; reads just the request otherwise (a shuffled order).
  absl::StatusOr<std::span<const uint16_t>> ReadTokens(size_t part, uint64_t offset, uint64_t count, Window& w) const;
  SpillReader(SpillReader&&) noexcept;
  SpillReader& operator=(SpillReader&&) = delete;
  ~SpillReader();
  uint64_t documents() const { return ends_.size(); }
  uint64_t DocumentTokens(uint64_t i) const { return ends_[i] - (i == 0 ? 0 : ends_[i - 1]); }
  // Which of the stores (OpenParts' `dirs`) holds document i, and its first token's index there.
  std::pair<size_t, uint64_t> Location(uint64_t i) const;
  // Document i's tokens, read through `w` as ReadTokens() does.
  absl::StatusOr<std::span<const uint16_t>> Read(uint64_t i, Window& w) const;

 private:
  struct Part {
    std::filesystem::path path;
    int fd = -1;
    uint64_t first_doc = 0;    // its first document in the whole
    uint64_t token_base = 0;   // tokens of the parts before it
  };
  SpillReader() = default;
  // OpenParts (with_documents: each store's per-document ends too) and OpenTokensOnly.
  static absl::StatusOr<SpillReader> OpenStores(const std::vector<std::filesystem::path>& dirs, bool with_documents);
  std::vector<Part> parts_;
  std::vector<uint64_t> ends_;  // end offset in tokens of each document, over all parts
};

// True when `dir` holds a finished store.
bool SpillComplete(const std::filesystem::path& dir);

}  // namespace rwkvkit::corpus::build

#endif  // RWKVKIT_CORPUS_BUILD_SPILL_STORE_H_

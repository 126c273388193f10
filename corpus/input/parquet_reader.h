// corpus/input/parquet_reader.h — reads the string columns of a Parquet file row by row, in
// bounded blocks, without holding the file or a whole row group in memory (docs/parquet.md).
//
// Only the named columns are read: the text column and, optionally, more string columns (an
// id, a language); each must be a top-level, non-repeated BYTE_ARRAY string column (or not
// annotated). Every encoding and every codec the Arrow build has is read, one page at a time.
// A block never spans two row groups. FormatParquetRow() names a row `path: row 7 (row group
// 1, row 2)`. A null is returned as a null value, for the caller to count.
//
// Errors (docs/parquet.md, "Damaged or unexpected files"): kInvalidArgument for a missing or
// non-string column, kDataLoss for a file that is not Parquet, a damaged footer or a corrupt
// page (after the complete rows before it), kUnimplemented when built without Arrow
// (RWKVKIT_PARQUET=OFF). Nothing throws. Not thread-safe: one reader per file, one thread at a
// time. Arrow C++ (the pyarrow wheel's libparquet) is confined to parquet_reader.cc.
#ifndef RWKVKIT_CORPUS_INPUT_PARQUET_READER_H_
#define RWKVKIT_CORPUS_INPUT_PARQUET_READER_H_

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "corpus/input/parquet_block.h"

namespace rwkvkit::corpus::input {

// True when this build links Arrow C++ and can read Parquet.
bool ParquetSupported();

class ParquetReader {
 public:
  // Open()
  // Opens `path` and finds `columns` (the first is the text column; see the banner for the
  // errors) and `optional_columns` (read when the file has them as string columns, else all
  // null); the block's columns come in that order. A value longer than `max_value_bytes` is
  // not copied: it comes out as kTooLong.
  static absl::StatusOr<ParquetReader> Open(const std::filesystem::path& path, const std::vector<std::string>& columns,
                                            const std::vector<std::string>& optional_columns = {},
                                            uint64_t max_value_bytes = UINT64_MAX);
  ParquetReader(ParquetReader&&) noexcept;
  ParquetReader& operator=(ParquetReader&&) noexcept;
  ~ParquetReader();

  // Next()
  // Replaces `block` with the next rows of the current row group (about `block_bytes` of
  // text, at least one row, at most 65,536); false at the end of the file.
  absl::StatusOr<bool> Next(ParquetBlock& block, size_t block_bytes);

  int num_row_groups() const;
  uint64_t num_rows() const;
  // File bytes behind the rows read so far (estimated from the row count) and the file's
  // size: progress and ETA.
  uint64_t bytes_consumed() const;
  uint64_t file_size() const;

 private:
  struct Impl;
  explicit ParquetReader(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace rwkvkit::corpus::input

#endif  // RWKVKIT_CORPUS_INPUT_PARQUET_READER_H_

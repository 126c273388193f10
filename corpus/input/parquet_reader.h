// corpus/input/parquet_reader.h — reads the string columns of a Parquet file row by row, in
// bounded blocks, without holding the file or a whole row group in memory.
//
// Only the named columns are read: the text column and, optionally, more string columns
// (an id, a language). Each must be a top-level, non-repeated column of physical type
// BYTE_ARRAY annotated as a string (or not annotated at all, as some writers store strings);
// Arrow's string, large_string, string_view and dictionary<string> all are. Every encoding
// (plain, dictionary, delta) and every codec the Arrow build has (snappy, zstd, gzip, brotli,
// lz4, uncompressed) is read. Pages are decompressed one at a time through a small buffered
// stream, so memory stays bounded by the page and block size, whatever the row group size.
//
// A block never spans two row groups. A row is named by its 0-based row in the file, its row
// group and its row within it (pyarrow's `ParquetFile.read_row_group(g).slice(r, 1)`):
// FormatParquetRow() gives `path: row 7 (row group 1, row 2)`. A null is returned as a null
// value, for the caller to count.
//
// Errors: Open() fails with kInvalidArgument when a column is missing (the message lists the
// file's columns) or is not a string column, with kDataLoss when the file is not Parquet or
// its footer is damaged (a truncated file: its rows cannot be located). Next() fails with
// kDataLoss naming the row where a corrupt page was met, after first returning the complete
// rows read before it. Built without Arrow (RWKVKIT_PARQUET=OFF), Open() fails with
// kUnimplemented "built without Parquet support". Nothing throws: the library's exceptions
// are caught here.
//
// Not thread-safe: one reader per file, used by one thread at a time. Arrow C++ (the pyarrow
// wheel's libparquet) is confined to parquet_reader.cc; this header does not include it.
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

namespace rwkvkit::corpus {

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

}  // namespace rwkvkit::corpus

#endif  // RWKVKIT_CORPUS_INPUT_PARQUET_READER_H_

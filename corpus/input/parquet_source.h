// corpus/input/parquet_source.h — a Parquet file as a RecordSource (record_source.h): the
// cells of its text column as kText records, by row.
//
// Reads only the text column (`text_key`), and the `language_key` column when asked and the
// file has it as strings (the block's `languages`), through ParquetReader (parquet_reader.h:
// bounded memory, every codec and string type). A block holds rows of one row group and names them by
// row, row group and row within it. A null text, or one over the record size cap, stays in
// the block as a rejected record (null_text, record_too_long) so positions stay exact. Open
// fails as ParquetReader::Open does (a missing or non-string text column names the file and
// its columns; a truncated file; a build without Parquet support); Next fails with kDataLoss
// at a corrupt page after the rows before it. Not thread-safe: one source per file.
#ifndef RWKVKIT_CORPUS_INPUT_PARQUET_SOURCE_H_
#define RWKVKIT_CORPUS_INPUT_PARQUET_SOURCE_H_

#include <filesystem>
#include <memory>

#include "absl/status/statusor.h"
#include "corpus/input/record_source.h"

namespace rwkvkit::corpus::input {

absl::StatusOr<std::unique_ptr<RecordSource>> OpenParquetSource(const std::filesystem::path& path,
                                                                const RecordSourceOptions& options);

}  // namespace rwkvkit::corpus::input

#endif  // RWKVKIT_CORPUS_INPUT_PARQUET_SOURCE_H_

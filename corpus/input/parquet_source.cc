// corpus/input/parquet_source.cc — see parquet_source.h.
#include "corpus/input/parquet_source.h"

#include "absl/strings/str_cat.h"
#include "corpus/input/parquet_reader.h"

namespace rwkvkit::corpus::input {
namespace {

class ParquetSource final : public RecordSource {
 public:
  ParquetSource(ParquetReader reader, uint64_t max_record_bytes)
      : reader_(std::move(reader)), max_record_bytes_(max_record_bytes) {}

  absl::StatusOr<bool> Next(RecordBlock& block, size_t block_bytes) override {
    block.kind = RecordKind::kText;
    block.position = PositionKind::kRow;
    block.Clear();
    absl::StatusOr<bool> more = reader_.Next(rows_, block_bytes);
    if (!more.ok() || !*more) return more;
    block.first = rows_.first_row;
    block.row_group = rows_.row_group;
    block.first_in_group = rows_.first_row_in_group;
    const StringColumn& text = rows_.columns[0];
    block.data.reserve(text.data.size() + text.size());
    for (size_t k = 0; k < text.size(); ++k) {
      if (text.state[k] == StringColumn::kNull)
        block.AppendRejected("null_text", "the text is null");
      else if (text.state[k] == StringColumn::kTooLong)
        block.AppendRejected("record_too_long", absl::StrCat("the text is over the record size cap of ",
                                                             max_record_bytes_, " bytes (--max-record-bytes)"));
      else
        block.Append(text.value(k));
    }
    if (rows_.columns.size() > 1) {  // the language column
      const StringColumn& lang = rows_.columns[1];
      block.languages.resize(lang.size());
      for (size_t k = 0; k < lang.size(); ++k)
        block.languages[k] = lang.state[k] == StringColumn::kValue ? std::string(lang.value(k)) : std::string();
    }
    return true;
  }
  uint64_t bytes_consumed() const override { return reader_.bytes_consumed(); }
  uint64_t file_size() const override { return reader_.file_size(); }

 private:
  ParquetReader reader_;
  uint64_t max_record_bytes_;
  ParquetBlock rows_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<RecordSource>> OpenParquetSource(const std::filesystem::path& path,
                                                                const RecordSourceOptions& options) {
  std::vector<std::string> optional;
  if (options.language_key) optional.push_back(*options.language_key);
  absl::StatusOr<ParquetReader> reader = ParquetReader::Open(path, {options.text_key}, optional, options.max_record_bytes);
  if (!reader.ok()) return reader.status();
  return std::make_unique<ParquetSource>(*std::move(reader), options.max_record_bytes);
}

}  // namespace rwkvkit::corpus::input

// corpus/input/parquet_reader.cc — see parquet_reader.h. The only file that includes Arrow.
// Pages are decoded by the low-level ByteArrayReader through a buffered stream, a page at a
// time; why this reader and not Arrow's FileReader: docs/parquet.md.
#include "corpus/input/parquet_reader.h"

#include <arrow/memory_pool.h>
#include <arrow/status.h>
#include <parquet/column_reader.h>
#include <parquet/exception.h>
#include <parquet/file_reader.h>
#include <parquet/metadata.h>
#include <parquet/properties.h>
#include <parquet/schema.h>
#include <parquet/types.h>

#include <algorithm>
#include <exception>
#include <system_error>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace rwkvkit::corpus::input {
namespace {

constexpr int64_t kStreamBufferBytes = 1 << 20;
constexpr int64_t kMaxBatchRows = 4096;
constexpr size_t kMaxBlockRows = 1 << 16;  // bounds a block of null or empty texts
// The largest single buffer Arrow may take for one file: the larger of this floor and
// kPoolFileMultiple times the file's size (a page is read whole, then decompressed).
constexpr int64_t kPoolFloorBytes = int64_t{256} << 20;
constexpr int64_t kPoolFileMultiple = 4;

// Arrow allocates what a page header claims before it reads the page, so a damaged header
// (a few flipped bits) can ask for gigabytes. Every allocation for one file goes through
// this pool, which refuses a single request over its limit: Arrow then throws, and the
// reader reports the page as damaged instead of taking the machine's memory.
class BoundedPool final : public arrow::MemoryPool {
 public:
  explicit BoundedPool(int64_t limit) : limit_(limit) {}
  arrow::Status Allocate(int64_t size, int64_t alignment, uint8_t** out) override {
    if (size > limit_) return Refuse(size);
    return base_->Allocate(size, alignment, out);
  }
  arrow::Status Reallocate(int64_t old_size, int64_t new_size, int64_t alignment, uint8_t** ptr) override {
    if (new_size > limit_) return Refuse(new_size);
    return base_->Reallocate(old_size, new_size, alignment, ptr);
  }
  void Free(uint8_t* buffer, int64_t size, int64_t alignment) override { base_->Free(buffer, size, alignment); }
  int64_t bytes_allocated() const override { return base_->bytes_allocated(); }
  int64_t total_bytes_allocated() const override { return base_->total_bytes_allocated(); }
  int64_t num_allocations() const override { return base_->num_allocations(); }
  std::string backend_name() const override { return base_->backend_name(); }

  int64_t limit() const { return limit_; }
  int64_t refused() const { return refused_; }  // the last refused request (0: none)

 private:
  arrow::Status Refuse(int64_t size) {
    refused_ = size;
    return arrow::Status::OutOfMemory("a buffer of ", size, " bytes is over the reader's limit of ", limit_);
  }
  arrow::MemoryPool* base_ = arrow::default_memory_pool();
  int64_t limit_;
  int64_t refused_ = 0;
};

std::string DescribeType(const parquet::ColumnDescriptor& d) {
  const auto& logical = d.logical_type();
  std::string s = parquet::TypeToString(d.physical_type());
  if (logical && !logical->is_none()) absl::StrAppend(&s, " (", logical->ToString(), ")");
  return s;
}

// The leaf column of the top-level field `name`, or why it cannot be read as text.
absl::StatusOr<int> FindStringColumn(const parquet::SchemaDescriptor& schema, const std::string& path,
                                     const std::string& name) {
  const parquet::schema::GroupNode& root = *schema.group_node();
  const int field = root.FieldIndex(name);
  if (field < 0) {
    std::vector<std::string> names;
    for (int i = 0; i < root.field_count(); ++i) names.push_back("\"" + root.field(i)->name() + "\"");
    return absl::InvalidArgumentError(absl::StrCat(path, ": no column \"", name, "\" (the file has ",
                                                   names.empty() ? "no columns" : absl::StrJoin(names, ", "), ")"));
  }
  const parquet::schema::Node& node = *root.field(field);
  if (!node.is_primitive())
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": column \"", name, "\" is nested (a list, map or struct), not a string column"));
  if (node.is_repeated())
    return absl::InvalidArgumentError(absl::StrCat(path, ": column \"", name, "\" is repeated, not a string column"));
  const int index = schema.ColumnIndex(node);
  const parquet::ColumnDescriptor& d = *schema.Column(index);
  const auto& logical = d.logical_type();
  const bool text_type = !logical || logical->is_none() || logical->is_string() || logical->is_enum() || logical->is_JSON();
  if (d.physical_type() != parquet::Type::BYTE_ARRAY || !text_type)
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": column \"", name, "\" is ", DescribeType(d), ", not a string column"));
  return index;
}

}  // namespace

bool ParquetSupported() { return true; }

struct ParquetReader::Impl {
  std::string path;
  uint64_t size = 0;
  std::unique_ptr<BoundedPool> pool;  // outlives `file`, which allocates from it
  std::unique_ptr<parquet::ParquetFileReader> file;
  std::shared_ptr<parquet::FileMetaData> meta;
  std::vector<int> leaf;            // leaf column index of each named column (-1: an absent optional one)
  std::vector<int16_t> max_def;     // its maximum definition level (0: required)
  uint64_t max_value_bytes = UINT64_MAX;
  int row_group = -1;               // the row group being read
  uint64_t group_rows = 0;
  uint64_t row_in_group = 0;
  std::shared_ptr<parquet::RowGroupReader> group;
  std::vector<std::shared_ptr<parquet::ColumnReader>> readers;
  uint64_t rows_done = 0;
  uint64_t text_bytes_done = 0;
  bool failed = false;
  absl::Status pending;  // an error to return once the rows before it are out
  std::vector<int16_t> def;
  std::vector<parquet::ByteArray> values;

  // Appends up to n rows of column c to `out`; stops early (setting `pending`) at damage.
  size_t ReadRows(size_t c, int64_t n, StringColumn& out);
  // Opens the next row group with rows; false after the last.
  bool NextGroup();
  // What Arrow's exception `e` means for the page being read.
  std::string PageError(const std::exception& e) const {
    if (pool->refused() > 0)
      return absl::StrCat("corrupt page: its header asks for a buffer of ", pool->refused(), " bytes, more than the ", pool->limit(),
                          " bytes a page of this file may take (the larger of 256 MiB and 4 times the file size)");
    return absl::StrCat("corrupt page (", e.what(), ")");
  }
  // The file broke off at row `got` of the current read.
  absl::Status Damage(size_t got, std::string_view what) const {
    return absl::DataLossError(absl::StrCat(FormatParquetRow(path, rows_done + got, row_group, row_in_group + got),
                                            ": ", std::string(what), "; the rest of the file is skipped"));
  }
};

size_t ParquetReader::Impl::ReadRows(size_t c, int64_t n, StringColumn& out) {
  if (leaf[c] < 0) {  // an optional column the file does not have: all null
    for (int64_t i = 0; i < n; ++i) {
      out.state.push_back(StringColumn::kNull);
      out.starts.push_back(out.data.size());
    }
    return static_cast<size_t>(n);
  }
  auto* reader = static_cast<parquet::ByteArrayReader*>(readers[c].get());
  def.resize(static_cast<size_t>(kMaxBatchRows));
  values.resize(static_cast<size_t>(kMaxBatchRows));
  size_t got = 0;
  try {
    while (static_cast<int64_t>(got) < n) {
      int64_t values_read = 0;
      const int64_t want = std::min<int64_t>(n - static_cast<int64_t>(got), kMaxBatchRows);
      const int64_t levels = reader->ReadBatch(want, def.data(), nullptr, values.data(), &values_read);
      if (levels <= 0) {
        pending = Damage(got, "the column chunk ends before the row count of its row group");
        return got;
      }
      size_t v = 0;
      for (int64_t i = 0; i < levels; ++i) {
        if (max_def[c] > 0 && def[static_cast<size_t>(i)] < max_def[c]) {
          out.state.push_back(StringColumn::kNull);
        } else if (const parquet::ByteArray& a = values[v++]; a.len > max_value_bytes) {
          out.state.push_back(StringColumn::kTooLong);
        } else {
          out.data.append(reinterpret_cast<const char*>(a.ptr), a.len);
          out.state.push_back(StringColumn::kValue);
        }
        out.starts.push_back(out.data.size());
      }
      got += static_cast<size_t>(levels);
    }
  } catch (const std::exception& e) {
    pending = Damage(got, PageError(e));
  }
  return got;
}

bool ParquetReader::Impl::NextGroup() {
  readers.clear();
  group.reset();
  while (row_group + 1 < meta->num_row_groups()) {
    ++row_group;
    row_in_group = 0;
    group_rows = static_cast<uint64_t>(meta->RowGroup(row_group)->num_rows());
    if (group_rows == 0) continue;
    try {
      group = file->RowGroup(row_group);
      for (int col : leaf) readers.push_back(col < 0 ? nullptr : group->Column(col));
    } catch (const std::exception& e) {
      pending = Damage(0, pool->refused() > 0 ? PageError(e) : absl::StrCat("cannot open the row group (", e.what(), ")"));
      return false;
    }
    return true;
  }
  return false;
}

ParquetReader::ParquetReader(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ParquetReader::ParquetReader(ParquetReader&&) noexcept = default;
ParquetReader& ParquetReader::operator=(ParquetReader&&) noexcept = default;
ParquetReader::~ParquetReader() = default;

absl::StatusOr<ParquetReader> ParquetReader::Open(const std::filesystem::path& path,
                                                  const std::vector<std::string>& columns,
                                                  const std::vector<std::string>& optional_columns,
                                                  uint64_t max_value_bytes) {
  auto impl = std::make_unique<Impl>();
  impl->path = path.string();
  impl->max_value_bytes = max_value_bytes;
  std::error_code ec;
  impl->size = std::filesystem::file_size(path, ec);
  if (ec) return absl::NotFoundError(absl::StrCat(impl->path, ": cannot read (", ec.message(), ")"));
  impl->pool = std::make_unique<BoundedPool>(
      std::max<int64_t>(kPoolFloorBytes, kPoolFileMultiple * static_cast<int64_t>(std::min<uint64_t>(impl->size, INT64_MAX / 8))));
  parquet::ReaderProperties props(impl->pool.get());
  props.enable_buffered_stream();
  props.set_buffer_size(kStreamBufferBytes);
  props.set_page_checksum_verification(true);  // a no-op for pages written without a CRC
  try {
    impl->file = parquet::ParquetFileReader::OpenFile(impl->path, /*memory_map=*/false, props);
    impl->meta = impl->file->metadata();
  } catch (const std::exception& e) {
    return absl::DataLossError(
        absl::StrCat(impl->path, ": not a readable Parquet file, or truncated (", e.what(), ")"));
  }
  const parquet::SchemaDescriptor& schema = *impl->meta->schema();
  for (const std::string& name : columns) {
    absl::StatusOr<int> leaf = FindStringColumn(schema, impl->path, name);
    if (!leaf.ok()) return leaf.status();
    impl->leaf.push_back(*leaf);
    impl->max_def.push_back(schema.Column(*leaf)->max_definition_level());
  }
  for (const std::string& name : optional_columns) {
    absl::StatusOr<int> leaf = FindStringColumn(schema, impl->path, name);
    impl->leaf.push_back(leaf.ok() ? *leaf : -1);
    impl->max_def.push_back(leaf.ok() ? schema.Column(*leaf)->max_definition_level() : 0);
  }
  return ParquetReader(std::move(impl));
}

absl::StatusOr<bool> ParquetReader::Next(ParquetBlock& block, size_t block_bytes) {
  Impl& m = *impl_;
  block.columns.resize(m.leaf.size());
  for (StringColumn& c : block.columns) c.Clear();
  if (!m.failed && m.row_in_group == m.group_rows && !m.NextGroup()) m.failed = !m.pending.ok();
  block.first_row = m.rows_done;
  block.row_group = m.row_group;
  block.first_row_in_group = m.row_in_group;
  while (!m.failed && m.row_in_group < m.group_rows && block.columns[0].data.size() < block_bytes &&
         block.size() < kMaxBlockRows) {
    // Half the rows that would fill the block at the average row size seen so far (one row
    // when it is nearly full), so a block overshoots its size by less than one row.
    const size_t before = block.size();
    const uint64_t avg = m.rows_done == 0 ? 4096 : std::max<uint64_t>(1, m.text_bytes_done / m.rows_done);
    const uint64_t fill = std::max<uint64_t>(1, (block_bytes - block.columns[0].data.size()) / avg / 2);
    const int64_t n = static_cast<int64_t>(
        std::min<uint64_t>({fill, m.group_rows - m.row_in_group, kMaxBatchRows, kMaxBlockRows - before}));
    size_t complete = m.ReadRows(0, n, block.columns[0]);
    for (size_t c = 1; c < m.leaf.size() && complete > 0; ++c)
      complete = std::min(complete, m.ReadRows(c, static_cast<int64_t>(complete), block.columns[c]));
    for (StringColumn& col : block.columns) col.Truncate(before + complete);
    m.text_bytes_done += block.columns[0].starts[before + complete] - block.columns[0].starts[before];
    m.row_in_group += complete;
    m.rows_done += complete;
    if (!m.pending.ok()) m.failed = true;
  }
  if (block.size() > 0) return true;
  if (!m.pending.ok()) {
    absl::Status s = m.pending;
    m.pending = absl::OkStatus();
    return s;
  }
  return false;
}

int ParquetReader::num_row_groups() const { return impl_->meta->num_row_groups(); }
uint64_t ParquetReader::num_rows() const { return static_cast<uint64_t>(impl_->meta->num_rows()); }
uint64_t ParquetReader::file_size() const { return impl_->size; }
uint64_t ParquetReader::bytes_consumed() const {
  const uint64_t rows = num_rows();
  if (rows == 0) return impl_->size;
  return static_cast<uint64_t>(static_cast<double>(impl_->size) * static_cast<double>(impl_->rows_done) /
                               static_cast<double>(rows));
}

}  // namespace rwkvkit::corpus::input

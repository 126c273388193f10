// corpus/input/parquet_reader_unavailable.cc — ParquetReader of a build without Arrow C++
// (RWKVKIT_PARQUET=OFF, or AUTO without the pyarrow wheel): every Open() says so.
#include "corpus/input/parquet_reader.h"

#include "absl/strings/str_cat.h"

namespace rwkvkit::corpus::input {

bool ParquetSupported() { return false; }

struct ParquetReader::Impl {};

ParquetReader::ParquetReader(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ParquetReader::ParquetReader(ParquetReader&&) noexcept = default;
ParquetReader& ParquetReader::operator=(ParquetReader&&) noexcept = default;
ParquetReader::~ParquetReader() = default;

absl::StatusOr<ParquetReader> ParquetReader::Open(const std::filesystem::path& path, const std::vector<std::string>&,
                                                  const std::vector<std::string>&, uint64_t) {
  return absl::UnimplementedError(
      absl::StrCat(path.string(), ": rwkvkit was built without Parquet support (tools/setup.sh installs the pyarrow "
                                  "wheel that provides it; then reconfigure, see docs/parquet.md)"));
}

absl::StatusOr<bool> ParquetReader::Next(ParquetBlock&, size_t) { return false; }
int ParquetReader::num_row_groups() const { return 0; }
uint64_t ParquetReader::num_rows() const { return 0; }
uint64_t ParquetReader::bytes_consumed() const { return 0; }
uint64_t ParquetReader::file_size() const { return 0; }

}  // namespace rwkvkit::corpus::input

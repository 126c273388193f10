// corpus/input/record_source.cc — see record_source.h.
#include "corpus/input/record_source.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "corpus/input/byte_stream.h"
#include "corpus/input/input_format.h"
#include "corpus/input/parquet_source.h"

namespace rwkvkit::corpus {
namespace {

class JsonlSource final : public RecordSource {
 public:
  explicit JsonlSource(BlockReader reader) : reader_(std::move(reader)) {}
  absl::StatusOr<bool> Next(RecordBlock& block, size_t block_bytes) override { return reader_.Next(block, block_bytes); }
  uint64_t bytes_consumed() const override { return reader_.bytes_consumed(); }
  uint64_t file_size() const override { return reader_.file_size(); }

 private:
  BlockReader reader_;
};

// A text source's file: one kText record, the whole (decompressed) file.
class TextSource final : public RecordSource {
 public:
  TextSource(ByteStream stream, uint64_t max_record_bytes) : stream_(std::move(stream)), max_(max_record_bytes) {}

  absl::StatusOr<bool> Next(RecordBlock& block, size_t /*block_bytes*/) override {
    block.kind = RecordKind::kText;
    block.position = PositionKind::kFile;
    block.Clear();
    if (done_) return false;
    done_ = true;
    std::string all;
    for (;;) {  // at most one byte over the cap is read, so a huge file is never held
      const uint64_t room = max_ + 1 - std::min<uint64_t>(all.size(), max_ + 1);
      if (room == 0) break;
      absl::StatusOr<size_t> got = stream_.Read(all, static_cast<size_t>(std::min<uint64_t>(room, 1 << 20)));
      if (!got.ok()) return got.status();
      if (*got == 0) break;
    }
    if (all.size() > max_) {
      block.AppendRejected("record_too_long", absl::StrCat("the document is over the record size cap of ", max_,
                                                           " bytes (--max-record-bytes)"));
    } else {
      block.Append(all);
    }
    return true;
  }
  uint64_t bytes_consumed() const override { return stream_.bytes_consumed(); }
  uint64_t file_size() const override { return stream_.file_size(); }

 private:
  ByteStream stream_;
  uint64_t max_;
  bool done_ = false;
};

}  // namespace

absl::StatusOr<std::unique_ptr<RecordSource>> OpenRecordSource(const std::filesystem::path& path,
                                                               const RecordSourceOptions& options) {
  uint64_t size = 0;
  absl::StatusOr<int> fd = OpenRegularFile(path, size);
  if (!fd.ok()) return fd.status();
  char head[kSniffBytes];
  ssize_t n;
  do n = ::pread(*fd, head, sizeof head, 0);
  while (n < 0 && errno == EINTR);
  if (n < 0) {
    const int err = errno;
    ::close(*fd);
    return absl::DataLossError(absl::StrCat(path.string(), "@0: read failed (", std::strerror(err), ")"));
  }
  absl::StatusOr<Container> container = SniffContainer(std::string_view(head, static_cast<size_t>(n)), path.string());
  const std::string_view format =
      options.format == "auto" ? FormatFromName(path.filename().string()) : std::string_view(options.format);
  if (!container.ok() || *container == Container::kParquet || format == "parquet") ::close(*fd);
  if (!container.ok()) return container.status();
  if (*container == Container::kParquet) return OpenParquetSource(path, options);
  if (format == "parquet")
    return absl::InvalidArgumentError(absl::StrCat(path.string(), ": not a Parquet file (it does not start with PAR1; ",
                                                   ContainerName(*container), " content)"));
  absl::StatusOr<ByteStream> stream = ByteStream::FromDescriptor(*fd, path.string());
  if (!stream.ok()) return stream.status();
  if (format == "text") return std::make_unique<TextSource>(*std::move(stream), options.max_record_bytes);
  return std::make_unique<JsonlSource>(BlockReader(*std::move(stream), options.max_record_bytes));
}

}  // namespace rwkvkit::corpus

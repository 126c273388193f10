// corpus/input/record_source.cc — see record_source.h.
#include "corpus/input/record_source.h"

#include <unistd.h>

#include <algorithm>
#include <optional>

#include "absl/strings/str_cat.h"
#include "corpus/input/byte_stream.h"
#include "corpus/input/input_format.h"
#include "corpus/input/newline_scan.h"
#include "corpus/input/parquet_source.h"

namespace rwkvkit::corpus::input {
namespace {

class JsonlSource final : public RecordSource {
 public:
  // `lines_before`: the lines of the file before the stream's first byte (a byte range).
  JsonlSource(BlockReader reader, uint64_t lines_before) : reader_(std::move(reader)), lines_before_(lines_before) {}
  absl::StatusOr<bool> Next(RecordBlock& block, size_t block_bytes) override {
    absl::StatusOr<bool> more = reader_.Next(block, block_bytes);
    block.first += lines_before_;
    return more;
  }
  uint64_t bytes_consumed() const override { return reader_.bytes_consumed(); }
  uint64_t file_size() const override { return reader_.file_size(); }

 private:
  BlockReader reader_;
  uint64_t lines_before_ = 0;
};

// Where the first line starting at or after `begin` starts, and how many lines come before
// it; the file's size when no line starts in [begin, size). `known`: the newlines in
// [0, begin), so that only the line that `begin` may cut is read.
absl::StatusOr<std::pair<uint64_t, uint64_t>> FirstLineFrom(int fd, const std::filesystem::path& path,
                                                             uint64_t begin, uint64_t size,
                                                             std::optional<uint64_t> known) {
  if (begin == 0) return std::make_pair(uint64_t{0}, uint64_t{0});
  // The line that `begin` may cut ends at the first newline at or after begin - 1.
  const uint64_t target = begin - 1;
  uint64_t newlines = 0;  // in [0, target) unless known
  if (!known) {
    absl::StatusOr<NewlineCount> before = CountNewlines(fd, path, 0, target);
    if (!before.ok()) return before.status();
    newlines = before->newlines;
    if (before->end < target) return std::make_pair(size, newlines);  // the file ends before `begin`
  }
  absl::StatusOr<std::optional<uint64_t>> line = FindNewline(fd, path, target, size);
  if (!line.ok()) return line.status();
  if (!*line) return std::make_pair(size, known ? *known : newlines);
  if (!known) return std::make_pair(**line, newlines + 1);
  return std::make_pair(**line, *known + (**line > begin ? 1 : 0));  // a newline in [begin, line)
}

// The source's format, or for "auto" the one the file's name says.
std::string_view FormatOf(const std::filesystem::path& path, const RecordSourceOptions& options) {
  return options.format == "auto" ? FormatFromName(path.filename().string()) : std::string_view(options.format);
}

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
  absl::StatusOr<SniffedFile> file = OpenAndSniff(path);
  if (!file.ok()) return file.status();
  const int fd = file->fd;
  const uint64_t size = file->size;
  const Container container = file->container;
  const std::string_view format = FormatOf(path, options);
  if (container == Container::kParquet || format == "parquet") ::close(fd);
  if (container == Container::kParquet) return OpenParquetSource(path, options);
  if (format == "parquet")
    return absl::InvalidArgumentError(absl::StrCat(path.string(), ": not a Parquet file (it does not start with PAR1; ",
                                                   ContainerName(container), " content)"));
  if (options.byte_range) {
    if (container != Container::kPlain || format == "text") {
      ::close(fd);
      return absl::InvalidArgumentError(
          absl::StrCat(path.string(), ": only uncompressed JSON Lines can be read in byte ranges"));
    }
    const auto [begin, end] = *options.byte_range;
    absl::StatusOr<std::pair<uint64_t, uint64_t>> first = FirstLineFrom(fd, path, begin, size, options.newlines_before);
    if (!first.ok()) {
      ::close(fd);
      return first.status();
    }
    absl::StatusOr<ByteStream> stream = ByteStream::FromLines(fd, path.string(), first->first, std::min(end, size));
    if (!stream.ok()) return stream.status();
    return std::make_unique<JsonlSource>(BlockReader(*std::move(stream), options.max_record_bytes), first->second);
  }
  absl::StatusOr<ByteStream> stream = ByteStream::FromDescriptor(fd, path.string());
  if (!stream.ok()) return stream.status();
  if (format == "text") return std::make_unique<TextSource>(*std::move(stream), options.max_record_bytes);
  return std::make_unique<JsonlSource>(BlockReader(*std::move(stream), options.max_record_bytes), 0);
}

bool ReadableInByteRanges(const std::filesystem::path& path, const RecordSourceOptions& options) {
  absl::StatusOr<SniffedFile> file = OpenAndSniff(path);
  if (!file.ok()) return false;
  ::close(file->fd);
  const std::string_view format = FormatOf(path, options);
  return file->container == Container::kPlain && format != "text" && format != "parquet";
}

}  // namespace rwkvkit::corpus::input

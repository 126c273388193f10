// corpus/tasks/intermediate.cc — see intermediate.h.
#include "corpus/tasks/intermediate.h"

#include <cerrno>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/file_io.h"

namespace rwkvkit::corpus::tasks {

std::string PartFileName(const char* stem, uint32_t partition) { return absl::StrFormat("%s.%05d", stem, partition); }

absl::StatusOr<RecordWriter> RecordWriter::Create(const std::filesystem::path& path) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) return base::ErrnoError(path, "cannot create", errno);
  std::setvbuf(f, nullptr, _IOFBF, 1 << 18);
  return RecordWriter(path, f);
}

RecordWriter::~RecordWriter() {
  if (f_ != nullptr) std::fclose(f_);
}

absl::Status RecordWriter::Write(const void* data, size_t bytes) {
  if (bytes > 0 && std::fwrite(data, 1, bytes, f_) != bytes)
    return base::ErrnoError(path_, "write failed", errno);
  return absl::OkStatus();
}

absl::Status RecordWriter::Close(bool sync) {
  absl::Status s = sync                     ? base::FlushAndSync(f_, path_)
                   : std::fflush(f_) != 0 ? base::ErrnoError(path_, "write failed", errno)
                                          : absl::OkStatus();
  const int closed = std::fclose(f_);
  const int err = errno;
  f_ = nullptr;
  if (s.ok() && closed != 0) s = base::ErrnoError(path_, "write failed", err);
  return s;
}

absl::StatusOr<uint64_t> RecordCount(const std::filesystem::path& path, size_t record_size) {
  std::error_code ec;
  const uint64_t bytes = std::filesystem::file_size(path, ec);
  if (ec) return absl::DataLossError(absl::StrCat(path.string(), ": cannot read (", ec.message(), ")"));
  if (bytes % record_size != 0)
    return absl::DataLossError(absl::StrCat(path.string(), ": ", bytes, " bytes, not whole records of ", record_size));
  return bytes / record_size;
}

}  // namespace rwkvkit::corpus::tasks

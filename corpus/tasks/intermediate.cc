// corpus/tasks/intermediate.cc — see intermediate.h.
#include "corpus/tasks/intermediate.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace rwkvkit::corpus::tasks {

std::string PartFileName(const char* stem, uint32_t partition) { return absl::StrFormat("%s.%05d", stem, partition); }

absl::StatusOr<RecordWriter> RecordWriter::Create(const std::filesystem::path& path) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) return absl::UnavailableError(absl::StrCat(path.string(), ": cannot create (", std::strerror(errno), ")"));
  std::setvbuf(f, nullptr, _IOFBF, 1 << 18);
  return RecordWriter(path, f);
}

RecordWriter::~RecordWriter() {
  if (f_ != nullptr) std::fclose(f_);
}

absl::Status RecordWriter::Write(const void* data, size_t bytes) {
  if (bytes > 0 && std::fwrite(data, 1, bytes, f_) != bytes)
    return absl::UnavailableError(absl::StrCat(path_.string(), ": write failed (", std::strerror(errno), ")"));
  return absl::OkStatus();
}

absl::Status RecordWriter::Close(bool sync) {
  const bool ok = std::fflush(f_) == 0 && (!sync || ::fsync(fileno(f_)) == 0);
  const bool closed = std::fclose(f_) == 0;
  f_ = nullptr;
  if (!ok || !closed) return absl::UnavailableError(absl::StrCat(path_.string(), ": write failed (", std::strerror(errno), ")"));
  return absl::OkStatus();
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

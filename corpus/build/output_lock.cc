// corpus/build/output_lock.cc — see output_lock.h.
#include "corpus/build/output_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>

#include "absl/strings/str_cat.h"

namespace rwkvkit::corpus::build {
namespace {

std::string Holder(const std::string& command) {
  char host[256] = "?";
  ::gethostname(host, sizeof host - 1);
  host[sizeof host - 1] = '\0';
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  ::gmtime_r(&now, &utc);
  char when[32];
  std::strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &utc);
  std::string cmd = command;
  for (char& c : cmd)
    if (static_cast<unsigned char>(c) < 0x20) c = ' ';
  return absl::StrCat("pid ", ::getpid(), " on host ", host, ", started ", when, ": ", cmd);
}

std::string ReadHolder(int fd) {
  std::string s(4096, '\0');
  const ssize_t n = ::pread(fd, s.data(), s.size(), 0);
  s.resize(n > 0 ? static_cast<size_t>(n) : 0);
  while (!s.empty() && (s.back() == '\n' || s.back() == '\0')) s.pop_back();
  return s.empty() ? "another process (it has not written its name yet)" : s;
}

}  // namespace

absl::StatusOr<OutputLock> OutputLock::Acquire(const std::filesystem::path& dir, const std::string& command) {
  const std::filesystem::path path = dir / kLockFileName;
  for (int attempt = 0; attempt < 100; ++attempt) {
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (fd < 0)
      return absl::UnavailableError(
          absl::StrCat(path.string(), ": cannot create the lock file (", std::strerror(errno), ")"));
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      const int err = errno;
      const std::string holder = err == EWOULDBLOCK ? ReadHolder(fd) : "";
      ::close(fd);
      if (err != EWOULDBLOCK)
        return absl::UnavailableError(absl::StrCat(path.string(), ": cannot lock (", std::strerror(err), ")"));
      return absl::FailedPreconditionError(absl::StrCat(
          dir.string(), ": another build is writing to this directory (", holder, "; lock file ", path.string(), ")"));
    }
    // The holder we waited out may have unlinked the file between our open and our flock.
    struct stat locked {}, named {};
    if (::fstat(fd, &locked) == 0 && ::stat(path.c_str(), &named) == 0 && locked.st_dev == named.st_dev &&
        locked.st_ino == named.st_ino) {
      const std::string holder = Holder(command) + "\n";
      if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, holder.data(), holder.size(), 0) < 0) {
        // Only the description is lost; the lock itself holds.
      }
      return OutputLock(path, fd);
    }
    ::close(fd);
  }
  return absl::UnavailableError(absl::StrCat(path.string(), ": the lock file keeps changing; giving up"));
}

OutputLock::~OutputLock() {
  if (fd_ < 0) return;
  ::unlink(path_.c_str());  // while still locked: see the banner
  ::close(fd_);
}

absl::StatusOr<OutputLock> CreateAndLock(const std::filesystem::path& dir, const std::string& command) {
  std::error_code ec;
  if (std::filesystem::exists(dir, ec) && !std::filesystem::is_directory(dir, ec))
    return absl::InvalidArgumentError(absl::StrCat(dir.string(), ": exists and is not a directory"));
  std::filesystem::create_directories(dir, ec);
  if (ec) return absl::UnavailableError(absl::StrCat(dir.string(), ": cannot create (", ec.message(), ")"));
  return OutputLock::Acquire(dir, command);
}

}  // namespace rwkvkit::corpus::build

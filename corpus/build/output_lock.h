// corpus/build/output_lock.h — one build at a time per output directory.
//
// Acquire() creates `<dir>/.rwkvkit-lock`, takes an exclusive flock(2) on it without waiting
// and writes who holds it (pid, host, start time in UTC, command line) into it. A second
// build into the same directory fails at once with kFailedPrecondition naming that holder.
// The lock dies with its process (SIGKILL included), so a lock file left by a killed build
// is simply taken over. Release (the destructor) unlinks the file while still holding the
// lock; Acquire() re-checks that the file it locked is still the one under the name, so a
// run racing with that unlink never ends up holding a lock on a deleted file. The build's
// work directory lives inside the output directory, so this one lock covers both.
//
// Not thread-safe (one object per build); flock is per open file, so two threads of one
// process that each call Acquire() also exclude each other.
#ifndef RWKVKIT_CORPUS_BUILD_OUTPUT_LOCK_H_
#define RWKVKIT_CORPUS_BUILD_OUTPUT_LOCK_H_

#include <filesystem>
#include <string>

#include "absl/status/statusor.h"

namespace rwkvkit::corpus::build {

inline constexpr char kLockFileName[] = ".rwkvkit-lock";

class OutputLock {
 public:
  // `command` describes the holder in the message a second build prints.
  static absl::StatusOr<OutputLock> Acquire(const std::filesystem::path& dir, const std::string& command);
  OutputLock(OutputLock&& o) noexcept : path_(std::move(o.path_)), fd_(o.fd_) { o.fd_ = -1; }
  OutputLock& operator=(OutputLock&&) = delete;
  ~OutputLock();

 private:
  OutputLock(std::filesystem::path path, int fd) : path_(std::move(path)), fd_(fd) {}
  std::filesystem::path path_;
  int fd_ = -1;
};

// CreateAndLock()
// Creates the output directory `dir` (and its parents) and takes its lock, for the build and
// the split build alike: kInvalidArgument when `dir` exists and is not a directory, kUnavailable
// when it cannot be created, else Acquire()'s errors.
absl::StatusOr<OutputLock> CreateAndLock(const std::filesystem::path& dir, const std::string& command);

}  // namespace rwkvkit::corpus::build

#endif  // RWKVKIT_CORPUS_BUILD_OUTPUT_LOCK_H_

// corpus/build/progress.h — progress lines for long work on stderr.
//
// On a TTY one line is redrawn (\r) at most every 0.5 s; otherwise a plain line is printed
// every 10 s. Shows bytes (or tokens) done/total, percent, MB/s (tokens/s), documents/s and
// the ETA when the total is known. Not thread-safe: call from one thread (the pipeline's serial
// stages).
#ifndef RWKVKIT_CORPUS_BUILD_PROGRESS_H_
#define RWKVKIT_CORPUS_BUILD_PROGRESS_H_

#include <chrono>
#include <cstdint>
#include <string>

namespace rwkvkit::corpus::build {

class Progress {
 public:
  enum class Unit { kBytes, kTokens };  // what Update() counts: printed as MB or as token counts
  Progress(std::string label, uint64_t total_bytes, bool enabled, Unit unit = Unit::kBytes);
  void Update(uint64_t bytes_done, uint64_t docs_done);
  void Done(uint64_t bytes_done, uint64_t docs_done);

 private:
  void Print(uint64_t bytes, uint64_t docs, bool final);
  std::string label_;
  uint64_t total_;
  bool enabled_;
  Unit unit_;
  bool tty_;
  std::chrono::steady_clock::time_point start_, last_;
};

}  // namespace rwkvkit::corpus::build

#endif  // RWKVKIT_CORPUS_BUILD_PROGRESS_H_

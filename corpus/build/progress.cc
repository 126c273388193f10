// corpus/build/progress.cc — see progress.h.
#include "corpus/build/progress.h"

#include <unistd.h>

#include <cstdio>

namespace rwkvkit::corpus::build {

Progress::Progress(std::string label, uint64_t total_bytes, bool enabled, Unit unit)
    : label_(std::move(label)),
      total_(total_bytes),
      enabled_(enabled),
      unit_(unit),
      tty_(::isatty(2) == 1),
      start_(std::chrono::steady_clock::now()),
      last_(start_) {}

void Progress::Update(uint64_t bytes_done, uint64_t docs_done) {
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  if (now - last_ < (tty_ ? std::chrono::milliseconds(500) : std::chrono::milliseconds(10000))) return;
  last_ = now;
  Print(bytes_done, docs_done, false);
}

void Progress::Done(uint64_t bytes_done, uint64_t docs_done) {
  if (enabled_) Print(bytes_done, docs_done, true);
}

void Progress::Print(uint64_t bytes, uint64_t docs, bool final) {
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const double mbs = s > 0 ? static_cast<double>(bytes) / 1e6 / s : 0;
  const double dps = s > 0 ? static_cast<double>(docs) / s : 0;
  char eta[32] = "";
  if (!final && total_ > 0 && bytes > 0 && bytes < total_)
    std::snprintf(eta, sizeof eta, ", ETA %.0f s", s * static_cast<double>(total_ - bytes) / static_cast<double>(bytes));
  const double pct = total_ > 0 ? 100.0 * static_cast<double>(bytes) / static_cast<double>(total_) : 0;
  const char* tail = final ? ", done" : eta;
  const char* end = tty_ && !final ? "   " : "\n";
  if (unit_ == Unit::kTokens) {  // exact counts: an evaluation may be a few thousand tokens
    std::fprintf(stderr, "%s%s: %llu/%llu tokens (%.0f%%), %llu docs, %.0f tokens/s, %.1f docs/s%s%s", tty_ ? "\r" : "",
                 label_.c_str(), static_cast<unsigned long long>(bytes), static_cast<unsigned long long>(total_), pct,
                 static_cast<unsigned long long>(docs), mbs * 1e6, dps, tail, end);
    return;
  }
  std::fprintf(stderr, "%s%s: %.1f/%.1f MB (%.0f%%), %llu docs, %.1f MB/s, %.0f docs/s%s%s", tty_ ? "\r" : "",
               label_.c_str(), static_cast<double>(bytes) / 1e6, static_cast<double>(total_) / 1e6, pct,
               static_cast<unsigned long long>(docs), mbs, dps, tail, end);
}

}  // namespace rwkvkit::corpus::build

// corpus/progress.cc — see progress.h.
#include "corpus/progress.h"

#include <unistd.h>

#include <cstdio>

namespace rwkvkit::corpus {

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
  const char* u = unit_ == Unit::kTokens ? "Mtok" : "MB";
  std::fprintf(stderr, "%s%s: %.1f/%.1f %s (%.0f%%), %llu docs, %.*f %s/s, %.0f docs/s%s%s", tty_ ? "\r" : "",
               label_.c_str(), static_cast<double>(bytes) / 1e6, static_cast<double>(total_) / 1e6, u, pct,
               static_cast<unsigned long long>(docs), unit_ == Unit::kTokens ? 3 : 1, mbs, u, dps,
               final ? ", done" : eta, tty_ && !final ? "   " : "\n");
}

}  // namespace rwkvkit::corpus

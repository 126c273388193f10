// corpus/build/bad_input.h — counts bad records by reason and keeps the first few examples.
//
// A malformed line is not an error of the run (docs/conventions.md, "Errors"; leveldb's Reporter): the
// pipeline drops it with a reason, the sink counts it and keeps the first kExamplesPerReason
// locations (`path:line: message`) per reason for stderr and build.json. Reasons are short
// snake_case names (`invalid_json`, `missing_text_key`, ...).
//
// Not thread-safe: the pipeline reports from its serial stage only, in input order, so the
// kept examples are the same for any thread count.
#ifndef RWKVKIT_CORPUS_BUILD_BAD_INPUT_H_
#define RWKVKIT_CORPUS_BUILD_BAD_INPUT_H_

#include <cstdint>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

namespace rwkvkit::corpus::build {

class BadInputSink {
 public:
  static constexpr size_t kExamplesPerReason = 5;

  // `echo`: also print the kept examples on this stream as they arrive (nullptr: silent).
  explicit BadInputSink(std::FILE* echo = nullptr) : echo_(echo) {}

  void Report(const std::string& reason, const std::string& location, const std::string& message) {
    Entry& e = by_reason_[reason];
    ++e.count;
    if (e.examples.size() >= kExamplesPerReason) return;
    e.examples.push_back(location + ": " + message);
    if (echo_ != nullptr) std::fprintf(echo_, "rwkvkit: %s: %s [%s]\n", location.c_str(), message.c_str(), reason.c_str());
  }

  struct Entry {
    uint64_t count = 0;
    std::vector<std::string> examples;
  };
  const std::map<std::string, Entry>& by_reason() const { return by_reason_; }
  // Continues from saved counts and examples (a phase-1 checkpoint); nothing is printed.
  void Restore(std::map<std::string, Entry> by_reason) { by_reason_ = std::move(by_reason); }
  uint64_t total() const {
    uint64_t n = 0;
    for (const auto& [r, e] : by_reason_) n += e.count;
    return n;
  }

 private:
  std::FILE* echo_;
  std::map<std::string, Entry> by_reason_;
};

}  // namespace rwkvkit::corpus::build

#endif  // RWKVKIT_CORPUS_BUILD_BAD_INPUT_H_

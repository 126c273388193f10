// tests/corpus/build/test_files.h — temporary directories and input files for tests.
#ifndef RWKVKIT_TESTS_CORPUS_BUILD_TEST_FILES_H_
#define RWKVKIT_TESTS_CORPUS_BUILD_TEST_FILES_H_

#include <zstd.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace rwkvkit::corpus::testing {

class TempDir {
 public:
  TempDir() {
    std::random_device rd;
    path_ = std::filesystem::temp_directory_path() / ("rwkvkit_test_" + std::to_string(rd()) + std::to_string(rd()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

inline void WriteFile(const std::filesystem::path& p, const std::string& bytes) {
  std::filesystem::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << bytes;
}

inline std::string ReadFile(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// build.json without its last member, "timing" (stage times: the one part that differs
// between runs and thread counts).
inline std::string WithoutTiming(const std::string& build_json) {
  const size_t at = build_json.rfind(",\n  \"timing\": ");
  return at == std::string::npos ? build_json : build_json.substr(0, at) + "\n}\n";
}

// `bytes` compressed as consecutive zstd frames of at most `frame_bytes` input each.
inline std::string ZstdFrames(const std::string& bytes, size_t frame_bytes) {
  std::string out;
  for (size_t p = 0; p < bytes.size() || p == 0; p += frame_bytes) {
    const size_t n = std::min(frame_bytes, bytes.size() - p);
    std::string frame(ZSTD_compressBound(n), '\0');
    frame.resize(ZSTD_compress(frame.data(), frame.size(), bytes.data() + p, n, 3));
    out += frame;
    if (bytes.empty()) break;
  }
  return out;
}

inline std::string JsonLine(const std::string& text_json_literal) { return "{\"text\": " + text_json_literal + "}\n"; }

}  // namespace rwkvkit::corpus::testing

#endif  // RWKVKIT_TESTS_CORPUS_BUILD_TEST_FILES_H_

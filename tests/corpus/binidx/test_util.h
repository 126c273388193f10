// tests/corpus/binidx/test_util.h — helpers shared by the binidx tests: a fresh temporary
// directory per test and whole-file read/write (random documents: random_documents.h).
#ifndef RWKVKIT_TESTS_CORPUS_BINIDX_TEST_UTIL_H_
#define RWKVKIT_TESTS_CORPUS_BINIDX_TEST_UTIL_H_

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/corpus/binidx/random_documents.h"

namespace rwkvkit::binidx::testing {

// A directory under the gtest temp dir named after the running test, emptied first.
inline std::filesystem::path FreshTestDir() {
  const ::testing::TestInfo* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::filesystem::path dir = std::filesystem::path(::testing::TempDir()) /
                              (std::string("binidx_") + info->test_suite_name() + "_" + info->name());
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

inline std::string ReadFileBytes(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

inline void WriteFileBytes(const std::filesystem::path& p, const std::string& bytes) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

}  // namespace rwkvkit::binidx::testing

#endif  // RWKVKIT_TESTS_CORPUS_BINIDX_TEST_UTIL_H_

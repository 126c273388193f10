// tests/fuzz/fuzz_util.h — small helpers shared by the fuzz targets: a private scratch
// directory for parsers that read files (removed at exit), writing a file, and Check(), which
// aborts with a message when a property of the parsed result does not hold (libFuzzer and the
// replay driver report an abort as a crash, with the input that caused it).
//
// Header-only; each target is one process, so the scratch directory is per process.
#ifndef RWKVKIT_TESTS_FUZZ_FUZZ_UTIL_H_
#define RWKVKIT_TESTS_FUZZ_FUZZ_UTIL_H_

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

namespace rwkvkit::fuzz {

// Aborts with `what` on stderr when `ok` is false.
inline void Check(bool ok, std::string_view what) {
  if (ok) return;
  std::fprintf(stderr, "fuzz property violated: %.*s\n", static_cast<int>(what.size()), what.data());
  std::abort();
}

// A directory of this process under $TMPDIR (else /tmp), created on first use and removed at
// exit.
inline const std::filesystem::path& ScratchDir() {
  static const std::filesystem::path dir = [] {
    const char* tmp = std::getenv("TMPDIR");
    std::string templ = std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/rwkvkit_fuzz_XXXXXX";
    Check(::mkdtemp(templ.data()) != nullptr, "cannot create a scratch directory");
    std::atexit([] {
      std::error_code ec;
      std::filesystem::remove_all(ScratchDir(), ec);
    });
    return std::filesystem::path(templ);
  }();
  return dir;
}

inline void WriteFile(const std::filesystem::path& path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  Check(static_cast<bool>(out), "cannot write a scratch file");
}

}  // namespace rwkvkit::fuzz

#endif  // RWKVKIT_TESTS_FUZZ_FUZZ_UTIL_H_

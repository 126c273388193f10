// tests/fuzz/inspect_fuzzer.cc — fuzz target: `rwkvkit inspect DIR` (tools/cmd_inspect.cc,
// its own build.json reader and the checks of the listed shards) on a directory that holds
// real shards and a fuzzed build.json.
//
// Set-up: $RWKVKIT_FUZZ_BUILD_DIR names the output directory of a real build (the seed
// generator makes one); its .bin/.idx files are copied into a scratch directory once.
// Input: the bytes of build.json. Property: inspect exits 0 (all consistent) or 1 (problems
// reported), and never crashes.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "tests/fuzz/fuzz_util.h"

namespace rwkvkit::cli {
int RunInspect(int argc, char** argv);
}  // namespace rwkvkit::cli

using rwkvkit::fuzz::Check;

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  namespace fs = std::filesystem;
  const char* build = std::getenv("RWKVKIT_FUZZ_BUILD_DIR");
  if (build == nullptr || !fs::is_directory(build)) {
    std::fprintf(stderr, "inspect_fuzzer: set RWKVKIT_FUZZ_BUILD_DIR to a build output directory\n");
    std::exit(2);
  }
  size_t shards = 0;
  for (const fs::directory_entry& e : fs::directory_iterator(build)) {
    const std::string ext = e.path().extension().string();
    if (ext != ".bin" && ext != ".idx") continue;
    fs::copy_file(e.path(), rwkvkit::fuzz::ScratchDir() / e.path().filename());
    ++shards;
  }
  Check(shards > 0, "RWKVKIT_FUZZ_BUILD_DIR holds no shards");
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::filesystem::path& dir = rwkvkit::fuzz::ScratchDir();
  rwkvkit::fuzz::WriteFile(dir / "build.json", std::string_view(reinterpret_cast<const char*>(data), size));
  std::string a0 = "inspect", a1 = dir.string(), a2 = "--json";
  char* argv[] = {a0.data(), a1.data(), a2.data(), nullptr};
  const int rc = rwkvkit::cli::RunInspect(3, argv);
  Check(rc == 0 || rc == 1, "inspect exited with a code other than 0 or 1");
  return 0;
}

// tests/corpus/binidx/inspect_driver_main.cc — `binidx_inspect_driver inspect ...`: runs
// tools/cmd_inspect.cc's RunInspect exactly as `rwkvkit inspect ...` does, so that its test
// does not depend on the rest of the CLI.
#include <cstdio>
#include <cstring>

namespace rwkvkit::cli {
int RunInspect(int argc, char** argv);
}  // namespace rwkvkit::cli

int main(int argc, char** argv) {
  if (argc < 2 || std::strcmp(argv[1], "inspect") != 0) {
    std::fputs("usage: binidx_inspect_driver inspect PATH [--json] [--ctx-len N]\n", stderr);
    return 2;
  }
  return rwkvkit::cli::RunInspect(argc - 1, argv + 1);
}

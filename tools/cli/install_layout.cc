// tools/cli/install_layout.cc — see install_layout.h.
#include "tools/cli/install_layout.h"

#include <system_error>

namespace rwkvkit::cli {

std::filesystem::path ExecutableDir() {
  std::error_code ec;
  const std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::filesystem::path() : exe.parent_path();
}

std::filesystem::path PluginDir() { return (ExecutableDir() / RWKVKIT_BIN_TO_PLUGIN_DIR).lexically_normal(); }

std::filesystem::path DataDir() { return (ExecutableDir() / RWKVKIT_BIN_TO_DATA_DIR).lexically_normal(); }

}  // namespace rwkvkit::cli

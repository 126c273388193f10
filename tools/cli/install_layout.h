// tools/cli/install_layout.h — where the CLI finds its own files: relative to its binary.
//
// The build tree and an installed tree (`cmake --install`) have the same layout: the binary in
// bin/, the CUDA plugin in lib/rwkvkit/, the World vocab in share/rwkvkit/ (the folders come
// from CMake, RWKVKIT_INSTALL_*_DIR). No absolute path of the build machine is compiled in, so
// an installed tree can be moved anywhere. Linux: the binary is found through /proc/self/exe.
#ifndef RWKVKIT_TOOLS_CLI_INSTALL_LAYOUT_H_
#define RWKVKIT_TOOLS_CLI_INSTALL_LAYOUT_H_

#include <filesystem>

namespace rwkvkit::cli {

// The folder of the running binary; empty when it cannot be read.
std::filesystem::path ExecutableDir();

// <binary's folder>/../lib/rwkvkit: the CUDA plugin.
std::filesystem::path PluginDir();

// <binary's folder>/../share/rwkvkit: the World vocab.
std::filesystem::path DataDir();

}  // namespace rwkvkit::cli

#endif  // RWKVKIT_TOOLS_CLI_INSTALL_LAYOUT_H_

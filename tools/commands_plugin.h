// tools/commands_plugin.h — the contract between the rwkvkit binary and its commands plugin.
//
// The binary runs `tokenize` and `detokenize` itself; every other subcommand lives in a shared
// library (lib/rwkvkit/librwkvkit_commands.so) that it loads with dlopen on first use, so the
// tokenize path never maps Arrow, ICU, CLD2 or OpenBLAS. The plugin exports one C symbol,
// kCommandsPluginSymbol, returning a CommandsPlugin: a table of subcommands taking argv (as
// tools/commands.h). The binary and the plugin must come from the same build (ABI version and
// version string checked before use).
#ifndef RWKVKIT_TOOLS_COMMANDS_PLUGIN_H_
#define RWKVKIT_TOOLS_COMMANDS_PLUGIN_H_

#include <cstddef>
#include <cstdint>

namespace rwkvkit::cli {

inline constexpr uint32_t kCommandsPluginAbiVersion = 1;
inline constexpr char kCommandsPluginSymbol[] = "rwkvkit_commands_plugin_v1";
inline constexpr char kCommandsPluginFileName[] = "librwkvkit_commands.so";

struct PluginCommand {
  const char* name;
  int (*run)(int argc, char** argv);  // argv[0] is the subcommand's name
};

struct CommandsPlugin {
  uint32_t abi_version = kCommandsPluginAbiVersion;
  const char* version = nullptr;  // the project version it was built as
  const PluginCommand* commands = nullptr;
  size_t count = 0;
};

// The entry also stops OpenBLAS's idle worker pool, which the library starts when it is
// loaded (it would spin on a core for the whole of a short run).
using CommandsPluginEntry = const CommandsPlugin* (*)();

}  // namespace rwkvkit::cli

#endif  // RWKVKIT_TOOLS_COMMANDS_PLUGIN_H_

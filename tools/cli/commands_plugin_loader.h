// tools/cli/commands_plugin_loader.h — loads the commands plugin (tools/commands_plugin.h) on
// first use: lib/rwkvkit/librwkvkit_commands.so beside the binary (install_layout.h), in the
// build tree as when installed. Not thread-safe; the library stays loaded until the process exits.
#ifndef RWKVKIT_TOOLS_CLI_COMMANDS_PLUGIN_LOADER_H_
#define RWKVKIT_TOOLS_CLI_COMMANDS_PLUGIN_LOADER_H_

#include <string_view>

#include "absl/status/statusor.h"
#include "tools/commands_plugin.h"

namespace rwkvkit::cli {

// FindPluginCommand()
// The plugin's subcommand `name`. kFailedPrecondition naming the file when the plugin is
// missing, cannot be loaded (dlerror()), comes from another build, or lacks the command.
absl::StatusOr<const PluginCommand*> FindPluginCommand(std::string_view name);

}  // namespace rwkvkit::cli

#endif  // RWKVKIT_TOOLS_CLI_COMMANDS_PLUGIN_LOADER_H_

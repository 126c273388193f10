// tools/commands_plugin.cc — the entry point of librwkvkit_commands.so (commands_plugin.h).
#include "tools/commands_plugin.h"

#include <iterator>

#include "refmodel/cpu/cpu_forward.h"
#include "tools/commands.h"

namespace rwkvkit::cli {
namespace {

constexpr PluginCommand kCommands[] = {
    {"build", RunBuild}, {"inspect", RunInspect}, {"merge", RunMerge}, {"eval", RunEval},
    {"stats", RunStats}, {"bench", RunBench},
};

const CommandsPlugin kPlugin{kCommandsPluginAbiVersion, RWKVKIT_VERSION, kCommands, std::size(kCommands)};

}  // namespace
}  // namespace rwkvkit::cli

extern "C" __attribute__((visibility("default"))) const rwkvkit::cli::CommandsPlugin* rwkvkit_commands_plugin_v1() {
  rwkvkit::refmodel::StopBlasThreads();  // idle BLAS workers burn a core in short runs
  return &rwkvkit::cli::kPlugin;
}

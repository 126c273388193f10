// tools/cli/cuda_plugin_loader.h — loads the CUDA plugin (refmodel/cuda/cuda_plugin.h) on demand.
//
// `eval --device cuda` is the only caller: the plugin, and with it cudart and cuBLAS, is mapped
// into the process only then. It lies in PluginDir() (install_layout.h). Not thread-safe; the
// library stays loaded until the process exits.
#ifndef RWKVKIT_TOOLS_CLI_CUDA_PLUGIN_LOADER_H_
#define RWKVKIT_TOOLS_CLI_CUDA_PLUGIN_LOADER_H_

#include "absl/status/statusor.h"
#include "refmodel/cuda/cuda_plugin.h"

namespace rwkvkit::cli {

// LoadCudaPlugin()
// kFailedPrecondition naming the file when it is missing (a build without CUDA), cannot be
// loaded (dlerror(): e.g. no CUDA runtime), or comes from another build of rwkvkit.
absl::StatusOr<const refmodel::CudaPlugin*> LoadCudaPlugin();

}  // namespace rwkvkit::cli

#endif  // RWKVKIT_TOOLS_CLI_CUDA_PLUGIN_LOADER_H_

// evaluation/cuda_plugin_loader.h — loads the CUDA plugin (refmodel/cuda/cuda_plugin.h) on demand.
//
// `rwkvkit eval --device cuda` and the Python package's rwkvkit.evaluate(device="cuda") are the
// callers: the plugin, and with it cudart and cuBLAS, is mapped into the process only then.
// The caller says where it lies (the CLI: lib/rwkvkit/ beside its binary; the package: its own
// folder, or $RWKVKIT_CUDA_PLUGIN). Not thread-safe; the library stays loaded until the
// process exits.
#ifndef RWKVKIT_EVALUATION_CUDA_PLUGIN_LOADER_H_
#define RWKVKIT_EVALUATION_CUDA_PLUGIN_LOADER_H_

#include <filesystem>

#include "absl/status/statusor.h"
#include "refmodel/cuda/cuda_plugin.h"

namespace rwkvkit::evaluation {

// The plugin's file name.
inline constexpr char kCudaPluginFileName[] = "librwkvkit_cuda.so";

// LoadCudaPlugin()
// kFailedPrecondition naming the file when it is missing (a build without CUDA), cannot be
// loaded (dlerror(): e.g. no CUDA runtime), or comes from another build of rwkvkit.
absl::StatusOr<const refmodel::CudaPlugin*> LoadCudaPlugin(const std::filesystem::path& plugin_file);

}  // namespace rwkvkit::evaluation

#endif  // RWKVKIT_EVALUATION_CUDA_PLUGIN_LOADER_H_

// evaluation/cuda_plugin_loader.cc — see cuda_plugin_loader.h.
#include "evaluation/cuda_plugin_loader.h"

#include <dlfcn.h>

#include <cstring>
#include <string>

#include "absl/strings/str_cat.h"

namespace rwkvkit::evaluation {

absl::StatusOr<const refmodel::CudaPlugin*> LoadCudaPlugin(const std::filesystem::path& plugin_file) {
  const std::string path = plugin_file.string();
  std::error_code ec;
  if (!std::filesystem::exists(path, ec))
    return absl::FailedPreconditionError(absl::StrCat(
        "no CUDA plugin at ", path, " (this rwkvkit was built without CUDA, or the plugin was not installed); use --device cpu"));
  void* lib = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (lib == nullptr)
    return absl::FailedPreconditionError(absl::StrCat("the CUDA plugin ", path, " cannot be loaded: ", ::dlerror()));
  void* sym = ::dlsym(lib, refmodel::kCudaPluginSymbol);
  if (sym == nullptr)
    return absl::FailedPreconditionError(absl::StrCat(path, " is not an rwkvkit CUDA plugin (no ", refmodel::kCudaPluginSymbol, ")"));
  const refmodel::CudaPlugin* plugin = reinterpret_cast<refmodel::CudaPluginEntry>(sym)();
  if (plugin == nullptr || plugin->abi_version != refmodel::kCudaPluginAbiVersion || plugin->version == nullptr ||
      std::strcmp(plugin->version, RWKVKIT_VERSION) != 0 || !(plugin->sizes == refmodel::CudaPluginTypeSizes{}) ||
      plugin->evaluate == nullptr)
    return absl::FailedPreconditionError(
        absl::StrCat("the CUDA plugin ", path, " comes from another build of rwkvkit (rebuild or reinstall both)"));
  return plugin;
}

}  // namespace rwkvkit::evaluation

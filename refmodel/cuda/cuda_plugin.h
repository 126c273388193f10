// refmodel/cuda/cuda_plugin.h — the contract between the rwkvkit CLI and its CUDA plugin.
//
// The GPU evaluator lives in a shared library (lib/rwkvkit/librwkvkit_cuda.so) that the CLI
// loads with dlopen only for `eval --device cuda`, so no other command maps cudart/cuBLAS.
// The plugin exports one C symbol, kCudaPluginSymbol, returning a CudaPlugin. The types passed
// are C++ types of this source tree: the plugin and the CLI must come from the same build,
// which the CLI checks (ABI version, version string, sizes of the passed types) before use.
#ifndef RWKVKIT_REFMODEL_CUDA_CUDA_PLUGIN_H_
#define RWKVKIT_REFMODEL_CUDA_CUDA_PLUGIN_H_

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <vector>

#include "absl/status/statusor.h"
#include "refmodel/cuda/cuda_evaluator.h"
#include "refmodel/model_weights.h"
#include "tokenizer/tokenizer.h"

namespace rwkvkit::refmodel {

inline constexpr uint32_t kCudaPluginAbiVersion = 1;
inline constexpr char kCudaPluginSymbol[] = "rwkvkit_cuda_plugin_v1";

// Everything one GPU evaluation needs; pointers are borrowed for the call.
struct CudaEvalRequest {
  const ModelWeights* weights = nullptr;
  CudaDType dtype = CudaDType::kFp32;
  int device = 0;
  const tokenizer::Tokenizer* tok = nullptr;
  const std::vector<std::filesystem::path>* shards = nullptr;
  CudaEvalOptions options;
  const DocumentSink* sink = nullptr;
};

// The sizes of the types passed across, as each side was compiled.
struct CudaPluginTypeSizes {
  size_t request = sizeof(CudaEvalRequest);
  size_t weights = sizeof(ModelWeights);
  size_t tokenizer = sizeof(tokenizer::Tokenizer);
  size_t totals = sizeof(EvalTotals);
  size_t document = sizeof(DocumentResult);
  bool operator==(const CudaPluginTypeSizes&) const = default;
};

struct CudaPlugin {
  uint32_t abi_version = kCudaPluginAbiVersion;
  const char* version = nullptr;  // the project version it was built as
  CudaPluginTypeSizes sizes;
  // CudaModel::Create + EvaluateCuda (cuda_model.h, cuda_evaluator.h), with their errors.
  absl::StatusOr<EvalTotals> (*evaluate)(const CudaEvalRequest& request) = nullptr;
};

using CudaPluginEntry = const CudaPlugin* (*)();

}  // namespace rwkvkit::refmodel

#endif  // RWKVKIT_REFMODEL_CUDA_CUDA_PLUGIN_H_

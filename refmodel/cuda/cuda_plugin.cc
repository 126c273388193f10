// refmodel/cuda/cuda_plugin.cc — the entry point of librwkvkit_cuda.so (cuda_plugin.h).
#include "refmodel/cuda/cuda_plugin.h"

#include <memory>

#include "refmodel/cuda/cuda_evaluator.h"
#include "refmodel/cuda/cuda_model.h"

namespace rwkvkit::refmodel {
namespace {

absl::StatusOr<EvalTotals> Evaluate(const CudaEvalRequest& r) {
  absl::StatusOr<std::unique_ptr<CudaModel>> model = CudaModel::Create(*r.weights, r.dtype, r.device);
  if (!model.ok()) return model.status();
  return EvaluateCuda(**model, *r.tok, *r.shards, r.options, *r.sink);
}

const CudaPlugin kPlugin{kCudaPluginAbiVersion, RWKVKIT_VERSION, CudaPluginTypeSizes{}, &Evaluate};

}  // namespace
}  // namespace rwkvkit::refmodel

extern "C" __attribute__((visibility("default"))) const rwkvkit::refmodel::CudaPlugin* rwkvkit_cuda_plugin_v1() {
  return &rwkvkit::refmodel::kPlugin;
}

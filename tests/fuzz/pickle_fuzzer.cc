// tests/fuzz/pickle_fuzzer.cc — fuzz target: the state-dict unpickler of .pth checkpoints
// (refmodel/checkpoint/pickle.h).
//
// Input: the bytes of a data.pkl. Properties: errors are kDataLoss or kUnimplemented; every
// tensor record has as many strides as dimensions and a name. (Sizes and offsets are checked
// against the storages by the .pth reader: pth_fuzzer.cc.)
#include <cstdint>
#include <span>

#include "refmodel/checkpoint/pickle.h"
#include "tests/fuzz/fuzz_util.h"

using rwkvkit::fuzz::Check;
namespace checkpoint = rwkvkit::refmodel::checkpoint;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  absl::StatusOr<std::vector<checkpoint::PickledTensor>> tensors =
      checkpoint::ParseStateDict(std::span<const uint8_t>(data, size), "fuzz.pth", 0);
  if (!tensors.ok()) {
    const absl::StatusCode c = tensors.status().code();
    Check(c == absl::StatusCode::kDataLoss || c == absl::StatusCode::kUnimplemented,
              "ParseStateDict failed with an unexpected code");
    return 0;
  }
  for (const checkpoint::PickledTensor& t : *tensors) {
    Check(t.shape.size() == t.stride.size(), "a tensor without as many strides as dimensions");
  }
  return 0;
}

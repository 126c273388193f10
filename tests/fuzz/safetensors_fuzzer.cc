// tests/fuzz/safetensors_fuzzer.cc — fuzz target: a .safetensors checkpoint
// (refmodel/checkpoint/checkpoint_reader.h: ReadSafetensors), then BuildModel on what it accepts.
//
// Input: the bytes of the file. Properties: errors are statuses (kDataLoss, kUnimplemented,
// kInvalidArgument); an accepted file passes CheckTensorSet (checkpoint_check.h), and no two
// of its tensors share a byte (safetensors forbids overlapping data_offsets; .pth storages
// may be shared, so this is checked here only).
#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "refmodel/checkpoint/checkpoint_reader.h"
#include "tests/fuzz/checkpoint_check.h"
#include "tests/fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::shared_ptr<const rwkvkit::refmodel::FileBytes> file =
      rwkvkit::refmodel::FileBytes::FromString(std::string(reinterpret_cast<const char*>(data), size));
  absl::StatusOr<rwkvkit::refmodel::TensorSet> set = rwkvkit::refmodel::ReadSafetensors("fuzz.safetensors", file);
  if (!set.ok()) {
    rwkvkit::fuzz::Check(!set.status().message().empty(), "ReadSafetensors failed without a message");
    return 0;
  }
  rwkvkit::fuzz::CheckTensorSet(*set, file->bytes());
  std::vector<std::pair<const uint8_t*, const uint8_t*>> spans;
  for (const auto& [name, t] : set->tensors())
    if (!t.bytes.empty()) spans.emplace_back(t.bytes.data(), t.bytes.data() + t.bytes.size());
  std::sort(spans.begin(), spans.end());
  for (size_t k = 1; k < spans.size(); ++k)
    rwkvkit::fuzz::Check(spans[k].first >= spans[k - 1].second, "two accepted tensors overlap");
  return 0;
}

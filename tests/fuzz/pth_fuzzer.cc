// tests/fuzz/pth_fuzzer.cc — fuzz target: an official .pth checkpoint (torch.save zip + pickle) read without PyTorch
// (refmodel/checkpoint/checkpoint_reader.h: ReadPth), then BuildModel on what it accepts.
//
// Input: the bytes of the file. Properties: errors are statuses (kDataLoss, kUnimplemented,
// kInvalidArgument); an accepted file passes CheckTensorSet (checkpoint_check.h).
#include <cstdint>
#include <string>

#include "refmodel/checkpoint/checkpoint_reader.h"
#include "tests/fuzz/checkpoint_check.h"
#include "tests/fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::shared_ptr<const rwkvkit::refmodel::FileBytes> file =
      rwkvkit::refmodel::FileBytes::FromString(std::string(reinterpret_cast<const char*>(data), size));
  absl::StatusOr<rwkvkit::refmodel::TensorSet> set = rwkvkit::refmodel::ReadPth("fuzz.pth", file);
  if (!set.ok()) {
    rwkvkit::fuzz::Check(!set.status().message().empty(), "ReadPth failed without a message");
    return 0;
  }
  rwkvkit::fuzz::CheckTensorSet(*set, file->bytes());
  return 0;
}

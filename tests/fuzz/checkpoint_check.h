// tests/fuzz/checkpoint_check.h — what the .pth and safetensors fuzz targets check on a
// TensorSet that a reader accepted: every tensor's bytes lie inside the file and hold exactly
// numel elements of its dtype (fp32/fp16/bf16), and BuildModel (config inference, shape
// checks, conversion) either fails with a status or succeeds; it must not crash.
#ifndef RWKVKIT_TESTS_FUZZ_CHECKPOINT_CHECK_H_
#define RWKVKIT_TESTS_FUZZ_CHECKPOINT_CHECK_H_

#include <cstdint>
#include <span>

#include "refmodel/checkpoint/tensor.h"
#include "refmodel/model_weights.h"
#include "tests/fuzz/fuzz_util.h"

namespace rwkvkit::fuzz {

inline void CheckTensorSet(const refmodel::TensorSet& set, std::span<const uint8_t> file) {
  for (const auto& [name, t] : set.tensors()) {
    Check(t.bytes.empty() || (t.bytes.data() >= file.data() && t.bytes.data() + t.bytes.size() <= file.data() + file.size()),
          "tensor bytes outside the file");
    const size_t elem = refmodel::DTypeSize(t.dtype);
    if (elem == 0) continue;
    const int64_t n = t.numel();
    Check(n >= 0, "negative element count");
    Check(t.bytes.size() / elem == static_cast<uint64_t>(n) && t.bytes.size() % elem == 0,
          "tensor bytes differ from numel * dtype size");
  }
  (void)refmodel::BuildModel(set);
}

}  // namespace rwkvkit::fuzz

#endif  // RWKVKIT_TESTS_FUZZ_CHECKPOINT_CHECK_H_

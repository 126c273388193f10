// refmodel/checkpoint/pickle.h — a small unpickler for the data.pkl that torch.save writes
// for a state dict (docs/formats/checkpoints.md), producing one record per tensor.
//
// Not a Python: it knows exactly the opcodes torch.save emits for dicts of tensors
// (protocols 2..4) and three callables (collections.OrderedDict, torch._utils.
// _rebuild_tensor_v2 / _rebuild_tensor / _rebuild_parameter). Anything else is
// kUnimplemented naming the opcode or callable and its offset; truncation, stack misuse and
// a pickle beyond the caps (memory in proportion to its size, nesting depth, name lengths,
// tensor rank; docs/formats/checkpoints.md) are kDataLoss. Thread-safe: a pure function of
// its input.
#ifndef RWKVKIT_REFMODEL_CHECKPOINT_PICKLE_H_
#define RWKVKIT_REFMODEL_CHECKPOINT_PICKLE_H_

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace rwkvkit::refmodel::checkpoint {

// One entry of the state dict: the tensor `name` is numel(shape) elements of the storage
// data/<storage_key>, starting at element storage_offset, with the given strides.
struct PickledTensor {
  std::string name;
  std::string storage_type;  // "FloatStorage", "HalfStorage", "BFloat16Storage", ...
  std::string storage_key;
  int64_t storage_numel = 0;
  int64_t storage_offset = 0;
  std::vector<int64_t> shape;
  std::vector<int64_t> stride;
};

// ParseStateDict()
// `where` names the pickle in messages ("m.pth@<base>"), where `base` is the file offset of
// the pickle's first byte: errors read "m.pth@<base+k>: ... (data.pkl offset k)".
// Dict values that are not tensors are skipped; a name that appears twice is kDataLoss.
absl::StatusOr<std::vector<PickledTensor>> ParseStateDict(std::span<const uint8_t> pkl,
                                                          const std::string& path, uint64_t base);

}  // namespace rwkvkit::refmodel::checkpoint

#endif  // RWKVKIT_REFMODEL_CHECKPOINT_PICKLE_H_

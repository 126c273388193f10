// refmodel/checkpoint/tensor.h — a read-only view of one checkpoint tensor (name, dtype,
// shape, raw little-endian bytes), the set of them that a checkpoint file holds, and the
// conversion of fp32/fp16/bf16 element bytes to fp32.
//
// Does not copy tensor data: a TensorSet keeps the file's bytes (usually an mmap) alive
// and every TensorView points into them. Does not check shapes against a model; that is
// InferConfig()'s and LoadModel()'s job. Thread-safe after construction (values only).
#ifndef RWKVKIT_REFMODEL_CHECKPOINT_TENSOR_H_
#define RWKVKIT_REFMODEL_CHECKPOINT_TENSOR_H_

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace rwkvkit::refmodel {

// kOther is any dtype we do not convert (int64, fp64, ...); TensorView::dtype_name says which.
enum class DType { kF32, kF16, kBF16, kOther };

// Bytes per element of kF32/kF16/kBF16; 0 for kOther.
size_t DTypeSize(DType d);
std::string_view DTypeName(DType d);  // "fp32" / "fp16" / "bf16" / "other"

// FileBytes: the bytes of one checkpoint, either a read-only mmap of a file or an owned
// string (tests, and files the OS cannot map). Immutable after creation.
class FileBytes {
 public:
  // kNotFound when the path does not exist; kUnknown/kPermissionDenied for other I/O errors.
  static absl::StatusOr<std::shared_ptr<const FileBytes>> Map(const std::filesystem::path& path);
  static std::shared_ptr<const FileBytes> FromString(std::string bytes);

  FileBytes(const FileBytes&) = delete;
  FileBytes& operator=(const FileBytes&) = delete;
  ~FileBytes();

  std::span<const uint8_t> bytes() const { return {data_, size_}; }

 private:
  FileBytes() = default;
  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
  void* map_ = nullptr;  // non-null when data_ is an mmap of size_ bytes
  std::string owned_;
};

struct TensorView {
  std::string name;           // as stored in the file (HF names already mapped, see tensor_set)
  DType dtype = DType::kF32;
  std::string dtype_name;     // as the file spells it: "torch.BFloat16Storage", "BF16", "I64", ...
  std::vector<int64_t> shape;
  std::span<const uint8_t> bytes;  // numel * DTypeSize(dtype) bytes (row-major, contiguous)
  uint64_t file_offset = 0;        // where `bytes` starts in the file, for messages

  int64_t numel() const;
};

// "[300,32]"; "[]" for a scalar.
std::string ShapeString(std::span<const int64_t> shape);

// The shape without its size-1 dimensions (torch's squeeze()).
std::vector<int64_t> Squeezed(std::span<const int64_t> shape);

// Element conversions. fp16 is IEEE binary16 (subnormals, ±inf and NaN kept); bf16 is the
// top half of an fp32 (bits << 16).
float HalfToFloat(uint16_t h);
float BFloat16ToFloat(uint16_t b);

// Converts the tensor to fp32 (numel floats, row-major). kUnimplemented for kOther, naming
// the tensor and its dtype.
absl::StatusOr<std::vector<float>> ToFloat32(const TensorView& t, std::string_view path);

// The checks of ToFloat32 alone: OK when ConvertElements may be called on `t`.
absl::Status CheckConvertible(const TensorView& t, std::string_view path);
// Elements [begin, end) of `t` as fp32 into out[0, end - begin), for a tensor that passed
// CheckConvertible and 0 <= begin <= end <= numel. Loaders call it on disjoint ranges from
// several threads (the result does not depend on how the ranges are cut).
void ConvertElements(const TensorView& t, int64_t begin, int64_t end, float* out);

// TensorSet: every tensor of one checkpoint by name, plus what keeps their bytes alive.
class TensorSet {
 public:
  TensorSet() = default;
  TensorSet(std::string path, std::shared_ptr<const FileBytes> file)
      : path_(std::move(path)), file_(std::move(file)) {}

  const std::string& path() const { return path_; }
  // nullptr when absent.
  const TensorView* Find(std::string_view name) const;
  const std::map<std::string, TensorView, std::less<>>& tensors() const { return tensors_; }
  // Returns false (and keeps the first) when the name is already there.
  bool Add(TensorView t);

 private:
  std::string path_;
  std::shared_ptr<const FileBytes> file_;
  std::map<std::string, TensorView, std::less<>> tensors_;
};

}  // namespace rwkvkit::refmodel

#endif  // RWKVKIT_REFMODEL_CHECKPOINT_TENSOR_H_

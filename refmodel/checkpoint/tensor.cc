// refmodel/checkpoint/tensor.cc — TensorView, TensorSet, FileBytes (mmap) and the
// fp16/bf16 → fp32 conversions. POSIX mmap; no other dependency beyond Abseil.
#include "refmodel/checkpoint/tensor.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "refmodel/checkpoint/internal/printable.h"

namespace rwkvkit::refmodel {
namespace {

absl::Status ErrnoStatus(const std::filesystem::path& path, const char* what, int err) {
  std::string msg = absl::StrCat(path.string(), ": ", what, " (", std::strerror(err), ")");
  if (err == ENOENT || err == ENOTDIR) return absl::NotFoundError(msg);
  if (err == EACCES || err == EPERM) return absl::PermissionDeniedError(msg);
  return absl::UnknownError(msg);
}

}  // namespace

size_t DTypeSize(DType d) {
  switch (d) {
    case DType::kF32: return 4;
    case DType::kF16:
    case DType::kBF16: return 2;
    case DType::kOther: return 0;
  }
  return 0;
}

std::string_view DTypeName(DType d) {
  switch (d) {
    case DType::kF32: return "fp32";
    case DType::kF16: return "fp16";
    case DType::kBF16: return "bf16";
    case DType::kOther: return "other";
  }
  return "other";
}

absl::StatusOr<std::shared_ptr<const FileBytes>> FileBytes::Map(const std::filesystem::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus(path, "cannot open", errno);
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    int err = errno;
    ::close(fd);
    return ErrnoStatus(path, "cannot stat", err);
  }
  if (S_ISDIR(st.st_mode)) {
    ::close(fd);
    return absl::InvalidArgumentError(absl::StrCat(path.string(), ": is a directory, not a checkpoint file"));
  }
  std::shared_ptr<FileBytes> f(new FileBytes());
  f->size_ = static_cast<size_t>(st.st_size);
  if (f->size_ > 0) {
    void* p = ::mmap(nullptr, f->size_, PROT_READ, MAP_PRIVATE, fd, 0);
    if (p == MAP_FAILED) {
      int err = errno;
      ::close(fd);
      return ErrnoStatus(path, "cannot mmap", err);
    }
    f->map_ = p;
    f->data_ = static_cast<const uint8_t*>(p);
  }
  ::close(fd);
  return std::shared_ptr<const FileBytes>(std::move(f));
}

std::shared_ptr<const FileBytes> FileBytes::FromString(std::string bytes) {
  std::shared_ptr<FileBytes> f(new FileBytes());
  f->owned_ = std::move(bytes);
  f->data_ = reinterpret_cast<const uint8_t*>(f->owned_.data());
  f->size_ = f->owned_.size();
  return f;
}

FileBytes::~FileBytes() {
  if (map_ != nullptr) ::munmap(map_, size_);
}

int64_t TensorView::numel() const {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

std::string ShapeString(std::span<const int64_t> shape) {
  return absl::StrCat("[", absl::StrJoin(shape, ","), "]");
}

std::vector<int64_t> Squeezed(std::span<const int64_t> shape) {
  std::vector<int64_t> out;
  for (int64_t d : shape)
    if (d != 1) out.push_back(d);
  return out;
}

float HalfToFloat(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
  const uint32_t exp = (h >> 10) & 0x1Fu;
  uint32_t mant = h & 0x3FFu;
  uint32_t bits;
  if (exp == 0x1F) {
    bits = sign | 0x7F800000u | (mant << 13);  // inf, or NaN with its payload
  } else if (exp != 0) {
    bits = sign | ((exp + 112) << 23) | (mant << 13);  // rebias 15 -> 127
  } else if (mant == 0) {
    bits = sign;  // ±0
  } else {
    // Subnormal: value = mant * 2^-24. Normalize so the leading 1 is at bit 10.
    int e = -1;
    do {
      mant <<= 1;
      ++e;
    } while ((mant & 0x400u) == 0);
    bits = sign | (static_cast<uint32_t>(112 - e) << 23) | ((mant & 0x3FFu) << 13);
  }
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}

float BFloat16ToFloat(uint16_t b) {
  const uint32_t bits = static_cast<uint32_t>(b) << 16;
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}

absl::Status CheckConvertible(const TensorView& t, std::string_view path) {
  if (t.dtype == DType::kOther) {
    return absl::UnimplementedError(absl::StrCat(
        std::string(path), "@", t.file_offset, ": tensor ", checkpoint::Printable(t.name), " ", ShapeString(t.shape),
        " has dtype ", checkpoint::Printable(t.dtype_name), "; only fp32, fp16 and bf16 are supported"));
  }
  if (t.bytes.size() != static_cast<size_t>(t.numel()) * DTypeSize(t.dtype)) {
    return absl::InternalError(absl::StrCat(std::string(path), ": tensor ", checkpoint::Printable(t.name),
                                            " byte count does not match its shape"));
  }
  return absl::OkStatus();
}

void ConvertElements(const TensorView& t, int64_t begin, int64_t end, float* out) {
  const int64_t n = end - begin;
  if (n <= 0) return;
  const uint8_t* p = t.bytes.data() + begin * static_cast<int64_t>(DTypeSize(t.dtype));
  switch (t.dtype) {
    case DType::kF32:
      std::memcpy(out, p, static_cast<size_t>(n) * 4);  // the host is little-endian
      break;
    case DType::kF16:
      for (int64_t i = 0; i < n; ++i) out[i] = HalfToFloat(static_cast<uint16_t>(p[2 * i] | (p[2 * i + 1] << 8)));
      break;
    case DType::kBF16:
      for (int64_t i = 0; i < n; ++i) {  // bits << 16, written so that the compiler vectorizes it
        const uint32_t bits = static_cast<uint32_t>(p[2 * i] | (p[2 * i + 1] << 8)) << 16;
        std::memcpy(out + i, &bits, 4);
      }
      break;
    case DType::kOther:
      break;
  }
}

absl::StatusOr<std::vector<float>> ToFloat32(const TensorView& t, std::string_view path) {
  if (absl::Status s = CheckConvertible(t, path); !s.ok()) return s;
  std::vector<float> out(static_cast<size_t>(t.numel()));
  ConvertElements(t, 0, t.numel(), out.data());
  return out;
}

const TensorView* TensorSet::Find(std::string_view name) const {
  auto it = tensors_.find(name);
  return it == tensors_.end() ? nullptr : &it->second;
}

bool TensorSet::Add(TensorView t) {
  std::string name = t.name;
  return tensors_.emplace(std::move(name), std::move(t)).second;
}

}  // namespace rwkvkit::refmodel

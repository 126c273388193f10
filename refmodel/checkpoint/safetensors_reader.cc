// refmodel/checkpoint/safetensors_reader.cc — ReadSafetensors() (spec/refmodel.md §2.6):
// u64 header length N, N bytes of JSON {name: {dtype, shape, data_offsets}, "__metadata__"},
// then the data buffer; offsets are relative to the buffer. Views point into the mapping.
#include <algorithm>
#include <limits>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "refmodel/checkpoint/checkpoint_reader.h"
#include "refmodel/checkpoint/internal/printable.h"
#include "refmodel/checkpoint/internal/json_lite.h"

namespace rwkvkit::refmodel {
namespace {

using checkpoint::Json;
using checkpoint::Printable;

// Headers are about 100 bytes per tensor (an RWKV-6 14B has ~1,800 tensors: ~200 KB); the
// official reader allows 100 MB, we allow 16 MiB. The parsed header may take 24 bytes of
// memory per header byte + 1 MiB (real ones need about 11).
constexpr uint64_t kMaxHeaderBytes = uint64_t{16} << 20;
constexpr uint64_t kHeaderMemoryPerByte = 24;
// 2^42 elements (16 TiB of fp32) at most, so numel * element size never wraps; rank <= 64.
constexpr uint64_t kMaxElements = uint64_t{1} << 42;
constexpr size_t kMaxRank = 64;

// Element size of a safetensors dtype (0 if unknown) and our DType for it.
size_t SafetensorsDType(const std::string& name, DType* d) {
  *d = DType::kOther;
  if (name == "F32") return *d = DType::kF32, 4;
  if (name == "F16") return *d = DType::kF16, 2;
  if (name == "BF16") return *d = DType::kBF16, 2;
  if (name == "F64" || name == "I64" || name == "U64") return 8;
  if (name == "I32" || name == "U32") return 4;
  if (name == "I16" || name == "U16") return 2;
  if (name == "I8" || name == "U8" || name == "BOOL" || name.rfind("F8_", 0) == 0) return 1;
  return 0;
}

// Where one entry's data lies in the file: [begin, end).
struct Extent {
  uint64_t begin, end;
  const std::string* name;
};

absl::StatusOr<TensorView> ParseEntry(const std::string& path, const std::string& name, const Json& v,
                                      std::span<const uint8_t> buffer, uint64_t buffer_at, Extent* extent) {
  auto bad = [&](std::string_view what) {
    return absl::DataLossError(absl::StrCat(path, "@8: safetensors header entry ", Printable(name), ": ",
                                            std::string(what)));
  };
  const Json* dtype = v.Get("dtype");
  const Json* shape = v.Get("shape");
  const Json* offsets = v.Get("data_offsets");
  if (dtype == nullptr || dtype->kind != Json::kString || shape == nullptr || shape->kind != Json::kArray ||
      offsets == nullptr || offsets->kind != Json::kArray || offsets->array.size() != 2)
    return bad("needs \"dtype\" (string), \"shape\" (array) and \"data_offsets\" ([begin, end])");
  TensorView t;
  t.name = BlinkDlName(name);
  t.dtype_name = dtype->text;
  const size_t es = SafetensorsDType(dtype->text, &t.dtype);
  // numel <= kMaxElements, checked before each product so that it cannot wrap.
  if (shape->array.size() > kMaxRank) return bad(absl::StrCat("rank ", shape->array.size(), " (at most ", kMaxRank, ")"));
  uint64_t numel = 1;
  for (const Json& d : shape->array) {
    uint64_t n;
    if (!d.AsUint64(&n)) return bad("shape holds something other than a dimension");
    if (n > 0 && numel > kMaxElements / n)
      return bad(absl::StrCat("shape dimension ", t.shape.size(), " (", n,
                              ") makes the element count exceed 2^42: impossible element count"));
    t.shape.push_back(static_cast<int64_t>(n));
    numel *= n;
  }
  uint64_t begin, end;
  if (!offsets->array[0].AsUint64(&begin) || !offsets->array[1].AsUint64(&end) || begin > end)
    return bad("data_offsets must be [begin, end] with begin <= end");
  if (end > buffer.size())
    return bad(absl::StrCat("data_offsets [", begin, ", ", end, ") run past the data buffer (", buffer.size(), " bytes)"));
  if (es != 0 && end - begin != numel * es)
    return bad(absl::StrCat("shape ", ShapeString(t.shape), " of ", Printable(dtype->text), " needs ", numel * es,
                            " bytes, data_offsets give ", end - begin));
  t.bytes = buffer.subspan(begin, end - begin);
  t.file_offset = buffer_at + begin;
  *extent = {t.file_offset, buffer_at + end, &name};
  if (t.dtype == DType::kOther) t.bytes = {};
  return t;
}

// Two tensors may not share bytes (the official reader refuses it too); empty ones may sit
// anywhere.
absl::Status CheckNoOverlap(const std::string& path, std::vector<Extent>& extents) {
  std::erase_if(extents, [](const Extent& e) { return e.begin == e.end; });
  std::sort(extents.begin(), extents.end(),
            [](const Extent& a, const Extent& b) { return a.begin != b.begin ? a.begin < b.begin : a.end < b.end; });
  for (size_t k = 1; k < extents.size(); ++k) {
    const Extent& a = extents[k - 1];
    const Extent& b = extents[k];
    if (b.begin < a.end)
      return absl::DataLossError(absl::StrCat(path, "@", b.begin, ": the data of tensors ", Printable(*a.name),
                                              " [", a.begin, ", ", a.end, ") and ", Printable(*b.name), " [", b.begin,
                                              ", ", b.end, ") overlap"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<TensorSet> ReadSafetensors(const std::string& path, std::shared_ptr<const FileBytes> file) {
  std::span<const uint8_t> b = file->bytes();
  if (b.size() < 8)
    return absl::DataLossError(absl::StrCat(path, "@", b.size(), ": safetensors file truncated (",
                                            b.size(), " bytes, the header length alone needs 8)"));
  uint64_t n = 0;
  for (int k = 7; k >= 0; --k) n = (n << 8) | b[k];
  if (n > b.size() - 8)
    return absl::DataLossError(absl::StrCat(path, "@0: safetensors header length ", n, " exceeds the file (",
                                            b.size(), " bytes); truncated or not a safetensors file"));
  if (n > kMaxHeaderBytes)
    return absl::DataLossError(absl::StrCat(path, "@0: safetensors header length ", n, " exceeds the cap of ",
                                            kMaxHeaderBytes, " bytes (an RWKV checkpoint's is well under 1 MiB)"));
  Json header;
  size_t err_at = 0;
  std::string err;
  if (!checkpoint::ParseJson(std::string_view(reinterpret_cast<const char*>(b.data() + 8), n),
                             &header, &err_at, &err, kHeaderMemoryPerByte * n + (uint64_t{1} << 20)))
    return absl::DataLossError(absl::StrCat(path, "@", 8 + err_at, ": bad safetensors header JSON: ", err));
  if (header.kind != Json::kObject)
    return absl::DataLossError(absl::StrCat(path, "@8: safetensors header is not a JSON object"));
  TensorSet set(path, file);
  std::vector<Extent> extents;
  for (const auto& [name, v] : header.object) {
    if (name == "__metadata__") continue;
    RWKVKIT_ASSIGN_OR_RETURN(TensorView t, ParseEntry(path, name, v, b.subspan(8 + n), 8 + n, &extents.emplace_back()));
    std::string mapped = t.name;
    if (!set.Add(std::move(t)))
      return absl::DataLossError(absl::StrCat(path, "@8: tensor ", Printable(mapped), " appears twice in the header"));
  }
  RWKVKIT_RETURN_IF_ERROR(CheckNoOverlap(path, extents));
  return set;
}

}  // namespace rwkvkit::refmodel

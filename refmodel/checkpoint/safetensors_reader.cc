// refmodel/checkpoint/safetensors_reader.cc — ReadSafetensors() (docs/formats/ and
// docs/refmodel.md): u64 header length N, N bytes of JSON {name: {dtype, shape, data_offsets},
// "__metadata__"}, then the data buffer; offsets are relative to the buffer. Views point into
// the mapping. The header is parsed with simdjson's DOM API (strict RFC 8259, UTF-8 checked).
#include <algorithm>
#include <deque>
#include <limits>
#include <string_view>
#include <vector>

#include <simdjson.h>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "refmodel/checkpoint/checkpoint_reader.h"
#include "refmodel/checkpoint/internal/json_error_offset.h"
#include "refmodel/checkpoint/internal/printable.h"

namespace rwkvkit::refmodel {
namespace {

using checkpoint::Printable;
using simdjson::dom::element;

// Headers are about 100 bytes per tensor (an RWKV-6 14B has ~1,800 tensors: ~200 KB); the
// official reader allows 100 MB, we allow 16 MiB. The parser's memory is fixed by the header's
// size: simdjson's DOM takes about 15 bytes per header byte (tape 8, strings 5/3, structural
// indexes 4, the padded copy 1), whatever the text, so [0,0,0,...] cannot take more.
constexpr uint64_t kMaxHeaderBytes = uint64_t{16} << 20;
constexpr size_t kMaxDepth = 64;
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

// The first value of `key` in object `v` (a key may appear twice in JSON; the first counts).
bool Member(simdjson::dom::object v, std::string_view key, element* out) {
  for (const simdjson::dom::key_value_pair field : v)
    if (field.key == key) return *out = field.value, true;
  return false;
}

// A non-negative integer literal that fits in uint64 (no '.', 'e' or '-').
bool AsUint64(element e, uint64_t* out) {
  return (e.is_int64() || e.is_uint64()) && e.get_uint64().get(*out) == simdjson::SUCCESS;
}

absl::StatusOr<TensorView> ParseEntry(const std::string& path, const std::string& name, element entry,
                                      std::span<const uint8_t> buffer, uint64_t buffer_at, Extent* extent) {
  auto bad = [&](std::string_view what) {
    return absl::DataLossError(absl::StrCat(path, "@8: safetensors header entry ", Printable(name), ": ",
                                            std::string(what)));
  };
  simdjson::dom::object v;
  element dtype_e, shape_e, offsets_e;
  std::string_view dtype_text;
  simdjson::dom::array shape, offsets;
  if (entry.get_object().get(v) != simdjson::SUCCESS || !Member(v, "dtype", &dtype_e) ||
      dtype_e.get_string().get(dtype_text) != simdjson::SUCCESS || !Member(v, "shape", &shape_e) ||
      shape_e.get_array().get(shape) != simdjson::SUCCESS || !Member(v, "data_offsets", &offsets_e) ||
      offsets_e.get_array().get(offsets) != simdjson::SUCCESS || offsets.size() != 2)
    return bad("needs \"dtype\" (string), \"shape\" (array) and \"data_offsets\" ([begin, end])");
  TensorView t;
  t.name = BlinkDlName(name);
  t.dtype_name = std::string(dtype_text);
  const size_t es = SafetensorsDType(t.dtype_name, &t.dtype);
  // numel <= kMaxElements, checked before each product so that it cannot wrap.
  if (shape.size() > kMaxRank) return bad(absl::StrCat("rank ", shape.size(), " (at most ", kMaxRank, ")"));
  uint64_t numel = 1;
  for (const element d : shape) {
    uint64_t n;
    if (!AsUint64(d, &n)) return bad("shape holds something other than a dimension");
    if (n > 0 && numel > kMaxElements / n)
      return bad(absl::StrCat("shape dimension ", t.shape.size(), " (", n,
                              ") makes the element count exceed 2^42: impossible element count"));
    t.shape.push_back(static_cast<int64_t>(n));
    numel *= n;
  }
  uint64_t begin, end;
  if (!AsUint64(offsets.at(0).value_unsafe(), &begin) || !AsUint64(offsets.at(1).value_unsafe(), &end) || begin > end)
    return bad("data_offsets must be [begin, end] with begin <= end");
  if (end > buffer.size())
    return bad(absl::StrCat("data_offsets [", begin, ", ", end, ") run past the data buffer (", buffer.size(), " bytes)"));
  if (es != 0 && end - begin != numel * es)
    return bad(absl::StrCat("shape ", ShapeString(t.shape), " of ", Printable(t.dtype_name), " needs ", numel * es,
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
  const std::string_view text(reinterpret_cast<const char*>(b.data() + 8), n);
  simdjson::dom::parser parser(n);
  element root;
  simdjson::error_code e = parser.allocate(n, kMaxDepth);
  if (e == simdjson::SUCCESS) e = parser.parse(text.data(), text.size()).get(root);
  if (e != simdjson::SUCCESS)
    return absl::DataLossError(absl::StrCat(path, "@", 8 + checkpoint::JsonErrorOffset(text, kMaxDepth),
                                            ": bad safetensors header JSON: ", simdjson::error_message(e)));
  simdjson::dom::object header;
  if (root.get_object().get(header) != simdjson::SUCCESS)
    return absl::DataLossError(absl::StrCat(path, "@8: safetensors header is not a JSON object"));
  TensorSet set(path, file);
  std::vector<Extent> extents;
  std::deque<std::string> names;  // each Extent points at its name: stable addresses
  for (const simdjson::dom::key_value_pair field : header) {
    if (field.key == "__metadata__") continue;
    const std::string& name = names.emplace_back(field.key);
    RWKVKIT_ASSIGN_OR_RETURN(TensorView t,
                             ParseEntry(path, name, field.value, b.subspan(8 + n), 8 + n, &extents.emplace_back()));
    std::string mapped = t.name;
    if (!set.Add(std::move(t)))
      return absl::DataLossError(absl::StrCat(path, "@8: tensor ", Printable(mapped), " appears twice in the header"));
  }
  RWKVKIT_RETURN_IF_ERROR(CheckNoOverlap(path, extents));
  return set;
}

}  // namespace rwkvkit::refmodel

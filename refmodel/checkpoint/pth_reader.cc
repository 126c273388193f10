// refmodel/checkpoint/pth_reader.cc — ReadPth(): a torch.save zip (docs/formats/checkpoints.md):
// find <dir>/data.pkl from the central directory (the folder name varies), check its CRC,
// unpickle the state dict, and point each tensor into its storage entry <dir>/data/<key>.
// Storages are not copied or CRC-checked (a multi-GB file would pay a full pass for it).
#include <cstring>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "refmodel/checkpoint/checkpoint_reader.h"
#include "refmodel/checkpoint/internal/printable.h"
#include "refmodel/checkpoint/pickle.h"
#include "refmodel/checkpoint/zip_reader.h"

namespace rwkvkit::refmodel {
namespace {

using checkpoint::PickledTensor;
using checkpoint::ZipArchive;
using checkpoint::ZipEntry;
using checkpoint::Printable;

// 2^42 elements (16 TiB of fp32): more than any checkpoint holds, small enough that
// numel * element size never overflows.
constexpr int64_t kMaxElements = int64_t{1} << 42;

// The data.pkl at the archive's top folder ("<dir>/data.pkl", or "data.pkl" at the root).
const ZipEntry* FindPickle(const ZipArchive& z, std::string* prefix) {
  for (const ZipEntry& e : z.entries()) {
    if (!absl::EndsWith(e.name, "data.pkl")) continue;
    std::string dir = e.name.substr(0, e.name.size() - 8);
    if (!dir.empty() && (dir.back() != '/' || dir.find('/') != dir.size() - 1)) continue;
    *prefix = dir;
    return &e;
  }
  return nullptr;
}

DType StorageDType(const std::string& type) {
  if (type == "FloatStorage") return DType::kF32;
  if (type == "HalfStorage") return DType::kF16;
  if (type == "BFloat16Storage") return DType::kBF16;
  return DType::kOther;
}

// Row-major strides for `shape`; dimensions of size 1 may carry any stride.
bool Contiguous(const std::vector<int64_t>& shape, const std::vector<int64_t>& stride) {
  int64_t want = 1;
  for (size_t k = shape.size(); k-- > 0;) {
    if (shape[k] != 1 && stride[k] != want) return false;
    want *= shape[k];
  }
  return true;
}

absl::StatusOr<TensorView> MakeView(const ZipArchive& z, const std::string& prefix, const PickledTensor& p,
                                    uint64_t pkl_offset) {
  const std::string& path = z.path();
  TensorView t;
  t.name = BlinkDlName(p.name);
  t.dtype = StorageDType(p.storage_type);
  t.dtype_name = absl::StrCat("torch.", p.storage_type);
  t.shape = p.shape;
  const std::string name = Printable(p.name);
  auto bad = [&](uint64_t at, std::string_view what) {
    return absl::DataLossError(absl::StrCat(path, "@", at, ": tensor ", name, " ", ShapeString(p.shape), ": ",
                                            std::string(what)));
  };
  // numel <= kMaxElements, checked before each product so that it cannot overflow.
  int64_t numel = 1;
  for (int64_t d : p.shape) {
    if (d < 0) return bad(pkl_offset, "negative dimension");
    if (d > 0 && numel > kMaxElements / d) return bad(pkl_offset, "impossible element count");
    numel *= d;
  }
  const ZipEntry* e = z.Find(absl::StrCat(prefix, "data/", p.storage_key));
  if (e == nullptr)
    return bad(pkl_offset, absl::StrCat("storage data/", Printable(p.storage_key), " is not in the archive"));
  RWKVKIT_ASSIGN_OR_RETURN(std::span<const uint8_t> storage, z.Data(*e));
  RWKVKIT_ASSIGN_OR_RETURN(uint64_t storage_at, z.DataOffset(*e));
  if (t.dtype == DType::kOther) return t;  // rejected by whoever converts it, naming the dtype
  if (!Contiguous(p.shape, p.stride))
    return absl::UnimplementedError(absl::StrCat(path, "@", storage_at, ": tensor ", name, " ",
                                                 ShapeString(p.shape), " is not contiguous (stride ",
                                                 ShapeString(p.stride), ")"));
  const uint64_t es = DTypeSize(t.dtype);
  if (p.storage_offset < 0 || static_cast<uint64_t>(p.storage_numel) > storage.size() / es ||
      static_cast<uint64_t>(p.storage_offset) > static_cast<uint64_t>(p.storage_numel) ||
      static_cast<uint64_t>(numel) > static_cast<uint64_t>(p.storage_numel - p.storage_offset))
    return bad(storage_at, absl::StrCat("elements [", p.storage_offset, ", +", numel, ") do not fit storage data/",
                                        Printable(p.storage_key), " (", p.storage_numel, " elements declared, ",
                                        storage.size(), " bytes stored)"));
  t.bytes = storage.subspan(p.storage_offset * es, numel * es);
  t.file_offset = storage_at + p.storage_offset * es;
  return t;
}

}  // namespace

absl::StatusOr<TensorSet> ReadPth(const std::string& path, std::shared_ptr<const FileBytes> file) {
  RWKVKIT_ASSIGN_OR_RETURN(ZipArchive z, ZipArchive::Open(path, file->bytes()));
  std::string prefix;
  const ZipEntry* pkl_entry = FindPickle(z, &prefix);
  if (pkl_entry == nullptr)
    return absl::DataLossError(absl::StrCat(path, "@0: ZIP archive has no <dir>/data.pkl (not a torch.save file)"));
  RWKVKIT_RETURN_IF_ERROR(z.CheckCrc(*pkl_entry));
  if (const ZipEntry* bo = z.Find(prefix + "byteorder"); bo != nullptr) {
    RWKVKIT_ASSIGN_OR_RETURN(std::span<const uint8_t> order, z.Data(*bo));
    if (std::string(order.begin(), order.end()) != "little")
      return absl::UnimplementedError(absl::StrCat(path, "@", bo->central_offset, ": byteorder is \"",
                                                   Printable(std::string(order.begin(), order.end())),
                                                   "\"; only little-endian checkpoints are read"));
  }
  RWKVKIT_ASSIGN_OR_RETURN(std::span<const uint8_t> pkl, z.Data(*pkl_entry));
  RWKVKIT_ASSIGN_OR_RETURN(uint64_t pkl_at, z.DataOffset(*pkl_entry));
  RWKVKIT_ASSIGN_OR_RETURN(std::vector<PickledTensor> entries, checkpoint::ParseStateDict(pkl, path, pkl_at));
  TensorSet set(path, file);
  for (const PickledTensor& p : entries) {
    RWKVKIT_ASSIGN_OR_RETURN(TensorView t, MakeView(z, prefix, p, pkl_at));
    std::string name = t.name;
    if (!set.Add(std::move(t)))
      return absl::DataLossError(absl::StrCat(path, "@", pkl_at, ": tensor ", Printable(name),
                                              " appears twice in the state dict"));
  }
  return set;
}

}  // namespace rwkvkit::refmodel

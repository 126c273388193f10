// tests/fuzz/zip_fuzzer.cc — fuzz target: the ZIP central-directory reader that opens .pth
// checkpoints (refmodel/checkpoint/zip_reader.h).
//
// Input: the bytes of an archive. Properties: Open() fails with kDataLoss or kUnimplemented,
// or every entry's data, when Data() returns it, lies inside the input, has the entry's size
// and starts at DataOffset(); CheckCrc() may fail but must not crash.
#include <cstdint>
#include <span>

#include "refmodel/checkpoint/zip_reader.h"
#include "tests/fuzz/fuzz_util.h"

using rwkvkit::fuzz::Check;
namespace checkpoint = rwkvkit::refmodel::checkpoint;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> bytes(data, size);
  absl::StatusOr<checkpoint::ZipArchive> zip = checkpoint::ZipArchive::Open("fuzz.zip", bytes);
  if (!zip.ok()) {
    const absl::StatusCode c = zip.status().code();
    Check(c == absl::StatusCode::kDataLoss || c == absl::StatusCode::kUnimplemented, "Open failed with another code");
    return 0;
  }
  for (const checkpoint::ZipEntry& e : zip->entries()) {
    Check(zip->Find(e.name) != nullptr, "Find does not find a listed entry");
    absl::StatusOr<std::span<const uint8_t>> d = zip->Data(e);
    if (!d.ok()) continue;
    Check(d->data() >= data && d->data() + d->size() <= data + size, "entry data outside the archive");
    Check(d->size() == e.size, "entry data size differs from the entry's size");
    absl::StatusOr<uint64_t> off = zip->DataOffset(e);
    Check(off.ok() && *off == static_cast<uint64_t>(d->data() - data), "DataOffset differs from where Data starts");
    (void)zip->CheckCrc(e);
  }
  return 0;
}

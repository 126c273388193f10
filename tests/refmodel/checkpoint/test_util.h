// tests/refmodel/checkpoint/test_util.h — tiny RWKV-5.2/6.0/7.0 checkpoints built in the test:
// random weights, a safetensors writer, and a torch.save-style .pth writer (ZIP stored
// entries, 64-byte aligned data, optional ZIP64 records, protocol-2 pickle of an
// OrderedDict of _rebuild_tensor_v2 calls). Written from the format descriptions
// (APPNOTE, pickletools, docs/formats/checkpoints.md), independently of the readers under test.
#ifndef RWKVKIT_TESTS_REFMODEL_CHECKPOINT_TEST_UTIL_H_
#define RWKVKIT_TESTS_REFMODEL_CHECKPOINT_TEST_UTIL_H_

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gmock/gmock.h"

namespace rwkvkit::refmodel::testing {

enum class TestDType { kF32, kF16, kBF16 };

struct TinyDims {
  int L = 2, D = 32, A = 32, H = 2, N = 16, F = 64, V = 300, Dm = 4, Dd = 8;
  int Dw = 4, Da = 6, Dv = 2, Dg = 8;  // RWKV-7 LoRA ranks (every layer)
};

struct NamedTensor {
  std::string name;
  std::vector<int64_t> shape;
  std::vector<float> values;  // row-major; every value k/256, |k| < 256: exact in fp16 and bf16
};

// A complete BlinkDL state dict for version "5.2", "6.0" or "7.0" (official shapes; "7.0" has
// layer 0's att.v0/v1/v2, as RWKV-LM saves them, and uses D for A).
std::vector<NamedTensor> MakeTinyModel(const std::string& version, const TinyDims& d, uint32_t seed);

// The embedding [V, D] after LayerNorm0 (ln0 weight w, bias b; eps 1e-5, biased variance,
// statistics and result in double): what a loader's fp32 emb must equal up to its rounding.
std::vector<double> EmbAfterLn0(const std::vector<float>& emb, const std::vector<float>& w, const std::vector<float>& b,
                                int V, int D);

// Element encodings written by the test (round to nearest even).
uint16_t FloatToHalf(float f);
uint16_t FloatToBFloat16(float f);
std::string EncodeValues(const std::vector<float>& v, TestDType dt);

// safetensors: u64 header length, JSON header (padded with spaces to 8 bytes), data.
// `dtype_override` replaces the dtype string of every tensor whose name equals `override_name`.
std::string WriteSafetensors(const std::vector<NamedTensor>& ts, TestDType dt,
                             const std::string& override_name = "", const std::string& dtype_override = "");

struct PthOptions {
  TestDType dtype = TestDType::kBF16;
  std::string folder = "archive";  // the top-level folder inside the zip
  bool zip64 = false;               // ZIP64 end records and central extra fields
  bool short_strings = false;       // SHORT_BINUNICODE + MEMOIZE (protocol 4 style)
  bool shared_storage = false;      // every tensor in one storage (storage_offset != 0)
  std::string storage_type_override;  // e.g. "LongStorage" for the first tensor
  int unknown_opcode = -1;          // if >= 0: this byte is emitted right after PROTO
};

std::string WritePth(const std::vector<NamedTensor>& ts, const PthOptions& o);

// A ZIP of stored entries (name, data); data aligned to 64 bytes like torch's writer.
struct ZipFile {
  std::string bytes;
  std::vector<uint64_t> local_offsets;
  uint64_t central_offset = 0;
  uint64_t eocd_offset = 0;
};
ZipFile WriteZip(const std::vector<std::pair<std::string, std::string>>& entries, bool zip64);

uint32_t TestCrc32(const std::string& s);

std::filesystem::path FreshTestDir();
void WriteFile(const std::filesystem::path& p, const std::string& bytes);

// StatusIs(code, message matcher) for absl::Status and absl::StatusOr<T>.
inline const absl::Status& GetStatus(const absl::Status& s) { return s; }
template <typename T>
const absl::Status& GetStatus(const absl::StatusOr<T>& s) { return s.status(); }

MATCHER_P2(StatusIs, code, msg, "") {
  const absl::Status& s = GetStatus(arg);
  *result_listener << "status " << s.ToString();
  return s.code() == code && ::testing::ExplainMatchResult(msg, std::string(s.message()), result_listener);
}

}  // namespace rwkvkit::refmodel::testing

#endif  // RWKVKIT_TESTS_REFMODEL_CHECKPOINT_TEST_UTIL_H_

// tests/refmodel/checkpoint/checkpoint_error_test.cc — every error path of the checkpoint
// readers and LoadModel, asserting the code and the location (path@offset or the tensor):
// truncation at every length, flipped bytes (no crash), corrupt ZIP records, pickle errors,
// safetensors header errors, missing/contradicting tensors, unsupported versions and dtypes.
#include <cstring>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "refmodel/checkpoint/checkpoint_reader.h"
#include "refmodel/model_weights.h"
#include "tests/refmodel/checkpoint/test_util.h"

namespace rwkvkit::refmodel {
namespace {

using namespace std::string_literals;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::StartsWith;
using testing::MakeTinyModel;
using testing::NamedTensor;
using testing::PthOptions;
using testing::StatusIs;
using testing::TestDType;
using testing::TinyDims;

constexpr TinyDims kSmall{.L = 1, .D = 4, .A = 4, .H = 1, .N = 4, .F = 8, .V = 5, .Dm = 1, .Dd = 2};

absl::StatusOr<ModelWeights> Build(const std::string& path, const std::string& bytes) {
  absl::StatusOr<TensorSet> s = ReadCheckpointBytes(path, FileBytes::FromString(bytes));
  if (!s.ok()) return s.status();
  return BuildModel(*s);
}

uint32_t U32At(const std::string& b, size_t off) {
  uint32_t v;
  std::memcpy(&v, b.data() + off, 4);
  return v;
}
void SetU32(std::string& b, size_t off, uint32_t v) { std::memcpy(b.data() + off, &v, 4); }
void SetU16(std::string& b, size_t off, uint16_t v) { std::memcpy(b.data() + off, &v, 2); }

std::vector<NamedTensor> Without(std::vector<NamedTensor> ts, const std::string& part) {
  std::erase_if(ts, [&](const NamedTensor& t) { return t.name.find(part) != std::string::npos; });
  return ts;
}

TEST(TruncatedCheckpoint, EveryPrefixOfAPthIsDataLoss) {
  for (const char* version : {"5.2", "6.0", "7.0"}) {
    const std::string full = testing::WritePth(MakeTinyModel(version, kSmall, 1), PthOptions{});
    ASSERT_TRUE(Build("t.pth", full).ok());
    for (size_t n = 0; n < full.size(); ++n) {
      ASSERT_THAT(Build("t.pth", full.substr(0, n)), StatusIs(absl::StatusCode::kDataLoss, StartsWith("t.pth@")))
          << version << " prefix of " << n << " of " << full.size() << " bytes";
    }
  }
}

TEST(TruncatedCheckpoint, EveryPrefixOfASafetensorsFileIsDataLoss) {
  const std::string full = testing::WriteSafetensors(MakeTinyModel("6.0", kSmall, 1), TestDType::kBF16);
  ASSERT_TRUE(Build("t.safetensors", full).ok());
  for (size_t n = 0; n < full.size(); ++n) {
    ASSERT_THAT(Build("t.safetensors", full.substr(0, n)),
                StatusIs(absl::StatusCode::kDataLoss, StartsWith("t.safetensors@")))
        << "prefix of " << n << " of " << full.size() << " bytes";
  }
}

// A flipped byte anywhere gives a status or (in tensor data) different weights; never a crash.
void FlipEveryByte(const std::string& path, const std::string& full, size_t from, char mask) {
  for (size_t i = from; i < full.size(); ++i) {
    std::string b = full;
    b[i] = static_cast<char>(b[i] ^ mask);
    (void)Build(path, b);
  }
}

TEST(CorruptCheckpoint, EveryFlippedByteOfAPth) {
  FlipEveryByte("f.pth", testing::WritePth(MakeTinyModel("5.2", kSmall, 2), PthOptions{}), 0, '\xFF');
}

TEST(CorruptCheckpoint, EveryFlippedByteOfZip64Records) {
  PthOptions o;
  o.zip64 = true;
  const std::string full = testing::WritePth(MakeTinyModel("5.2", kSmall, 2), o);
  FlipEveryByte("f.pth", full, full.size() - 1024, '\xFF');  // the central directory and end records
}

TEST(CorruptCheckpoint, EveryFlippedByteOfASafetensorsFile) {
  FlipEveryByte("f.safetensors", testing::WriteSafetensors(MakeTinyModel("6.0", kSmall, 2), TestDType::kF16), 0, '\x5A');
}

class CorruptZip : public ::testing::Test {
 protected:
  void SetUp() override {
    bytes_ = testing::WritePth(MakeTinyModel("5.2", kSmall, 3), PthOptions{});
    eocd_ = bytes_.size() - 22;
    ASSERT_EQ(U32At(bytes_, eocd_), 0x06054b50u);
    central_ = U32At(bytes_, eocd_ + 16);
  }
  std::string bytes_;
  size_t eocd_ = 0, central_ = 0;
};

TEST_F(CorruptZip, BadCentralSignature) {
  SetU32(bytes_, central_, 0x12345678);
  EXPECT_THAT(Build("z.pth", bytes_), StatusIs(absl::StatusCode::kDataLoss,
                                               HasSubstr(absl::StrCat("z.pth@", central_, ": bad central directory signature"))));
}

TEST_F(CorruptZip, CentralDirectoryOutsideTheFile) {
  SetU32(bytes_, eocd_ + 16, static_cast<uint32_t>(bytes_.size() + 100));
  EXPECT_THAT(Build("z.pth", bytes_), StatusIs(absl::StatusCode::kDataLoss,
                                               HasSubstr(absl::StrCat("z.pth@", eocd_, ": central directory"))));
}

TEST_F(CorruptZip, EntryCountTooLarge) {
  SetU16(bytes_, eocd_ + 10, 60000);
  EXPECT_THAT(Build("z.pth", bytes_), StatusIs(absl::StatusCode::kDataLoss, HasSubstr(absl::StrCat("z.pth@", eocd_, ":"))));
}

TEST_F(CorruptZip, LocalHeaderOffsetOutsideTheFile) {
  // The first central record is data.pkl's.
  SetU32(bytes_, central_ + 42, 0x7FFFFFF0);
  EXPECT_THAT(Build("z.pth", bytes_),
              StatusIs(absl::StatusCode::kDataLoss,
                       HasSubstr(absl::StrCat("z.pth@", central_, ": entry archive/data.pkl: local header offset"))));
}

TEST_F(CorruptZip, CompressedEntryIsUnimplemented) {
  SetU16(bytes_, central_ + 10, 8);  // deflate
  EXPECT_THAT(Build("z.pth", bytes_), StatusIs(absl::StatusCode::kUnimplemented,
                                               HasSubstr(absl::StrCat("z.pth@", central_, ": entry archive/data.pkl is compressed"))));
}

TEST_F(CorruptZip, PickleCrcMismatch) {
  bytes_[64 + 20] ^= 0x01;  // data.pkl starts at 64 (aligned); byte 20 is inside "collections"
  EXPECT_THAT(Build("z.pth", bytes_), StatusIs(absl::StatusCode::kDataLoss, HasSubstr("z.pth@64: entry archive/data.pkl: CRC-32")));
}

TEST_F(CorruptZip, NoEndRecord) {
  bytes_.resize(eocd_);
  EXPECT_THAT(Build("z.pth", bytes_), StatusIs(absl::StatusCode::kDataLoss, HasSubstr("no ZIP end-of-central-directory record")));
}

TEST(PickleErrors, UnknownOpcodeIsUnimplementedWithItsOffset) {
  PthOptions o;
  o.unknown_opcode = 'G';  // BINFLOAT: a real pickle opcode that torch.save never emits for a state dict
  const std::string b = testing::WritePth(MakeTinyModel("5.2", kSmall, 4), o);
  EXPECT_THAT(Build("p.pth", b), StatusIs(absl::StatusCode::kUnimplemented,
                                          HasSubstr("p.pth@66: unknown pickle opcode 0x47 ('G') (data.pkl offset 2)")));
  o.unknown_opcode = 0xF0;
  EXPECT_THAT(Build("p.pth", testing::WritePth(MakeTinyModel("5.2", kSmall, 4), o)),
              StatusIs(absl::StatusCode::kUnimplemented, HasSubstr("p.pth@66: unknown pickle opcode 0xf0 (data.pkl offset 2)")));
}

TEST(PickleErrors, StackUnderflowIsDataLoss) {
  PthOptions o;
  o.unknown_opcode = 'R';  // REDUCE on an empty stack
  EXPECT_THAT(Build("p.pth", testing::WritePth(MakeTinyModel("5.2", kSmall, 4), o)),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("p.pth@66: pickle stack underflow (data.pkl offset 2)")));
}

TEST(PickleErrors, NonFloatStorageIsUnimplemented) {
  PthOptions o;
  o.storage_type_override = "LongStorage";  // the first tensor, emb.weight
  EXPECT_THAT(Build("p.pth", testing::WritePth(MakeTinyModel("5.2", kSmall, 4), o)),
              StatusIs(absl::StatusCode::kUnimplemented,
                       AllOf(HasSubstr("p.pth@"), HasSubstr("tensor emb.weight [5,4] has dtype torch.LongStorage"))));
}

TEST(SafetensorsErrors, NonFloatDTypeIsUnimplemented) {
  const std::string b = testing::WriteSafetensors(MakeTinyModel("6.0", kSmall, 4), TestDType::kF32,
                                                  "blocks.0.att.key.weight", "I32");
  EXPECT_THAT(Build("s.safetensors", b),
              StatusIs(absl::StatusCode::kUnimplemented,
                       AllOf(HasSubstr("s.safetensors@"), HasSubstr("tensor blocks.0.att.key.weight [4,4] has dtype I32"))));
}

TEST(SafetensorsErrors, HeaderErrors) {
  std::string b = testing::WriteSafetensors(MakeTinyModel("6.0", kSmall, 4), TestDType::kF32);
  std::string big = b;
  SetU32(big, 0, 0x7FFFFFFF);
  EXPECT_THAT(Build("s.safetensors", big),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("s.safetensors@0: safetensors header length 2147483647")));
  std::string bad_json = b;
  bad_json[b.find(':', 8)] = '!';  // where the first key's ':' should be
  EXPECT_THAT(Build("s.safetensors", bad_json),
              StatusIs(absl::StatusCode::kDataLoss,
                       HasSubstr(absl::StrCat("s.safetensors@", b.find(':', 8), ": bad safetensors header JSON"))));
  // A dtype whose size does not match data_offsets.
  EXPECT_THAT(Build("s.safetensors", testing::WriteSafetensors(MakeTinyModel("6.0", kSmall, 4), TestDType::kF32,
                                                               "head.weight", "F16")),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("s.safetensors@8: safetensors header entry head.weight: shape [5,4] of F16 needs 40 bytes")));
}

// A torch.save-style zip around a hand-written data.pkl (the pickle is the test's subject).
std::string PthWithPickle(const std::string& pkl) {
  return testing::WriteZip({{"archive/data.pkl", pkl}, {"archive/byteorder", "little"}}, false).bytes;
}

// A pickle that builds the given body after PROTO 2 and stops.
std::string Pickle(const std::string& body) { return "\x80\x02"s + body + "."; }

TEST(HostilePickle, DeepNestingIsRefusedNotAStackOverflow) {
  // ~1 MB of TUPLE1 around an empty tuple: a million levels. Freed recursively this
  // overflowed the stack.
  const std::string pkl = Pickle(")" + std::string(1 << 20, '\x85'));
  EXPECT_THAT(Build("n.pth", PthWithPickle(pkl)),
              StatusIs(absl::StatusCode::kDataLoss,
                       AllOf(StartsWith("n.pth@"), HasSubstr("containers nested more than 64 deep"),
                             HasSubstr("n.pth@130: containers nested"))));
  // A list appended into itself, over and over: the same refusal, and nothing leaks.
  std::string cycle = "]q\x00"s;
  for (int i = 0; i < 100; ++i) cycle += "h\x00" "a"s;
  EXPECT_THAT(Build("n.pth", PthWithPickle(Pickle(cycle))),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("containers nested more than 64 deep")));
}

TEST(HostilePickle, MemoryIsCappedInProportionToThePickle) {
  // 1 MB of EMPTY_DICT: each took ~300 bytes of memory (20 MB took 6 GB); now the unpickler
  // stops at 64 bytes per byte of data.pkl.
  const std::string pkl = Pickle(std::string(1 << 20, '}'));
  EXPECT_THAT(Build("m.pth", PthWithPickle(pkl)),
              StatusIs(absl::StatusCode::kDataLoss,
                       AllOf(StartsWith("m.pth@"), HasSubstr("unpickling needs more than"),
                             HasSubstr("64 per byte of data.pkl"))));
  // A huge memo index is not a reason to allocate a huge memo.
  EXPECT_THAT(Build("m.pth", PthWithPickle(Pickle("}r\xff\xff\xff\x7f"s))),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("memo index 2147483647 exceeds the pickle's size")));
  // One long global name fetched from the memo again and again would be copied each time.
  const std::string long_name(100000, 'x');
  const std::string global = "X\xa0\x86\x01\x00"s + long_name + "q\x00h\x00\x93"s;
  EXPECT_THAT(Build("m.pth", PthWithPickle(Pickle(global))),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("STACK_GLOBAL module of 100000 bytes")));
}

TEST(HugeShapes, PthElementCountCannotOverflow) {
  // 2^40 x 2^40 x 2^40 elements: the product overflowed int64 before it was checked.
  std::string t = "}(X\x01\x00\x00\x00" "a"s;
  t += "ctorch._utils\n_rebuild_tensor_v2\n("s;
  t += "(X\x07\x00\x00\x00storage" "ctorch\nFloatStorage\n" "X\x01\x00\x00\x00" "0" "X\x03\x00\x00\x00" "cpu" "K\x01" "tQ"s;
  const std::string big = "\x8a\x06\x00\x00\x00\x00\x00\x01"s;  // LONG1 2^40
  t += "K\x00("s + big + big + big + "t(K\x01K\x01K\x01t\x89tRu"s;
  const std::string b = testing::WriteZip({{"archive/data.pkl", Pickle(t)}, {"archive/data/0", std::string(4, '\0')}},
                                          false).bytes;
  EXPECT_THAT(Build("h.pth", b), StatusIs(absl::StatusCode::kDataLoss, HasSubstr("impossible element count")));
}

// A safetensors file from a header text and a data buffer.
std::string Safetensors(const std::string& header, const std::string& data) {
  std::string out(8, '\0');
  const uint64_t n = header.size();
  std::memcpy(out.data(), &n, 8);
  return out + header + data;
}

TEST(HugeShapes, SafetensorsElementCountCannotWrap) {
  // 2^40 * 2^40 * 2^40 * 2^4 = 2^124 wrapped to 0 and matched data_offsets [0, 0].
  const std::string h =
      R"({"a":{"dtype":"F32","shape":[1099511627776,1099511627776,1099511627776,16],"data_offsets":[0,0]}})";
  EXPECT_THAT(ReadCheckpointBytes("h.safetensors", FileBytes::FromString(Safetensors(h, ""))),
              StatusIs(absl::StatusCode::kDataLoss,
                       HasSubstr("h.safetensors@8: safetensors header entry a: shape dimension 1 (1099511627776)")));
}

// A header that is not JSON: the message names the byte where it goes wrong (file offset =
// 8 + offset in the header).
TEST(SafetensorsErrors, BadJsonNamesTheByte) {
  const std::string deep = std::string(65, '[') + std::string(65, ']');
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"({"a" 1})", "b.safetensors@13: bad safetensors header JSON"},                 // ':' expected at 5
      {R"({"a":tru})", "b.safetensors@13: bad safetensors header JSON"},               // the bad literal at 5
      {R"({"a":{}} x)", "b.safetensors@17: bad safetensors header JSON"},              // trailing content at 9
      {"{\"a\xff\":1}", "b.safetensors@11: bad safetensors header JSON"},              // not UTF-8 at 3
      {R"({"a":"b})", "b.safetensors@13: bad safetensors header JSON"},                // the open quote at 5
      {R"({"a":{"b":[1,2})", "b.safetensors@"},                                          // cut short
      {R"({"a":)" + deep + "}", "b.safetensors@"},                                      // deeper than 64
  };
  for (const auto& [header, want] : cases) {
    SCOPED_TRACE(header);
    EXPECT_THAT(ReadCheckpointBytes("b.safetensors", FileBytes::FromString(Safetensors(header, ""))),
                StatusIs(absl::StatusCode::kDataLoss, AllOf(StartsWith(want), HasSubstr("bad safetensors header JSON"))));
  }
}

TEST(SafetensorsErrors, HeaderMemoryIsCappedInProportionToItsSize) {
  // [0,0,0,...]: 2 header bytes per JSON node; a tree of nodes once took ~4.4 GB for 100 MB.
  // simdjson's DOM takes a fixed ~15 bytes per header byte, and the rank cap refuses the shape.
  std::string h = R"({"a":{"dtype":"F32","shape":[0)";
  for (int i = 0; i < (1 << 20); ++i) h += ",0";
  h += R"(],"data_offsets":[0,0]}})";
  EXPECT_THAT(ReadCheckpointBytes("j.safetensors", FileBytes::FromString(Safetensors(h, ""))),
              StatusIs(absl::StatusCode::kDataLoss,
                       HasSubstr("j.safetensors@8: safetensors header entry a: rank 1048577 (at most 64)")));
  // A header beyond 16 MiB is refused before it is parsed.
  std::string big = R"({"__metadata__":{"x":")" + std::string((16 << 20) + 1, 'x') + R"("}})";
  EXPECT_THAT(ReadCheckpointBytes("j.safetensors", FileBytes::FromString(Safetensors(big, ""))),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("j.safetensors@0: safetensors header length 16777242 exceeds the cap")));
}

TEST(SafetensorsErrors, OverlappingTensorsAreRefused) {
  const std::string h =
      R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})";
  EXPECT_THAT(ReadCheckpointBytes("o.safetensors", FileBytes::FromString(Safetensors(h, std::string(12, '\0')))),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("the data of tensors a [")));
  // Adjacent and empty tensors are fine.
  const std::string ok =
      R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]},)"
      R"("c":{"dtype":"F32","shape":[0],"data_offsets":[4,4]}})";
  EXPECT_TRUE(ReadCheckpointBytes("o.safetensors", FileBytes::FromString(Safetensors(ok, std::string(12, '\0')))).ok());
}

TEST(FileErrors, EmptyFileSaysSo) {
  EXPECT_THAT(Build("e.pth", ""),
              StatusIs(absl::StatusCode::kDataLoss,
                       HasSubstr("e.pth@0: empty file (0 bytes), neither a torch.save zip nor a safetensors file")));
}

TEST(FileErrors, NamesFromTheFileAreEscaped) {
  // A tensor name holding NUL, a newline and invalid UTF-8 (JSON's \u0000 decodes to a NUL).
  const std::string h = R"({"a\u0000b\nc\u00e9":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})";
  absl::StatusOr<TensorSet> s = ReadCheckpointBytes("x.safetensors", FileBytes::FromString(Safetensors(h, std::string(8, '\0'))));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().message().find('\0'), std::string_view::npos);
  EXPECT_THAT(s.status().message(), HasSubstr("header entry a\\x00b\\x0ac\xc3\xa9: shape [3] of F32 needs 12 bytes"));
  // A pickle's callable is quoted the same way, and a very long one is cut.
  const std::string g = "cos\0x\n"s + std::string(300, 'y') + "\n)R";
  absl::StatusOr<ModelWeights> p = Build("x.pth", PthWithPickle(Pickle(g)));
  EXPECT_THAT(p, StatusIs(absl::StatusCode::kDataLoss, HasSubstr("GLOBAL name of 300 bytes (\"yyyy")));
  const std::string g2 = "cos\0x\nsystem\n)R"s;
  EXPECT_THAT(Build("x.pth", PthWithPickle(Pickle(g2))),
              StatusIs(absl::StatusCode::kUnimplemented, HasSubstr("pickle calls os\\x00x.system, which")));
}

TEST(ModelErrors, MissingTensorIsNamed) {
  const auto ts = Without(MakeTinyModel("5.2", TinyDims{}, 5), "blocks.1.ffn.value.weight");
  EXPECT_THAT(Build("m.pth", testing::WritePth(ts, PthOptions{})),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("m.pth: missing tensor blocks.1.ffn.value.weight [32,64]")));
  EXPECT_THAT(Build("m.pth", testing::WritePth(Without(MakeTinyModel("6.0", TinyDims{}, 5), "emb.weight"), PthOptions{})),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("m.pth: missing tensor emb.weight")));
}

TEST(ModelErrors, ContradictingShapeIsNamedWithBothShapes) {
  auto ts = MakeTinyModel("6.0", TinyDims{}, 6);
  for (NamedTensor& t : ts) {
    if (t.name != "blocks.1.att.key.weight") continue;
    t.shape = {32, 33};
    t.values.resize(32 * 33);
  }
  EXPECT_THAT(Build("m.safetensors", testing::WriteSafetensors(ts, TestDType::kBF16)),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("m.safetensors@"),
                             HasSubstr("tensor blocks.1.att.key.weight has shape [32,33], expected [32,32]"))));
}

TEST(ModelErrors, LayerAfterAGap) {
  auto ts = MakeTinyModel("5.2", kSmall, 7);
  ts.push_back({"blocks.3.ln1.weight", {4}, std::vector<float>(4, 1.0f)});
  EXPECT_THAT(Build("m.pth", testing::WritePth(ts, PthOptions{})),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("m.pth: tensor blocks.3.ln1.weight belongs to layer 3 but blocks.1.ln1.weight is missing")));
}

TEST(ModelErrors, UnsupportedVersionsAreNamed) {
  const auto v52 = MakeTinyModel("5.2", kSmall, 8);
  auto v51 = v52;
  for (NamedTensor& t : v51)
    if (t.name.find("att.time_decay") != std::string::npos) {
      t.shape = {1};  // a per-head scalar
      t.values.resize(1);
    }
  auto deep_embed = MakeTinyModel("7.0", kSmall, 8);
  deep_embed.push_back({"blocks.1.ffn.s_emb.weight", {300, 32}, std::vector<float>(300 * 32, 0.0f)});
  const std::vector<std::pair<std::vector<NamedTensor>, std::string>> cases = {
      {Without(Without(v52, "ln_x"), "gate"), "v.safetensors: RWKV-4 checkpoint (no att.ln_x)"},
      {Without(v52, "gate"), "v.safetensors: RWKV-5.0 checkpoint (no att.gate.weight)"},
      {v51, "v.safetensors: RWKV-5.1 checkpoint (blocks.0.att.time_decay is [1]"},
      {deep_embed, "v.safetensors: RWKV-7 DeepEmbed checkpoint (blocks.1.ffn.s_emb.weight present)"}};
  for (const auto& [ts, msg] : cases)
    EXPECT_THAT(Build("v.safetensors", testing::WriteSafetensors(ts, TestDType::kF32)),
                StatusIs(absl::StatusCode::kUnimplemented,
                         AllOf(HasSubstr(msg), HasSubstr("only RWKV-5.2, RWKV-6.0 and RWKV-7.0"))));
}

TEST(FileErrors, MissingFileIsNotFound) {
  EXPECT_THAT(LoadModel("/nonexistent/rwkv.pth"),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("/nonexistent/rwkv.pth: cannot open")));
}

TEST(FileErrors, NeitherFormat) {
  EXPECT_THAT(Build("x.bin", std::string("0123456789abcdef")),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("x.bin@8: neither a torch.save zip nor a safetensors file")));
}

}  // namespace
}  // namespace rwkvkit::refmodel

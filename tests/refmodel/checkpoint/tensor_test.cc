// tests/refmodel/checkpoint/tensor_test.cc — fp16/bf16 → fp32 conversion: named values
// (subnormals, ±0, ±inf, NaN, max), every one of the 65536 codes against an independent
// formula, and ToFloat32 on views.
#include "refmodel/checkpoint/tensor.h"

#include <cmath>
#include <cstring>
#include <limits>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/refmodel/checkpoint/test_util.h"

namespace rwkvkit::refmodel {
namespace {

using ::testing::HasSubstr;
using testing::StatusIs;

TEST(HalfToFloat, NamedValues) {
  EXPECT_EQ(HalfToFloat(0x0000), 0.0f);
  EXPECT_TRUE(std::signbit(HalfToFloat(0x8000)));
  EXPECT_EQ(HalfToFloat(0x0001), std::ldexp(1.0f, -24));            // smallest subnormal
  EXPECT_EQ(HalfToFloat(0x03FF), std::ldexp(1023.0f, -24));         // largest subnormal
  EXPECT_EQ(HalfToFloat(0x8200), -std::ldexp(512.0f, -24));
  EXPECT_EQ(HalfToFloat(0x0400), std::ldexp(1.0f, -14));            // smallest normal
  EXPECT_EQ(HalfToFloat(0x3C00), 1.0f);
  EXPECT_EQ(HalfToFloat(0xC000), -2.0f);
  EXPECT_EQ(HalfToFloat(0x3555), 0.333251953125f);
  EXPECT_EQ(HalfToFloat(0x7BFF), 65504.0f);
  EXPECT_EQ(HalfToFloat(0x7C00), std::numeric_limits<float>::infinity());
  EXPECT_EQ(HalfToFloat(0xFC00), -std::numeric_limits<float>::infinity());
  EXPECT_TRUE(std::isnan(HalfToFloat(0x7E00)));
  EXPECT_TRUE(std::isnan(HalfToFloat(0x7C01)));  // signalling NaN stays NaN
  EXPECT_TRUE(std::isnan(HalfToFloat(0xFFFF)));
}

// value = (-1)^s * (e == 0 ? m * 2^-24 : (1024 + m) * 2^(e - 25)), computed in double.
TEST(HalfToFloat, AllCodesMatchTheFormula) {
  for (uint32_t h = 0; h < 65536; ++h) {
    const int s = h >> 15, e = (h >> 10) & 31, m = h & 1023;
    const float got = HalfToFloat(static_cast<uint16_t>(h));
    if (e == 31) {
      EXPECT_EQ(m == 0, std::isinf(got)) << h;
      EXPECT_EQ(m != 0, std::isnan(got)) << h;
      continue;
    }
    double want = e == 0 ? std::ldexp(static_cast<double>(m), -24) : std::ldexp(1024.0 + m, e - 25);
    if (s) want = -want;
    ASSERT_EQ(got, static_cast<float>(want)) << "code 0x" << std::hex << h;
    ASSERT_EQ(std::signbit(got), s == 1) << h;
    ASSERT_EQ(testing::FloatToHalf(got), h) << "round trip of 0x" << std::hex << h;
  }
}

TEST(BFloat16ToFloat, AllCodesAreTheTopHalf) {
  for (uint32_t b = 0; b < 65536; ++b) {
    const float f = BFloat16ToFloat(static_cast<uint16_t>(b));
    uint32_t bits;
    std::memcpy(&bits, &f, 4);
    ASSERT_EQ(bits, b << 16);
  }
  EXPECT_EQ(BFloat16ToFloat(0x3F80), 1.0f);
  EXPECT_EQ(BFloat16ToFloat(0xC0A0), -5.0f);
  EXPECT_EQ(BFloat16ToFloat(0x0001), std::ldexp(1.0f, -133));  // bf16 subnormal
}

TEST(ToFloat32, ConvertsEachDType) {
  const std::vector<float> v = {1.0f, -0.5f, std::ldexp(3.0f, -24), 65504.0f};
  for (auto [dt, d] : {std::pair{testing::TestDType::kF32, DType::kF32}, {testing::TestDType::kF16, DType::kF16},
                       {testing::TestDType::kBF16, DType::kBF16}}) {
    const std::string bytes = testing::EncodeValues(v, dt);
    TensorView t;
    t.name = "x";
    t.dtype = d;
    t.shape = {2, 2};
    t.bytes = std::span(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
    absl::StatusOr<std::vector<float>> got = ToFloat32(t, "m.pth");
    ASSERT_TRUE(got.ok()) << got.status();
    EXPECT_EQ((*got)[0], 1.0f);
    EXPECT_EQ((*got)[1], -0.5f);
    if (d != DType::kBF16) {
      EXPECT_EQ((*got)[2], std::ldexp(3.0f, -24));
      EXPECT_EQ((*got)[3], 65504.0f);
    }
  }
}

TEST(ToFloat32, OtherDTypeIsUnimplemented) {
  TensorView t;
  t.name = "blocks.0.att.key.weight";
  t.dtype = DType::kOther;
  t.dtype_name = "I64";
  t.shape = {4, 4};
  t.file_offset = 128;
  EXPECT_THAT(ToFloat32(t, "m.safetensors"),
              StatusIs(absl::StatusCode::kUnimplemented, HasSubstr("m.safetensors@128: tensor blocks.0.att.key.weight [4,4] has dtype I64")));
}

TEST(Shapes, SqueezeAndText) {
  EXPECT_EQ(ShapeString(std::vector<int64_t>{1, 1, 32}), "[1,1,32]");
  EXPECT_EQ(ShapeString(std::vector<int64_t>{}), "[]");
  EXPECT_EQ(Squeezed(std::vector<int64_t>{1, 1, 32}), (std::vector<int64_t>{32}));
  EXPECT_EQ(Squeezed(std::vector<int64_t>{2, 1, 16}), (std::vector<int64_t>{2, 16}));
}

}  // namespace
}  // namespace rwkvkit::refmodel

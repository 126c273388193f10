// tests/base/json_writer_test.cc — the JSON writer (base/json_writer.h): every layout it is
// asked for parses back with simdjson (an independent parser) to the values written, and the
// bytes are the layout the caller chose.
#include "base/json_writer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

#include "simdjson.h"

namespace rwkvkit::base {
namespace {

simdjson::dom::element Parse(simdjson::dom::parser& p, const std::string& text) {
  simdjson::dom::element e;
  EXPECT_EQ(p.parse(text).get(e), simdjson::SUCCESS) << text;
  return e;
}

TEST(JsonString, EscapesQuotesBackslashesAndControls) {
  EXPECT_EQ(JsonString("a\"b\\c\nd\x01"), "\"a\\\"b\\\\c\\nd\\u0001\"");
  EXPECT_EQ(JsonString("\t\r\x7f"), "\"\\t\\r\\u007f\"");
  EXPECT_EQ(JsonString("\xE6\x97\xA5"), "\"\xE6\x97\xA5\"");  // UTF-8 passes through
}

TEST(JsonString, EveryByteBelow0x80ReadsBack) {
  std::string all;
  for (int c = 1; c < 0x80; ++c) all.push_back(static_cast<char>(c));
  simdjson::dom::parser p;
  std::string_view got;
  ASSERT_EQ(Parse(p, JsonString(all)).get_string().get(got), simdjson::SUCCESS);
  EXPECT_EQ(got, all);
}

TEST(JsonWriter, InlineCommasAndNesting) {
  JsonWriter w;
  w.BeginObject().Key("a").Uint(1).Key("b").BeginArray().Int(-2).Bool(true).Null().String("x").EndArray();
  w.Key("c").BeginObject().EndObject().Key("d").BeginArray().EndArray().EndObject();
  EXPECT_EQ(w.str(), R"({"a": 1, "b": [-2, true, null, "x"], "c": {}, "d": []})");
}

TEST(JsonWriter, BreaksPutItemsAndBracketsOnTheirOwnLines) {
  JsonWriter w;
  w.BeginObject();
  w.Break(2).Key("list").BeginArray();
  w.Break(4).BeginArray().Uint(0).Uint(5).EndArray();
  w.Break(4).BeginObject().Key("k").String("v").Break(5).Key("deep").Uint(1).EndObject();
  w.Break(2).EndArray();
  w.Break(2).Key("n").Uint(7);
  w.Break(0).EndObject().Text("\n");
  EXPECT_EQ(w.str(),
            "{\n"
            "  \"list\": [\n"
            "    [0, 5],\n"
            "    {\"k\": \"v\",\n"
            "     \"deep\": 1}\n"
            "  ],\n"
            "  \"n\": 7\n"
            "}\n");
  simdjson::dom::parser p;
  uint64_t n = 0;
  ASSERT_EQ(Parse(p, w.str())["n"].get_uint64().get(n), simdjson::SUCCESS);
  EXPECT_EQ(n, 7u);
}

TEST(JsonWriter, NumbersInEachFormatReadBack) {
  const double v = 0.1 + 0.2;  // not exactly 0.3: the shortest round trip keeps every bit
  JsonWriter w;
  w.BeginArray().Double(v).Significant(0.8, 6).Fixed(1.23456, 3).Fixed(-0.0004, 3);
  w.Uint(std::numeric_limits<uint64_t>::max()).Int(std::numeric_limits<int64_t>::min());
  w.Double(std::nan("")).Significant(INFINITY, 6).Fixed(-INFINITY, 2).EndArray();
  EXPECT_EQ(w.str(), "[0.30000000000000004, 0.8, 1.235, -0.000, 18446744073709551615, -9223372036854775808, "
                     "null, null, null]");
  simdjson::dom::parser p;
  simdjson::dom::array a;
  ASSERT_EQ(Parse(p, w.str()).get_array().get(a), simdjson::SUCCESS);
  double back = 0;
  ASSERT_EQ(a.at(0).get_double().get(back), simdjson::SUCCESS);
  EXPECT_EQ(back, v);
}

TEST(JsonWriter, RawValuesAreInsertedAsTheyAre) {
  JsonWriter inner;
  inner.BeginObject().Key("x").Uint(1).EndObject();
  JsonWriter w;
  w.BeginObject().Key("a").Raw(inner.str()).Key("b").Raw("null").EndObject();
  EXPECT_EQ(w.Take(), R"({"a": {"x": 1}, "b": null})");
}

TEST(JsonWriter, CompactSpacingDropsTheSpacesOnly) {
  JsonWriter w(JsonWriter::Spacing::kCompact);
  w.BeginObject().Key("nll").BeginArray().Significant(1.0 / 3, 8).Significant(2.5e-9, 8).EndArray();
  w.Key("s").String("a b").Key("e").BeginArray().EndArray().EndObject();
  EXPECT_EQ(w.str(), R"({"nll":[0.33333333,2.5e-09],"s":"a b","e":[]})");
  simdjson::dom::parser p;
  double back = 0;
  ASSERT_EQ(Parse(p, w.str())["nll"].at(0).get_double().get(back), simdjson::SUCCESS);
  EXPECT_EQ(back, 0.33333333);
}

}  // namespace
}  // namespace rwkvkit::base

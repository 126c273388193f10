// base/json_writer.cc — see json_writer.h.
#include "base/json_writer.h"

#include <charconv>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace rwkvkit::base {

std::string JsonString(std::string_view s) {
  std::string out = "\"";
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '"') out += "\\\"";
    else if (c == '\\') out += "\\\\";
    else if (c == '\n') out += "\\n";
    else if (c == '\t') out += "\\t";
    else if (c == '\r') out += "\\r";
    else if (c < 0x20 || c == 0x7F) out += absl::StrFormat("\\u%04x", c);
    else out.push_back(ch);
  }
  return out + "\"";
}

void JsonWriter::BeforeValue() {
  if (after_key_) {  // the key wrote the separator
    after_key_ = false;
    return;
  }
  if (!has_items_.empty()) {
    if (has_items_.back()) out_ += ',';
    if (break_ >= 0) {
      out_ += '\n';
      out_.append(static_cast<size_t>(break_), ' ');
    } else if (has_items_.back() && !compact_) {
      out_ += ' ';
    }
    has_items_.back() = true;
  }
  break_ = -1;
}

void JsonWriter::BeforeClose() {
  if (break_ >= 0) {
    out_ += '\n';
    out_.append(static_cast<size_t>(break_), ' ');
  }
  break_ = -1;
  has_items_.pop_back();
}

JsonWriter& JsonWriter::BeginObject() {
  BeforeValue();
  out_ += '{';
  has_items_.push_back(false);
  return *this;
}

JsonWriter& JsonWriter::EndObject() {
  BeforeClose();
  out_ += '}';
  return *this;
}

JsonWriter& JsonWriter::BeginArray() {
  BeforeValue();
  out_ += '[';
  has_items_.push_back(false);
  return *this;
}

JsonWriter& JsonWriter::EndArray() {
  BeforeClose();
  out_ += ']';
  return *this;
}

JsonWriter& JsonWriter::Key(std::string_view key) {
  BeforeValue();
  out_ += JsonString(key);
  out_ += compact_ ? ":" : ": ";
  after_key_ = true;
  return *this;
}

JsonWriter& JsonWriter::String(std::string_view s) {
  BeforeValue();
  out_ += JsonString(s);
  return *this;
}

JsonWriter& JsonWriter::Uint(uint64_t v) {
  BeforeValue();
  absl::StrAppend(&out_, v);
  return *this;
}

JsonWriter& JsonWriter::Int(int64_t v) {
  BeforeValue();
  absl::StrAppend(&out_, v);
  return *this;
}

JsonWriter& JsonWriter::Double(double v) {
  BeforeValue();
  if (!std::isfinite(v)) {
    out_ += "null";
    return *this;
  }
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  out_.append(buf, r.ptr);
  return *this;
}

JsonWriter& JsonWriter::Significant(double v, int digits) {
  BeforeValue();
  if (std::isfinite(v)) absl::StrAppendFormat(&out_, "%.*g", digits, v);
  else out_ += "null";
  return *this;
}

JsonWriter& JsonWriter::Fixed(double v, int decimals) {
  BeforeValue();
  if (std::isfinite(v)) absl::StrAppendFormat(&out_, "%.*f", decimals, v);
  else out_ += "null";
  return *this;
}

JsonWriter& JsonWriter::Bool(bool v) {
  BeforeValue();
  out_ += v ? "true" : "false";
  return *this;
}

JsonWriter& JsonWriter::Null() {
  BeforeValue();
  out_ += "null";
  return *this;
}

JsonWriter& JsonWriter::Raw(std::string_view json) {
  BeforeValue();
  out_.append(json.data(), json.size());
  return *this;
}

JsonWriter& JsonWriter::Break(int indent) {
  break_ = indent;
  return *this;
}

JsonWriter& JsonWriter::Text(std::string_view text) {
  out_.append(text.data(), text.size());
  return *this;
}

}  // namespace rwkvkit::base

// corpus/input/jsonl_field.cc — see jsonl_field.h.
#include "corpus/input/jsonl_field.h"

#include "absl/strings/str_cat.h"

namespace rwkvkit::corpus::input {
namespace {

std::string TypeName(simdjson::dom::element_type t) {
  switch (t) {
    case simdjson::dom::element_type::ARRAY: return "an array";
    case simdjson::dom::element_type::OBJECT: return "an object";
    case simdjson::dom::element_type::INT64:
    case simdjson::dom::element_type::UINT64:
    case simdjson::dom::element_type::DOUBLE: return "a number";
    case simdjson::dom::element_type::STRING: return "a string";
    case simdjson::dom::element_type::BOOL: return "a boolean";
    case simdjson::dom::element_type::NULL_VALUE: return "null";
  }
  return "an unknown value";
}

absl::Status JsonError(simdjson::error_code e) {
  return absl::InvalidArgumentError(absl::StrCat("invalid JSON (", simdjson::error_message(e), ")"));
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// The length of the JSON number (RFC 8259 grammar) at the start of `s`, 0 when there is none.
size_t JsonNumberLength(std::string_view s) {
  size_t i = 0;
  if (i < s.size() && s[i] == '-') ++i;
  if (i >= s.size() || !IsDigit(s[i])) return 0;
  if (s[i] == '0') ++i;
  else
    while (i < s.size() && IsDigit(s[i])) ++i;
  if (i < s.size() && s[i] == '.') {
    if (++i >= s.size() || !IsDigit(s[i])) return 0;
    while (i < s.size() && IsDigit(s[i])) ++i;
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if (i >= s.size() || !IsDigit(s[i])) return 0;
    while (i < s.size() && IsDigit(s[i])) ++i;
  }
  return i;
}

// `line` with every well-formed number outside strings replaced by 0. simdjson rejects
// numbers beyond double or 64-bit range (1e999, 30-digit integers) that JSON allows and
// Python's json reads; the keys we extract are strings, so their values do not matter, and
// malformed numbers stay as they are (still invalid).
std::string ZeroNumbers(std::string_view line) {
  std::string out;
  out.reserve(line.size());
  for (size_t i = 0; i < line.size();) {
    const char c = line[i];
    if (c == '"') {  // copy the string with its escapes
      size_t j = i + 1;
      while (j < line.size() && line[j] != '"') j += line[j] == '\\' ? 2 : 1;
      j = std::min(j + 1, line.size());
      out.append(line, i, j - i);
      i = j;
      continue;
    }
    if (c == '-' || IsDigit(c)) {
      size_t end = i;
      while (end < line.size() && (IsDigit(line[end]) || std::string_view("+-.eE").find(line[end]) != std::string_view::npos))
        ++end;
      if (JsonNumberLength(line.substr(i, end - i)) == end - i) {
        out.push_back('0');
      } else {
        out.append(line, i, end - i);
      }
      i = end;
      continue;
    }
    out.push_back(c);
    ++i;
  }
  return out;
}

// Splits a key path at unescaped dots: "meta.content" -> {"meta", "content"}; "a\.b" -> {"a.b"}.
std::vector<std::string> SplitKeyPath(const std::string& key) {
  std::vector<std::string> parts(1);
  for (size_t i = 0; i < key.size(); ++i) {
    if (key[i] == '\\' && i + 1 < key.size() && key[i + 1] == '.') {
      parts.back().push_back('.');
      ++i;
    } else if (key[i] == '.') {
      parts.emplace_back();
    } else {
      parts.back().push_back(key[i]);
    }
  }
  return parts;
}

}  // namespace

JsonlFieldReader::JsonlFieldReader(std::vector<std::string> keys) : keys_(std::move(keys)), slots_(keys_.size()) {
  for (const std::string& k : keys_) paths_.push_back(SplitKeyPath(k));
}

void JsonlFieldReader::Resolve(size_t i, simdjson::dom::element value) {
  Slot& s = slots_[i];
  s = Slot{};  // a later duplicate key replaces the whole value: the last one wins
  const std::vector<std::string>& path = paths_[i];
  for (size_t level = 1; level < path.size(); ++level) {
    simdjson::dom::object inner;
    if (value.get_object().get(inner) != simdjson::SUCCESS) return;  // not an object: the key is missing
    bool found = false;
    for (const simdjson::dom::key_value_pair kv : inner) {
      if (kv.key != path[level]) continue;
      value = kv.value;  // the last duplicate wins here too
      found = true;
    }
    if (!found) return;
  }
  s.found = true;
  s.type_name = TypeName(value.type());
  s.is_string = value.get_string().get(s.value) == simdjson::SUCCESS;
}

absl::Status JsonlFieldReader::Parse(std::string_view line, simdjson::dom::element& doc) {
  padded_.assign(line);
  padded_.append(simdjson::SIMDJSON_PADDING, ' ');
  last_error_ = parser_.parse(padded_.data(), line.size(), /*realloc_if_needed=*/false).get(doc);
  if (last_error_ == simdjson::NUMBER_ERROR) {  // maybe only a number beyond simdjson's range
    const std::string zeroed = ZeroNumbers(line);
    padded_.assign(zeroed);
    padded_.append(simdjson::SIMDJSON_PADDING, ' ');
    last_error_ = parser_.parse(padded_.data(), zeroed.size(), /*realloc_if_needed=*/false).get(doc);
  }
  if (last_error_ != simdjson::SUCCESS) return JsonError(last_error_);
  return absl::OkStatus();
}

absl::Status JsonlFieldReader::Read(std::string_view line) {
  for (Slot& s : slots_) s = Slot{};
  simdjson::dom::element doc;
  if (absl::Status s = Parse(line, doc); !s.ok()) return s;
  simdjson::dom::object obj;
  if (doc.get_object().get(obj) != simdjson::SUCCESS)
    return absl::InvalidArgumentError(absl::StrCat("not a JSON object (saw ", TypeName(doc.type()), ")"));
  for (const simdjson::dom::key_value_pair kv : obj) {
    for (size_t i = 0; i < keys_.size(); ++i)
      if (kv.key == paths_[i][0]) Resolve(i, kv.value);
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string_view> JsonlFieldReader::Field(size_t i) const {
  const Slot& s = slots_[i];
  if (!s.found) return absl::InvalidArgumentError(absl::StrCat("no \"", keys_[i], "\" key"));
  if (!s.is_string)
    return absl::InvalidArgumentError(absl::StrCat("\"", keys_[i], "\" is ", s.type_name, ", not a string"));
  return s.value;
}

}  // namespace rwkvkit::corpus::input

// corpus/jsonl_field.cc — see jsonl_field.h.
#include "corpus/jsonl_field.h"

#include "absl/strings/str_cat.h"

namespace rwkvkit::corpus {
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

}  // namespace

JsonlFieldReader::JsonlFieldReader(std::vector<std::string> keys) : keys_(std::move(keys)), slots_(keys_.size()) {}

absl::Status JsonlFieldReader::Read(std::string_view line) {
  for (Slot& s : slots_) s = Slot{};
  padded_.assign(line);
  padded_.append(simdjson::SIMDJSON_PADDING, ' ');
  simdjson::dom::element doc;
  last_error_ = parser_.parse(padded_.data(), line.size(), /*realloc_if_needed=*/false).get(doc);
  if (last_error_ != simdjson::SUCCESS) return JsonError(last_error_);
  simdjson::dom::object obj;
  if (doc.get_object().get(obj) != simdjson::SUCCESS)
    return absl::InvalidArgumentError(absl::StrCat("not a JSON object (saw ", TypeName(doc.type()), ")"));
  for (const simdjson::dom::key_value_pair kv : obj) {
    for (size_t i = 0; i < keys_.size(); ++i) {
      if (kv.key != keys_[i]) continue;
      Slot& s = slots_[i];  // a later duplicate key overwrites: the last one wins
      s.found = true;
      s.type_name = TypeName(kv.value.type());
      s.is_string = kv.value.get_string().get(s.value) == simdjson::SUCCESS;
    }
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

}  // namespace rwkvkit::corpus

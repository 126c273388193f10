// refmodel/checkpoint/internal/json_error_offset.cc — see json_error_offset.h.
#include "refmodel/checkpoint/internal/json_error_offset.h"

#include <simdjson.h>

#include "base/utf8.h"

namespace rwkvkit::refmodel::checkpoint {
namespace {

using simdjson::ondemand::json_type;

// Visits `v` and everything in it; the first error stops the walk (the iterator stays there).
simdjson::error_code Walk(simdjson::ondemand::value v) {
  json_type type;
  if (auto e = v.type().get(type)) return e;
  switch (type) {
    case json_type::object: {
      simdjson::ondemand::object o;
      if (auto e = v.get_object().get(o)) return e;
      for (auto field : o) {
        std::string_view key;
        if (auto e = field.unescaped_key().get(key)) return e;
        simdjson::ondemand::value child;
        if (auto e = field.value().get(child)) return e;
        if (auto e = Walk(child)) return e;
      }
      return simdjson::SUCCESS;
    }
    case json_type::array: {
      simdjson::ondemand::array a;
      if (auto e = v.get_array().get(a)) return e;
      for (auto item : a) {
        simdjson::ondemand::value child;
        if (auto e = item.get(child)) return e;
        if (auto e = Walk(child)) return e;
      }
      return simdjson::SUCCESS;
    }
    case json_type::string: return v.get_string().error();
    case json_type::number: return v.get_number().error();
    case json_type::boolean: return v.get_bool().error();
    case json_type::null: {
      bool null = false;
      if (auto e = v.is_null().get(null)) return e;
      return null ? simdjson::SUCCESS : simdjson::INCORRECT_TYPE;
    }
  }
  return simdjson::INCORRECT_TYPE;
}

// Errors found while indexing, before any value is visited: the first byte that is not
// well-formed UTF-8, or the opening quote of the string that never closes.
size_t IndexingErrorOffset(std::string_view text, simdjson::error_code e) {
  if (e == simdjson::UTF8_ERROR) {
    for (size_t i = 0; i < text.size();) {
      const size_t n = base::Utf8SequenceLength(text, i);
      if (n == 0) return i;
      i += n;
    }
  } else if (e == simdjson::UNCLOSED_STRING) {
    size_t open = 0;
    bool in_string = false;
    for (size_t i = 0; i < text.size(); ++i) {
      if (!in_string && text[i] == '"') {
        in_string = true;
        open = i;
      } else if (in_string && text[i] == '\\') {
        ++i;
      } else if (in_string && text[i] == '"') {
        in_string = false;
      }
    }
    if (in_string) return open;
  }
  return 0;
}

}  // namespace

size_t JsonErrorOffset(std::string_view text, size_t max_depth) {
  simdjson::ondemand::parser parser(text.size());
  if (parser.allocate(text.size(), max_depth) != simdjson::SUCCESS) return 0;
  const simdjson::padded_string padded(text);
  simdjson::ondemand::document doc;
  if (simdjson::error_code e = parser.iterate(padded).get(doc)) return IndexingErrorOffset(text, e);
  simdjson::ondemand::value root;
  simdjson::error_code e = doc.get_value().get(root);
  if (e == simdjson::SUCCESS) e = Walk(root);
  const char* at = nullptr;
  const bool placed = doc.current_location().get(at) == simdjson::SUCCESS && at != nullptr &&
                      at >= padded.data() && at < padded.data() + text.size();
  // After a whole value the walk stands at what follows it: trailing content, if any.
  if (e == simdjson::SUCCESS) return placed ? static_cast<size_t>(at - padded.data()) : 0;
  return placed ? static_cast<size_t>(at - padded.data()) : text.size();
}

}  // namespace rwkvkit::refmodel::checkpoint

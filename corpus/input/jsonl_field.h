// corpus/input/jsonl_field.h — the string values of a few keys in one JSON Lines record.
//
// JsonlFieldReader parses a line with simdjson's DOM parser (error codes only; the whole line
// is validated, trailing content is an error) and keeps the unescaped UTF-8 bytes of the
// strings at the requested keys. The record must be one JSON object. A key may be a path into
// nested objects ("meta.content"; a literal dot is "\."). A repeated key: the last wins, as in
// Python's json module, at every level. Numbers beyond simdjson's range do not make a record
// invalid; lone surrogate escapes do (the build's repair stage, corpus/text, fixes them).
//
//   JsonlFieldReader r({"text", "lang"});
//   if (r.Read(line).ok()) { absl::StatusOr<std::string_view> text = r.Field(0); ... }
//
// Not thread-safe: one reader per thread (it owns a simdjson parser and scratch buffers).
#ifndef RWKVKIT_CORPUS_INPUT_JSONL_FIELD_H_
#define RWKVKIT_CORPUS_INPUT_JSONL_FIELD_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "simdjson.h"

namespace rwkvkit::corpus::input {

class JsonlFieldReader {
 public:
  explicit JsonlFieldReader(std::vector<std::string> keys);

  // Read()
  // Parses one line. kInvalidArgument (message without file or line: the caller adds them)
  // when it is not valid JSON or not an object.
  absl::Status Read(std::string_view line);

  // Field()
  // After a successful Read(): the string at keys[i]; kInvalidArgument saying what was found
  // when the key is missing or not a string. Valid until the next Read().
  absl::StatusOr<std::string_view> Field(size_t i) const;

  // The simdjson error of the last Read() (SUCCESS when it parsed; UTF8_ERROR and
  // STRING_ERROR mark lines a repair can save, DEPTH_ERROR too-deep nesting).
  simdjson::error_code last_error() const { return last_error_; }
  // Whether keys[i] was present in the last record, and whether it held a string.
  bool found(size_t i) const { return slots_[i].found; }
  bool is_string(size_t i) const { return slots_[i].is_string; }

 private:
  struct Slot {
    bool found = false;
    bool is_string = false;
    std::string type_name;
    std::string_view value;  // into parser_'s string buffer
  };
  absl::Status Parse(std::string_view line, simdjson::dom::element& doc);
  // Follows keys_[i]'s path below a top-level value and fills slots_[i].
  void Resolve(size_t i, simdjson::dom::element value);

  std::vector<std::string> keys_;
  std::vector<std::vector<std::string>> paths_;  // keys_ split at unescaped dots
  std::vector<Slot> slots_;
  simdjson::dom::parser parser_;
  std::string padded_;  // the line plus SIMDJSON_PADDING bytes
  simdjson::error_code last_error_ = simdjson::SUCCESS;
};

}  // namespace rwkvkit::corpus::input

#endif  // RWKVKIT_CORPUS_INPUT_JSONL_FIELD_H_

// base/json_writer.h — the one JSON writer: objects, arrays, escaped strings and numbers with
// commas placed for the caller, and a layout the caller chooses line by line, so a file like
// build.json keeps its hand-made shape (short objects on one line, long lists one item a line).
//
// Layout: items are separated by ", " (Spacing::kCompact: ","); Break(n) makes the next separator — or the line before
// the next item or closing bracket — a newline and n spaces. Strings: UTF-8 passed through;
// " and \ escaped, \n \t \r as such, other controls and DEL as \u00XX. Numbers: integers
// exactly; Double() the shortest text that reads back as the value, Significant() as printf
// %.<n>g, Fixed() as %.<n>f; a non-finite double is written as null. Not thread-safe; no
// validation beyond what the calls allow.
#ifndef RWKVKIT_BASE_JSON_WRITER_H_
#define RWKVKIT_BASE_JSON_WRITER_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace rwkvkit::base {

// The JSON string literal for `s` (with its quotes).
std::string JsonString(std::string_view s);

class JsonWriter {
 public:
  enum class Spacing { kSpaced, kCompact };
  // kCompact separates items by "," and a key from its value by ":" (one-line records).
  explicit JsonWriter(Spacing spacing = Spacing::kSpaced) : compact_(spacing == Spacing::kCompact) {}

  JsonWriter& BeginObject();
  JsonWriter& EndObject();
  JsonWriter& BeginArray();
  JsonWriter& EndArray();
  // The name of the next member of the innermost object.
  JsonWriter& Key(std::string_view key);

  JsonWriter& String(std::string_view s);
  JsonWriter& Uint(uint64_t v);
  JsonWriter& Int(int64_t v);
  JsonWriter& Double(double v);                // shortest round trip
  JsonWriter& Significant(double v, int digits);  // %.<digits>g
  JsonWriter& Fixed(double v, int decimals);   // %.<decimals>f
  JsonWriter& Bool(bool v);
  JsonWriter& Null();
  // A value that is already JSON text (another writer's output).
  JsonWriter& Raw(std::string_view json);

  // The next separator breaks the line and indents the next item (or bracket) by `indent`.
  JsonWriter& Break(int indent);

  // Appends raw text after the value (a final newline).
  JsonWriter& Text(std::string_view text);

  const std::string& str() const { return out_; }
  std::string Take() { return std::move(out_); }

 private:
  void BeforeValue();  // the separator and line break before an item
  void BeforeClose();

  std::string out_;
  std::vector<bool> has_items_;  // per open container
  bool after_key_ = false;
  int break_ = -1;  // pending line break's indent, -1 for none
  bool compact_ = false;
};

}  // namespace rwkvkit::base

#endif  // RWKVKIT_BASE_JSON_WRITER_H_

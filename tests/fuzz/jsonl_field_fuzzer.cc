// tests/fuzz/jsonl_field_fuzzer.cc — fuzz target: JSON Lines field extraction
// (corpus/input/jsonl_field.h) on one record.
//
// Input: one line. Properties: Read() either fails with kInvalidArgument and a message, or
// succeeds; then every requested key is reported consistently (Field() ok exactly when the
// key was found holding a string) and every extracted string is valid UTF-8.
#include <cstdint>
#include <string>
#include <string_view>

#include "corpus/input/jsonl_field.h"
#include "simdjson.h"
#include "tests/fuzz/fuzz_util.h"

using rwkvkit::fuzz::Check;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static rwkvkit::corpus::input::JsonlFieldReader* reader =
      new rwkvkit::corpus::input::JsonlFieldReader({"text", "id", "meta", ""});
  const std::string_view line(reinterpret_cast<const char*>(data), size);
  const absl::Status s = reader->Read(line);
  if (!s.ok()) {
    Check(s.code() == absl::StatusCode::kInvalidArgument, "Read failed with a code other than kInvalidArgument");
    Check(!s.message().empty(), "Read failed without a message");
    return 0;
  }
  for (size_t i = 0; i < 4; ++i) {
    const absl::StatusOr<std::string_view> f = reader->Field(i);
    Check(f.ok() == (reader->found(i) && reader->is_string(i)), "Field() disagrees with found()/is_string()");
    if (!reader->found(i)) Check(!reader->is_string(i), "a missing key is reported as a string");
    if (f.ok()) Check(simdjson::validate_utf8(f->data(), f->size()), "an extracted string is not valid UTF-8");
    else Check(!f.status().message().empty(), "Field failed without a message");
  }
  return 0;
}

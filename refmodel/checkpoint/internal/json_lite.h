// refmodel/checkpoint/internal/json_lite.h — a small strict JSON (RFC 8259) parser for the
// safetensors header, so that refmodel needs no simdjson (DESIGN.md: refmodel builds where
// only CUDA is). Builds a tree; fine for headers of a few MB. Thread-safe: pure function.
#ifndef RWKVKIT_REFMODEL_CHECKPOINT_INTERNAL_JSON_LITE_H_
#define RWKVKIT_REFMODEL_CHECKPOINT_INTERNAL_JSON_LITE_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rwkvkit::refmodel::checkpoint {

struct Json {
  enum Kind { kNull, kBool, kNumber, kString, kArray, kObject } kind = kNull;
  bool boolean = false;
  std::string text;  // kString: the decoded UTF-8; kNumber: the literal as written
  std::vector<Json> array;
  std::vector<std::pair<std::string, Json>> object;  // in file order

  // Out of line (json_lite.cc): clang with libstdc++ in C++20 rejects an implicit destructor
  // here, where std::pair<std::string, Json> is still incomplete.
  Json() = default;
  Json(const Json&) = default;
  Json(Json&&) noexcept = default;
  Json& operator=(const Json&) = default;
  Json& operator=(Json&&) noexcept = default;
  ~Json();

  // A kNumber that is a non-negative integer literal fitting in uint64 (no '.', 'e', '-').
  bool AsUint64(uint64_t* out) const;
  // nullptr when absent or when this is not an object.
  const Json* Get(std::string_view key) const;
};

// ParseJson()
// On error returns false and sets *error_at (byte offset in `text`) and *error.
// Trailing whitespace is allowed; anything else after the value is an error. The tree may
// take about `max_memory` bytes (nodes, keys, strings; an error beyond), so that a hostile
// text such as [0,0,0,...] (2 bytes per node) cannot take 44 times its size.
bool ParseJson(std::string_view text, Json* out, size_t* error_at, std::string* error,
               size_t max_memory = SIZE_MAX);

}  // namespace rwkvkit::refmodel::checkpoint

#endif  // RWKVKIT_REFMODEL_CHECKPOINT_INTERNAL_JSON_LITE_H_

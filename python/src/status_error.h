// python/src/status_error.h — absl::Status → a Python exception of rwkvkit.errors (the one
// place the extension turns a library's status into an exception).
//
// The message keeps the library's wording ("v.txt:257: declared length 3 ..."); the Python
// side (rwkvkit/errors.py) picks the exception class from the status code and reads the
// file and line out of the message. Call with the GIL held.
#ifndef RWKVKIT_PYTHON_SRC_STATUS_ERROR_H_
#define RWKVKIT_PYTHON_SRC_STATUS_ERROR_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace rwkvkit::python {

// ThrowStatus()
// Raises (as nanobind::python_error) the rwkvkit.errors exception for a non-OK status.
[[noreturn]] void ThrowStatus(const absl::Status& status);

template <typename T>
T ValueOrThrow(absl::StatusOr<T>&& v) {
  if (!v.ok()) ThrowStatus(v.status());
  return *std::move(v);
}

inline void ThrowIfError(const absl::Status& status) {
  if (!status.ok()) ThrowStatus(status);
}

}  // namespace rwkvkit::python

#endif  // RWKVKIT_PYTHON_SRC_STATUS_ERROR_H_

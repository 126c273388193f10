// python/src/status_error.cc — see status_error.h.
#include "python/src/status_error.h"

#include <nanobind/nanobind.h>
#include <nanobind/stl/string.h>

#include <string>

#include "absl/status/status.h"

namespace nb = nanobind;

namespace rwkvkit::python {

[[noreturn]] void ThrowStatus(const absl::Status& status) {
  const std::string code = absl::StatusCodeToString(status.code());
  const std::string message(status.message());
  nb::object exc = nb::module_::import_("rwkvkit.errors").attr("from_status")(code, message);
  PyErr_SetObject(reinterpret_cast<PyObject*>(Py_TYPE(exc.ptr())), exc.ptr());
  throw nb::python_error();
}

}  // namespace rwkvkit::python

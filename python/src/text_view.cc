// python/src/text_view.cc — see text_view.h.
#include "python/src/text_view.h"

namespace nb = nanobind;

namespace rwkvkit::python {

TextView::TextView(nb::handle obj) {
  PyObject* o = obj.ptr();
  if (PyUnicode_Check(o)) {
    Py_ssize_t n = 0;
    const char* p = PyUnicode_AsUTF8AndSize(o, &n);
    if (p == nullptr) throw nb::python_error();
    bytes_ = std::string_view(p, static_cast<size_t>(n));
    return;
  }
  if (PyBytes_Check(o)) {
    char* p = nullptr;
    Py_ssize_t n = 0;
    if (PyBytes_AsStringAndSize(o, &p, &n) != 0) throw nb::python_error();
    bytes_ = std::string_view(p, static_cast<size_t>(n));
    return;
  }
  if (PyObject_CheckBuffer(o) && PyObject_GetBuffer(o, &buffer_, PyBUF_C_CONTIGUOUS) == 0) {
    has_buffer_ = true;
    bytes_ = std::string_view(static_cast<const char*>(buffer_.buf), static_cast<size_t>(buffer_.len));
    return;
  }
  PyErr_Clear();
  throw nb::type_error("expected str, bytes or a contiguous bytes-like object");
}

TextView::TextView(TextView&& other) noexcept
    : bytes_(other.bytes_), buffer_(other.buffer_), has_buffer_(other.has_buffer_) {
  other.has_buffer_ = false;
}

TextView::~TextView() {
  if (has_buffer_) PyBuffer_Release(&buffer_);
}

}  // namespace rwkvkit::python

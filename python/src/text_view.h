// python/src/text_view.h — the bytes of a Python text argument, without copying.
//
// A str is read as its UTF-8 (CPython caches it in the object; a lone surrogate raises
// UnicodeEncodeError, as str.encode("utf-8") does); bytes directly; any other object with the
// buffer protocol (bytearray, memoryview, a numpy uint8 array) through a held Py_buffer, which
// also keeps a bytearray from being resized while the GIL is released. Call with the GIL held;
// the view lives as long as the TextView and the object it was made from.
#ifndef RWKVKIT_PYTHON_SRC_TEXT_VIEW_H_
#define RWKVKIT_PYTHON_SRC_TEXT_VIEW_H_

#include <nanobind/nanobind.h>

#include <string_view>

namespace rwkvkit::python {

class TextView {
 public:
  // Raises TypeError for anything that is not str, bytes or a contiguous byte buffer.
  explicit TextView(nanobind::handle obj);
  TextView(TextView&& other) noexcept;
  TextView(const TextView&) = delete;
  TextView& operator=(const TextView&) = delete;
  TextView& operator=(TextView&&) = delete;
  ~TextView();

  std::string_view bytes() const { return bytes_; }

 private:
  std::string_view bytes_;
  Py_buffer buffer_{};
  bool has_buffer_ = false;
};

}  // namespace rwkvkit::python

#endif  // RWKVKIT_PYTHON_SRC_TEXT_VIEW_H_

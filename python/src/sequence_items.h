// python/src/sequence_items.h — the items of a Python iterable (texts, ids), read by index.
//
// With the full C API a list or tuple is read in place (PySequence_Fast's item array; any
// other iterable is copied into a list first). The stable ABI (abi3, CPython >= 3.12) has no
// item array: the iterable is copied into a list and read with PyList_GetItem. Either way the
// items are borrowed references kept alive by this object. Call with the GIL held.
#ifndef RWKVKIT_PYTHON_SRC_SEQUENCE_ITEMS_H_
#define RWKVKIT_PYTHON_SRC_SEQUENCE_ITEMS_H_

#include <nanobind/nanobind.h>

#include <cstddef>

namespace rwkvkit::python {

class SequenceItems {
 public:
  // Raises TypeError(`error`) when `obj` is not iterable.
  SequenceItems(nanobind::handle obj, const char* error) {
#ifdef Py_LIMITED_API
    seq_ = nanobind::steal(PySequence_List(obj.ptr()));
    if (!seq_.is_valid()) {
      if (PyErr_ExceptionMatches(PyExc_TypeError)) {
        PyErr_Clear();
        throw nanobind::type_error(error);
      }
      throw nanobind::python_error();
    }
    const Py_ssize_t n = PyList_Size(seq_.ptr());
#else
    seq_ = nanobind::steal(PySequence_Fast(obj.ptr(), error));
    if (!seq_.is_valid()) throw nanobind::python_error();
    const Py_ssize_t n = PySequence_Fast_GET_SIZE(seq_.ptr());
    items_ = PySequence_Fast_ITEMS(seq_.ptr());
#endif
    size_ = static_cast<size_t>(n);
  }

  size_t size() const { return size_; }

  // A borrowed reference to item i (i < size()).
  PyObject* operator[](size_t i) const {
#ifdef Py_LIMITED_API
    return PyList_GetItem(seq_.ptr(), static_cast<Py_ssize_t>(i));
#else
    return items_[i];
#endif
  }

  // The list or tuple that holds the items (keeps them alive).
  const nanobind::object& holder() const { return seq_; }

 private:
  nanobind::object seq_;
#ifndef Py_LIMITED_API
  PyObject** items_ = nullptr;
#endif
  size_t size_ = 0;
};

}  // namespace rwkvkit::python

#endif  // RWKVKIT_PYTHON_SRC_SEQUENCE_ITEMS_H_

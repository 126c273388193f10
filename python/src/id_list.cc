// python/src/id_list.cc — see id_list.h.
#include "python/src/id_list.h"

#include <new>

namespace nb = nanobind;

namespace rwkvkit::python {
namespace {

// The id objects 0..65535, made on first use and kept for the life of the process.
PyObject* const* IdObjects() {
  static PyObject** table = [] {
    auto** t = new PyObject*[65536];
    for (long i = 0; i < 65536; ++i) t[i] = PyLong_FromLong(i);
    return t;
  }();
  return table;
}

}  // namespace

nb::list IdsToList(const uint16_t* ids, size_t n) {
  PyObject* const* objs = IdObjects();
#ifdef Py_LIMITED_API
  PyObject* list = PyList_New(static_cast<Py_ssize_t>(n));
  if (list == nullptr) throw nb::python_error();
  for (size_t i = 0; i < n; ++i) {
    PyObject* o = objs[ids[i]];
    Py_INCREF(o);
    PyList_SetItem(list, static_cast<Py_ssize_t>(i), o);
  }
#else
  // The full API fills the item array directly. PyList_New(n) would zero it first; here it
  // is allocated as the list's own code does (PyMem_Malloc, freed by the list) and every
  // slot is written before the list is seen by anything.
  PyObject* list = PyList_New(0);
  if (list == nullptr) throw nb::python_error();
  if (n > 0) {
    auto** items = static_cast<PyObject**>(PyMem_Malloc(n * sizeof(PyObject*)));
    if (items == nullptr) {
      Py_DECREF(list);
      throw std::bad_alloc();
    }
    for (size_t i = 0; i < n; ++i) {
      PyObject* o = objs[ids[i]];
      Py_INCREF(o);
      items[i] = o;
    }
    auto* l = reinterpret_cast<PyListObject*>(list);
    l->ob_item = items;
    l->allocated = static_cast<Py_ssize_t>(n);
    Py_SET_SIZE(l, static_cast<Py_ssize_t>(n));
  }
#endif
  return nb::steal<nb::list>(list);
}

}  // namespace rwkvkit::python

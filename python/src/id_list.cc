// python/src/id_list.cc — see id_list.h.
#include "python/src/id_list.h"

#include <new>

namespace nb = nanobind;

namespace rwkvkit::python {
namespace {

// The shared id objects, by id; each is made the first time a list needs it and kept for the
// life of the process. Made in the order the texts first use them, the frequent ids end up
// side by side in memory: the reference counting here, the collector's passes over the lists
// and their freeing touch far fewer cache lines than with all 65536 made in id order.
PyObject** IdObjects() {
  static PyObject** table = new PyObject*[65536]();
  return table;
}

// The object of `id`, made now if it is the first use; nullptr (a Python error set) when out
// of memory. Returns a borrowed reference.
inline PyObject* IdObject(PyObject** table, uint16_t id) {
  PyObject* o = table[id];
  if (o == nullptr) [[unlikely]] {
    o = PyLong_FromLong(id);
    table[id] = o;
  }
  return o;
}

}  // namespace

nb::list IdsToList(const uint16_t* ids, size_t n) {
  PyObject** objs = IdObjects();
#ifdef Py_LIMITED_API
  PyObject* list = PyList_New(static_cast<Py_ssize_t>(n));
  if (list == nullptr) throw nb::python_error();
  for (size_t i = 0; i < n; ++i) {
    PyObject* o = IdObject(objs, ids[i]);
    if (o == nullptr) {
      Py_DECREF(list);  // the unset slots are NULL, which the list's freeing skips
      throw nb::python_error();
    }
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
      PyObject* o = IdObject(objs, ids[i]);
      if (o == nullptr) [[unlikely]] {
        for (size_t k = 0; k < i; ++k) Py_DECREF(items[k]);
        PyMem_Free(items);
        Py_DECREF(list);
        throw nb::python_error();
      }
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

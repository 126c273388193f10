// python/src/id_list.h — Python lists of token ids, made without an allocation per id.
//
// One int object per id, made the first time a list needs it, is shared by every list
// (CPython itself shares only the ints up to 256); a list of n ids costs one item array and
// n reference increments. Call with the GIL held.
#ifndef RWKVKIT_PYTHON_SRC_ID_LIST_H_
#define RWKVKIT_PYTHON_SRC_ID_LIST_H_

#include <nanobind/nanobind.h>

#include <cstddef>
#include <cstdint>

namespace rwkvkit::python {

// IdsToList()
// A new list holding the int objects of ids[0..n). Raises MemoryError when out of memory.
nanobind::list IdsToList(const uint16_t* ids, size_t n);

}  // namespace rwkvkit::python

#endif  // RWKVKIT_PYTHON_SRC_ID_LIST_H_

# rwkvkit_make_pic(TARGET): makes TARGET, when it is a static library of this project, and every
# static library it links (recursively) position-independent — what a shared object (the
# Python extension, the CLI's commands plugin) needs of the static libraries linked into it.
function(rwkvkit_make_pic target)
  get_target_property(_type ${target} TYPE)
  get_target_property(_imported ${target} IMPORTED)
  if(_imported OR NOT _type STREQUAL "STATIC_LIBRARY")
    return()
  endif()
  get_property(_seen GLOBAL PROPERTY RWKVKIT_PIC_SEEN)
  if(target IN_LIST _seen)
    return()
  endif()
  set_property(GLOBAL APPEND PROPERTY RWKVKIT_PIC_SEEN ${target})
  set_target_properties(${target} PROPERTIES POSITION_INDEPENDENT_CODE ON)
  rwkvkit_make_deps_pic(${target})
endfunction()

# rwkvkit_make_deps_pic(TARGET): rwkvkit_make_pic for every library TARGET links (TARGET itself may be
# a shared object; rwkvkit_make_pic recurses through it).
function(rwkvkit_make_deps_pic target)
  get_target_property(_deps ${target} LINK_LIBRARIES)
  foreach(_dep IN LISTS _deps)
    if(TARGET ${_dep})
      rwkvkit_make_pic(${_dep})
    endif()
  endforeach()
endfunction()

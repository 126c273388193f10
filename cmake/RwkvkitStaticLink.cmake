# rwkvkit_link_statically(TARGET PREFIX...): links the static archives of the imported shared
# libraries whose target names start with one of PREFIX (e.g. absl::) into the executable
# TARGET in place of the shared libraries (imported targets that TARGET's directory sees).
# Debian's -dev packages ship the archive beside the library (libabsl_status.a beside
# libabsl_status.so.*); where one is missing, nothing changes. Each shared library costs every
# process its mapping and symbol binding at start: `rwkvkit --version` took 3.1-3.9 ms of CPU
# with Abseil's ~25 shared libraries, 1.3-1.9 ms with the archives. The archives and the
# project's own static libraries of TARGET's link closure go in one --start-group/--end-group
# after TARGET's own link items, so every reference is resolved there and --as-needed drops the
# shared libraries. Only for executables: a shared object linked this way would carry its own
# copy of the library.
function(rwkvkit_link_statically target)
  set(_prefixes ${ARGN})
  get_target_property(_queue ${target} LINK_LIBRARIES)
  set(_seen)
  set(_own)
  set(_archives)
  while(_queue)
    list(POP_FRONT _queue _item)
    # $<LINK_ONLY:x> marks the private dependencies of static libraries.
    string(REGEX REPLACE "^\\$<LINK_ONLY:(.*)>$" "\\1" _item "${_item}")
    if(NOT TARGET "${_item}" OR "${_item}" IN_LIST _seen)
      continue()
    endif()
    list(APPEND _seen "${_item}")
    get_target_property(_imported ${_item} IMPORTED)
    get_target_property(_type ${_item} TYPE)
    if(_imported)
      set(_wanted OFF)
      foreach(_prefix IN LISTS _prefixes)
        string(FIND "${_item}" "${_prefix}" _at)
        if(_at EQUAL 0)
          set(_wanted ON)
        endif()
      endforeach()
      if(_wanted AND _type MATCHES "^(SHARED|UNKNOWN)_LIBRARY$")
        set(_location)
        foreach(_property IMPORTED_LOCATION_NONE IMPORTED_LOCATION IMPORTED_LOCATION_RELEASE)
          get_target_property(_at_property ${_item} ${_property})
          if(_at_property AND NOT _location)
            set(_location "${_at_property}")
          endif()
        endforeach()
        string(REGEX REPLACE "\\.so(\\.[0-9.]*)?$" ".a" _archive "${_location}")
        if(NOT _location OR _archive STREQUAL _location OR NOT EXISTS "${_archive}")
          message(STATUS "rwkvkit: ${target} links ${_item} shared (no static archive beside ${_location})")
          return()
        endif()
        list(APPEND _archives "${_archive}")
      endif()
    elseif(_type STREQUAL "STATIC_LIBRARY")
      list(APPEND _own "$<TARGET_FILE:${_item}>")
    endif()
    get_target_property(_deps ${_item} INTERFACE_LINK_LIBRARIES)
    if(_deps)
      list(APPEND _queue ${_deps})
    endif()
  endwhile()
  if(_archives)
    target_link_libraries(${target} PRIVATE -Wl,--start-group ${_own} ${_archives} -Wl,--end-group)
  endif()
endfunction()

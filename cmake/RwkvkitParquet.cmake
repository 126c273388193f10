# cmake/RwkvkitParquet.cmake — Parquet input through the Arrow C++ libraries inside the pinned
# pyarrow wheel (Debian ships no Arrow C++; tools/setup.sh installs the wheel into the venv).
#
#   RWKVKIT_PARQUET = AUTO (default): use the wheel when the venv's python has it, else build
#                     without Parquet (the CLI then says "built without Parquet support").
#                     ON: fail when it is missing or unusable.  OFF: never use it.
#   RWKVKIT_PYARROW_PYTHON: the python whose pyarrow is used (the set-up venv by default).
#
# The wheel ships versioned libraries only (libarrow.so.2600, libparquet.so.2600) and no CMake
# package: they are linked by full path as IMPORTED targets (so their headers are -isystem),
# with the wheel's directory in the binaries' RUNPATH. A test program is compiled and linked
# against them first: it fails when the wheel's C++ ABI (_GLIBCXX_USE_CXX11_ABI) or standard
# (C++20 headers) does not match this compiler. Sets RWKVKIT_HAVE_PARQUET and the target
# rwkvkit_arrow_parquet.
set(RWKVKIT_PARQUET AUTO CACHE STRING "Read Parquet through the pyarrow wheel's Arrow C++: AUTO, ON or OFF")
set_property(CACHE RWKVKIT_PARQUET PROPERTY STRINGS AUTO ON OFF)
set(RWKVKIT_PYARROW_PYTHON "${PROJECT_SOURCE_DIR}/.rwkvkit/venv/bin/python" CACHE FILEPATH
    "Python interpreter with the pinned pyarrow wheel (Arrow C++ for Parquet input)")

set(RWKVKIT_HAVE_PARQUET OFF)

function(rwkvkit_parquet_unavailable why)
  if(RWKVKIT_PARQUET STREQUAL "ON")
    message(FATAL_ERROR "RWKVKIT_PARQUET=ON but ${why}")
  endif()
  message(STATUS "rwkvkit: Parquet OFF (${why})")
endfunction()

function(rwkvkit_find_pyarrow)
  if(NOT EXISTS "${RWKVKIT_PYARROW_PYTHON}")
    rwkvkit_parquet_unavailable("no python at ${RWKVKIT_PYARROW_PYTHON} (run tools/setup.sh)")
    return()
  endif()
  execute_process(
    COMMAND "${RWKVKIT_PYARROW_PYTHON}" -c
            "import pyarrow as pa; v = pa.cpp_version_info; print(pa.__version__); print(pa.get_include()); print(pa.get_library_dirs()[0]); print(v.major * 100 + v.minor)"
    OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc OUTPUT_STRIP_TRAILING_WHITESPACE)
  if(NOT rc EQUAL 0)
    rwkvkit_parquet_unavailable("${RWKVKIT_PYARROW_PYTHON} cannot import pyarrow")
    return()
  endif()
  string(REPLACE "\n" ";" out "${out}")
  list(GET out 0 version)
  list(GET out 1 inc)
  list(GET out 2 libdir)
  list(GET out 3 so)
  set(arrow_lib "${libdir}/libarrow.so.${so}")
  set(parquet_lib "${libdir}/libparquet.so.${so}")
  if(NOT EXISTS "${arrow_lib}" OR NOT EXISTS "${parquet_lib}" OR NOT EXISTS "${inc}/parquet/file_reader.h")
    rwkvkit_parquet_unavailable("pyarrow ${version} has no ${parquet_lib} or no C++ headers")
    return()
  endif()
  # The ABI check: a program that passes a std::string across the library boundary.
  set(probe "${CMAKE_BINARY_DIR}/CMakeFiles/rwkvkit_parquet_probe.cc")
  file(WRITE "${probe}" "#include <parquet/file_reader.h>\n#include <string>\nint main(int argc, char** argv) {\n  if (argc > 1) parquet::ParquetFileReader::OpenFile(std::string(argv[1]));\n  return 0;\n}\n")
  try_compile(abi_ok "${CMAKE_BINARY_DIR}/CMakeFiles/rwkvkit_parquet_probe" SOURCES "${probe}"
    CMAKE_FLAGS "-DINCLUDE_DIRECTORIES=${inc}"
    LINK_LIBRARIES "${parquet_lib}" "${arrow_lib}"
    CXX_STANDARD 20 CXX_STANDARD_REQUIRED ON
    OUTPUT_VARIABLE probe_log)
  if(NOT abi_ok)
    file(WRITE "${CMAKE_BINARY_DIR}/CMakeFiles/rwkvkit_parquet_probe.log" "${probe_log}")
    rwkvkit_parquet_unavailable("a test program does not compile or link against pyarrow ${version}'s Arrow C++ (C++ ABI or standard mismatch; see CMakeFiles/rwkvkit_parquet_probe.log)")
    return()
  endif()
  add_library(rwkvkit_pyarrow_arrow SHARED IMPORTED GLOBAL)
  set_target_properties(rwkvkit_pyarrow_arrow PROPERTIES IMPORTED_LOCATION "${arrow_lib}"
                        INTERFACE_INCLUDE_DIRECTORIES "${inc}")
  add_library(rwkvkit_pyarrow_parquet SHARED IMPORTED GLOBAL)
  set_target_properties(rwkvkit_pyarrow_parquet PROPERTIES IMPORTED_LOCATION "${parquet_lib}")
  # libparquet exports the simdjson it vendors (a newer version than Debian's 3.0.1: 116
  # symbols of the same names). Debian's libsimdjson must come before it in every binary's
  # DT_NEEDED list, so that the dynamic linker binds rwkvkit's simdjson calls to Debian's;
  # linked the other way round the pipeline crashed inside simdjson. CMake orders libraries by
  # their dependencies, not as listed, so libsimdjson is put first as a link option (these go
  # before the objects and libraries on the link line; --push-state/--pop-state keep a
  # binary's own --as-needed for the libraries after it).
  add_library(rwkvkit_arrow_parquet INTERFACE)
  target_link_options(rwkvkit_arrow_parquet INTERFACE "LINKER:--push-state,--no-as-needed"
                      "$<TARGET_LINKER_FILE:simdjson::simdjson>" "LINKER:--pop-state")
  target_link_libraries(rwkvkit_arrow_parquet INTERFACE rwkvkit_pyarrow_parquet rwkvkit_pyarrow_arrow)
  set(RWKVKIT_HAVE_PARQUET ON PARENT_SCOPE)
  set(RWKVKIT_PYARROW_VERSION "${version}" PARENT_SCOPE)
  message(STATUS "rwkvkit: Parquet ON (Arrow C++ of pyarrow ${version}: ${parquet_lib})")
endfunction()

if(RWKVKIT_PARQUET STREQUAL "OFF")
  message(STATUS "rwkvkit: Parquet OFF (RWKVKIT_PARQUET=OFF)")
elseif(RWKVKIT_PARQUET STREQUAL "ON" OR RWKVKIT_PARQUET STREQUAL "AUTO")
  rwkvkit_find_pyarrow()
else()
  message(FATAL_ERROR "RWKVKIT_PARQUET must be AUTO, ON or OFF (saw \"${RWKVKIT_PARQUET}\")")
endif()

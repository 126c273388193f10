# kernels/cuda_flags.cmake — warning flags for the CUDA targets of one directory (kernels/,
# bench/kernels/). The top level's add_compile_options(-Wall -Wextra [-Werror]) reaches nvcc
# too, which does not take them (its -Werror wants a list of kinds), so this rewrites the
# directory's options: the C++ ones stay for CXX sources, nvcc gets the host warnings through
# -Xcompiler and, under RWKVKIT_WERROR, turns all of its own and ptxas's warnings into errors.
# Include it at the top of a directory's CMakeLists.txt, before any target.
get_directory_property(_rwkvkit_opts COMPILE_OPTIONS)
set(_rwkvkit_cxx_only "")
foreach(_opt IN LISTS _rwkvkit_opts)
  list(APPEND _rwkvkit_cxx_only "$<$<COMPILE_LANGUAGE:CXX>:${_opt}>")
endforeach()
set_directory_properties(PROPERTIES COMPILE_OPTIONS "${_rwkvkit_cxx_only}")
add_compile_options($<$<COMPILE_LANGUAGE:CUDA>:-Xcompiler=-Wall,-Wextra>)
if(RWKVKIT_WERROR)
  add_compile_options($<$<COMPILE_LANGUAGE:CUDA>:-Werror=all-warnings>
                      $<$<COMPILE_LANGUAGE:CUDA>:-Xptxas=-Werror>)
endif()
# CMake 3.25 knows no C++20 flag for nvcc 13 (CMAKE_CUDA20_COMPILE_FEATURES is empty), so CUDA
# sources are C++17; the headers they include are written to compile as both.
set(CMAKE_CUDA_STANDARD 17)
set(CMAKE_CUDA_STANDARD_REQUIRED ON)

# cmake/CopyIfExists.cmake — `cmake -DSRC=file -DDST=dir -P CopyIfExists.cmake`: copies SRC into
# DST when SRC exists (and differs), does nothing otherwise.
if(EXISTS "${SRC}")
  file(MAKE_DIRECTORY "${DST}")
  get_filename_component(_name "${SRC}" NAME)
  file(COPY_FILE "${SRC}" "${DST}/${_name}" ONLY_IF_DIFFERENT)
endif()

// corpus/input/input_paths.h — expands a source's `paths` (files, directories, globs) into
// the sorted list of files to read.
//
// A directory is searched recursively for files whose names fit the source's format
// (input_format.h NameMatchesFormat: `.jsonl`/`.json` for jsonl, `.jsonl.gz` for jsonl.gz,
// ..., every supported kind for auto); a pattern with * ? [ is a glob(3). The result is
// sorted by path and free of duplicates, so the input order (and the output bytes) do not
// depend on the file system's listing order. Checked before any work starts: a missing path
// or a glob without matches is kNotFound, an unreadable file kPermissionDenied, and anything
// that is not a regular file (a FIFO, a device such as /dev/null, a socket), given or matched,
// kFailedPrecondition — nothing can block or read forever later — and a file whose content
// is a format rwkvkit cannot read (bzip2, zip, ...: input_format.h) kInvalidArgument. A
// symlink loop is named as such. Input sharding for several tasks (docs/design.md) is a pure function of this list.
// Thread-safe: no shared state.
#ifndef RWKVKIT_CORPUS_INPUT_INPUT_PATHS_H_
#define RWKVKIT_CORPUS_INPUT_INPUT_PATHS_H_

#include <filesystem>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace rwkvkit::corpus::input {

absl::StatusOr<std::vector<std::filesystem::path>> ExpandInputPaths(const std::vector<std::filesystem::path>& paths,
                                                                    std::string_view format);

}  // namespace rwkvkit::corpus::input

#endif  // RWKVKIT_CORPUS_INPUT_INPUT_PATHS_H_

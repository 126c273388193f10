// corpus/input/input_paths.h — expands a source's `paths` (files, directories, globs) into
// the sorted list of files to read.
//
// A directory is searched recursively for files of the source's format (`.jsonl`, `.json`
// for jsonl; `.jsonl.zst`, `.json.zst` for jsonl.zst; `.txt` for text); a pattern with * ? [
// is a glob(3). The result is sorted by path and free of duplicates, so the input order (and
// the output bytes) do not depend on the file system's listing order. Checked before any work
// starts: a missing path or a glob without matches is kNotFound, an unreadable file
// kPermissionDenied. Input sharding for several ranks (DESIGN.md) is a pure function of this
// list. Thread-safe: no shared state.
#ifndef RWKVKIT_CORPUS_INPUT_INPUT_PATHS_H_
#define RWKVKIT_CORPUS_INPUT_INPUT_PATHS_H_

#include <filesystem>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace rwkvkit::corpus {

absl::StatusOr<std::vector<std::filesystem::path>> ExpandInputPaths(const std::vector<std::filesystem::path>& paths,
                                                                    std::string_view format);

}  // namespace rwkvkit::corpus

#endif  // RWKVKIT_CORPUS_INPUT_INPUT_PATHS_H_

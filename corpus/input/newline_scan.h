// corpus/input/newline_scan.h — newlines in a byte range of an open file, read with pread.
//
// The one home of the newline scan that cuts uncompressed JSON Lines into byte ranges: the
// split build's lines stage counts the newlines of a piece (corpus/tasks), and a record source
// opened on a byte range counts the lines before it and finds its first line (record_source.h).
// Both stop quietly where the file ends (it may have shrunk since it was measured) and say so;
// a failed read is kDataLoss `path@offset`. Thread-safe: no state; pread leaves the offset.
#ifndef RWKVKIT_CORPUS_INPUT_NEWLINE_SCAN_H_
#define RWKVKIT_CORPUS_INPUT_NEWLINE_SCAN_H_

#include <cstdint>
#include <filesystem>
#include <optional>

#include "absl/status/statusor.h"

namespace rwkvkit::corpus::input {

struct NewlineCount {
  uint64_t newlines = 0;  // '\n' bytes in [begin, end)
  uint64_t end = 0;       // where the count stopped: the requested end, or the end of the file before it
};

// CountNewlines()
// The newlines in [begin, end) of the open file `fd` (`path` names it in errors).
absl::StatusOr<NewlineCount> CountNewlines(int fd, const std::filesystem::path& path, uint64_t begin, uint64_t end);

// FindNewline()
// The offset just past the first newline in [begin, end) of `fd`; nullopt when there is none
// before `end` or the end of the file.
absl::StatusOr<std::optional<uint64_t>> FindNewline(int fd, const std::filesystem::path& path, uint64_t begin,
                                                    uint64_t end);

}  // namespace rwkvkit::corpus::input

#endif  // RWKVKIT_CORPUS_INPUT_NEWLINE_SCAN_H_

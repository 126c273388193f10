// corpus/input/input_format.h — what an input file is, from its first bytes and its name.
//
// The content decides first: a file starts with the magic number of zstd (28 B5 2F FD), gzip
// (1F 8B), xz (FD 37 7A 58 5A 00) or Parquet ("PAR1"), whatever its name says; other bytes
// are uncompressed. Formats rwkvkit cannot read (bzip2, zip, 7z, lz4, rar, Snappy framing,
// legacy .lzma, .Z) are refused with a message that names the format and lists what is supported, instead
// of being read as garbage JSON lines. The name decides what an uncompressed byte stream holds
// (JSON Lines or one text document) and which files a directory source picks up.
//
// Thread-safe: pure functions.
#ifndef RWKVKIT_CORPUS_INPUT_INPUT_FORMAT_H_
#define RWKVKIT_CORPUS_INPUT_INPUT_FORMAT_H_

#include <cstddef>
#include <string_view>

#include "absl/status/statusor.h"

namespace rwkvkit::corpus::input {

// How a file's bytes are stored.
enum class Container { kPlain, kZstd, kGzip, kXz, kParquet };

// The longest magic number SniffContainer() looks at.
inline constexpr size_t kSniffBytes = 8;

// "plain", "zstd", "gzip", "xz", "parquet".
const char* ContainerName(Container c);

// SniffContainer()
// The container of a file that starts with `head` (its first kSniffBytes bytes, fewer when
// the file is shorter). kInvalidArgument naming `name` for a format rwkvkit cannot read.
absl::StatusOr<Container> SniffContainer(std::string_view head, std::string_view name);

// The formats every reader accepts, for messages: "JSON Lines (plain, .zst, .gz, .xz), ...".
const char* SupportedFormatsText();

// True for names a directory source of `format` picks up ("jsonl", "jsonl.zst", "jsonl.gz",
// "jsonl.xz", "text", "parquet" or "auto" = every supported kind).
bool NameMatchesFormat(std::string_view file_name, std::string_view format);

// Whether a source format is known (the manifest and --input accept these).
bool IsKnownFormat(std::string_view format);

// The source format that a file name implies: "text" for .txt (also compressed), "parquet"
// for .parquet, "jsonl" otherwise.
std::string_view FormatFromName(std::string_view file_name);

}  // namespace rwkvkit::corpus::input

#endif  // RWKVKIT_CORPUS_INPUT_INPUT_FORMAT_H_

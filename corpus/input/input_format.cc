// corpus/input/input_format.cc — see input_format.h.
#include "corpus/input/input_format.h"

#include <array>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace rwkvkit::corpus::input {
namespace {

struct Magic {
  std::string_view bytes;
  size_t offset;
  std::string_view name;
};

// Formats recognized only to be refused with a clear message.
constexpr std::array<Magic, 8> kUnsupported = {{
    {"BZh", 0, "bzip2"},
    {"PK\x03\x04", 0, "zip"},
    {"7z\xBC\xAF\x27\x1C", 0, "7z"},
    {"\x04\x22\x4D\x18", 0, "lz4"},
    {"Rar!\x1A\x07", 0, "rar"},
    {"\xFF\x06\x00\x00sNaPpY", 0, "Snappy framed"},
    {"\x5D\x00\x00", 0, "lzma (legacy .lzma)"},
    {"\x1F\x9D", 0, "compress (.Z)"},
}};

bool HasSuffix(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

bool AnySuffix(std::string_view name, std::string_view stem_a, std::string_view stem_b,
               std::initializer_list<std::string_view> exts) {
  for (std::string_view e : exts) {
    if (HasSuffix(name, absl::StrCat(std::string(stem_a), std::string(e)))) return true;
    if (!stem_b.empty() && HasSuffix(name, absl::StrCat(std::string(stem_b), std::string(e)))) return true;
  }
  return false;
}

}  // namespace

const char* ContainerName(Container c) {
  switch (c) {
    case Container::kPlain: return "plain";
    case Container::kZstd: return "zstd";
    case Container::kGzip: return "gzip";
    case Container::kXz: return "xz";
    case Container::kParquet: return "parquet";
  }
  return "unknown";
}

const char* SupportedFormatsText() {
  return "JSON Lines (.jsonl/.json, plain or compressed with zstd, gzip or xz), text (.txt, plain or compressed) "
         "and Parquet (.parquet)";
}

absl::StatusOr<Container> SniffContainer(std::string_view head, std::string_view name) {
  if (head.starts_with("\x28\xB5\x2F\xFD")) return Container::kZstd;
  if (head.starts_with("\x1F\x8B")) return Container::kGzip;
  if (head.starts_with(std::string_view("\xFD\x37\x7A\x58\x5A\x00", 6))) return Container::kXz;
  if (head.starts_with("PAR1")) return Container::kParquet;
  for (const Magic& m : kUnsupported) {
    if (head.size() >= m.offset + m.bytes.size() && head.substr(m.offset, m.bytes.size()) == m.bytes &&
        // "BZh" is followed by the block size digit 1-9; "\x5D\0\0" could start binary junk too,
        // but not JSON or text.
        (m.name != "bzip2" || (head.size() > 3 && head[3] >= '1' && head[3] <= '9')))
      return absl::InvalidArgumentError(absl::StrCat(std::string(name), ": a ", std::string(m.name), " file, which rwkvkit cannot read; supported: ",
                                                      SupportedFormatsText()));
  }
  return Container::kPlain;
}

bool NameMatchesFormat(std::string_view name, std::string_view format) {
  if (format == "jsonl") return AnySuffix(name, ".jsonl", ".json", {""});
  if (format == "jsonl.zst") return AnySuffix(name, ".jsonl", ".json", {".zst"});
  if (format == "jsonl.gz") return AnySuffix(name, ".jsonl", ".json", {".gz"});
  if (format == "jsonl.xz") return AnySuffix(name, ".jsonl", ".json", {".xz"});
  if (format == "text") return HasSuffix(name, ".txt");
  if (format == "parquet") return HasSuffix(name, ".parquet");
  if (format == "auto")
    return AnySuffix(name, ".jsonl", ".json", {"", ".zst", ".gz", ".xz"}) ||
           AnySuffix(name, ".txt", "", {"", ".zst", ".gz", ".xz"}) || HasSuffix(name, ".parquet");
  return false;
}

bool IsKnownFormat(std::string_view format) {
  for (std::string_view f : {"jsonl", "jsonl.zst", "jsonl.gz", "jsonl.xz", "text", "parquet", "auto"})
    if (format == f) return true;
  return false;
}

std::string_view FormatFromName(std::string_view name) {
  if (HasSuffix(name, ".parquet")) return "parquet";
  if (AnySuffix(name, ".txt", "", {"", ".zst", ".gz", ".xz"})) return "text";
  return "jsonl";
}

}  // namespace rwkvkit::corpus::input

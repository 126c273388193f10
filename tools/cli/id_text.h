// tools/cli/id_text.h — token ids as decimal text, fast (what `rwkvkit tokenize` prints).
//
// A table holds the text of every 16-bit id once (up to 5 digits and the length in 8 bytes,
// computed at compile time: read-only data of the binary, nothing to build when a process
// starts), so writing an id is one 8-byte load, an OR of the separator, one 8-byte store and
// an add: no division and no per-id call. On x86 CPUs with AVX-512 VBMI2, 32 ids at a time
// are turned into text in registers instead (id_text.cc), with the same output.
//
//   IdText text(' ');
//   text.Append(ids, /*first=*/true, out);   // "33155 40213"
//
// Thread-safe (Append and Write read only the table and the separator).
#ifndef RWKVKIT_TOOLS_CLI_ID_TEXT_H_
#define RWKVKIT_TOOLS_CLI_ID_TEXT_H_

#include <cstdint>
#include <span>
#include <string>

namespace rwkvkit::cli {

class IdText {
 public:
  // vector: on CPUs with AVX-512 VBMI2, 32 ids at a time without the table (false: the
  // table only, for tests that compare the two).
  explicit IdText(char separator, bool vector = true) : separator_(static_cast<uint8_t>(separator)), vector_(vector) {}
  // Append()
  // Appends the ids to `out`, each preceded by the separator except the first one when
  // `first` is true (the start of a list).
  void Append(std::span<const uint16_t> ids, bool first, std::string& out) const;
  // Write()
  // The same text written to dst, which must have room for kMaxBytesPerId * ids.size() + 8
  // bytes (whole 8-byte entries are stored); returns the end of the text.
  char* Write(std::span<const uint16_t> ids, bool first, char* dst) const;
  static constexpr size_t kMaxBytesPerId = 6;

 private:
  uint64_t separator_;  // byte 0 of each table entry
  bool vector_;
};

}  // namespace rwkvkit::cli

#endif  // RWKVKIT_TOOLS_CLI_ID_TEXT_H_

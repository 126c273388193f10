// tools/cli/id_text.h — token ids as decimal text, fast (what `rwkvkit tokenize` prints).
//
// A table holds the text of every 16-bit id once (separator + up to 5 digits in 8 bytes, the
// length in the top byte), so writing an id is one 8-byte load, one 8-byte store and an add:
// no division and no per-id call. Building the table takes ~0.2 ms.
//
//   IdText text(' ');
//   text.Append(ids, /*first=*/true, out);   // "33155 40213"
//
// Thread-safe after construction (Append only reads the table).
#ifndef RWKVKIT_TOOLS_CLI_ID_TEXT_H_
#define RWKVKIT_TOOLS_CLI_ID_TEXT_H_

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace rwkvkit::cli {

class IdText {
 public:
  explicit IdText(char separator);
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
  std::vector<uint64_t> table_;  // per id: separator and digits in the low bytes, length in byte 7
};

}  // namespace rwkvkit::cli

#endif  // RWKVKIT_TOOLS_CLI_ID_TEXT_H_

// tools/cli/id_text.cc — see id_text.h.
#include "tools/cli/id_text.h"

#include <array>
#include <bit>
#include <cstring>

namespace rwkvkit::cli {
namespace {

static_assert(std::endian::native == std::endian::little, "the table keeps the length in the top byte of each entry");

// Per id: 0 in byte 0 (the separator's place), the decimal digits from byte 1 on, and 1 + the
// digit count in byte 7. Computed by the compiler: the table is read-only data of the binary,
// mapped from its file when first read, never built or zero-filled at run time.
using Table = std::array<uint64_t, size_t{1} << 16>;

constexpr Table MakeTable() {
  Table table{};
  // Count up in decimal: digits[5 - len .. 5) is the text of id.
  char digits[5] = {'0', '0', '0', '0', '0'};
  int len = 1;
  for (size_t id = 0; id < table.size(); ++id) {
    uint64_t entry = uint64_t{static_cast<uint8_t>(1 + len)} << 56;
    for (int k = 0; k < len; ++k) entry |= uint64_t{static_cast<uint8_t>(digits[5 - len + k])} << (8 * (1 + k));
    table[id] = entry;
    int k = 4;
    while (k >= 0 && digits[k] == '9') digits[k--] = '0';
    if (k >= 0) ++digits[k];
    if (5 - k > len) len = 5 - k;
  }
  return table;
}

constexpr Table kTable = MakeTable();

}  // namespace

void IdText::Append(std::span<const uint16_t> ids, bool first, std::string& out) const {
  if (ids.empty()) return;
  const size_t old = out.size();
  out.resize(old + kMaxBytesPerId * ids.size() + 8);
  char* const end = Write(ids, first, out.data() + old);
  out.resize(static_cast<size_t>(end - out.data()));
}

char* IdText::Write(std::span<const uint16_t> ids, bool first, char* p) const {
  // Every entry is stored whole (8 bytes) and the write position moves by its length.
  size_t i = 0;
  if (first && !ids.empty()) {
    const uint64_t v = kTable[ids[0]];
    std::memcpy(p, reinterpret_cast<const char*>(&v) + 1, 7);
    p += (v >> 56) - 1;
    i = 1;
  }
  const uint64_t* table = kTable.data();
  const uint64_t separator = separator_;
  for (; i < ids.size(); ++i) {
    const uint64_t v = table[ids[i]] | separator;
    std::memcpy(p, &v, 8);
    p += v >> 56;
  }
  return p;
}

}  // namespace rwkvkit::cli

// tools/cli/id_text.cc — see id_text.h.
#include "tools/cli/id_text.h"

#include <bit>
#include <cstring>

namespace rwkvkit::cli {

static_assert(std::endian::native == std::endian::little, "the table keeps the length in the top byte of each entry");

IdText::IdText(char separator) : table_(size_t{1} << 16) {
  // Count up in decimal: digits[0..len) is the text of id.
  char digits[5] = {'0', '0', '0', '0', '0'};
  int len = 1;
  for (size_t id = 0; id < table_.size(); ++id) {
    uint8_t bytes[8] = {};
    bytes[0] = static_cast<uint8_t>(separator);
    std::memcpy(bytes + 1, digits + (5 - len), static_cast<size_t>(len));
    bytes[7] = static_cast<uint8_t>(1 + len);
    std::memcpy(&table_[id], bytes, 8);
    int k = 4;
    while (k >= 0 && digits[k] == '9') digits[k--] = '0';
    if (k >= 0) ++digits[k];
    if (5 - k > len) len = 5 - k;
  }
}

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
    const uint64_t v = table_[ids[0]];
    std::memcpy(p, reinterpret_cast<const char*>(&v) + 1, 7);
    p += (v >> 56) - 1;
    i = 1;
  }
  const uint64_t* table = table_.data();
  for (; i < ids.size(); ++i) {
    const uint64_t v = table[ids[i]];
    std::memcpy(p, &v, 8);
    p += v >> 56;
  }
  return p;
}

}  // namespace rwkvkit::cli

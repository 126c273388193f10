// corpus/dedup/exact_dedup.cc — see exact_dedup.h.
#include "corpus/dedup/exact_dedup.h"

#include <xxhash.h>

namespace rwkvkit::corpus::dedup {

Hash128 HashText(std::string_view bytes) {
  const XXH128_hash_t h = XXH3_128bits(bytes.data(), bytes.size());
  return Hash128{h.low64, h.high64};
}

size_t ExactDedup::MemoryBytesFor(uint64_t distinct) {
  uint64_t capacity = 0;
  while (capacity - capacity / 8 < distinct) capacity = 2 * capacity + 1;
  return capacity * (sizeof(Hash128) + 1);
}

}  // namespace rwkvkit::corpus::dedup

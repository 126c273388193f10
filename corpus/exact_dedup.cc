// corpus/exact_dedup.cc — see exact_dedup.h.
#include "corpus/exact_dedup.h"

#include <xxhash.h>

namespace rwkvkit::corpus {

Hash128 HashText(std::string_view bytes) {
  const XXH128_hash_t h = XXH3_128bits(bytes.data(), bytes.size());
  return Hash128{h.low64, h.high64};
}

}  // namespace rwkvkit::corpus

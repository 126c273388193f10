// corpus/dedup/exact_dedup.h — exact deduplication by a 128-bit hash of the normalized text.
//
// The key is XXH3-128 of the document's normalized UTF-8 bytes; the first document with a
// given key (in input order) is kept. The table is an absl::flat_hash_set of 16-byte keys:
// about 16 / 0.875 + 1 ≈ 19.3 bytes per distinct document at the set's maximum load, up to
// twice that right after a rehash (docs/corpus_pipeline.md). With 128 bits a false
// duplicate needs ~2^64 documents. Keys can be partitioned by hash range for several ranks.
//
// RecentKeys is the bounded kind: a fixed table of the last keys seen, which may forget.
//
// Not thread-safe: the pipeline calls them from its serial, in-order stage.
#ifndef RWKVKIT_CORPUS_DEDUP_EXACT_DEDUP_H_
#define RWKVKIT_CORPUS_DEDUP_EXACT_DEDUP_H_

#include <cstdint>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_set.h"

namespace rwkvkit::corpus::dedup {

struct Hash128 {
  uint64_t lo = 0, hi = 0;
  bool operator==(const Hash128&) const = default;
  template <typename H>
  friend H AbslHashValue(H h, const Hash128& k) {
    return H::combine(std::move(h), k.lo);  // already uniformly distributed
  }
};

// XXH3-128 of `bytes`.
Hash128 HashText(std::string_view bytes);

class ExactDedup {
 public:
  // Returns true the first time a key is seen, false for a duplicate.
  bool Insert(const Hash128& key) { return seen_.insert(key).second; }
  size_t size() const { return seen_.size(); }
  // Approximate heap bytes of the table.
  size_t MemoryBytes() const { return seen_.capacity() * (sizeof(Hash128) + 1); }
  // MemoryBytes() of a table that was given `distinct` different keys one at a time, without
  // building it (a build split into tasks reports the one-process number): the table grows
  // from capacity 0 to 2c+1 whenever an insert finds it holding c - c/8 keys.
  static size_t MemoryBytesFor(uint64_t distinct);

 private:
  absl::flat_hash_set<Hash128> seen_;
};

// A fixed-size, direct-mapped table of recent keys (2^bits slots of 16 bytes, one per key's
// low bits; a new key takes its slot): SeenBefore() is true only for a key that was given
// before, so it never calls a first occurrence a duplicate, but a key whose slot was taken
// since is forgotten. A read task of a split build drops the copies it catches (a document
// copied a million times costs one slot) and leaves the rest to the dedup stage.
class RecentKeys {
 public:
  explicit RecentKeys(int bits) : keys_(size_t{1} << bits), used_(size_t{1} << bits, false) {}
  // Whether `key` is in the table; puts it there.
  bool SeenBefore(const Hash128& key) {
    const size_t i = key.lo & (keys_.size() - 1);
    if (used_[i] && keys_[i] == key) return true;
    keys_[i] = key;
    used_[i] = true;
    return false;
  }

 private:
  std::vector<Hash128> keys_;
  std::vector<bool> used_;
};

}  // namespace rwkvkit::corpus::dedup

#endif  // RWKVKIT_CORPUS_DEDUP_EXACT_DEDUP_H_

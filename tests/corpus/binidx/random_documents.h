// tests/corpus/binidx/random_documents.h — random token documents from a seed, shared by the
// gtests and the fixture writer (no gtest dependency here).
#ifndef RWKVKIT_TESTS_CORPUS_BINIDX_RANDOM_DOCUMENTS_H_
#define RWKVKIT_TESTS_CORPUS_BINIDX_RANDOM_DOCUMENTS_H_

#include <cstddef>
#include <cstdint>
#include <random>
#include <vector>

namespace rwkvkit::binidx::testing {

// Documents of random ids 0..65535 (so both bytes of each id vary); about one in eight is
// empty, lengths up to `max_len`, and every document ends with 0 when `eod` is set.
inline std::vector<std::vector<uint16_t>> RandomDocuments(uint32_t seed, size_t count, size_t max_len, bool eod) {
  std::mt19937_64 rng(seed);
  std::vector<std::vector<uint16_t>> docs(count);
  for (auto& d : docs) {
    if (rng() % 8 == 0) {
      if (eod) d.push_back(0);
      continue;
    }
    d.resize(rng() % (max_len + 1));
    for (uint16_t& t : d) t = static_cast<uint16_t>(rng());
    if (eod) d.push_back(0);
  }
  return docs;
}

}  // namespace rwkvkit::binidx::testing

#endif  // RWKVKIT_TESTS_CORPUS_BINIDX_RANDOM_DOCUMENTS_H_

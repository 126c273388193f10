// tests/tokenizer/naive_encoder.h — an independent, obviously correct greedy encoder for
// tests: at each position try every length from the longest token down to 1 in a hash map.
// O(n * max_token_bytes); shares no code with tokenizer/.
#ifndef RWKVKIT_TESTS_TOKENIZER_NAIVE_ENCODER_H_
#define RWKVKIT_TESTS_TOKENIZER_NAIVE_ENCODER_H_

#include <algorithm>
#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "tokenizer/vocab.h"

namespace rwkvkit::tokenizer::testing {

class NaiveEncoder {
 public:
  explicit NaiveEncoder(const Vocab& v) {
    for (size_t id = 1; id < v.tokens.size(); ++id) {
      if (!v.present[id]) continue;
      ids_.emplace(v.tokens[id], static_cast<uint16_t>(id));
      max_len_ = std::max(max_len_, v.tokens[id].size());
    }
  }
  std::vector<uint16_t> Encode(std::string_view s) const {
    std::vector<uint16_t> out;
    for (size_t p = 0; p < s.size();) {
      for (size_t len = std::min(max_len_, s.size() - p); len > 0; --len) {
        const auto it = ids_.find(std::string(s.substr(p, len)));
        if (it != ids_.end()) {
          out.push_back(it->second);
          p += len;
          break;
        }
      }
    }
    return out;
  }

 private:
  std::unordered_map<std::string, uint16_t> ids_;
  size_t max_len_ = 0;
};

// Inputs that stress greedy matching: random bytes (mostly invalid UTF-8), random
// concatenations of vocab tokens (so long matches happen), runs of one byte (phase
// problems for segment stitching), and mixtures of these.
inline std::string StressInput(const Vocab& v, std::mt19937_64& rng, size_t approx_bytes) {
  std::string s;
  while (s.size() < approx_bytes) {
    switch (rng() % 4) {
      case 0:
        for (int i = 0, n = static_cast<int>(rng() % 64); i < n; ++i) s.push_back(static_cast<char>(rng()));
        break;
      case 1:
        for (int i = 0, n = static_cast<int>(rng() % 32); i < n; ++i) {
          const size_t id = 1 + rng() % (v.tokens.size() - 1);
          if (v.present[id]) s += v.tokens[id];
        }
        break;
      case 2:
        s.append(rng() % 700, " \n0a\t"[rng() % 5]);
        break;
      default:
        s += "Hello world, 今天是美好的一天。 😀🧑‍🚀 naïve café — Ελληνικά";
    }
  }
  return s;
}

}  // namespace rwkvkit::tokenizer::testing

#endif  // RWKVKIT_TESTS_TOKENIZER_NAIVE_ENCODER_H_

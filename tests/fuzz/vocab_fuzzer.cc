// tests/fuzz/vocab_fuzzer.cc — fuzz target: the vocab file parser (tokenizer/vocab.h) and the
// encoder built from what it accepts.
//
// Input: the bytes of a vocab file. When ParseVocab accepts it, the tokenizer built from it
// must encode a probe (the input itself, at most 2 KiB) exactly as a naive greedy longest
// match over the parsed tokens does, Encode and EncodeSingleStream must agree, and decoding
// the ids must give the probe back.
#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "absl/strings/match.h"
#include "tests/fuzz/fuzz_util.h"
#include "tokenizer/tokenizer.h"
#include "tokenizer/vocab.h"

namespace {

using rwkvkit::fuzz::Check;

// Greedy longest match, one position at a time: the reference tokenizer's rule.
std::vector<uint16_t> NaiveEncode(const rwkvkit::tokenizer::Vocab& v, std::string_view s) {
  std::unordered_map<std::string_view, uint16_t> ids;
  size_t longest = 0;
  for (size_t id = 1; id < v.tokens.size(); ++id) {
    if (!v.present[id]) continue;
    ids.emplace(v.tokens[id], static_cast<uint16_t>(id));
    longest = std::max(longest, v.tokens[id].size());
  }
  std::vector<uint16_t> out;
  for (size_t i = 0; i < s.size();) {
    size_t len = std::min(longest, s.size() - i);
    for (; len > 0; --len) {
      const auto it = ids.find(s.substr(i, len));
      if (it != ids.end()) {
        out.push_back(it->second);
        break;
      }
    }
    Check(len > 0, "a byte has no token although ParseVocab accepted the vocab");
    i += len;
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<rwkvkit::tokenizer::Vocab> vocab = rwkvkit::tokenizer::ParseVocab(text, "fuzz.txt");
  if (!vocab.ok()) {
    Check(vocab.status().code() == absl::StatusCode::kInvalidArgument, "ParseVocab failed with another code");
    Check(absl::StartsWith(vocab.status().message(), "fuzz.txt:"), "ParseVocab error does not name the file");
    return 0;
  }
  const std::string_view probe = text.substr(0, 2048);
  const std::vector<uint16_t> want = NaiveEncode(*vocab, probe);
  absl::StatusOr<rwkvkit::tokenizer::Tokenizer> tok = rwkvkit::tokenizer::Tokenizer::FromVocab(*std::move(vocab));
  Check(tok.ok(), "FromVocab rejected a vocab that ParseVocab accepted");
  const std::vector<uint16_t> ids = tok->Encode(probe);
  Check(ids == want, "Encode differs from the naive greedy longest match");
  std::vector<uint16_t> single;
  tok->EncodeSingleStream(probe, single);
  Check(single == ids, "EncodeSingleStream differs from Encode");
  absl::StatusOr<std::string> back = tok->Decode(ids);
  Check(back.ok() && *back == probe, "Decode(Encode(x)) != x");
  return 0;
}

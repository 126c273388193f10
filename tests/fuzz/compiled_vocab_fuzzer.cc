// tests/fuzz/compiled_vocab_fuzzer.cc — fuzz target: the compiled tokenizer file's reader
// (tokenizer/internal/compiled_file.h) and the encoder on what it accepts.
//
// Input: the bytes of a compiled file. The vocab size and hash it is checked against are taken
// from its own header, so inputs get past the "built from another vocab" check and exercise
// the body and structure checks. When ReadCompiled accepts it, the trie must encode a probe
// (the input itself, at most 2 KiB) without reading out of bounds: the plain walk and the
// segmented encoder give the same ids, and their token lengths add up to the probe's length.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

#include "tests/fuzz/fuzz_util.h"
#include "tokenizer/internal/compiled_file.h"
#include "tokenizer/internal/double_array.h"
#include "tokenizer/internal/segmented_encode.h"
#include "tokenizer/internal/walk.h"

namespace ti = rwkvkit::tokenizer::internal;
using rwkvkit::fuzz::Check;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view file(reinterpret_cast<const char*>(data), size);
  uint64_t vocab_bytes = 0, vocab_hash = 0;
  if (size >= 32) {
    std::memcpy(&vocab_bytes, data + 16, 8);
    std::memcpy(&vocab_hash, data + 24, 8);
  }
  absl::StatusOr<ti::CompiledParts> parts = ti::ReadCompiled(file, vocab_bytes, vocab_hash);
  if (!parts.ok()) {
    const absl::StatusCode code = parts.status().code();
    Check(code == absl::StatusCode::kDataLoss || code == absl::StatusCode::kFailedPrecondition,
          "ReadCompiled failed with another code");
    return 0;
  }
  std::vector<uint8_t> lengths(65536, 0);
  for (size_t id = 0; id + 1 < parts->token_offsets.size(); ++id)
    lengths[id] = static_cast<uint8_t>(parts->token_offsets[id + 1] - parts->token_offsets[id]);
  const std::vector<uint8_t> len_copy = lengths;
  auto trie = ti::DoubleArrayTrie::FromArrays(std::move(parts->cells), std::move(parts->best),
                                              std::move(parts->depth), std::move(lengths), parts->max_token_bytes);
  // The probe, copied so that reads past its end are caught by ASan.
  const std::vector<uint8_t> probe(data, data + std::min<size_t>(size, 2048));
  std::vector<uint16_t> plain(probe.size() + 1), segmented(probe.size() + 1);
  const size_t n = ti::EncodeSpan(*trie, probe.data(), probe.size(), plain.data());
  const size_t m = ti::EncodeSegmented(*trie, probe.data(), probe.size(), segmented.data());
  plain.resize(n);
  segmented.resize(m);
  Check(plain == segmented, "EncodeSegmented differs from EncodeSpan");
  size_t covered = 0;
  for (const uint16_t id : plain) covered += len_copy[id];
  Check(covered == probe.size(), "token lengths do not add up to the input");
  return 0;
}

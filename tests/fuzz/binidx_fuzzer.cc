// tests/fuzz/binidx_fuzzer.cc — fuzz target: the binidx shard reader (corpus/binidx/
// shard_reader.h), which opens and validates `<prefix>.idx` and `<prefix>.bin`.
//
// Input: 4 bytes (little-endian) giving the .bin size in bytes (modulo 1 MiB; the file is
// sparse zeros), then the .idx bytes. Properties: Open() fails with kDataLoss or
// kFailedPrecondition, or the shard is consistent: document and sequence token counts add up
// to num_tokens(), ReadDocument/ReadSequence return that many ids, reads past the end are
// kOutOfRange.
#include <fcntl.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

#include "corpus/binidx/shard_reader.h"
#include "tests/fuzz/fuzz_util.h"

using rwkvkit::fuzz::Check;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 4) return 0;
  uint32_t bin_size = 0;
  std::memcpy(&bin_size, data, 4);  // little-endian hosts only, like the reader's callers
  bin_size &= (1u << 20) - 1;
  const std::filesystem::path prefix = rwkvkit::fuzz::ScratchDir() / "shard";
  rwkvkit::fuzz::WriteFile(prefix.string() + ".idx",
                           std::string_view(reinterpret_cast<const char*>(data) + 4, size - 4));
  const int fd = ::open((prefix.string() + ".bin").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  Check(fd >= 0 && ::ftruncate(fd, bin_size) == 0, "cannot write the .bin scratch file");
  ::close(fd);

  absl::StatusOr<rwkvkit::binidx::ShardReader> r = rwkvkit::binidx::ShardReader::Open(prefix);
  if (!r.ok()) {
    const absl::StatusCode c = r.status().code();
    Check(c == absl::StatusCode::kDataLoss || c == absl::StatusCode::kFailedPrecondition,
          "Open failed with an unexpected code");
    return 0;
  }
  Check(r->bin_bytes() == bin_size, "Open accepted a .bin of the wrong size");
  std::vector<uint16_t> ids;
  uint64_t sum = 0;
  for (uint64_t i = 0; i < r->num_documents(); ++i) {
    Check(r->ReadDocument(i, ids).ok(), "ReadDocument failed on an opened shard");
    Check(ids.size() == r->document_tokens(i), "ReadDocument size differs from document_tokens");
    sum += ids.size();
  }
  Check(r->num_documents() == 0 || sum == r->num_tokens(), "documents do not add up to num_tokens");
  sum = 0;
  for (uint64_t i = 0; i < r->num_sequences(); ++i) {
    Check(r->ReadSequence(i, ids).ok(), "ReadSequence failed on an opened shard");
    Check(ids.size() == r->sequence_tokens(i), "ReadSequence size differs from sequence_tokens");
    sum += ids.size();
  }
  Check(sum == r->num_tokens(), "sequences do not add up to num_tokens");
  Check(r->ReadDocument(r->num_documents(), ids).code() == absl::StatusCode::kOutOfRange, "document past the end");
  Check(r->ReadSequence(r->num_sequences(), ids).code() == absl::StatusCode::kOutOfRange, "sequence past the end");
  Check(r->ReadTokens(0, r->num_tokens(), ids).ok(), "ReadTokens of the whole shard failed");
  Check(r->ReadTokens(r->num_tokens(), 1, ids).code() == absl::StatusCode::kOutOfRange, "tokens past the end");
  Check(r->ReadTokens(1, UINT64_MAX, ids).code() == absl::StatusCode::kOutOfRange, "huge token count accepted");
  return 0;
}

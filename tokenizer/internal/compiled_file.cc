// tokenizer/internal/compiled_file.cc — writes and checks the compiled tokenizer file (see
// compiled_file.h). Layout (64-byte little-endian header "RWKVTOKC", then cells, best, depth,
// token offsets and token bytes, each padded to a multiple of 8): docs/formats/compiled_vocab.md.
//
// The walk check (CheckTrie) proves what the encoder relies on, for any file: probes stay in
// the array (every base + 255 < cells), free cells never match a probe (label (i + 1) mod 256,
// no base = 255 mod 256, no node below cell 256), each base belongs to one node, and a
// matching probe always goes one level deeper (depth[child] = depth[parent] + 1 <= max token
// bytes), so a walk ends within max_token_bytes steps with a token length in 1..depth that
// equals the byte length of the token it emits.
#include "tokenizer/internal/compiled_file.h"

#include <bit>
#include <cstring>

#include "absl/status/status.h"
#include "absl/strings/str_format.h"
#include "base/hash_mix.h"
#include "tokenizer/internal/double_array.h"
#include "tokenizer/vocab.h"

namespace rwkvkit::tokenizer::internal {
namespace {

static_assert(std::endian::native == std::endian::little, "the compiled file is little-endian");

constexpr char kMagic[8] = {'R', 'W', 'K', 'V', 'T', 'O', 'K', 'C'};

struct Header {
  char magic[8];
  uint32_t version;
  uint32_t header_bytes;
  uint64_t vocab_bytes;
  uint64_t vocab_hash;
  uint32_t cells;
  uint32_t offsets;
  uint32_t entries;
  uint32_t max_token_bytes;
  uint64_t token_bytes;
  uint64_t body_hash;
};
static_assert(sizeof(Header) == kCompiledHeaderBytes);

constexpr uint64_t kMul1 = 0x9E3779B97F4A7C15ull;
constexpr uint64_t kMul2 = 0xC2B2AE3D27D4EB4Full;

using base::Fmix64;  // murmur3's 64-bit finalizer

size_t Pad8(size_t n) { return (n + 7) & ~size_t{7}; }

// Section sizes of a body, padded.
struct BodyLayout {
  size_t cells, best, depth, offsets, bytes;
  size_t total() const { return cells + best + depth + offsets + bytes; }
};

BodyLayout Layout(uint64_t cells, uint64_t offsets, uint64_t token_bytes) {
  return BodyLayout{Pad8(cells * 4), Pad8(cells * 2), Pad8(cells), Pad8(offsets * 4), Pad8(token_bytes)};
}

void AppendPadded(std::string& out, const void* data, size_t n) {
  out.append(static_cast<const char*>(data), n);
  out.append(Pad8(n) - n, '\0');
}

template <typename T>
std::vector<T> Take(std::string_view& body, size_t count) {
  std::vector<T> v(count);
  if (count != 0) std::memcpy(v.data(), body.data(), count * sizeof(T));
  body.remove_prefix(Pad8(count * sizeof(T)));
  return v;
}

absl::Status Damaged(std::string_view why) { return absl::DataLossError(absl::StrFormat("damaged: %s", why)); }

// Token offsets: start at 0, never decrease, end at the byte total, at most kMaxTokenBytes
// per token; counts the tokens and their longest length.
absl::Status CheckOffsets(const CompiledParts& p) {
  const std::vector<uint32_t>& o = p.token_offsets;
  if (o[0] != 0 || o[1] != 0) return Damaged("id 0 has bytes");  // ReadCompiled: >= 258 offsets
  uint32_t entries = 0, longest = 0;
  for (size_t i = 1; i < o.size(); ++i) {
    if (o[i] < o[i - 1] || o[i] - o[i - 1] > kMaxTokenBytes) return Damaged("token offsets out of order");
    const uint32_t len = o[i] - o[i - 1];
    entries += len != 0;
    longest = std::max(longest, len);
  }
  if (o.back() != p.token_bytes.size()) return Damaged("token offsets do not end at the token bytes' end");
  if (entries != p.entries || longest != p.max_token_bytes) return Damaged("token count or longest token differs");
  return absl::OkStatus();
}

absl::Status CheckTrie(const CompiledParts& p) {
  using DA = DoubleArrayTrie;
  const size_t n = p.cells.size();
  const size_t ids = p.token_offsets.size() - 1;
  // Byte length per id, read in order once (CheckOffsets: each is at most kMaxTokenBytes):
  // the checks below look a length up per node, in no order.
  std::vector<uint8_t> token_len(ids);
  for (size_t id = 0; id < ids; ++id) token_len[id] = static_cast<uint8_t>(p.token_offsets[id + 1] - p.token_offsets[id]);
  constexpr uint8_t kNoNode = 0xFF;
  // Depth of the node that owns each base (the root owns kRootBase).
  std::vector<uint8_t> owner(n, kNoNode);
  owner[DA::kRootBase] = 0;
  for (size_t i = 0; i < n; ++i) {
    const uint32_t cell = p.cells[i];
    if (p.depth[i] == 0) {  // a free cell
      if (cell != ((i + 1) & 0xFF) || p.best[i] != 0) return Damaged("a free cell is not marked free");
      continue;
    }
    if (i < DA::kRootBase) return Damaged("a node below the root's children");
    if (p.depth[i] > p.max_token_bytes) return Damaged("a node deeper than the longest token");
    if (DA::Backoff(cell) >= p.depth[i]) return Damaged("a back-off past the token start");
    const uint32_t len = p.depth[i] - DA::Backoff(cell);
    const uint16_t best = p.best[i];
    if (best >= ids || token_len[best] != len)
      return Damaged("a node's best token has another length");
    const uint64_t base = DA::Base(cell);
    if (base == 0) continue;
    if (base + 256 > n || (base & 0xFF) == 0xFF || base == DA::kRootBase) return Damaged("a base outside the array");
    if (owner[base] != kNoNode) return Damaged("two nodes share a base");
    owner[base] = p.depth[i];
  }
  for (uint32_t c = 0; c < 256; ++c) {
    const uint32_t i = DA::kRootBase + c;
    if (p.depth[i] == 0 || DA::Label(p.cells[i]) != c) return Damaged("a byte has no depth-1 node");
  }
  for (size_t i = DA::kRootBase; i < n; ++i) {
    if (p.depth[i] == 0) continue;
    const size_t parent_base = i - DA::Label(p.cells[i]);
    if (owner[parent_base] != kNoNode && p.depth[i] != owner[parent_base] + 1)
      return Damaged("a child is not one level below its parent");
  }
  return absl::OkStatus();
}

}  // namespace

uint64_t ContentHash(std::string_view bytes) {
  // Four independent lanes over 32-byte blocks (four multiply chains in flight), folded into
  // one, then the remaining 8-byte words and the zero-padded tail.
  const uint64_t n = bytes.size();
  uint64_t lane[4] = {kMul1 ^ (n * kMul2), kMul2 ^ n, std::rotl(kMul1, 17) + n, std::rotl(kMul2, 41) - n};
  size_t i = 0;
  for (; i + 32 <= n; i += 32) {
    for (int k = 0; k < 4; ++k) {
      uint64_t w;
      std::memcpy(&w, bytes.data() + i + 8 * k, 8);
      lane[k] = std::rotl(lane[k] ^ (w * kMul2), 31) * kMul1;
    }
  }
  uint64_t h = lane[0];
  for (int k = 1; k < 4; ++k) h = std::rotl(h ^ Fmix64(lane[k]), 27) * kMul1;
  for (; i + 8 <= n; i += 8) {
    uint64_t w;
    std::memcpy(&w, bytes.data() + i, 8);
    h = std::rotl(h ^ (w * kMul2), 31) * kMul1;
  }
  uint64_t tail = 0;
  if (n > i) std::memcpy(&tail, bytes.data() + i, n - i);
  h = std::rotl(h ^ (tail * kMul2), 31) * kMul1;
  return Fmix64(h);
}

std::string WriteCompiled(const CompiledView& parts, uint64_t vocab_bytes, uint64_t vocab_hash) {
  std::string body;
  body.reserve(Layout(parts.cells.size(), parts.token_offsets.size(), parts.token_bytes.size()).total());
  AppendPadded(body, parts.cells.data(), parts.cells.size_bytes());
  AppendPadded(body, parts.best.data(), parts.best.size_bytes());
  AppendPadded(body, parts.depth.data(), parts.depth.size_bytes());
  AppendPadded(body, parts.token_offsets.data(), parts.token_offsets.size_bytes());
  AppendPadded(body, parts.token_bytes.data(), parts.token_bytes.size());
  Header h{};
  std::memcpy(h.magic, kMagic, sizeof(kMagic));
  h.version = kCompiledFormatVersion;
  h.header_bytes = kCompiledHeaderBytes;
  h.vocab_bytes = vocab_bytes;
  h.vocab_hash = vocab_hash;
  h.cells = static_cast<uint32_t>(parts.cells.size());
  h.offsets = static_cast<uint32_t>(parts.token_offsets.size());
  h.entries = parts.entries;
  h.max_token_bytes = parts.max_token_bytes;
  h.token_bytes = parts.token_bytes.size();
  h.body_hash = ContentHash(body);
  std::string out(reinterpret_cast<const char*>(&h), sizeof(h));
  out += body;
  return out;
}

absl::StatusOr<CompiledParts> ReadCompiled(std::string_view file, uint64_t vocab_bytes, uint64_t vocab_hash) {
  if (file.size() < sizeof(Header)) return Damaged(absl::StrFormat("%d bytes, shorter than the header", file.size()));
  Header h;
  std::memcpy(&h, file.data(), sizeof(h));
  if (std::memcmp(h.magic, kMagic, sizeof(kMagic)) != 0) return Damaged("not a compiled tokenizer file");
  if (h.version != kCompiledFormatVersion || h.header_bytes != kCompiledHeaderBytes)
    return absl::FailedPreconditionError(
        absl::StrFormat("written by format version %d (this build reads %d)", h.version, kCompiledFormatVersion));
  if (h.vocab_bytes != vocab_bytes || h.vocab_hash != vocab_hash)
    return absl::FailedPreconditionError("built from another vocab file (size or content hash differs)");
  if (h.cells < DoubleArrayTrie::kRootBase + 256 || h.cells > DoubleArrayTrie::kMaxCells + 256)
    return Damaged("cell count out of range");
  if (h.offsets < 258 || h.offsets > kMaxTokenId + 2) return Damaged("token count out of range");
  if (h.max_token_bytes < 1 || h.max_token_bytes > 128 || h.entries > h.offsets - 2 ||
      h.token_bytes > uint64_t{h.offsets} * kMaxTokenBytes)
    return Damaged("header fields out of range");
  const BodyLayout layout = Layout(h.cells, h.offsets, h.token_bytes);
  std::string_view body = file.substr(sizeof(Header));
  if (body.size() != layout.total())
    return Damaged(absl::StrFormat("%d body bytes, the header says %d (truncated?)", body.size(), layout.total()));
  if (ContentHash(body) != h.body_hash) return Damaged("the body's hash differs from the header's");
  CompiledParts p;
  p.cells = Take<uint32_t>(body, h.cells);
  p.best = Take<uint16_t>(body, h.cells);
  p.depth = Take<uint8_t>(body, h.cells);
  p.token_offsets = Take<uint32_t>(body, h.offsets);
  p.token_bytes.assign(body.data(), h.token_bytes);
  p.entries = h.entries;
  p.max_token_bytes = h.max_token_bytes;
  if (absl::Status s = CheckOffsets(p); !s.ok()) return s;
  if (absl::Status s = CheckTrie(p); !s.ok()) return s;
  return p;
}

}  // namespace rwkvkit::tokenizer::internal

// tokenizer/internal/double_array.cc — builds the double-array trie (see double_array.h).
//
// Construction: sort the vocab's byte strings, insert them into a plain trie (children come
// out in byte order), give every node the longest token on its path, then place the nodes
// breadth first (shallow, hot nodes end up near each other at the front of the array) with
// first fit: the lowest base, not used by another node, whose 256-wide window has free cells
// for all children. About 30 ms for the World vocab.
#include "tokenizer/internal/double_array.h"

#include <algorithm>
#include <array>
#include <deque>
#include <string_view>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_format.h"

namespace rwkvkit::tokenizer::internal {
namespace {

struct PlainNode {
  std::vector<std::pair<uint8_t, uint32_t>> kids;  // (byte, node index), byte-sorted
  uint32_t token_id = 0;                           // 0: this prefix is not a token
  uint32_t depth = 0;
  uint32_t best_id = 0;
  uint32_t best_len = 0;
  uint64_t cell = 0;  // index of this node's cell in the double array
  uint64_t base = 0;  // base of its children (0 = leaf)
};

std::vector<PlainNode> BuildPlainTrie(const Vocab& vocab) {
  std::vector<std::pair<std::string_view, uint32_t>> entries;
  entries.reserve(vocab.entries);
  for (size_t id = 1; id < vocab.tokens.size(); ++id)
    if (vocab.present[id]) entries.emplace_back(vocab.tokens[id], static_cast<uint32_t>(id));
  std::sort(entries.begin(), entries.end());
  std::vector<PlainNode> nodes(1);
  for (const auto& [bytes, id] : entries) {
    uint32_t cur = 0;
    for (const char ch : bytes) {
      const auto b = static_cast<uint8_t>(ch);
      auto& kids = nodes[cur].kids;
      if (!kids.empty() && kids.back().first == b) {
        cur = kids.back().second;
        continue;
      }
      const auto next = static_cast<uint32_t>(nodes.size());
      kids.emplace_back(b, next);
      const uint32_t depth = nodes[cur].depth + 1;
      nodes.emplace_back();
      nodes.back().depth = depth;
      cur = next;
    }
    nodes[cur].token_id = id;
  }
  return nodes;
}

// First-fit placement of children windows in the double array. Candidate positions for the
// first child are enumerated over free cells only (a skip list with path compression:
// next_free_[t] leads to the first free cell >= t), so dense regions cost nothing to cross.
// Two shortcuts change no result (every skipped base could not fit): the search starts at a
// lower bound (once a node with the single child label c is placed at base b, every base <= b
// is taken or has its c cell taken for good: cells and bases are never freed, so no later node
// with a child c fits there), and when child i's cell is taken it jumps to the next base where
// that cell is free. On the World vocab the array is the same (byte for byte) and the bases
// tried drop from 15.1 to 3.2 million.
class Placer {
 public:
  uint64_t FindBase(const std::vector<std::pair<uint8_t, uint32_t>>& kids) {
    const uint64_t first_label = kids.front().first;
    uint64_t start = DoubleArrayTrie::kRootBase;
    for (const auto& [label, unused] : kids) start = std::max(start, single_child_bound_[label]);
    for (uint64_t base = start;;) {
      base = NextFree(base + first_label) - first_label;
      // Bases = 255 (mod 256) stay unused: they are the free cells' escape (double_array.h).
      if (BaseUsed(base) || (base & 0xFF) == 0xFF) {
        ++base;
        continue;
      }
      size_t i = 1;
      while (i < kids.size() && !Occupied(base + kids[i].first)) ++i;
      if (i == kids.size()) {
        if (kids.size() == 1) single_child_bound_[first_label] = base + 1;
        return base;
      }
      // Child i's cell is taken from base + label on up to the next free cell: no base below
      // that cell minus the label fits.
      const uint64_t label = kids[i].first;
      base = NextFree(base + label) - label;
    }
  }
  void Reserve(uint64_t base, const std::vector<std::pair<uint8_t, uint32_t>>& kids) {
    Grow(base + 256);
    base_used_[base] = 1;
    for (const auto& [label, unused] : kids) {
      occupied_[base + label] = 1;
      next_free_[base + label] = base + label + 1;
    }
  }
  uint64_t size() const { return occupied_.size(); }

 private:
  bool Occupied(uint64_t t) const { return t < occupied_.size() && occupied_[t]; }
  bool BaseUsed(uint64_t b) const { return b < base_used_.size() && base_used_[b]; }
  uint64_t NextFree(uint64_t t) {
    uint64_t r = t;
    while (r < next_free_.size() && next_free_[r] != r) r = next_free_[r];
    while (t < next_free_.size() && next_free_[t] != t) {  // path compression
      const uint64_t up = next_free_[t];
      next_free_[t] = r;
      t = up;
    }
    return r;
  }
  void Grow(uint64_t n) {
    if (occupied_.size() >= n) return;
    const uint64_t old = occupied_.size();
    occupied_.resize(n, 0);
    base_used_.resize(n, 0);
    next_free_.resize(n);
    for (uint64_t t = old; t < n; ++t) next_free_[t] = t;
  }
  std::vector<uint8_t> occupied_;
  std::vector<uint8_t> base_used_;
  std::vector<uint64_t> next_free_;
  // Per child label c: no node with a child c fits below this base (see above).
  std::array<uint64_t, 256> single_child_bound_{};
};

uint32_t PackCell(uint32_t label, const PlainNode& n) {
  return label | ((n.depth - n.best_len) << 8) | static_cast<uint32_t>(n.base << DoubleArrayTrie::kBaseShift);
}

}  // namespace

absl::StatusOr<std::unique_ptr<DoubleArrayTrie>> DoubleArrayTrie::Build(const Vocab& vocab) {
  std::vector<PlainNode> nodes = BuildPlainTrie(vocab);
  if (nodes[0].kids.size() != 256)
    return absl::InvalidArgumentError("vocab lacks single-byte tokens: some bytes cannot be encoded");
  auto trie = std::make_unique<DoubleArrayTrie>();
  Placer placer;
  nodes[0].base = kRootBase;
  placer.Reserve(kRootBase, nodes[0].kids);
  std::deque<uint32_t> queue = {0};
  while (!queue.empty()) {
    const uint32_t i = queue.front();
    queue.pop_front();
    const PlainNode& parent = nodes[i];
    for (const auto& [label, k] : parent.kids) {
      PlainNode& kid = nodes[k];
      kid.cell = parent.base + label;
      if (kid.token_id != 0) {
        kid.best_id = kid.token_id;
        kid.best_len = kid.depth;
      } else {
        kid.best_id = parent.best_id;
        kid.best_len = parent.best_len;
      }
      if (!kid.kids.empty()) {
        kid.base = placer.FindBase(kid.kids);
        placer.Reserve(kid.base, kid.kids);
      }
      trie->max_token_bytes_ = std::max<size_t>(trie->max_token_bytes_, kid.depth);
      queue.push_back(k);
    }
  }
  if (placer.size() > kMaxCells + 256 || trie->max_token_bytes_ > 128)
    return absl::InternalError(absl::StrFormat("double array too large (%d cells) or token too long (%d bytes)",
                                               placer.size(), trie->max_token_bytes_));
  const size_t size = placer.size();
  std::vector<uint8_t> occupied(size, 0);
  trie->cells_.assign(size, 0);
  trie->best_.assign(size, 0);
  trie->depth_.assign(size, 0);
  for (size_t i = 0; i < nodes.size(); ++i) {
    for (const auto& [label, k] : nodes[i].kids) {
      const PlainNode& kid = nodes[k];
      if (kid.base >= kMaxCells)
        return absl::InternalError(absl::StrFormat("double array too large (base %d)", kid.base));
      trie->cells_[kid.cell] = PackCell(label, kid);
      trie->best_[kid.cell] = static_cast<uint16_t>(kid.best_id);
      trie->depth_[kid.cell] = static_cast<uint8_t>(kid.depth);
      occupied[kid.cell] = 1;
    }
  }
  // Free cells: a label that no node's probe can carry (see the header).
  for (size_t i = 0; i < size; ++i)
    if (!occupied[i]) trie->cells_[i] = static_cast<uint32_t>((i + 1) & 0xFF);
  trie->token_lengths_.assign(size_t{1} << 16, 0);
  for (size_t id = 1; id < vocab.tokens.size() && id < trie->token_lengths_.size(); ++id)
    if (vocab.present[id]) trie->token_lengths_[id] = static_cast<uint8_t>(vocab.tokens[id].size());
  trie->Derive();
  return trie;
}

std::unique_ptr<DoubleArrayTrie> DoubleArrayTrie::FromArrays(std::vector<uint32_t> cells, std::vector<uint16_t> best,
                                                             std::vector<uint8_t> depth,
                                                             std::vector<uint8_t> token_lengths,
                                                             size_t max_token_bytes) {
  auto trie = std::make_unique<DoubleArrayTrie>();
  trie->cells_ = std::move(cells);
  trie->best_ = std::move(best);
  trie->depth_ = std::move(depth);
  trie->token_lengths_ = std::move(token_lengths);
  trie->max_token_bytes_ = max_token_bytes;
  trie->Derive();
  return trie;
}

void DoubleArrayTrie::Derive() {
  // Cells of depth >= 2 are the nodes reached past a token's first byte; free cells have depth 0.
  std::array<bool, 256> follows{};
  for (size_t i = 0; i < cells_.size() && i < depth_.size(); ++i)
    if (depth_[i] >= 2) follows[Label(cells_[i])] = true;
  stop_byte_ = -1;
  for (int b = 0; b < 256 && stop_byte_ < 0; ++b)
    if (!follows[b]) stop_byte_ = b;
  // The restarts: the walk's step from the depth-1 node b0 by the byte b1, kept where it
  // reaches a token (label b1, back-off 0), exactly as the walk would take it.
  restarts_.assign(size_t{2} << 16, 0);
  for (uint32_t b0 = 0; b0 < 256; ++b0) {
    const uint32_t at1 = kRootBase + b0;
    const uint32_t cell1 = at1 < cells_.size() ? cells_[at1] : 0;
    for (uint32_t b1 = 0; b1 < 256; ++b1) {
      uint32_t at = at1, cell = cell1;
      const uint32_t at2 = Base(cell1) + b1;
      if (at2 < cells_.size() && Label(cells_[at2]) == b1 && Backoff(cells_[at2]) == 0) {
        at = at2;
        cell = cells_[at2];
      }
      restarts_[2 * (b0 << 8 | b1)] = at;
      restarts_[2 * (b0 << 8 | b1) + 1] = cell;
    }
  }
}

}  // namespace rwkvkit::tokenizer::internal

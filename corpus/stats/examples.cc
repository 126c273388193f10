// corpus/stats/examples.cc — see examples.h.
#include "corpus/stats/examples.h"

#include <span>

#include "corpus/binidx/shard_reader.h"

namespace rwkvkit::corpus::stats {
namespace {

struct Pick {
  uint32_t source = 0;
  uint64_t position = 0;  // among the source's documents, in corpus order
};

// Documents of each source over all shards.
std::vector<uint64_t> SourceDocuments(const build::BuildJson& info) {
  std::vector<uint64_t> n(info.sources.size(), 0);
  for (const build::BuildShard& shard : info.shards)
    for (const auto& [src, count] : shard.source_runs) n[src] += count;
  return n;
}

// The index after the code point at text[i] (a byte that does not start a whole UTF-8
// sequence counts as one).
size_t NextCodePoint(std::string_view text, size_t i) {
  const auto c = static_cast<unsigned char>(text[i]);
  const size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
  if (i + len > text.size()) return i + 1;
  for (size_t k = 1; k < len; ++k)
    if ((static_cast<unsigned char>(text[i + k]) & 0xC0) != 0x80) return i + 1;
  return i + len;
}

}  // namespace

std::string ClipCodePoints(std::string_view text, size_t max_chars, bool& truncated) {
  size_t i = 0;
  for (size_t chars = 0; i < text.size() && chars < max_chars; ++chars) i = NextCodePoint(text, i);
  truncated = i < text.size();
  return std::string(text.substr(0, i));
}

std::vector<std::vector<ExampleDocument>> ReadExamples(const std::filesystem::path& dir, const build::BuildJson& info,
                                                       const tokenizer::Tokenizer& tok,
                                                       const std::vector<bool>& shard_ok, size_t per_source,
                                                       size_t max_chars) {
  std::vector<std::vector<ExampleDocument>> out(info.sources.size());
  const std::vector<uint64_t> total = SourceDocuments(info);
  // The wanted positions of each source, ascending; `next[s]` indexes the next one.
  std::vector<std::vector<uint64_t>> wanted(info.sources.size());
  for (size_t s = 0; s < info.sources.size(); ++s) {
    const uint64_t n = total[s], k = std::min<uint64_t>(per_source, n);
    for (uint64_t i = 0; i < k; ++i) wanted[s].push_back((2 * i + 1) * n / (2 * k));
  }
  std::vector<size_t> next(info.sources.size(), 0);
  std::vector<uint64_t> seen(info.sources.size(), 0);  // documents of each source before this run
  std::vector<uint16_t> ids;
  for (uint32_t sh = 0; sh < info.shards.size(); ++sh) {
    const build::BuildShard& shard = info.shards[sh];
    std::vector<std::pair<uint64_t, uint32_t>> picks;  // (document in shard, source)
    uint64_t doc = 0;
    for (const auto& [src, count] : shard.source_runs) {
      while (next[src] < wanted[src].size() && wanted[src][next[src]] < seen[src] + count) {
        picks.emplace_back(doc + wanted[src][next[src]] - seen[src], src);
        ++next[src];
      }
      seen[src] += count;
      doc += count;
    }
    if (picks.empty() || sh >= shard_ok.size() || !shard_ok[sh]) continue;
    absl::StatusOr<binidx::ShardReader> r = binidx::ShardReader::Open(dir / shard.name);
    if (!r.ok()) continue;
    for (const auto& [d, src] : picks) {
      if (!r->ReadDocument(d, ids).ok()) continue;
      const bool eod = !ids.empty() && ids.back() == tokenizer::kEndOfText;
      const std::span<const uint16_t> text_ids(ids.data(), ids.size() - (eod ? 1 : 0));
      absl::StatusOr<std::string> text = tok.Decode(text_ids);
      if (!text.ok()) continue;
      ExampleDocument e;
      e.shard = sh;
      e.document = d;
      e.tokens = text_ids.size();
      for (size_t i = 0; i < text->size(); i = NextCodePoint(*text, i)) ++e.chars;
      e.text = ClipCodePoints(*text, max_chars, e.truncated);
      out[src].push_back(std::move(e));
    }
  }
  return out;
}

}  // namespace rwkvkit::corpus::stats

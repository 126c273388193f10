// tokenizer/tokenizer.cc — Tokenizer: loading, encode entry points, decode.
#include "tokenizer/tokenizer.h"

#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_format.h"
#include "base/status_macros.h"
#include "tokenizer/internal/double_array.h"
#include "tokenizer/internal/segmented_encode.h"
#include "tokenizer/internal/stitch.h"
#include "tokenizer/internal/walk.h"

namespace rwkvkit::tokenizer {

Tokenizer::Tokenizer(Vocab vocab, std::unique_ptr<internal::DoubleArrayTrie> trie)
    : vocab_(std::move(vocab)), token_len_(vocab_.tokens.size(), 0), trie_(std::move(trie)) {
  for (size_t id = 0; id < vocab_.tokens.size(); ++id) token_len_[id] = static_cast<uint8_t>(vocab_.tokens[id].size());
}
Tokenizer::Tokenizer(Tokenizer&&) noexcept = default;
Tokenizer& Tokenizer::operator=(Tokenizer&&) noexcept = default;
Tokenizer::~Tokenizer() = default;

absl::StatusOr<Tokenizer> Tokenizer::Load(const std::filesystem::path& vocab_file) {
  RWKVKIT_ASSIGN_OR_RETURN(Vocab vocab, LoadVocabFile(vocab_file));
  return FromVocab(std::move(vocab));
}

absl::StatusOr<Tokenizer> Tokenizer::FromVocab(Vocab vocab) {
  RWKVKIT_ASSIGN_OR_RETURN(std::unique_ptr<internal::DoubleArrayTrie> trie,
                           internal::DoubleArrayTrie::Build(vocab));
  return Tokenizer(std::move(vocab), std::move(trie));
}

std::vector<uint16_t> Tokenizer::Encode(std::string_view bytes) const {
  std::vector<uint16_t> out;
  EncodeInto(bytes, out);
  return out;
}

void Tokenizer::EncodeInto(std::string_view bytes, std::vector<uint16_t>& out) const {
  const size_t old = out.size();
  out.resize(old + bytes.size());
  const size_t n = EncodeToBuffer(bytes, std::span<uint16_t>(out).subspan(old));
  out.resize(old + n);
}

size_t Tokenizer::EncodeToBuffer(std::string_view bytes, std::span<uint16_t> out) const {
  return internal::EncodeSegmented(*trie_, reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(),
                                   out.data());
}

void Tokenizer::EncodeSingleStream(std::string_view bytes, std::vector<uint16_t>& out) const {
  const size_t old = out.size();
  out.resize(old + bytes.size());
  const size_t n =
      internal::EncodeSpan(*trie_, reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), out.data() + old);
  out.resize(old + n);
}

size_t Tokenizer::EncodeRange(std::string_view text, size_t begin, size_t end, std::vector<uint16_t>& out) const {
  const size_t old = out.size();
  out.resize(old + (end - begin));
  size_t end_pos = begin;
  const size_t n = internal::EncodeSegmentedRange(*trie_, reinterpret_cast<const uint8_t*>(text.data()), text.size(),
                                                  begin, end, out.data() + old, internal::kDefaultLanes, &end_pos);
  out.resize(old + n);
  return end_pos;
}

size_t Tokenizer::StitchRange(std::string_view text, size_t pos, size_t range_begin,
                              std::span<const uint16_t> range_ids, std::vector<uint16_t>& out) const {
  size_t range_end = range_begin;
  for (const uint16_t id : range_ids) range_end += token_len_[id];
  const size_t old = out.size();
  // True tokens before the join cover at most the bytes up to the range's end.
  out.resize(old + range_ids.size() + (range_end > pos ? range_end - pos : 0));
  size_t o = old;
  const size_t new_pos = internal::StitchTokens(
      *trie_, reinterpret_cast<const uint8_t*>(text.data()), text.size(), pos, range_begin, range_ids.size(),
      [&](size_t j) { return range_ids[j]; }, [&](size_t j) { return token_len_[range_ids[j]]; }, out.data(), o);
  out.resize(o);
  return new_pos;
}

size_t Tokenizer::max_token_bytes() const { return trie_->max_token_bytes(); }

absl::StatusOr<std::string> Tokenizer::Decode(std::span<const uint16_t> ids) const {
  std::string out;
  RWKVKIT_RETURN_IF_ERROR(DecodeInto(ids, out));
  return out;
}

absl::Status Tokenizer::DecodeInto(std::span<const uint16_t> ids, std::string& out) const {
  for (size_t i = 0; i < ids.size(); ++i) {
    if (!IsValidId(ids[i]))
      return absl::OutOfRangeError(absl::StrFormat("token %d (position %d) is not in the vocab", ids[i], i));
    out.append(vocab_.tokens[ids[i]]);
  }
  return absl::OkStatus();
}

std::string_view Tokenizer::TokenBytes(uint32_t id) const {
  return id < vocab_.tokens.size() ? std::string_view(vocab_.tokens[id]) : std::string_view();
}

size_t Tokenizer::TokenLength(uint32_t id) const { return id < token_len_.size() ? token_len_[id] : 0; }

bool Tokenizer::IsValidId(uint32_t id) const {
  return id == kEndOfText || (id < vocab_.tokens.size() && vocab_.present[id]);
}

size_t Tokenizer::MemoryBytes() const {
  size_t bytes = trie_->MemoryBytes() + token_len_.capacity() + vocab_.tokens.capacity() * sizeof(std::string) +
                 vocab_.present.capacity() / 8;
  for (const std::string& t : vocab_.tokens)
    if (t.capacity() > 15) bytes += t.capacity() + 1;  // beyond the small-string buffer
  return bytes;
}

}  // namespace rwkvkit::tokenizer

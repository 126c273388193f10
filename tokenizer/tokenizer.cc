// tokenizer/tokenizer.cc — Tokenizer: loading, encode entry points, decode.
#include "tokenizer/tokenizer.h"

#include <algorithm>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/file_io.h"
#include "base/status_macros.h"
#include "tokenizer/internal/compiled_file.h"
#include "tokenizer/internal/double_array.h"
#include "tokenizer/internal/segmented_encode.h"
#include "tokenizer/internal/stitch.h"
#include "tokenizer/internal/vector_encode.h"
#include "tokenizer/internal/walk.h"

namespace rwkvkit::tokenizer {

Tokenizer::Tokenizer(std::string token_bytes, std::vector<uint32_t> token_offsets, size_t entries,
                     std::unique_ptr<internal::DoubleArrayTrie> trie)
    : token_bytes_(std::move(token_bytes)),
      token_offsets_(std::move(token_offsets)),
      entries_(entries),
      token_len_(token_offsets_.size() - 1, 0),
      trie_(std::move(trie)) {
  for (size_t id = 0; id + 1 < token_offsets_.size(); ++id)
    token_len_[id] = static_cast<uint8_t>(token_offsets_[id + 1] - token_offsets_[id]);
}
Tokenizer::Tokenizer(Tokenizer&&) noexcept = default;
Tokenizer& Tokenizer::operator=(Tokenizer&&) noexcept = default;
Tokenizer::~Tokenizer() = default;

std::filesystem::path Tokenizer::CompiledPath(const std::filesystem::path& vocab_file) {
  std::filesystem::path p = vocab_file;
  p += ".compiled";
  return p;
}

absl::StatusOr<Tokenizer> Tokenizer::Load(const std::filesystem::path& vocab_file) {
  // Both files are mapped, not read (base::MappedFile: the vocab is only hashed when the
  // compiled file matches it, and the compiled arrays are copied out once).
  RWKVKIT_ASSIGN_OR_RETURN(const base::MappedFile vocab_map, base::MappedFile::Open(vocab_file));
  const std::string_view contents = vocab_map.bytes();
  const std::filesystem::path compiled_path = CompiledPath(vocab_file);
  std::string note;
  if (absl::StatusOr<base::MappedFile> compiled = base::MappedFile::Open(compiled_path); compiled.ok()) {
    absl::StatusOr<internal::CompiledParts> parts =
        internal::ReadCompiled(compiled->bytes(), contents.size(), internal::ContentHash(contents));
    if (parts.ok()) {
      std::vector<uint8_t> lengths(size_t{kMaxTokenId} + 1, 0);
      for (size_t id = 0; id + 1 < parts->token_offsets.size(); ++id)
        lengths[id] = static_cast<uint8_t>(parts->token_offsets[id + 1] - parts->token_offsets[id]);
      auto trie = internal::DoubleArrayTrie::FromArrays(std::move(parts->cells), std::move(parts->best),
                                                        std::move(parts->depth), std::move(lengths),
                                                        parts->max_token_bytes);
      Tokenizer t(std::move(parts->token_bytes), std::move(parts->token_offsets), parts->entries, std::move(trie));
      t.loaded_compiled_ = true;
      return t;
    }
    note = absl::StrCat(compiled_path.string(), ": ignored (", parts.status().message(), "); built from the vocab");
  } else if (!absl::IsNotFound(compiled.status())) {
    note = absl::StrCat(compiled_path.string(), ": ignored (", compiled.status().message(), "); built from the vocab");
  }
  RWKVKIT_ASSIGN_OR_RETURN(Vocab vocab, ParseVocab(contents, vocab_file.string()));
  RWKVKIT_ASSIGN_OR_RETURN(Tokenizer t, FromVocab(std::move(vocab)));
  t.load_note_ = std::move(note);
  return t;
}

absl::StatusOr<Tokenizer> Tokenizer::FromVocab(Vocab vocab) {
  RWKVKIT_ASSIGN_OR_RETURN(std::unique_ptr<internal::DoubleArrayTrie> trie,
                           internal::DoubleArrayTrie::Build(vocab));
  std::vector<uint32_t> offsets(vocab.tokens.size() + 1, 0);
  std::string bytes;
  for (size_t id = 0; id < vocab.tokens.size(); ++id) {
    bytes += vocab.tokens[id];
    offsets[id + 1] = static_cast<uint32_t>(bytes.size());
  }
  return Tokenizer(std::move(bytes), std::move(offsets), vocab.entries, std::move(trie));
}

absl::StatusOr<std::string> Tokenizer::Compile(std::string_view vocab_contents, std::string_view source_name) {
  RWKVKIT_ASSIGN_OR_RETURN(Vocab vocab, ParseVocab(vocab_contents, source_name));
  RWKVKIT_ASSIGN_OR_RETURN(Tokenizer t, FromVocab(std::move(vocab)));
  const internal::DoubleArrayTrie& trie = *t.trie_;
  const size_t n = trie.num_cells();
  internal::CompiledView view{std::span<const uint32_t>(trie.cells(), n),
                              std::span<const uint16_t>(trie.best_ids(), n),
                              std::span<const uint8_t>(trie.depths(), n),
                              t.token_offsets_,
                              t.token_bytes_,
                              static_cast<uint32_t>(t.entries_),
                              static_cast<uint32_t>(trie.max_token_bytes())};
  return internal::WriteCompiled(view, vocab_contents.size(), internal::ContentHash(vocab_contents));
}

std::vector<uint16_t> Tokenizer::Encode(std::string_view bytes) const {
  std::vector<uint16_t> out;
  EncodeInto(bytes, out);
  return out;
}

void Tokenizer::EncodeInto(std::string_view bytes, std::vector<uint16_t>& out) const {
  // Inputs of up to 1 MB are encoded into a reused buffer and appended: growing `out` by one
  // id per byte first would zero-fill ~3 times the bytes that appending the ids copies.
  constexpr size_t kBufferedBytes = size_t{1} << 20;
  if (bytes.size() <= kBufferedBytes) {
    thread_local std::vector<uint16_t> buffer;
    if (buffer.size() < bytes.size()) buffer.resize(std::clamp(2 * buffer.size(), bytes.size(), kBufferedBytes));
    const size_t n = EncodeToBuffer(bytes, buffer);
    out.insert(out.end(), buffer.data(), buffer.data() + n);
    return;
  }
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
  // Tokens start below the range's last token end (< end + max_token_bytes), one per byte at
  // most. Ranges of up to 2 MB go to a reused buffer first (growing `out` by that much would
  // zero-fill three times the bytes that copying the ids takes); longer ones straight to `out`.
  constexpr size_t kBufferedIds = size_t{2} << 20;
  thread_local std::vector<uint16_t> buffer;
  const size_t room = RangeIdsRoom(begin, end);
  size_t end_pos = begin;
  if (room <= kBufferedIds) {
    if (buffer.size() < room) buffer.resize(room);
    const size_t n = EncodeRangeToBuffer(text, begin, end, buffer, &end_pos);
    out.insert(out.end(), buffer.data(), buffer.data() + n);
  } else {
    const size_t old = out.size();
    out.resize(old + room);
    out.resize(old + EncodeRangeToBuffer(text, begin, end, std::span<uint16_t>(out).subspan(old), &end_pos));
  }
  return end_pos;
}

size_t Tokenizer::EncodeRangeToBuffer(std::string_view text, size_t begin, size_t end, std::span<uint16_t> out,
                                      size_t* end_pos) const {
  const auto* s = reinterpret_cast<const uint8_t*>(text.data());
  return internal::VectorEncodeFits(*trie_, text.size(), begin, end)
             ? internal::EncodeVectorRange(*trie_, s, text.size(), begin, end, out.data(), end_pos)
             : internal::EncodeSegmentedRange(*trie_, s, text.size(), begin, end, out.data(), internal::kDefaultLanes,
                                              end_pos);
}

size_t Tokenizer::StitchRange(std::string_view text, size_t pos, size_t range_begin,
                              std::span<const uint16_t> range_ids, std::vector<uint16_t>& out) const {
  size_t range_end = range_begin;
  for (const uint16_t id : range_ids) range_end += token_len_[id];
  const size_t old = out.size();
  // True tokens before the join cover at most the bytes up to the range's end.
  out.resize(old + range_ids.size() + (range_end > pos ? range_end - pos : 0));
  size_t o = old;
  const size_t new_pos =
      internal::StitchIds(*trie_, reinterpret_cast<const uint8_t*>(text.data()), text.size(), pos, range_begin,
                          range_end, range_ids.data(), range_ids.size(), out.data(), o);
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
    out.append(TokenBytes(ids[i]));
  }
  return absl::OkStatus();
}

std::string_view Tokenizer::TokenBytes(uint32_t id) const {
  if (id + 1 >= token_offsets_.size()) return {};
  return std::string_view(token_bytes_).substr(token_offsets_[id], token_offsets_[id + 1] - token_offsets_[id]);
}

size_t Tokenizer::TokenLength(uint32_t id) const { return id < token_len_.size() ? token_len_[id] : 0; }

bool Tokenizer::IsValidId(uint32_t id) const {
  return id == kEndOfText || (id < token_len_.size() && token_len_[id] != 0);
}

size_t Tokenizer::MemoryBytes() const {
  return trie_->MemoryBytes() + token_len_.capacity() + token_bytes_.capacity() +
         token_offsets_.capacity() * sizeof(uint32_t);
}

}  // namespace rwkvkit::tokenizer

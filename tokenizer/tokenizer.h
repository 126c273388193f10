// tokenizer/tokenizer.h — the RWKV "World" tokenizer: greedy longest match over raw bytes.
//
// Not BPE: at each position the encoder takes the longest vocab entry that is a prefix of the
// remaining bytes, bit-identical to the reference TRIE_TOKENIZER on any byte string, invalid
// UTF-8 included (every byte is a token). No normalization, no BOS/EOS is added. The double-array
// trie, the SIMD walk and the memory layout (MemoryBytes()): docs/tokenizer.md.
//
// Thread-safe after construction: every const method may be called from many threads.
// Depends on the standard library, Abseil status types and (privately) Highway.
//
//   absl::StatusOr<Tokenizer> tok = Tokenizer::Load("rwkv_vocab_v20230424.txt");
//   std::vector<uint16_t> ids = tok->Encode("Hello world");  // {33155, 40213}
//   absl::StatusOr<std::string> text = tok->Decode(ids);
#ifndef RWKVKIT_TOKENIZER_TOKENIZER_H_
#define RWKVKIT_TOKENIZER_TOKENIZER_H_

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "tokenizer/vocab.h"

namespace rwkvkit::tokenizer {

namespace internal {
class DoubleArrayTrie;
}

// The end-of-text token: appended after every document in binidx shards; decodes to nothing.
inline constexpr uint16_t kEndOfText = 0;

class Tokenizer {
 public:
  // Load()
  // Reads a vocab file (vocab.h grammar) and builds the encoder, or takes it ready-made from
  // the compiled file beside it (CompiledPath()) when that was built from exactly these vocab
  // bytes (size and content hash) and is intact: the same ids, in a few milliseconds instead
  // of ~100 ms. A stale or damaged compiled file is ignored (load_note() says why) and the
  // vocab is built as without one.
  static absl::StatusOr<Tokenizer> Load(const std::filesystem::path& vocab_file);
  // CompiledPath()
  // Where Load() looks for the compiled file of `vocab_file`: "<vocab_file>.compiled".
  static std::filesystem::path CompiledPath(const std::filesystem::path& vocab_file);
  // Compile()
  // The bytes of the compiled file for a vocab file with these contents
  // (internal/compiled_file.h; docs/formats/compiled_vocab.md). Fails as ParseVocab() does.
  static absl::StatusOr<std::string> Compile(std::string_view vocab_contents, std::string_view source_name);
  // FromVocab()
  // Builds the encoder from a parsed vocab. Fails (kInvalidArgument) only for a vocab that
  // ParseVocab() would also reject.
  static absl::StatusOr<Tokenizer> FromVocab(Vocab vocab);

  Tokenizer(Tokenizer&&) noexcept;
  Tokenizer& operator=(Tokenizer&&) noexcept;
  ~Tokenizer();

  // Encode()
  // Token ids of `bytes` (any bytes). Cannot fail.
  std::vector<uint16_t> Encode(std::string_view bytes) const;
  // EncodeInto()
  // Appends the ids of `bytes` to `out` (a trainer's reusable buffer).
  void EncodeInto(std::string_view bytes, std::vector<uint16_t>& out) const;
  // EncodeToBuffer()
  // Writes the ids into `out`, which must hold at least bytes.size() ids (a token is at
  // least one byte); returns how many were written.
  size_t EncodeToBuffer(std::string_view bytes, std::span<uint16_t> out) const;
  // EncodeSingleStream()
  // The plain one-position-at-a-time walk, without segmenting. Same output as Encode();
  // kept as the readable twin of the fast path and for benchmarks.
  void EncodeSingleStream(std::string_view bytes, std::vector<uint16_t>& out) const;

  // EncodeRange()
  // Tokens of `text` from `begin` up to the first token boundary at or past `end`, assuming
  // a true token starts at `begin` (byte 0, or the end of a token of the true encoding).
  // The last tokens may start up to max_token_bytes() past `end` (when the internal segments
  // join late), and every walk reads up to max_token_bytes() past its token start. Appends the ids and returns the byte after the
  // last token (>= end). Ranges encoded independently (on other threads, say) are joined
  // exactly with StitchRange().
  size_t EncodeRange(std::string_view text, size_t begin, size_t end, std::vector<uint16_t>& out) const;
  // The same tokens written into `out`, which must hold RangeIdsRoom(begin, end) ids; returns
  // how many and sets *end_pos to the byte after the last token (a caller's reused buffer:
  // no copy, no zero-fill).
  size_t EncodeRangeToBuffer(std::string_view text, size_t begin, size_t end, std::span<uint16_t> out,
                             size_t* end_pos) const;
  size_t RangeIdsRoom(size_t begin, size_t end) const { return end - begin + max_token_bytes(); }
  // StitchRange()
  // The true encoding of `text` has reached byte `pos`; `range_ids` came from
  // EncodeRange(text, range_begin, ...), which may have started off a true boundary. Appends
  // the true tokens up to the end of the range's last token and returns the new true
  // position (internal/stitch.h explains why this is exact).
  size_t StitchRange(std::string_view text, size_t pos, size_t range_begin, std::span<const uint16_t> range_ids,
                     std::vector<uint16_t>& out) const;
  // Longest token in bytes (128 for the World vocab): the encoder's look-ahead.
  size_t max_token_bytes() const;

  // Decode()
  // Concatenates the bytes of `ids` (id 0 decodes to nothing). The result may be invalid
  // UTF-8 (a token can end inside a character; see utf8_stream_decoder.h). Fails with
  // kOutOfRange naming the position of the first id that is not in the vocab.
  absl::StatusOr<std::string> Decode(std::span<const uint16_t> ids) const;
  absl::Status DecodeInto(std::span<const uint16_t> ids, std::string& out) const;

  // Bytes of one token: empty for id 0 and for ids the vocab does not define.
  std::string_view TokenBytes(uint32_t id) const;
  // Byte length of one token (0 for id 0 / undefined ids): the denominator of bits-per-byte.
  size_t TokenLength(uint32_t id) const;
  // Whether `id` is 0 or defined by the vocab.
  bool IsValidId(uint32_t id) const;
  // One past the largest id in the vocab (65530 for the World vocab; models have 65536 rows).
  size_t vocab_size() const { return token_offsets_.size() - 1; }
  // Entries in the vocab file (65529 for the World vocab).
  size_t num_entries() const { return entries_; }
  // Heap bytes held by the encoder structures and the id -> bytes table.
  size_t MemoryBytes() const;

  // Whether Load() took the compiled file.
  bool loaded_compiled() const { return loaded_compiled_; }
  // Why Load() ignored a compiled file that exists (one line, naming it); empty otherwise.
  const std::string& load_note() const { return load_note_; }

 private:
  Tokenizer(std::string token_bytes, std::vector<uint32_t> token_offsets, size_t entries,
            std::unique_ptr<internal::DoubleArrayTrie> trie);
  // Token id i is token_bytes_[token_offsets_[i] .. token_offsets_[i + 1]).
  std::string token_bytes_;
  std::vector<uint32_t> token_offsets_;
  size_t entries_ = 0;
  std::vector<uint8_t> token_len_;  // byte length by id (0 for id 0 / undefined)
  std::unique_ptr<internal::DoubleArrayTrie> trie_;
  bool loaded_compiled_ = false;
  std::string load_note_;
};

}  // namespace rwkvkit::tokenizer

#endif  // RWKVKIT_TOKENIZER_TOKENIZER_H_

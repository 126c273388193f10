// tokenizer/utf8_stream_decoder.h — turns a stream of token bytes into valid UTF-8 text.
//
// World tokens can end inside a character ('😀' is [3319, 153, 129] = F0 9F | 98 | 80), so
// printing tokens one at a time needs a decoder that holds back an incomplete tail until
// the next token completes it. Two modes for bytes that can never become valid UTF-8:
//   kStrict  — Feed()/Finish() fail with kDataLoss naming the stream offset;
//   kReplace — each maximal subpart of an ill-formed sequence becomes one U+FFFD (the
//              Unicode "substitution of maximal subparts" practice, which Python's
//              bytes.decode('utf-8', 'replace') follows).
//
//   Utf8StreamDecoder dec(Utf8Mode::kReplace);
//   for (uint16_t id : ids) dec.Feed(tok.TokenBytes(id), text).IgnoreError();  // never fails in kReplace
//   dec.Finish(text).IgnoreError();
//
// Not thread-safe: one decoder per stream. Depends on Abseil status types only.
#ifndef RWKVKIT_TOKENIZER_UTF8_STREAM_DECODER_H_
#define RWKVKIT_TOKENIZER_UTF8_STREAM_DECODER_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace rwkvkit::tokenizer {

enum class Utf8Mode { kStrict, kReplace };

class Utf8StreamDecoder {
 public:
  explicit Utf8StreamDecoder(Utf8Mode mode) : mode_(mode) {}

  // Feed()
  // Appends to `out` the text that `bytes` completes; keeps an incomplete sequence at the
  // end (at most 3 bytes) for the next call. In kStrict mode an ill-formed sequence is an
  // error and nothing past it is appended (the decoder should then be discarded).
  absl::Status Feed(std::string_view bytes, std::string& out);

  // Finish()
  // Ends the stream: a held-back incomplete sequence is an error (kStrict) or one U+FFFD.
  absl::Status Finish(std::string& out);

  // Bytes held back, waiting for the rest of a character.
  size_t pending() const { return pending_len_; }
  // Ill-formed sequences replaced so far (kReplace).
  uint64_t replacements() const { return replacements_; }

 private:
  absl::Status Decode(std::string_view bytes, bool final, std::string& out);

  Utf8Mode mode_;
  char pending_[4] = {};
  size_t pending_len_ = 0;
  uint64_t offset_ = 0;  // stream offset of the first pending byte (or of the next byte)
  uint64_t replacements_ = 0;
};

}  // namespace rwkvkit::tokenizer

#endif  // RWKVKIT_TOKENIZER_UTF8_STREAM_DECODER_H_

// tokenizer/vocab.h — the RWKV "World" vocab file (rwkv_vocab_v20230424.txt) as byte strings.
//
// File grammar (docs/tokenizer.md "Vocab grammar"): one entry per line, `<id> <python-literal> <length>`,
// split on the FIRST and the LAST space (literals contain spaces). The literal is a Python
// str ('…' or "…", turned into UTF-8) or bytes (b'…', raw bytes). In a str literal \xNN is
// the code point U+00NN (two UTF-8 bytes when NN >= 0x80); in a bytes literal it is one raw
// byte. The declared length is the byte length of the decoded literal. CRLF is tolerated.
// Id 0 is not in the file: it is the end-of-text token and decodes to nothing.
//
// Not here: the encoder's data structure (tokenizer.h). Thread-safe: a Vocab is a value.
#ifndef RWKVKIT_TOKENIZER_VOCAB_H_
#define RWKVKIT_TOKENIZER_VOCAB_H_

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace rwkvkit::tokenizer {

// Ids are emitted as uint16, so a vocab may use ids 1..65535 (id 0 = end of text).
inline constexpr uint32_t kMaxTokenId = 65535;
// The World vocab's longest token is 128 bytes; longer entries are rejected so that the
// encoder's look-ahead stays bounded.
inline constexpr size_t kMaxTokenBytes = 255;

struct Vocab {
  // tokens[id] is the byte string of token `id`; tokens[0] is empty (end of text), and so is
  // any id the file does not define (present[id] == false).
  std::vector<std::string> tokens;
  std::vector<bool> present;
  // Number of entries read from the file.
  size_t entries = 0;
};

// ParseVocab()
// Parses the text of a vocab file. `source_name` prefixes error messages
// ("<source_name>:<line>: ..."). Errors (kInvalidArgument): a malformed line or literal,
// a declared length that differs from the decoded length, an id outside 1..65535 or
// defined twice, two ids with the same bytes, a missing single-byte token (every byte
// 0x00..0xFF must be a token so that any input is encodable), an empty file.
absl::StatusOr<Vocab> ParseVocab(std::string_view contents, std::string_view source_name);

// ReadVocabFile()
// The bytes of a vocab file (or of any small file); kNotFound when it does not exist.
absl::StatusOr<std::string> ReadVocabFile(const std::filesystem::path& path);

// LoadVocabFile()
// Reads and parses a vocab file; kNotFound when it does not exist.
absl::StatusOr<Vocab> LoadVocabFile(const std::filesystem::path& path);

// DecodePythonLiteral()
// Decodes one Python str or bytes literal (with optional surrounding spaces) to bytes,
// following Python 3 escape rules. Exposed for tests. On error returns kInvalidArgument
// with a message that does not name a file (the caller adds `path:line:`).
absl::StatusOr<std::string> DecodePythonLiteral(std::string_view literal);

}  // namespace rwkvkit::tokenizer

#endif  // RWKVKIT_TOKENIZER_VOCAB_H_

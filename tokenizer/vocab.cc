// tokenizer/vocab.cc — parser for the World vocab file grammar (see vocab.h).
#include "tokenizer/vocab.h"

#include <charconv>
#include <fstream>
#include <unordered_map>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/status_macros.h"
#include "base/utf8.h"

namespace rwkvkit::tokenizer {
namespace {

using base::AppendUtf8;
using base::Utf8SequenceLength;

bool IsSpace(char c) { return c == ' ' || c == '\t'; }

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Reads exactly `digits` hex digits at body[i]; -1 if they are not all hex.
int64_t ReadHex(std::string_view body, size_t i, size_t digits) {
  if (i + digits > body.size()) return -1;
  int64_t v = 0;
  for (size_t k = 0; k < digits; ++k) {
    const int h = HexValue(body[i + k]);
    if (h < 0) return -1;
    v = v * 16 + h;
  }
  return v;
}

// Decodes the body of one literal (between the quotes), Python 3 escape rules.
absl::Status DecodeBody(std::string_view body, bool is_bytes, bool is_raw, std::string& out) {
  for (size_t i = 0; i < body.size();) {
    const char c = body[i];
    if (c != '\\' || is_raw) {
      if (is_bytes && static_cast<unsigned char>(c) >= 0x80)
        return absl::InvalidArgumentError("bytes literal contains a non-ASCII character");
      if (!is_bytes) {
        const size_t n = Utf8SequenceLength(body, i);
        if (n == 0) return absl::InvalidArgumentError(absl::StrFormat("invalid UTF-8 at literal byte %d", i));
        out.append(body.substr(i, n));
        i += n;
      } else {
        out.push_back(c);
        ++i;
      }
      continue;
    }
    if (i + 1 >= body.size()) return absl::InvalidArgumentError("literal ends in a lone backslash");
    const char e = body[i + 1];
    i += 2;
    switch (e) {
      case '\\': out.push_back('\\'); continue;
      case '\'': out.push_back('\''); continue;
      case '"': out.push_back('"'); continue;
      case 'a': out.push_back('\a'); continue;
      case 'b': out.push_back('\b'); continue;
      case 'f': out.push_back('\f'); continue;
      case 'n': out.push_back('\n'); continue;
      case 'r': out.push_back('\r'); continue;
      case 't': out.push_back('\t'); continue;
      case 'v': out.push_back('\v'); continue;
      case 'x': {
        const int64_t v = ReadHex(body, i, 2);
        if (v < 0) return absl::InvalidArgumentError("\\x escape needs two hex digits");
        i += 2;
        if (is_bytes) out.push_back(static_cast<char>(v));
        else AppendUtf8(static_cast<uint32_t>(v), out);  // str: U+00NN, two bytes when >= 0x80
        continue;
      }
      case 'u':
      case 'U': {
        if (is_bytes) break;  // not an escape in bytes: kept as written
        const size_t digits = e == 'u' ? 4 : 8;
        const int64_t v = ReadHex(body, i, digits);
        if (v < 0) return absl::InvalidArgumentError(absl::StrFormat("\\%c escape needs %d hex digits", e, digits));
        if (v > 0x10FFFF) return absl::InvalidArgumentError("\\U escape above U+10FFFF");
        if (v >= 0xD800 && v <= 0xDFFF)
          return absl::InvalidArgumentError("surrogate code point cannot be encoded as UTF-8");
        i += digits;
        AppendUtf8(static_cast<uint32_t>(v), out);
        continue;
      }
      case 'N':
        if (is_bytes) break;
        return absl::InvalidArgumentError("\\N{...} named escapes are not supported");
      default:
        if (e >= '0' && e <= '7') {
          uint32_t v = static_cast<uint32_t>(e - '0');
          for (int k = 0; k < 2 && i < body.size() && body[i] >= '0' && body[i] <= '7'; ++k, ++i)
            v = v * 8 + static_cast<uint32_t>(body[i] - '0');
          if (is_bytes) {
            if (v > 0xFF) return absl::InvalidArgumentError("octal escape above 0o377 in bytes");
            out.push_back(static_cast<char>(v));
          } else {
            AppendUtf8(v, out);
          }
          continue;
        }
        break;
    }
    // Unknown escape: Python keeps the backslash and the character.
    out.push_back('\\');
    i -= 1;
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::string> DecodePythonLiteral(std::string_view lit) {
  std::string out;
  size_t i = 0;
  int kind = -1;  // -1 unknown, 0 str, 1 bytes: adjacent literals must agree
  while (true) {
    while (i < lit.size() && IsSpace(lit[i])) ++i;
    if (i == lit.size()) break;
    bool is_bytes = false, is_raw = false;
    while (i < lit.size() && lit[i] != '\'' && lit[i] != '"') {
      const char p = static_cast<char>(lit[i] | 0x20);
      if (p == 'b' && !is_bytes) is_bytes = true;
      else if (p == 'r' && !is_raw) is_raw = true;
      else if (p == 'u' && !is_bytes && !is_raw) {}
      else return absl::InvalidArgumentError(absl::StrFormat("not a Python string literal (saw '%c')", lit[i]));
      ++i;
    }
    if (i == lit.size()) return absl::InvalidArgumentError("not a Python string literal (no opening quote)");
    if (kind >= 0 && kind != static_cast<int>(is_bytes))
      return absl::InvalidArgumentError("cannot mix bytes and str literals");
    kind = is_bytes;
    const char q = lit[i];
    const bool triple = lit.substr(i, 3) == std::string(3, q);
    const size_t open = triple ? 3 : 1;
    const std::string close(open, q);
    // Find the closing quote, skipping escaped characters.
    size_t j = i + open;
    while (j < lit.size()) {
      if (lit[j] == '\\' && !is_raw) { j += 2; continue; }
      if (lit[j] == '\\' && is_raw) { j += 2; continue; }  // raw: \' still does not close
      if (lit.substr(j, open) == close) break;
      ++j;
    }
    if (j >= lit.size()) return absl::InvalidArgumentError("unterminated string literal");
    RWKVKIT_RETURN_IF_ERROR(DecodeBody(lit.substr(i + open, j - i - open), is_bytes, is_raw, out));
    i = j + open;
  }
  if (kind < 0) return absl::InvalidArgumentError("empty literal");
  return out;
}

namespace {

absl::StatusOr<uint64_t> ParseDecimal(std::string_view s, std::string_view what) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  uint64_t v = 0;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || ptr != s.data() + s.size())
    return absl::InvalidArgumentError(absl::StrFormat("%s is not a decimal number (saw \"%s\")", what, s));
  return v;
}

struct Entry {
  uint64_t id;
  std::string bytes;
};

absl::StatusOr<Entry> ParseLine(std::string_view line) {
  const size_t first = line.find(' ');
  const size_t last = line.rfind(' ');
  if (first == std::string_view::npos || first == last)
    return absl::InvalidArgumentError("expected `<id> <literal> <length>`");
  RWKVKIT_ASSIGN_OR_RETURN(const uint64_t id, ParseDecimal(line.substr(0, first), "id"));
  RWKVKIT_ASSIGN_OR_RETURN(const uint64_t len, ParseDecimal(line.substr(last + 1), "length"));
  absl::StatusOr<std::string> bytes = DecodePythonLiteral(line.substr(first + 1, last - first - 1));
  if (!bytes.ok()) return bytes.status();
  if (bytes->size() != len)
    return absl::InvalidArgumentError(
        absl::StrFormat("declared length %d but the literal has %d bytes", len, bytes->size()));
  if (id < 1 || id > kMaxTokenId)
    return absl::InvalidArgumentError(absl::StrFormat("id %d outside 1..%d", id, kMaxTokenId));
  if (bytes->empty()) return absl::InvalidArgumentError("empty token");
  if (bytes->size() > kMaxTokenBytes)
    return absl::InvalidArgumentError(absl::StrFormat("token of %d bytes (at most %d)", bytes->size(), kMaxTokenBytes));
  return Entry{id, *std::move(bytes)};
}

}  // namespace

absl::StatusOr<Vocab> ParseVocab(std::string_view contents, std::string_view source_name) {
  Vocab v;
  v.tokens.resize(1);
  v.present.resize(1, false);
  std::unordered_map<std::string_view, uint64_t> seen;
  seen.reserve(70000);
  size_t line_no = 0;
  size_t pos = 0;
  while (pos < contents.size()) {
    size_t end = contents.find('\n', pos);
    if (end == std::string_view::npos) end = contents.size();
    std::string_view line = contents.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    absl::StatusOr<Entry> e = ParseLine(line);
    if (!e.ok()) return absl::InvalidArgumentError(absl::StrCat(std::string(source_name), ":", line_no, ": ", std::string(e.status().message())));
    if (e->id < v.tokens.size() && v.present[e->id])
      return absl::InvalidArgumentError(absl::StrFormat("%s:%d: id %d is defined twice", source_name, line_no, e->id));
    if (e->id >= v.tokens.size()) {
      v.tokens.resize(e->id + 1);
      v.present.resize(e->id + 1, false);
    }
    v.tokens[e->id] = std::move(e->bytes);
    v.present[e->id] = true;
    ++v.entries;
  }
  if (v.entries == 0) return absl::InvalidArgumentError(absl::StrCat(std::string(source_name), ": vocab file has no entries"));
  // Duplicate byte strings and missing single bytes are checked once all ids are placed
  // (the strings no longer move).
  for (size_t id = 1; id < v.tokens.size(); ++id) {
    if (!v.present[id]) continue;
    const auto [it, inserted] = seen.emplace(v.tokens[id], id);
    if (!inserted)
      return absl::InvalidArgumentError(absl::StrFormat("%s: ids %d and %d have the same bytes", source_name, it->second, id));
  }
  for (int b = 0; b < 256; ++b) {
    if (!seen.contains(std::string_view(std::string(1, static_cast<char>(b)))))
      return absl::InvalidArgumentError(
          absl::StrFormat("%s: byte 0x%02x has no single-byte token (every byte must be encodable)", source_name, b));
  }
  return v;
}

absl::StatusOr<std::string> ReadVocabFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec))
      return absl::NotFoundError(absl::StrCat(path.string(), ": file not found"));
    return absl::PermissionDeniedError(absl::StrCat(path.string(), ": cannot open"));
  }
  in.seekg(0, std::ios::end);
  const std::streamoff size = in.tellg();
  in.seekg(0, std::ios::beg);
  if (size < 0) return absl::DataLossError(absl::StrCat(path.string(), ": cannot read"));
  std::string bytes(static_cast<size_t>(size), '\0');
  in.read(bytes.data(), size);
  if (in.gcount() != size) return absl::DataLossError(absl::StrCat(path.string(), ": read fewer bytes than its size"));
  return bytes;
}

absl::StatusOr<Vocab> LoadVocabFile(const std::filesystem::path& path) {
  RWKVKIT_ASSIGN_OR_RETURN(const std::string bytes, ReadVocabFile(path));
  return ParseVocab(bytes, path.string());
}

}  // namespace rwkvkit::tokenizer

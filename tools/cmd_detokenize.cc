// tools/cmd_detokenize.cc — `rwkvkit detokenize`: whitespace-separated ids -> raw bytes.
#include <charconv>
#include <optional>
#include <string>

#include "absl/strings/str_format.h"
#include "tokenizer/tokenizer.h"
#include "tools/cli/flags.h"
#include "tools/cli/io.h"
#include "tools/cli/vocab_path.h"
#include "tools/commands.h"

namespace rwkvkit::cli {
namespace {

const CommandSpec kSpec{"detokenize", "[FILE|-] [options]",
                        R"(Reads whitespace-separated token ids from FILE (or stdin, `-`) and writes the bytes of the
tokens, concatenated, to stdout (id 0, end of text, writes nothing). The bytes may be
invalid UTF-8 where the ids end inside a character. An id that is not a number or not in
the vocab is an error naming its position.)",
                        {VocabFlag()}};

constexpr size_t kBlockBytes = 16 << 20;

bool IsSpace(char c) { return c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f' || c == '\v'; }

absl::Status Detokenize(const tokenizer::Tokenizer& tok, InputFile& in) {
  Output out;
  std::string buf;
  size_t index = 0;  // 1-based position of the current id in the input
  for (;;) {
    absl::StatusOr<size_t> got = in.ReadBlock(buf, kBlockBytes);
    if (!got.ok()) return got.status();
    const bool eof = *got < kBlockBytes;
    size_t p = 0;
    for (;;) {
      while (p < buf.size() && IsSpace(buf[p])) ++p;
      size_t e = p;
      while (e < buf.size() && !IsSpace(buf[e])) ++e;
      if (e == p || (e == buf.size() && !eof)) break;  // nothing left, or a number cut by the block end
      ++index;
      const std::string_view word(buf.data() + p, e - p);
      uint64_t id = 0;
      const auto [ptr, ec] = std::from_chars(word.data(), word.data() + word.size(), id);
      if (ec != std::errc() || ptr != word.data() + word.size())
        return absl::InvalidArgumentError(
            absl::StrFormat("%s: id #%d is not a number (saw \"%s\")", in.name(), index, word.substr(0, 40)));
      if (id > 0xFFFF || !tok.IsValidId(static_cast<uint32_t>(id)))
        return absl::OutOfRangeError(absl::StrFormat("%s: id #%d (%d) is not in the vocab (ids 0..%d)", in.name(),
                                                     index, id, tok.vocab_size() - 1));
      out.buffer().append(tok.TokenBytes(static_cast<uint32_t>(id)));
      if (absl::Status s = out.MaybeFlush(); !s.ok()) return s;
      p = e;
    }
    buf.erase(0, p);
    if (eof) break;
  }
  return out.Flush();
}

}  // namespace

int RunDetokenize(int argc, char** argv) {
  ParsedFlags flags;
  if (const std::optional<int> rc = ParseCommandLine(argc, argv, kSpec, flags)) return *rc;
  absl::StatusOr<std::string> path = flags.InputPath();
  if (!path.ok()) return ReportError("detokenize", path.status());
  absl::StatusOr<tokenizer::Tokenizer> tok = LoadTokenizer(flags.Get("vocab"));
  if (!tok.ok()) return ReportError("detokenize", tok.status());
  absl::StatusOr<InputFile> in = InputFile::Open(*path);
  if (!in.ok()) return ReportError("detokenize", in.status());
  absl::Status s = Detokenize(*tok, *in);
  return s.ok() ? 0 : ReportError("detokenize", s);
}

}  // namespace rwkvkit::cli

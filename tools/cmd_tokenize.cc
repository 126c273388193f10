// tools/cmd_tokenize.cc — `rwkvkit tokenize`: ids of raw bytes, or of one field per JSONL line.
//
// Raw mode streams the input in blocks: the tokens that start well before the end of what has
// been read are final (a walk never looks more than max_token_bytes() ahead); the rest of the
// block is carried over. On several threads each 64 MB block is encoded on all of them
// (EncodeParallelRange); on one thread the blocks are 256 KB, each encoded into a reused id
// buffer (EncodeRangeToBuffer), formatted and written out before the next is read into the
// same buffer, so input, ids and text stay in cache and no fresh memory is touched. Either
// way the ids equal a one-shot Encode() of the whole input. Ids become text through a table
// (cli/id_text.h), one write per piece or block.
// JSONL mode reads 16 MB blocks of whole lines (corpus::input::BlockReader: plain, zstd, gzip or xz,
// sniffed from the stream itself, so a compressed pipe on stdin works too; a line over the
// record size cap is written as null) and encodes groups of lines in parallel; output keeps
// the input order.
#include <tbb/enumerable_thread_specific.h>
#include <tbb/global_control.h>
#include <tbb/parallel_for.h>

#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <memory>
#include <span>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "corpus/input/block_reader.h"
#include "corpus/input/byte_stream.h"
#include "corpus/input/jsonl_field.h"
#include "tokenizer/batch_encoder.h"
#include "tools/cli/flags.h"
#include "tools/cli/huge_page_heap.h"
#include "tools/cli/id_text.h"
#include "tools/cli/io.h"
#include "tools/cli/vocab_path.h"
#include "tools/commands.h"

namespace rwkvkit::cli {
namespace {

const CommandSpec kSpec{
    "tokenize",
    "[FILE|-] [options]\n--jsonl [--text-key KEY] [FILE|-] [options]",
    R"(Tokenizes with the RWKV World vocab (greedy longest match over bytes; bit-identical to the
reference tokenizer of the `rwkv` package). By default the raw bytes of FILE (or stdin, `-`)
become the ids separated by single spaces, then a newline.)",
    {
        {"jsonl", FlagKind::kBool, "",
         "one output line per input line: a JSON array of the ids of the string at\n"
         "--text-key (unchanged, no normalization), or `null` when the line is not a JSON\n"
         "object with a string there; such lines are named on stderr and the exit status is 1"},
        TextKeyFlag("the JSONL field to tokenize (default: text; needs --jsonl)"),
        {"key", FlagKind::kValue, "KEY", "", 0, "text-key"},
        MaxRecordBytesFlag(),
        ThreadsFlag(),
        VocabFlag(),
    }};

constexpr size_t kRawBlockBytes = 64 << 20;
constexpr uintmax_t kHugePageHeapInputBytes = 8 << 20;
constexpr size_t kJsonlBlockBytes = 16 << 20;
constexpr size_t kLineGroupBytes = 256 << 10;

// The piece size on one thread: the piece, its ids and their text (~0.9 MB in all) stay in
// the core's L2 cache between the walk, the formatting and the write.
constexpr size_t kRawPieceBytes = 256 << 10;

// One thread: pieces read into one buffer (never zero-filled), encoded into one id buffer,
// formatted into one text buffer and written out before the next read. Each piece ends on a
// true token boundary (EncodeRangeToBuffer), where the next one starts; the bytes after it
// move to the front of the buffer.
absl::Status TokenizeRawOneThread(const tokenizer::Tokenizer& tok, InputFile& in) {
  Output out;
  const IdText text(' ');
  // A range's stitched walk may emit tokens that start up to max_token_bytes() past the
  // range end, and each reads up to max_token_bytes() ahead: keep twice that in reserve.
  const size_t reserve = 2 * tok.max_token_bytes();
  const size_t capacity = kRawPieceBytes + reserve;
  const size_t id_room = tok.RangeIdsRoom(0, capacity);
  const std::unique_ptr<char[]> buf(new char[capacity]);
  const std::unique_ptr<uint16_t[]> ids(new uint16_t[id_room]);
  const std::unique_ptr<char[]> piece_text(new char[IdText::kMaxBytesPerId * id_room + 8]);
  size_t have = 0;
  bool eof = false, first = true;
  for (;;) {
    while (!eof && have < capacity) {
      absl::StatusOr<size_t> got = in.Read(buf.get() + have, capacity - have);
      if (!got.ok()) return got.status();
      eof = *got == 0;
      have += *got;
    }
    const size_t limit = eof ? have : have - reserve;
    if (limit == 0) break;
    size_t end = 0;
    const size_t n = tok.EncodeRangeToBuffer(std::string_view(buf.get(), have), 0, limit,
                                             std::span<uint16_t>(ids.get(), id_room), &end);
    const char* text_end = text.Write(std::span<const uint16_t>(ids.get(), n), first, piece_text.get());
    first = first && n == 0;
    if (absl::Status s = out.Write(std::string_view(piece_text.get(), static_cast<size_t>(text_end - piece_text.get())));
        !s.ok())
      return s;
    std::memmove(buf.get(), buf.get() + end, have - end);
    have -= end;
  }
  out.buffer().push_back('\n');
  return out.Flush();
}

// Several threads: each 64 MB block is encoded on all of them (EncodeParallelRange); the
// block's unfinished end is carried over to the next.
absl::Status TokenizeRaw(const tokenizer::Tokenizer& tok, InputFile& in, int threads) {
  if (threads == 1) return TokenizeRawOneThread(tok, in);
  Output out;
  const IdText text(' ');
  std::string buf;
  buf.reserve(kRawBlockBytes + (size_t{1} << 20));  // address space only: pages are touched as read
  std::vector<uint16_t> ids;
  bool wrote_any = false;
  for (;;) {
    absl::StatusOr<size_t> got = in.ReadBlock(buf, kRawBlockBytes);
    if (!got.ok()) return got.status();
    const bool eof = *got < kRawBlockBytes;
    const size_t reserve = 2 * tok.max_token_bytes();
    const size_t limit = eof ? buf.size() : (buf.size() > reserve ? buf.size() - reserve : 0);
    size_t end = 0;
    if (limit > 0) {
      ids.clear();
      end = tokenizer::EncodeParallelRange(tok, buf, 0, limit, threads, ids);
      if (!ids.empty()) {
        text.Append(ids, !wrote_any, out.buffer());
        wrote_any = true;
        if (absl::Status s = out.Flush(); !s.ok()) return s;
      }
    }
    buf.erase(0, end);
    if (eof) break;
  }
  out.buffer().push_back('\n');
  return out.Flush();
}

struct LineGroup {
  size_t first = 0, last = 0;  // line indexes into the block
  std::string text;            // formatted output lines
  std::vector<std::pair<size_t, std::string>> errors;  // (line index, message)
};

// Tokenizes one block of complete lines; returns the number of bad lines.
size_t TokenizeLines(const tokenizer::Tokenizer& tok, const corpus::input::RecordBlock& block, const std::string& input_name,
                     const std::string& key, int threads, Output& out) {
  std::vector<std::string_view> lines;
  for (size_t k = 0; k < block.size(); ++k) lines.push_back(block.record(k));
  if (block.first == 1 && !lines.empty() && lines[0].substr(0, 3) == "\xEF\xBB\xBF")
    lines[0].remove_prefix(3);  // a UTF-8 BOM at the start of the input
  std::vector<LineGroup> groups;
  size_t bytes = kLineGroupBytes;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (bytes >= kLineGroupBytes) {
      groups.push_back({i, i, {}, {}});
      bytes = 0;
    }
    groups.back().last = i + 1;
    bytes += lines[i].size();
  }
  static const IdText id_text(',');
  tbb::enumerable_thread_specific<std::unique_ptr<corpus::input::JsonlFieldReader>> readers;
  auto run_group = [&](LineGroup& g) {
    auto& reader = readers.local();
    if (!reader) reader = std::make_unique<corpus::input::JsonlFieldReader>(std::vector<std::string>{key});
    std::vector<uint16_t> ids;
    for (size_t i = g.first; i < g.last; ++i) {
      if (const corpus::input::RejectedRecord* r = block.Rejection(i); r != nullptr) {
        g.text.append("null\n");
        g.errors.emplace_back(i, r->message);
        continue;
      }
      absl::Status s = reader->Read(lines[i]);
      absl::StatusOr<std::string_view> text = s.ok() ? reader->Field(0) : absl::StatusOr<std::string_view>(s);
      if (!text.ok()) {
        g.text.append("null\n");
        g.errors.emplace_back(i, std::string(text.status().message()));
        continue;
      }
      ids.clear();
      tok.EncodeInto(*text, ids);
      g.text.push_back('[');
      id_text.Append(ids, /*first=*/true, g.text);
      g.text.append("]\n");
    }
  };
  if (threads == 1) {
    for (LineGroup& g : groups) run_group(g);
  } else {
    tbb::parallel_for(size_t{0}, groups.size(), [&](size_t k) { run_group(groups[k]); });
  }
  size_t bad = 0;
  for (LineGroup& g : groups) {
    out.buffer().append(g.text);
    for (const auto& [i, msg] : g.errors) {
      std::fprintf(stderr, "rwkvkit tokenize: %s: %s\n", block.Location(input_name, i).c_str(), msg.c_str());
      ++bad;
    }
  }
  return bad;
}

absl::StatusOr<corpus::input::BlockReader> OpenJsonl(const std::string& path, uint64_t max_record_bytes) {
  if (path != "-") return corpus::input::BlockReader::Open(path, max_record_bytes);
  const int fd = ::dup(0);
  if (fd < 0) return absl::FailedPreconditionError("<stdin>: cannot read (no standard input)");
  absl::StatusOr<corpus::input::ByteStream> stream = corpus::input::ByteStream::FromDescriptor(fd, "<stdin>");
  if (!stream.ok()) return stream.status();
  return corpus::input::BlockReader(*std::move(stream), max_record_bytes);
}

absl::Status TokenizeJsonl(const tokenizer::Tokenizer& tok, const std::string& path, const std::string& key,
                           uint64_t max_record_bytes, int threads, size_t& bad_lines) {
  const std::string name = path == "-" ? "<stdin>" : path;
  absl::StatusOr<corpus::input::BlockReader> reader = OpenJsonl(path, max_record_bytes);
  if (!reader.ok()) return reader.status();
  Output out;
  corpus::input::RecordBlock block;
  for (;;) {
    absl::StatusOr<bool> more = reader->Next(block, kJsonlBlockBytes);
    if (!more.ok()) return more.status();
    if (!*more) break;
    bad_lines += TokenizeLines(tok, block, name, key, threads, out);
    if (absl::Status s = out.Flush(); !s.ok()) return s;
  }
  return absl::OkStatus();
}

}  // namespace

int RunTokenize(int argc, char** argv) {
  ParsedFlags flags;
  if (const std::optional<int> rc = ParseCommandLine(argc, argv, kSpec, flags)) return *rc;
  absl::StatusOr<std::string> path = flags.InputPath();
  if (!path.ok()) return ReportError("tokenize", path.status());
  if (flags.Has("text-key") && !flags.Has("jsonl"))
    return ReportError("tokenize", absl::InvalidArgumentError("--text-key needs --jsonl"));
  absl::StatusOr<long> threads = flags.GetInt("threads", 0, 0, 4096);
  if (!threads.ok()) return ReportError("tokenize", threads.status());
  // One thread runs no TBB algorithm (both modes take their serial paths), so TBB is not
  // started at all: its start dlopens its allocator library (~0.5 ms per call).
  // A large input file: the heap on 2 MB pages before the tokenizer and the buffers are
  // allocated (fewer page faults; tools/cli/huge_page_heap.h).
  if (std::error_code ec; *path != "-" && std::filesystem::file_size(*path, ec) >= kHugePageHeapInputBytes && !ec)
    UseHugePageHeap();
  std::optional<tbb::global_control> limit;
  if (*threads > 1) limit.emplace(tbb::global_control::max_allowed_parallelism, static_cast<size_t>(*threads));
  absl::StatusOr<tokenizer::Tokenizer> tok = LoadTokenizer(flags.Get("vocab"));
  if (!tok.ok()) return ReportError("tokenize", tok.status());
  if (!flags.Has("jsonl")) {
    absl::StatusOr<InputFile> in = InputFile::Open(*path);
    if (!in.ok()) return ReportError("tokenize", in.status());
    absl::Status s = TokenizeRaw(*tok, *in, static_cast<int>(*threads));
    return s.ok() ? 0 : ReportError("tokenize", s);
  }
  size_t bad = 0;
  absl::StatusOr<long> max_record = flags.GetInt("max-record-bytes", static_cast<long>(corpus::input::kDefaultMaxRecordBytes),
                                                 1, kMaxRecordBytesLimit);
  if (!max_record.ok()) return ReportError("tokenize", max_record.status());
  absl::Status s = TokenizeJsonl(*tok, *path, flags.Get("text-key").value_or("text"),
                                 static_cast<uint64_t>(*max_record), static_cast<int>(*threads), bad);
  if (!s.ok()) return ReportError("tokenize", s);
  if (bad > 0) {
    std::fprintf(stderr, "rwkvkit tokenize: %zu line(s) without a string at the key were written as null\n", bad);
    return 1;
  }
  return 0;
}

}  // namespace rwkvkit::cli

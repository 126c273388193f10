// tests/fuzz/jsonl_stream_fuzzer.cc — fuzz target: a JSON Lines input file in any container
// (plain, gzip, xz, zstd: sniffed from the content), read by OpenRecordSource
// (corpus/input/record_source.h) through the byte stream, the decoders and the block reader,
// with a small record size cap and small blocks.
//
// Input: the bytes of the file (a file starting with a Parquet magic is left to the parquet
// target). Properties: Open fails with a message naming the file; blocks hold JSON lines
// numbered from 1 without gaps; no record holds a newline or exceeds the cap; a rejected
// record is empty and listed as record_too_long; Next fails only with kDataLoss naming
// `path@offset`; bytes consumed never exceed the file. The lines are checked against an
// independent decompression of the whole file (zlib's gzread, liblzma and libzstd one-shot,
// the bytes themselves when plain): the same lines when the reader finished, a prefix of
// them when it reported damage. A plain file is also read in byte ranges (cut at input-derived
// offsets; every other range told the newlines before it, the others counting them): the
// ranges' lines, with the file's line numbers, are the whole file's.
#include <lzma.h>
#include <zlib.h>
#include <zstd.h>
#include <zstd_errors.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/match.h"
#include "corpus/input/input_format.h"
#include "corpus/input/record_source.h"
#include "tests/fuzz/fuzz_util.h"

using rwkvkit::fuzz::Check;
namespace corpus = rwkvkit::corpus;

namespace {

constexpr uint64_t kCap = 200;             // the record size cap under test
constexpr size_t kBlockBytes = 96;         // small blocks: lines cross block boundaries
constexpr size_t kMaxDecoded = 4 << 20;    // oracle and reader stop here (decompression bombs)

// What an independent decoder makes of the whole file: the bytes up to the end or to the
// first damage, whether it reached the end cleanly, and whether it stopped at kMaxDecoded.
struct Decoded {
  std::string bytes;
  bool clean = false;
  bool capped = false;
};

Decoded GzipOracle(const std::string& path) {  // gzread also reads concatenated members
  Decoded d;
  gzFile f = gzopen(path.c_str(), "rb");
  Check(f != nullptr, "gzopen failed");
  char buf[65536];
  for (;;) {
    if (d.bytes.size() >= kMaxDecoded) {
      d.capped = true;
      break;
    }
    const int n = gzread(f, buf, sizeof buf);
    if (n < 0) break;
    if (n == 0) {
      int err = Z_OK;
      gzerror(f, &err);
      d.clean = err == Z_OK;
      break;
    }
    d.bytes.append(buf, static_cast<size_t>(n));
  }
  gzclose(f);
  return d;
}

Decoded XzOracle(std::string_view in) {  // one lzma_code call per 64 KiB of output
  Decoded d;
  lzma_stream s = LZMA_STREAM_INIT;
  Check(lzma_stream_decoder(&s, uint64_t{1} << 30, LZMA_CONCATENATED) == LZMA_OK, "lzma_stream_decoder failed");
  s.next_in = reinterpret_cast<const uint8_t*>(in.data());
  s.avail_in = in.size();
  for (;;) {
    if (d.bytes.size() >= kMaxDecoded) {
      d.capped = true;
      break;
    }
    const size_t old = d.bytes.size();
    d.bytes.resize(old + (64 << 10));
    s.next_out = reinterpret_cast<uint8_t*>(d.bytes.data() + old);
    s.avail_out = 64 << 10;
    const lzma_ret r = lzma_code(&s, LZMA_FINISH);
    d.bytes.resize(d.bytes.size() - s.avail_out);
    if (r == LZMA_STREAM_END) d.clean = true;
    if (r != LZMA_OK) break;
  }
  lzma_end(&s);
  return d;
}

Decoded ZstdOracle(std::string_view in) {  // one-shot, into a buffer doubled until it fits
  Decoded d;
  for (size_t room = 64 << 10;; room *= 2) {
    if (room > kMaxDecoded) {
      d.capped = true;
      return d;
    }
    d.bytes.resize(room);
    const size_t n = ZSTD_decompress(d.bytes.data(), d.bytes.size(), in.data(), in.size());
    if (!ZSTD_isError(n)) {
      d.bytes.resize(n);
      d.clean = true;
      return d;
    }
    if (ZSTD_getErrorCode(n) != ZSTD_error_dstSize_tooSmall) {
      d.bytes.clear();  // one-shot: nothing is known about the bytes before the damage
      return d;
    }
  }
}

// The records a reader with cap kCap makes of `bytes`: nullopt for an over-long line. A
// partial last line counts only when the bytes are complete.
std::vector<std::optional<std::string>> Lines(std::string_view bytes, bool complete) {
  std::vector<std::optional<std::string>> out;
  size_t p = 0;
  while (p < bytes.size()) {
    const size_t nl = bytes.find('\n', p);
    if (nl == std::string_view::npos && !complete) break;
    const size_t end = nl == std::string_view::npos ? bytes.size() : nl;
    if (end - p > kCap) out.emplace_back(std::nullopt);
    else out.emplace_back(std::string(bytes.substr(p, end - p)));
    p = end + 1;
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  if (input.starts_with("PAR1")) return 0;
  const std::string path = (rwkvkit::fuzz::ScratchDir() / "input.jsonl").string();
  rwkvkit::fuzz::WriteFile(path, input);

  corpus::input::RecordSourceOptions options;
  options.format = "jsonl";
  options.max_record_bytes = kCap;
  absl::StatusOr<std::unique_ptr<corpus::input::RecordSource>> source = corpus::input::OpenRecordSource(path, options);
  if (!source.ok()) {
    Check(absl::StrContains(source.status().message(), path), "Open failed without naming the file");
    return 0;
  }
  std::vector<std::optional<std::string>> got;
  bool finished = false, damaged = false, stopped = false;
  corpus::input::RecordBlock block;
  size_t decoded = 0;
  for (;;) {
    absl::StatusOr<bool> more = (*source)->Next(block, kBlockBytes);
    Check((*source)->bytes_consumed() <= size, "more bytes consumed than the file has");
    if (!more.ok()) {
      Check(more.status().code() == absl::StatusCode::kDataLoss, "Next failed with a code other than kDataLoss");
      Check(absl::StartsWith(more.status().message(), path + "@"), "Next failed without naming path@offset");
      damaged = true;
      break;
    }
    if (!*more) {
      finished = true;
      break;
    }
    Check(block.kind == corpus::input::RecordKind::kJsonLine && block.position == corpus::input::PositionKind::kLine,
          "a JSON Lines block of another kind");
    Check(block.size() > 0, "Next returned true with an empty block");
    Check(block.first == got.size() + 1, "line numbers do not follow on from the previous block");
    size_t r = 0;
    for (size_t k = 0; k < block.size(); ++k) {
      const std::string_view rec = block.record(k);
      Check(rec.find('\n') == std::string_view::npos, "a record holds a newline");
      Check(rec.size() <= kCap, "a record over the cap was returned");
      Check(block.data[block.starts[k + 1] - 1] == '\n', "a record is not followed by its newline");
      const bool rejected = r < block.rejected.size() && block.rejected[r].index == k;
      Check(rejected == (block.Rejection(k) != nullptr), "Rejection() disagrees with the rejected list");
      if (rejected) {
        Check(rec.empty() && block.rejected[r].reason == "record_too_long" && !block.rejected[r].message.empty(),
              "a rejected record that is not an empty record_too_long with a message");
        ++r;
        got.emplace_back(std::nullopt);
      } else {
        got.emplace_back(std::string(rec));
      }
    }
    Check(r == block.rejected.size(), "rejected records out of order or out of the block");
    decoded += block.data.size();
    if (decoded > kMaxDecoded) {  // a decompression bomb: the rest is not compared
      stopped = true;
      break;
    }
  }

  absl::StatusOr<corpus::input::Container> container = corpus::input::SniffContainer(input.substr(0, corpus::input::kSniffBytes), path);
  Check(container.ok(), "Open accepted a container that SniffContainer refuses");
  Decoded want;
  switch (*container) {
    case corpus::input::Container::kPlain:
      want.bytes = std::string(input);
      want.clean = true;
      break;
    case corpus::input::Container::kGzip: want = GzipOracle(path); break;
    case corpus::input::Container::kXz: want = XzOracle(input); break;
    case corpus::input::Container::kZstd: want = ZstdOracle(input); break;
    case corpus::input::Container::kParquet: return 0;
  }
  if (want.capped || stopped) return 0;
  const std::vector<std::optional<std::string>> lines = Lines(want.bytes, want.clean);
  if (*container == corpus::input::Container::kPlain && finished) {
    // Read in byte ranges, as a split build's read tasks read a large file: the ranges' lines,
    // numbered as in the whole file, are the file's lines, each once, in order.
    std::vector<uint64_t> cuts = {0, size / 3, size ? uint64_t{data[size / 2]} * size / 256 : 0, size * 2 / 3, size};
    std::sort(cuts.begin(), cuts.end());
    std::vector<std::optional<std::string>> pieces;
    for (size_t c = 0; c + 1 < cuts.size(); ++c) {
      if (cuts[c] == cuts[c + 1]) continue;
      Check(corpus::input::ReadableInByteRanges(path, options), "a plain file is not readable in byte ranges");
      corpus::input::RecordSourceOptions ranged = options;
      ranged.byte_range = std::make_pair(cuts[c], cuts[c + 1]);
      if (c % 2 == 1)  // told the newlines before the range (a split build's lines stage), or counting them
        ranged.newlines_before = static_cast<uint64_t>(std::count(input.begin(), input.begin() + cuts[c], '\n'));
      absl::StatusOr<std::unique_ptr<corpus::input::RecordSource>> part = corpus::input::OpenRecordSource(path, ranged);
      Check(part.ok(), "a byte range of a plain file did not open");
      for (;;) {
        absl::StatusOr<bool> more = (*part)->Next(block, kBlockBytes);
        Check(more.ok(), "a byte range of a plain file failed");
        if (!*more) break;
        Check(block.first == pieces.size() + 1, "a byte range's line numbers are not the file's");
        for (size_t k = 0; k < block.size(); ++k) {
          if (block.Rejection(k) != nullptr) pieces.emplace_back(std::nullopt);
          else pieces.emplace_back(std::string(block.record(k)));
        }
      }
    }
    Check(pieces == got, "the byte ranges' lines differ from the whole file's");
  }
  if (finished) {
    // gzread ignores anything after the last member that is not a member; the reader calls
    // it damage, so a clean read is always a clean decode.
    Check(want.clean, "the reader finished a file its decoder calls damaged");
    Check(got == lines, "the lines differ from the decompressed file's lines");
  } else {
    Check(damaged, "the reader stopped without an error");
    if (*container == corpus::input::Container::kZstd && !want.clean) return 0;  // one-shot: no prefix known
    Check(got.size() <= lines.size() || !want.clean, "more lines before the damage than the file has");
    const size_t n = std::min(got.size(), lines.size());
    for (size_t i = 0; i < n; ++i) Check(got[i] == lines[i], "a line before the damage differs from the file's");
  }
  return 0;
}

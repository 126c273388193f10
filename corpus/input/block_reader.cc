// corpus/input/block_reader.cc — see block_reader.h.
#include "corpus/input/block_reader.h"

#include "absl/strings/str_cat.h"

namespace rwkvkit::corpus::input {
namespace {

constexpr size_t kSkipBytes = 1 << 20;  // read size while skipping an over-long line

}  // namespace

BlockReader::BlockReader(ByteStream stream, uint64_t max_record_bytes)
    : stream_(std::move(stream)), max_record_bytes_(max_record_bytes) {}

absl::StatusOr<BlockReader> BlockReader::Open(const std::filesystem::path& path, uint64_t max_record_bytes) {
  absl::StatusOr<ByteStream> s = ByteStream::Open(path);
  if (!s.ok()) return s.status();
  return BlockReader(*std::move(s), max_record_bytes);
}

std::optional<uint64_t> BlockReader::SkipLine(std::string& rest, uint64_t seen) {
  std::string chunk;
  uint64_t length = seen;
  for (;;) {
    chunk.clear();
    absl::StatusOr<size_t> got = stream_.Read(chunk, kSkipBytes);
    if (!got.ok()) {
      pending_ = got.status();
      return std::nullopt;  // the stream broke inside the line: a partial line, dropped
    }
    if (*got == 0) {
      eof_ = true;
      return length;
    }
    const size_t nl = chunk.find('\n');
    if (nl != std::string::npos) {
      rest.assign(chunk, nl + 1);
      return length + nl;
    }
    length += chunk.size();
  }
}

void BlockReader::Reject(RecordBlock& block, uint64_t length, bool add_newline) {
  block.rejected.push_back(RejectedRecord{
      block.size(), "record_too_long",
      absl::StrCat("the record is ", length, " bytes long, over the record size cap of ", max_record_bytes_,
                   " bytes (--max-record-bytes)")});
  if (add_newline) {
    block.data.push_back('\n');
    block.starts.push_back(block.data.size());
  }
}

absl::StatusOr<bool> BlockReader::Next(RecordBlock& block, size_t block_bytes) {
  block.kind = RecordKind::kJsonLine;
  block.position = PositionKind::kLine;
  block.Clear();
  block.first = next_line_;
  std::string& buf = block.data;
  buf.swap(carry_);
  carry_.clear();
  block.starts.push_back(0);
  size_t p = 0;  // start of the first line not yet cut
  for (;;) {
    for (size_t nl; (nl = buf.find('\n', p)) != std::string::npos;) {
      if (nl - p > max_record_bytes_) {  // an over-long line that fitted in this block
        const uint64_t length = nl - p;
        buf.erase(p, length);  // keeps its newline: an empty record
        nl = p;
        Reject(block, length, /*add_newline=*/false);
      }
      block.starts.push_back(nl + 1);
      p = nl + 1;
    }
    if (block.size() > 0 && buf.size() >= block_bytes) break;
    if (eof_ || !pending_.ok()) break;
    if (buf.size() - p > max_record_bytes_) {  // a line over the cap: never held whole
      const uint64_t seen = buf.size() - p;
      buf.resize(p);
      std::string rest;
      const std::optional<uint64_t> length = SkipLine(rest, seen);
      if (length) Reject(block, *length, /*add_newline=*/true);
      p = buf.size();
      buf.append(rest);
      continue;
    }
    const size_t want = buf.size() < block_bytes ? block_bytes - buf.size() : block_bytes;
    absl::StatusOr<size_t> got = stream_.Read(buf, want);
    if (!got.ok()) pending_ = got.status();  // the bytes before the damage are in buf
    else if (*got == 0) eof_ = true;
  }
  if (p < buf.size()) {
    if (!pending_.ok()) {
      buf.resize(p);  // the partial line at the damage is dropped with the error
    } else if (eof_) {  // the last line, without its newline
      if (buf.size() - p > max_record_bytes_) {
        const uint64_t length = buf.size() - p;
        buf.resize(p);
        Reject(block, length, /*add_newline=*/true);
      } else {
        buf.push_back('\n');
        block.starts.push_back(buf.size());
      }
    } else {
      carry_.assign(buf, p);
      buf.resize(p);
    }
  }
  next_line_ += block.size();
  if (block.size() > 0) return true;
  if (!pending_.ok()) {
    absl::Status s = pending_;
    pending_ = absl::OkStatus();
    return s;
  }
  return false;
}

}  // namespace rwkvkit::corpus::input

// corpus/input/decoder_xz.cc — the xz Decoder (liblzma); see decoder.h.
//
// Concatenated .xz streams are read as one (LZMA_CONCATENATED, as xz -d does). The decoder's
// memory is capped (kMemLimit): a file asking for more is refused, not allocated.
#include <lzma.h>

#include "absl/strings/str_cat.h"
#include "corpus/input/decoder.h"

namespace rwkvkit::corpus::input {
namespace {

// xz -9 needs 65 MiB to decompress; the cap leaves room for custom dictionary sizes.
constexpr uint64_t kMemLimit = uint64_t{1} << 30;

std::string LzmaError(lzma_ret r) {
  switch (r) {
    case LZMA_MEM_ERROR: return "out of memory";
    case LZMA_MEMLIMIT_ERROR: return "the stream needs more than 1 GiB of memory to decompress";
    case LZMA_FORMAT_ERROR: return "not an xz stream";
    case LZMA_OPTIONS_ERROR: return "unsupported xz options";
    case LZMA_DATA_ERROR: return "corrupt data";
    case LZMA_BUF_ERROR: return "unexpected end of data";
    default: return absl::StrCat("liblzma error ", static_cast<int>(r));
  }
}

class XzDecoder final : public Decoder {
 public:
  XzDecoder() = default;
  ~XzDecoder() override { lzma_end(&s_); }

  absl::Status Init() {
    if (lzma_stream_decoder(&s_, kMemLimit, LZMA_CONCATENATED) != LZMA_OK)
      return absl::ResourceExhaustedError("cannot create an xz stream");
    return absl::OkStatus();
  }

  absl::Status Decode(std::string_view& in, std::string& out, size_t room) override {
    return Run(in, out, room, LZMA_RUN);
  }

  absl::Status Finish() override {
    std::string_view none;
    std::string scratch;
    if (absl::Status s = Run(none, scratch, 1, LZMA_FINISH); !s.ok()) return s;
    if (!ended_) return absl::DataLossError("truncated xz stream (the file ends inside a stream)");
    return absl::OkStatus();
  }

 private:
  absl::Status Run(std::string_view& in, std::string& out, size_t room, lzma_action action) {
    const size_t old = out.size();
    out.resize(old + room);
    s_.next_in = reinterpret_cast<const uint8_t*>(in.data());
    s_.avail_in = in.size();
    s_.next_out = reinterpret_cast<uint8_t*>(out.data() + old);
    s_.avail_out = room;
    lzma_ret r = LZMA_OK;
    while (s_.avail_out > 0) {
      const size_t in_before = s_.avail_in, out_before = s_.avail_out;
      r = lzma_code(&s_, action);
      if (r != LZMA_OK) break;
      if (s_.avail_in == in_before && s_.avail_out == out_before) break;
      if (s_.avail_in == 0 && action == LZMA_RUN && s_.avail_out == out_before) break;
    }
    in.remove_prefix(in.size() - s_.avail_in);
    out.resize(old + room - s_.avail_out);
    if (r == LZMA_STREAM_END) ended_ = true;
    // LZMA_BUF_ERROR: no progress possible (more input needed, or at LZMA_FINISH the end is
    // missing, which Finish() reports as truncated).
    if (r == LZMA_OK || r == LZMA_STREAM_END || r == LZMA_BUF_ERROR) return absl::OkStatus();
    return absl::DataLossError(absl::StrCat("corrupt xz data (", LzmaError(r), ")"));
  }

  lzma_stream s_ = LZMA_STREAM_INIT;
  bool ended_ = false;
};

}  // namespace

absl::StatusOr<std::unique_ptr<Decoder>> MakeXzDecoder() {
  auto d = std::make_unique<XzDecoder>();
  if (absl::Status s = d->Init(); !s.ok()) return s;
  return std::unique_ptr<Decoder>(std::move(d));
}

}  // namespace rwkvkit::corpus::input

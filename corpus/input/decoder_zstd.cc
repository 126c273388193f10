// corpus/input/decoder_zstd.cc — the zstd Decoder (libzstd streaming API); see decoder.h.
#include <zstd.h>

#include "absl/strings/str_cat.h"
#include "corpus/input/decoder.h"

namespace rwkvkit::corpus::input {
namespace {

class ZstdDecoder final : public Decoder {
 public:
  explicit ZstdDecoder(ZSTD_DStream* ds) : ds_(ds) {}
  ~ZstdDecoder() override { ZSTD_freeDStream(ds_); }

  absl::Status Decode(std::string_view& in, std::string& out, size_t room) override {
    // At a frame end with no input nothing is buffered; a call would start a new frame and
    // return its header size, which would read as "inside a frame" at the end of the file.
    if (in.empty() && last_ret_ == 0) return absl::OkStatus();
    const size_t old = out.size();
    out.resize(old + room);
    ZSTD_inBuffer ib{in.data(), in.size(), 0};
    ZSTD_outBuffer ob{out.data() + old, room, 0};
    // Go on while there is room and a call makes progress (a call may stop at a frame end
    // with input left; with no input it flushes what the stream still holds).
    for (;;) {
      const size_t in_before = ib.pos, out_before = ob.pos;
      const size_t ret = ZSTD_decompressStream(ds_, &ob, &ib);
      if (ZSTD_isError(ret)) {
        out.resize(old + ob.pos);
        in.remove_prefix(ib.pos);
        return absl::DataLossError(absl::StrCat("corrupt zstd data (", ZSTD_getErrorName(ret), ")"));
      }
      if (ib.pos == in_before && ob.pos == out_before) break;
      last_ret_ = ret;
      if (ob.pos == ob.size) break;
      if (ib.pos == ib.size && ob.pos == out_before) break;
    }
    out.resize(old + ob.pos);
    in.remove_prefix(ib.pos);
    return absl::OkStatus();
  }

  absl::Status Finish() override {
    if (last_ret_ != 0) return absl::DataLossError("truncated zstd frame (the file ends inside a frame)");
    return absl::OkStatus();
  }

 private:
  ZSTD_DStream* ds_;
  size_t last_ret_ = 0;  // ZSTD_decompressStream's last hint: 0 = at a frame end
};

}  // namespace

absl::StatusOr<std::unique_ptr<Decoder>> MakeZstdDecoder() {
  ZSTD_DStream* ds = ZSTD_createDStream();
  if (ds == nullptr) return absl::ResourceExhaustedError("cannot create a zstd stream");
  ZSTD_initDStream(ds);
  return std::make_unique<ZstdDecoder>(ds);
}

absl::StatusOr<std::unique_ptr<Decoder>> MakeDecoder(Container c) {
  switch (c) {
    case Container::kZstd: return MakeZstdDecoder();
    case Container::kGzip: return MakeGzipDecoder();
    case Container::kXz: return MakeXzDecoder();
    default: break;
  }
  return absl::InternalError(absl::StrCat("no decoder for ", ContainerName(c)));
}

}  // namespace rwkvkit::corpus::input

// corpus/input/decoder_gzip.cc — the gzip Decoder (zlib's inflate); see decoder.h.
//
// A .gz file may hold several members back to back (gzip -c a >> f; Dolma writes them so):
// after each member's end the inflater is reset and reads the next one. Anything after a
// member that is not another gzip member is corrupt data, as for any damage.
#include <zlib.h>

#include <climits>

#include "absl/strings/str_cat.h"
#include "corpus/input/decoder.h"

namespace rwkvkit::corpus::input {
namespace {

class GzipDecoder final : public Decoder {
 public:
  GzipDecoder() = default;
  ~GzipDecoder() override {
    if (ready_) inflateEnd(&z_);
  }

  absl::Status Init() {
    if (inflateInit2(&z_, 16 + MAX_WBITS) != Z_OK) return absl::ResourceExhaustedError("cannot create a zlib stream");
    ready_ = true;
    return absl::OkStatus();
  }

  absl::Status Decode(std::string_view& in, std::string& out, size_t room) override {
    const size_t old = out.size();
    out.resize(old + room);
    size_t made = 0;
    for (;;) {
      if (!in_member_ && in.empty()) break;
      const uInt in_chunk = static_cast<uInt>(std::min<size_t>(in.size(), UINT_MAX));
      const uInt out_chunk = static_cast<uInt>(std::min<size_t>(room - made, UINT_MAX));
      z_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
      z_.avail_in = in_chunk;
      z_.next_out = reinterpret_cast<Bytef*>(out.data() + old + made);
      z_.avail_out = out_chunk;
      const int ret = inflate(&z_, Z_NO_FLUSH);
      const size_t used = in_chunk - z_.avail_in, got = out_chunk - z_.avail_out;
      in.remove_prefix(used);
      made += got;
      if (used > 0) in_member_ = true;
      if (ret == Z_STREAM_END) {  // a member ended; the next one (if any) starts fresh
        in_member_ = false;
        inflateReset(&z_);
      } else if (ret != Z_OK && ret != Z_BUF_ERROR) {
        out.resize(old + made);
        return absl::DataLossError(absl::StrCat("corrupt gzip data (", z_.msg != nullptr ? z_.msg : zError(ret), ")"));
      }
      if (made == room || (used == 0 && got == 0 && ret != Z_STREAM_END)) break;
    }
    out.resize(old + made);
    return absl::OkStatus();
  }

  absl::Status Finish() override {
    if (in_member_) return absl::DataLossError("truncated gzip stream (the file ends inside a member)");
    return absl::OkStatus();
  }

 private:
  z_stream z_{};
  bool ready_ = false;
  bool in_member_ = false;  // input of the current member consumed, its end not yet seen
};

}  // namespace

absl::StatusOr<std::unique_ptr<Decoder>> MakeGzipDecoder() {
  auto d = std::make_unique<GzipDecoder>();
  if (absl::Status s = d->Init(); !s.ok()) return s;
  return std::unique_ptr<Decoder>(std::move(d));
}

}  // namespace rwkvkit::corpus::input

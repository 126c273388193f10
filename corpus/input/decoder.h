// corpus/input/decoder.h — streaming decompression of zstd, gzip and xz.
//
// One interface over libzstd, zlib and liblzma so the byte stream (byte_stream.h) reads every
// compressed format the same way: compressed bytes in, decompressed bytes out, a bounded
// amount per call (memory never depends on the file). Concatenated streams are one stream, as
// the command-line tools read them: zstd frames, gzip members (Dolma writes multi-member
// .gz files) and xz streams. Messages carry no file name or offset: the byte stream adds them.
// Not thread-safe: one decoder per stream.
#ifndef RWKVKIT_CORPUS_INPUT_DECODER_H_
#define RWKVKIT_CORPUS_INPUT_DECODER_H_

#include <memory>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "corpus/input/input_format.h"

namespace rwkvkit::corpus::input {

class Decoder {
 public:
  virtual ~Decoder() = default;

  // Decode()
  // Consumes a prefix of `in` (advancing it) and appends at most `room` decompressed bytes to
  // `out`. kDataLoss on corrupt data; the bytes of `in` not consumed then start the damage.
  virtual absl::Status Decode(std::string_view& in, std::string& out, size_t room) = 0;

  // Finish()
  // At the end of the compressed input: kDataLoss when it ends inside a frame/member/stream.
  virtual absl::Status Finish() = 0;
};

// A decoder for a compressed container (kZstd, kGzip, kXz); kInternal for others.
absl::StatusOr<std::unique_ptr<Decoder>> MakeDecoder(Container c);

// One per codec (decoder_zstd.cc, decoder_gzip.cc, decoder_xz.cc).
absl::StatusOr<std::unique_ptr<Decoder>> MakeZstdDecoder();
absl::StatusOr<std::unique_ptr<Decoder>> MakeGzipDecoder();
absl::StatusOr<std::unique_ptr<Decoder>> MakeXzDecoder();

}  // namespace rwkvkit::corpus::input

#endif  // RWKVKIT_CORPUS_INPUT_DECODER_H_

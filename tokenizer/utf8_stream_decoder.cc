// tokenizer/utf8_stream_decoder.cc — see utf8_stream_decoder.h.
#include "tokenizer/utf8_stream_decoder.h"

#include "absl/strings/str_format.h"

namespace rwkvkit::tokenizer {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";

// Length a lead byte announces (0: never a lead byte) and the range of its first
// continuation byte (Unicode Table 3-7, well-formed UTF-8 byte sequences).
struct Lead {
  int length;
  unsigned char lo, hi;
};

Lead ClassifyLead(unsigned char c) {
  if (c < 0x80) return {1, 0, 0};
  if (c >= 0xC2 && c <= 0xDF) return {2, 0x80, 0xBF};
  if (c == 0xE0) return {3, 0xA0, 0xBF};
  if (c == 0xED) return {3, 0x80, 0x9F};
  if (c >= 0xE1 && c <= 0xEF) return {3, 0x80, 0xBF};
  if (c == 0xF0) return {4, 0x90, 0xBF};
  if (c >= 0xF1 && c <= 0xF3) return {4, 0x80, 0xBF};
  if (c == 0xF4) return {4, 0x80, 0x8F};
  return {0, 0, 0};
}

}  // namespace

absl::Status Utf8StreamDecoder::Feed(std::string_view bytes, std::string& out) {
  return Decode(bytes, /*final=*/false, out);
}

absl::Status Utf8StreamDecoder::Finish(std::string& out) { return Decode({}, /*final=*/true, out); }

absl::Status Utf8StreamDecoder::Decode(std::string_view bytes, bool final, std::string& out) {
  // The pending tail is at most 3 bytes; joining it with the new bytes keeps one code path.
  std::string joined;
  std::string_view s = bytes;
  if (pending_len_ > 0) {
    joined.assign(pending_, pending_len_);
    joined.append(bytes);
    s = joined;
    pending_len_ = 0;
  }
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      size_t j = i + 1;
      while (j < s.size() && static_cast<unsigned char>(s[j]) < 0x80) ++j;
      out.append(s.substr(i, j - i));
      i = j;
      continue;
    }
    const Lead lead = ClassifyLead(c);
    size_t good = 0;  // continuation bytes that fit
    if (lead.length > 1) {
      for (size_t k = 1; k < static_cast<size_t>(lead.length) && i + k < s.size(); ++k) {
        const auto b = static_cast<unsigned char>(s[i + k]);
        const bool fits = k == 1 ? (b >= lead.lo && b <= lead.hi) : (b >= 0x80 && b <= 0xBF);
        if (!fits) break;
        good = k;
      }
      if (good + 1 == static_cast<size_t>(lead.length)) {
        out.append(s.substr(i, good + 1));
        i += good + 1;
        continue;
      }
      if (i + good + 1 == s.size() && !final) {  // a valid prefix cut by the end of this chunk
        pending_len_ = good + 1;
        s.copy(pending_, pending_len_, i);
        offset_ += i;
        return absl::OkStatus();
      }
    }
    if (mode_ == Utf8Mode::kStrict)
      return absl::DataLossError(absl::StrFormat("invalid UTF-8 at byte %d of the stream (0x%02x)", offset_ + i, c));
    out.append(kReplacement);
    ++replacements_;
    i += good + 1;  // the maximal subpart: the lead byte and the continuation bytes that fit
  }
  offset_ += s.size();
  return absl::OkStatus();
}

}  // namespace rwkvkit::tokenizer

// refmodel/checkpoint/checkpoint_reader.cc — ReadCheckpoint(): mmap, then pick the format by
// content ("PK" zip signatures → .pth; else safetensors), and the Hugging Face name map.
#include "refmodel/checkpoint/checkpoint_reader.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "base/status_macros.h"

namespace rwkvkit::refmodel {

absl::StatusOr<TensorSet> ReadCheckpoint(const std::filesystem::path& path) {
  RWKVKIT_ASSIGN_OR_RETURN(std::shared_ptr<const FileBytes> file, FileBytes::Map(path));
  return ReadCheckpointBytes(path.string(), std::move(file));
}

absl::StatusOr<TensorSet> ReadCheckpointBytes(const std::string& path, std::shared_ptr<const FileBytes> file) {
  std::span<const uint8_t> b = file->bytes();
  if (b.empty())
    return absl::DataLossError(absl::StrCat(path, "@0: empty file (0 bytes), neither a torch.save zip nor a safetensors file"));
  // A torch.save zip starts with a local header; an empty one with its end record.
  if (b.size() >= 4 && b[0] == 'P' && b[1] == 'K' &&
      ((b[2] == 3 && b[3] == 4) || (b[2] == 5 && b[3] == 6)))
    return ReadPth(path, std::move(file));
  if (b.size() >= 2 && b[0] == 'P' && b[1] == 'K')
    return absl::DataLossError(absl::StrCat(path, "@0: starts like a ZIP archive but has no local header"));
  // A safetensors file's header is a JSON object right after the 8-byte length.
  if (b.size() < 9)
    return absl::DataLossError(absl::StrCat(path, "@", b.size(), ": file of ", b.size(),
                                            " bytes, too short for a torch.save zip or a safetensors file"));
  if (b[8] != '{')
    return absl::DataLossError(absl::StrCat(path, "@8: neither a torch.save zip nor a safetensors file"));
  return ReadSafetensors(path, std::move(file));
}

std::string BlinkDlName(const std::string& n) {
  if (n == "rwkv.embeddings.weight") return "emb.weight";
  if (!absl::StartsWith(n, "rwkv.")) return n;
  std::string s = n.substr(5);
  if (absl::StartsWith(s, "blocks.0.pre_ln.")) return absl::StrCat("blocks.0.ln0.", s.substr(16));
  for (auto [from, to] : {std::pair<const char*, const char*>{".attention.", ".att."}, {".feed_forward.", ".ffn."}}) {
    const size_t at = s.find(from);
    if (at != std::string::npos) s.replace(at, std::string_view(from).size(), to);
  }
  return s;
}

}  // namespace rwkvkit::refmodel

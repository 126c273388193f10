// tools/cli/vocab_path.cc — see vocab_path.h.
#include "tools/cli/vocab_path.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "tools/cli/install_layout.h"

namespace rwkvkit::cli {

absl::StatusOr<std::string> ResolveVocabPath(const std::optional<std::string>& flag_value) {
  if (flag_value) return *flag_value;  // Tokenizer::Load reports a missing file itself
  if (const char* env = std::getenv("RWKVKIT_VOCAB"); env != nullptr && *env != '\0') return std::string(env);
  const std::string installed = (DataDir() / kVocabFileName).string();
  std::error_code ec;
  if (std::filesystem::exists(installed, ec)) return installed;
  return absl::NotFoundError(absl::StrCat("no vocab: pass --vocab PATH, set RWKVKIT_VOCAB, or put ", kVocabFileName, " at ",
                                          installed, " (tools/setup.sh fetches it; the build and `cmake --install` copy it there)"));
}

absl::StatusOr<tokenizer::Tokenizer> LoadTokenizer(const std::optional<std::string>& flag_value) {
  absl::StatusOr<std::string> path = ResolveVocabPath(flag_value);
  if (!path.ok()) return path.status();
  absl::StatusOr<tokenizer::Tokenizer> tok = tokenizer::Tokenizer::Load(*path);
  if (tok.ok() && !tok->load_note().empty()) std::fprintf(stderr, "note: %s\n", tok->load_note().c_str());
  return tok;
}

}  // namespace rwkvkit::cli

// tools/cli/vocab_path.h — where the CLI finds the World vocab.
//
// Order: --vocab PATH, else $RWKVKIT_VOCAB, else share/rwkvkit/rwkv_vocab_v20230424.txt beside
// the binary (install_layout.h: the build copies tools/setup.sh's vocab there, `cmake --install`
// installs it). Not thread-safe (reads the environment).
#ifndef RWKVKIT_TOOLS_CLI_VOCAB_PATH_H_
#define RWKVKIT_TOOLS_CLI_VOCAB_PATH_H_

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "tokenizer/tokenizer.h"

namespace rwkvkit::cli {

inline constexpr char kVocabFileName[] = "rwkv_vocab_v20230424.txt";

// ResolveVocabPath()
// kNotFound, with what was tried and how to fix it, when no vocab is found.
absl::StatusOr<std::string> ResolveVocabPath(const std::optional<std::string>& flag_value);

// LoadTokenizer()
// Resolves the vocab path as above and loads the tokenizer (from the compiled file beside the
// vocab when it matches; a note on stderr when one is there but ignored).
absl::StatusOr<tokenizer::Tokenizer> LoadTokenizer(const std::optional<std::string>& flag_value);

}  // namespace rwkvkit::cli

#endif  // RWKVKIT_TOOLS_CLI_VOCAB_PATH_H_

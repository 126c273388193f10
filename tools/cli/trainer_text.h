// tools/cli/trainer_text.h — the lines `build`, `merge` and `inspect` print for RWKV-LM's
// trainer: the numbers for one binidx prefix and ctx_len, and the two trainer command lines
// (RWKV-v5/train.py for RWKV-5/6, RWKV-v7/train_temp/train.py for RWKV-7), or why the data
// is too small to train on. The numbers come from corpus/binidx/training_numbers.h.
#ifndef RWKVKIT_TOOLS_CLI_TRAINER_TEXT_H_
#define RWKVKIT_TOOLS_CLI_TRAINER_TEXT_H_

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace rwkvkit::cli {

// TrainerText()
// Several lines, each ending in '\n', each starting with `indent`. `data_file` is the prefix
// RWKV-LM opens (--data_file); tokens are that prefix's tokens. ctx_len must be >= 1.
std::string TrainerText(uint64_t tokens, uint64_t ctx_len, std::string_view data_file, std::string_view indent = "");

// BuildTrainerText()
// For a build directory with `shards` shards named <corpus>_<00000>...: with one shard,
// TrainerText for that shard; with several, the `rwkvkit merge` command that joins them
// (into SuggestedMergePrefix) followed by TrainerText for the merged prefix; "" for none.
std::string BuildTrainerText(const std::filesystem::path& build_dir, std::string_view corpus, uint64_t shards,
                             uint64_t tokens, uint64_t ctx_len);

// <build_dir>_merged/<corpus>: beside the build directory, not in it (inspect flags
// unlisted shard files there).
std::filesystem::path SuggestedMergePrefix(const std::filesystem::path& build_dir, std::string_view corpus);

}  // namespace rwkvkit::cli

#endif  // RWKVKIT_TOOLS_CLI_TRAINER_TEXT_H_

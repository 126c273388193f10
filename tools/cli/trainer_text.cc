// tools/cli/trainer_text.cc — see trainer_text.h.
#include "tools/cli/trainer_text.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "corpus/binidx/training_numbers.h"

namespace rwkvkit::cli {

std::string TrainerText(uint64_t tokens, uint64_t ctx_len, std::string_view data_file, std::string_view indent_view) {
  const std::string indent(indent_view);  // Debian's Abseil string_view is not std::string_view
  absl::StatusOr<binidx::TrainingNumbers> t = binidx::ComputeTrainingNumbers(tokens, ctx_len);
  if (!t.ok()) return absl::StrCat(indent, "RWKV-LM: ", std::string(t.status().message()), "\n");
  if (!t->trainer_accepts) return absl::StrCat(indent, "RWKV-LM: ", binidx::TrainingProblem(*t), "\n");
  return absl::StrCat(
      indent, "RWKV-LM (ctx_len ", ctx_len, "): --my_exit_tokens ", t->my_exit_tokens, " --magic_prime ",
      *t->magic_prime, "\n", indent, "  RWKV-5/6, RWKV-v5/train.py:\n", indent, "    ",
      binidx::TrainerCommand(binidx::Trainer::kV5, data_file, *t), "\n", indent,
      "  RWKV-7, RWKV-v7/train_temp/train.py:\n", indent, "    ",
      binidx::TrainerCommand(binidx::Trainer::kV7, data_file, *t), "\n", indent,
      "  plus your model, batch and optimizer flags (--my_testing, --n_layer, --n_embd, --micro_bsz, --lr_init, ...;"
      " micro_bsz x GPUs must divide 40320)\n");
}

std::filesystem::path SuggestedMergePrefix(const std::filesystem::path& build_dir, std::string_view corpus) {
  std::filesystem::path dir = build_dir.lexically_normal();
  if (!dir.has_filename()) dir = dir.parent_path();  // "out/" -> "out"
  return std::filesystem::path(dir.string() + "_merged") / std::string(corpus);
}

std::string BuildTrainerText(const std::filesystem::path& build_dir, std::string_view corpus, uint64_t shards,
                             uint64_t tokens, uint64_t ctx_len) {
  if (shards == 0) return "";
  if (shards == 1) {
    return TrainerText(tokens, ctx_len, (build_dir / absl::StrFormat("%s_%05d", std::string(corpus), 0)).string());
  }
  const std::filesystem::path merged = SuggestedMergePrefix(build_dir, corpus);
  return absl::StrCat("RWKV-LM's trainer opens one binidx prefix; join the ", shards, " shards first:\n  rwkvkit merge ",
                      build_dir.string(), " --out ", merged.string(), " --ctx-len ", ctx_len, "\n",
                      TrainerText(tokens, ctx_len, merged.string()));
}

}  // namespace rwkvkit::cli

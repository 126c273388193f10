// tools/cmd_merge.cc — `rwkvkit merge`: one binidx prefix from a build's shards, the file
// RWKV-LM's trainer opens, with its own --my_exit_tokens / --magic_prime and the trainer's
// command line. The copying, index rebuild, locking, verification and atomic publish are
// corpus/binidx/shard_merge.h; this file resolves the inputs and prints.
#include <cstdio>
#include <filesystem>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "corpus/binidx/shard_merge.h"
#include "corpus/build/progress.h"
#include "corpus/build/build_verify.h"
#include "tools/cli/flags.h"
#include "tools/cli/trainer_text.h"
#include "tools/commands.h"

namespace rwkvkit::cli {
namespace {

namespace fs = std::filesystem;

const CommandSpec kSpec{
    "merge",
    "PATH [PATH ...] -o PREFIX [options]",
    R"(Writes PREFIX.bin and PREFIX.idx: the documents of every input shard, in order, as one binidx
shard, which is what RWKV-LM's trainer opens (--data_file PREFIX; it reads one prefix). The
.bin files are copied back to back (copy_file_range), the .idx is rebuilt, the result is
written under a temporary name, checked with the shard reader and renamed into place. Then
prints the merged prefix's --my_exit_tokens and --magic_prime and the trainer command lines
(RWKV-v5/train.py for RWKV-5/6, RWKV-v7/train_temp/train.py for RWKV-7), or why the data is
too small to train on. docs/cli.md has the details.

PATH is a build output directory (its shards in build.json order) or one shard (its prefix,
or its .bin / .idx); all inputs must have one dtype.)",
    {
        OutFlag("PREFIX", "the output prefix (its directory is created if missing)"),
        {"ctx-len", FlagKind::kValue, "N",
         "the training context length for the numbers (default: the build's\n"
         "training.ctx_len, else 4096)"},
        {"force", FlagKind::kBool, "", "replace an existing PREFIX.bin/.idx (never one of the inputs)"},
        NoProgressFlag(),
    }};

// The shard prefixes of the inputs, and the ctx_len of the first build directory (its shards
// checked against its build.json by corpus::build::ShardsOfBuild).
absl::Status ResolveInputs(const std::vector<std::string>& paths, std::vector<fs::path>& shards,
                           std::optional<uint64_t>& build_ctx_len) {
  for (const std::string& arg : paths) {
    fs::path p(arg);
    std::error_code ec;
    if (fs::is_directory(p, ec)) {
      absl::StatusOr<corpus::build::BuildShards> build = corpus::build::ShardsOfBuild(p);
      if (!build.ok()) return build.status();
      shards.insert(shards.end(), build->prefixes.begin(), build->prefixes.end());
      if (!build_ctx_len) build_ctx_len = build->ctx_len;
      continue;
    }
    if (p.extension() == ".bin" || p.extension() == ".idx") p.replace_extension();
    shards.push_back(p);
  }
  return absl::OkStatus();
}

absl::Status CreateParent(const fs::path& prefix) {
  const fs::path dir = prefix.parent_path();
  std::error_code ec;
  if (dir.empty() || fs::is_directory(dir, ec)) return absl::OkStatus();
  fs::create_directories(dir, ec);
  if (ec) return absl::UnavailableError(absl::StrCat(dir.string(), ": cannot create (", ec.message(), ")"));
  return absl::OkStatus();
}

int Merge(const ParsedFlags& flags) {
  if (flags.positional.empty()) return ReportError("merge", absl::InvalidArgumentError("give at least one PATH (see --help)"));
  if (!flags.Has("out")) return ReportError("merge", absl::InvalidArgumentError("--out PREFIX is required"));
  const fs::path out = *flags.Get("out");
  std::vector<fs::path> shards;
  std::optional<uint64_t> build_ctx_len;
  if (absl::Status s = ResolveInputs(flags.positional, shards, build_ctx_len); !s.ok()) return ReportError("merge", s);
  absl::StatusOr<long> ctx = flags.GetInt("ctx-len", static_cast<long>(build_ctx_len.value_or(4096)), 1,
                                          std::numeric_limits<int32_t>::max());
  if (!ctx.ok()) return ReportError("merge", ctx.status());
  if (absl::Status s = CreateParent(out); !s.ok()) return ReportError("merge", s);
  corpus::build::Progress progress("merge", 0, !flags.Has("no-progress"));
  binidx::MergeOptions options;
  options.overwrite = flags.Has("force");
  bool copied_any = false;
  options.progress = [&](uint64_t done, uint64_t total) {
    if (!copied_any) progress = corpus::build::Progress("merge", total, !flags.Has("no-progress"));
    copied_any = true;
    progress.Update(done, 0);
  };
  absl::StatusOr<binidx::MergeSummary> m = binidx::MergeShards(shards, out, options);
  if (!m.ok()) return ReportError("merge", m.status());
  if (copied_any) progress.Done(m->bin_bytes, m->documents);
  std::printf("rwkvkit merge: %llu shard(s) -> %s.bin/.idx: %llu documents, %llu tokens, %llu + %llu bytes\n",
              static_cast<unsigned long long>(m->shards), out.string().c_str(),
              static_cast<unsigned long long>(m->documents), static_cast<unsigned long long>(m->tokens),
              static_cast<unsigned long long>(m->bin_bytes), static_cast<unsigned long long>(m->idx_bytes));
  std::fputs(TrainerText(m->tokens, static_cast<uint64_t>(*ctx), out.string()).c_str(), stdout);
  return 0;
}

}  // namespace

int RunMerge(int argc, char** argv) {
  ParsedFlags flags;
  if (const std::optional<int> rc = ParseCommandLine(argc, argv, kSpec, flags)) return *rc;
  return Merge(flags);
}

}  // namespace rwkvkit::cli

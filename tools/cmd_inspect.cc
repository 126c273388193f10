// tools/cmd_inspect.cc — `rwkvkit inspect`: flags and printing. PATH is a build output
// directory or one shard (its prefix, or its .bin / .idx); the checks themselves are
// corpus/build/build_verify.h. Prints a table (or --json), RWKV-LM's numbers and trainer
// command lines, then every problem on stderr; exit 1 if there is one or the shard is damaged.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/json_writer.h"
#include "corpus/build/build_verify.h"
#include "corpus/binidx/training_numbers.h"
#include "tools/cli/flags.h"
#include "tools/cli/trainer_text.h"
#include "tools/commands.h"

namespace rwkvkit::cli {
namespace {

namespace fs = std::filesystem;

const CommandSpec kSpec{
    "inspect",
    "PATH [options]",
    R"(Verifies binidx shards and prints what they hold. PATH is either
  - a build output directory: every shard listed in its build.json must exist, open cleanly
    and have the listed documents, tokens, bytes and XXH3-128 of its .bin; its "output"
    totals, "training" numbers (--my_exit_tokens, --magic_prime) and each source's
    documents_written and tokens must match the shards;
    no unlisted <name>.bin/.idx(.tmp) may lie beside them;
  - one shard: its prefix (out/demo_00000) or its .bin or .idx file.
Prints documents, tokens, bytes (int32 shards, dtype code 4, are read too), the
shortest/longest/mean document, and whether every document ends with token 0 (RWKV-LM's end
of document), then RWKV-LM's --my_exit_tokens / --magic_prime for each shard and the trainer
command lines (for a build with several shards: the `rwkvkit merge` that joins them first),
or why the data is too small to train on. build.json's per-shard numbers must match too.
Exit 1 listing every problem.)",
    {
        {"json", FlagKind::kBool, "", "print the result as JSON on stdout"},
        {"ctx-len", FlagKind::kValue, "N", "the training context length for RWKV-LM's numbers (default: the build's\n"
         "training.ctx_len; for one shard, none unless given)"},
    }};

double MeanTokens(const corpus::build::ShardCheck& s) { return s.documents ? static_cast<double>(s.tokens) / s.documents : 0.0; }

// The "training" member: RWKV-LM's numbers for `tokens` at `ctx_len` (nothing without one).
void TrainingJson(base::JsonWriter& w, uint64_t tokens, std::optional<uint64_t> ctx_len) {
  if (!ctx_len) return;
  absl::StatusOr<binidx::TrainingNumbers> t = binidx::ComputeTrainingNumbers(tokens, *ctx_len);
  if (!t.ok()) return;
  w.Key("training").BeginObject().Key("ctx_len").Uint(*ctx_len).Key("my_exit_tokens").Uint(tokens).Key("magic_prime");
  if (t->magic_prime) w.Uint(*t->magic_prime);
  else w.Null();
  w.Key("trainer_accepts").Bool(t->trainer_accepts).EndObject();
}

// {"name": .., "ok": .., "documents": .., ..., "training": {..}}; the shard's numbers only when it opened.
void StatsJson(base::JsonWriter& w, const corpus::build::ShardCheck& s, std::optional<uint64_t> ctx_len) {
  w.BeginObject().Key("name").String(s.name).Key("ok").Bool(s.ok);
  if (s.opened) {
    w.Key("documents").Uint(s.documents).Key("tokens").Uint(s.tokens).Key("bin_bytes").Uint(s.bin_bytes);
    w.Key("idx_bytes").Uint(s.idx_bytes).Key("min_tokens").Uint(s.min_tokens).Key("max_tokens").Uint(s.max_tokens);
    w.Key("mean_tokens").Fixed(MeanTokens(s), 3).Key("documents_not_ending_with_0").Uint(s.not_ending_with_0);
    if (!s.xxh3_128.empty()) w.Key("xxh3_128").String(s.xxh3_128);
    TrainingJson(w, s.tokens, ctx_len);
  }
  w.EndObject();
}

std::string EndsWith0Text(const corpus::build::ShardCheck& s) {
  if (s.not_ending_with_0 == 0) return absl::StrCat("yes, all ", s.documents, " documents");
  return absl::StrCat("NO: ", s.not_ending_with_0, " of ", s.documents, " documents do not (first: document ",
                      *s.first_not_ending_with_0, ")");
}

// RWKV-LM's numbers for a shard opened on its own: "p", "p (rejected)" or "none".
std::string ShardPrimeText(uint64_t tokens, uint64_t ctx_len) {
  absl::StatusOr<binidx::TrainingNumbers> t = binidx::ComputeTrainingNumbers(tokens, ctx_len);
  if (!t.ok() || !t->magic_prime) return "none";
  return absl::StrCat(*t->magic_prime, t->trainer_accepts ? "" : " (rejected)");
}

int InspectShard(const fs::path& prefix, bool json, std::optional<uint64_t> ctx_len) {
  absl::StatusOr<corpus::build::ShardCheck> checked = corpus::build::InspectShard(prefix);
  if (!checked.ok()) return ReportError("inspect", checked.status());
  const corpus::build::ShardCheck& s = *checked;
  if (json) {
    base::JsonWriter w;
    StatsJson(w, s, ctx_len);
    std::printf("%s\n", w.str().c_str());
    return 0;
  }
  std::printf("shard        %s\ndocuments    %llu\ntokens       %llu\nbin bytes    %llu\nidx bytes    %llu\n",
              prefix.string().c_str(), static_cast<unsigned long long>(s.documents),
              static_cast<unsigned long long>(s.tokens), static_cast<unsigned long long>(s.bin_bytes),
              static_cast<unsigned long long>(s.idx_bytes));
  std::printf("doc tokens   min %llu, max %llu, mean %.1f\nends with 0  %s\n%s",
              static_cast<unsigned long long>(s.min_tokens), static_cast<unsigned long long>(s.max_tokens),
              MeanTokens(s), EndsWith0Text(s).c_str(),
              ctx_len ? TrainerText(s.tokens, *ctx_len, prefix.string()).c_str() : "");
  return 0;
}

void PrintTable(const fs::path& dir, const std::vector<corpus::build::ShardCheck>& stats, uint64_t docs, uint64_t tokens,
                std::optional<uint64_t> ctx_len) {
  std::printf("%s: %zu shards\n\n%-24s %12s %14s %16s %9s %9s %10s  %-16s %s\n", dir.string().c_str(), stats.size(),
              "shard", "documents", "tokens", "bin bytes", "min", "max", "mean", "magic_prime", "status");
  uint64_t bin_bytes = 0;
  for (const corpus::build::ShardCheck& s : stats) {
    if (!s.opened) {
      std::printf("%-24s %12s %14s %16s %9s %9s %10s  %-16s %s\n", s.name.c_str(), "-", "-", "-", "-", "-", "-", "-", "BAD");
      continue;
    }
    bin_bytes += s.bin_bytes;
    std::printf("%-24s %12llu %14llu %16llu %9llu %9llu %10.1f  %-16s %s%s\n", s.name.c_str(),
                static_cast<unsigned long long>(s.documents), static_cast<unsigned long long>(s.tokens),
                static_cast<unsigned long long>(s.bin_bytes), static_cast<unsigned long long>(s.min_tokens),
                static_cast<unsigned long long>(s.max_tokens), MeanTokens(s),
                ctx_len ? ShardPrimeText(s.tokens, *ctx_len).c_str() : "-", s.ok ? "ok" : "BAD",
                s.not_ending_with_0 ? absl::StrCat(" (", s.not_ending_with_0, " docs without end token 0)").c_str() : "");
  }
  std::printf("%-24s %12llu %14llu %16llu %9s %9s %10s  %-16s\n", "total", static_cast<unsigned long long>(docs),
              static_cast<unsigned long long>(tokens), static_cast<unsigned long long>(bin_bytes), "", "", "",
              ctx_len ? ShardPrimeText(tokens, *ctx_len).c_str() : "-");
  if (ctx_len) std::printf("(magic_prime: RWKV-LM's --magic_prime for ctx_len %llu when the shard is opened on its own)\n\n",
                           static_cast<unsigned long long>(*ctx_len));
}

int InspectDirectory(const fs::path& dir, bool json, std::optional<uint64_t> flag_ctx_len) {
  absl::StatusOr<corpus::build::BuildCheck> check = corpus::build::VerifyBuild(dir);
  if (!check.ok()) return ReportError("inspect", check.status());
  const std::optional<uint64_t> ctx_len = flag_ctx_len ? flag_ctx_len : check->ctx_len;
  const std::vector<corpus::build::ShardCheck>& stats = check->shards;
  const std::vector<std::string>& problems = check->problems;
  const uint64_t docs = check->documents, tokens = check->tokens;
  if (json) {
    base::JsonWriter w;
    w.BeginObject().Key("path").String(dir.string()).Key("ok").Bool(problems.empty());
    w.Key("documents").Uint(docs).Key("tokens").Uint(tokens).Key("shards").BeginArray();
    for (const corpus::build::ShardCheck& s : stats) StatsJson(w, s, ctx_len);
    w.EndArray();
    TrainingJson(w, tokens, ctx_len);
    w.Key("problems").BeginArray();
    for (const std::string& p : problems) w.String(p);
    std::printf("%s\n", w.EndArray().EndObject().str().c_str());
  } else {
    PrintTable(dir, stats, docs, tokens, ctx_len);
    if (ctx_len && stats.size() == 1) {
      std::fputs(TrainerText(tokens, *ctx_len, (dir / stats[0].name).string()).c_str(), stdout);
    } else if (ctx_len) {
      const std::string corpus = check->corpus.empty() ? "merged" : check->corpus;
      std::fputs(BuildTrainerText(dir, corpus, stats.size(), tokens, *ctx_len).c_str(), stdout);
    }
  }
  for (const std::string& p : problems) std::fprintf(stderr, "rwkvkit inspect: %s\n", p.c_str());
  if (!problems.empty()) {
    std::fprintf(stderr, "rwkvkit inspect: %zu problem%s in %s\n", problems.size(), problems.size() == 1 ? "" : "s",
                 dir.string().c_str());
    return 1;
  }
  return 0;
}

}  // namespace

int RunInspect(int argc, char** argv) {
  ParsedFlags flags;
  if (const std::optional<int> rc = ParseCommandLine(argc, argv, kSpec, flags)) return *rc;
  if (flags.positional.size() != 1) {
    return ReportError("inspect", absl::InvalidArgumentError("give exactly one PATH (see --help)"));
  }
  std::optional<uint64_t> ctx_len;
  if (flags.Has("ctx-len")) {
    absl::StatusOr<long> c = flags.GetInt("ctx-len", 0, 1, std::numeric_limits<int32_t>::max());
    if (!c.ok()) return ReportError("inspect", c.status());
    ctx_len = static_cast<uint64_t>(*c);
  }
  const bool json = flags.Has("json");
  fs::path path = flags.positional[0];
  std::error_code ec;
  if (fs::is_directory(path, ec)) return InspectDirectory(path, json, ctx_len);
  if (path.extension() == ".bin" || path.extension() == ".idx") path.replace_extension();
  return InspectShard(path, json, ctx_len);
}

}  // namespace rwkvkit::cli

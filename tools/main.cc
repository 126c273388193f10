// tools/main.cc — the `rwkvkit` command: dispatches to a subcommand (tools/commands.h), run
// here (tokenize, detokenize) or by the commands plugin loaded on first use (commands_plugin.h).
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tools/cli/commands_plugin_loader.h"
#include "tools/cli/flags.h"
#include "tools/commands.h"

namespace {

struct Command {
  const char* name;
  int (*run)(int argc, char** argv);  // nullptr: the commands plugin runs it
};

constexpr Command kCommands[] = {
    {"build", nullptr},   {"tokenize", rwkvkit::cli::RunTokenize}, {"inspect", nullptr},
    {"eval", nullptr},    {"detokenize", rwkvkit::cli::RunDetokenize}, {"stats", nullptr},
    {"bench", nullptr},   {"merge", nullptr},
};

constexpr char kUsage[] = R"(rwkvkit )" RWKVKIT_VERSION R"( — training corpora for RWKV-5/6 models, checked with a reference model

usage: rwkvkit <command> [options]
       rwkvkit -h | --help | -V | --version

commands:
  build        JSONL / JSONL.zst / text sources -> binidx shards + build.json (a corpus manifest)
  tokenize     RWKV World token ids of raw bytes or of a JSONL field
  inspect      verify binidx shards (one shard, or a build directory against build.json) and summarize them
  merge        one binidx prefix from a build's shards, for RWKV-LM's trainer (prints its command line)
  eval         perplexity / bits per byte of binidx shards under an RWKV-5.2 or RWKV-6 checkpoint
  detokenize   raw bytes of whitespace-separated token ids
  stats        corpus report of a build: report.json, report.html (SVG charts), report.md
  bench        `bench tokenizer`: bytes/chars per token, tokens per word and encode MB/s per language

`rwkvkit <command> --help` (or `rwkvkit help <command>`) describes each command. The vocab is
taken from --vocab PATH, else $RWKVKIT_VOCAB, else the installed copy (docs/cli.md). Exit status:
0 success, 1 error, 2 usage error.
)";

const Command* Find(std::string_view name) {
  for (const Command& c : kCommands)
    if (name == c.name) return &c;
  return nullptr;
}

int Run(const Command& c, int argc, char** argv) {
  if (c.run != nullptr) return c.run(argc, argv);
  absl::StatusOr<const rwkvkit::cli::PluginCommand*> in_plugin = rwkvkit::cli::FindPluginCommand(c.name);
  if (!in_plugin.ok()) return rwkvkit::cli::ReportError(c.name, in_plugin.status());
  return (*in_plugin)->run(argc, argv);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  const std::string_view arg = argv[1];
  if (arg == "--help" || arg == "-h") {
    std::fputs(kUsage, stdout);
    return 0;
  }
  if (arg == "help") {  // `rwkvkit help` or `rwkvkit help <command>`
    if (argc < 3) {
      std::fputs(kUsage, stdout);
      return 0;
    }
    if (const Command* c = Find(argv[2])) {
      char help[] = "--help";
      char* sub[] = {argv[2], help, nullptr};
      return Run(*c, 2, sub);
    }
  } else if (arg == "--version" || arg == "-V") {
    std::puts(rwkvkit::cli::VersionLine());
    return 0;
  } else if (const Command* c = Find(arg)) {
    return Run(*c, argc - 1, argv + 1);
  }
  const std::string_view typed = arg == "help" ? std::string_view(argv[2]) : arg;
  const bool is_flag = typed.starts_with('-');
  std::vector<std::string> names;
  if (is_flag) names = {"--help", "--version"};
  for (const Command& c : kCommands)
    if (!is_flag) names.emplace_back(c.name);
  const std::optional<std::string> close = rwkvkit::cli::Suggest(typed, names);
  std::fprintf(stderr, "rwkvkit: unknown %s '%.*s'%s%s%s (see rwkvkit --help)\n", is_flag ? "option" : "command",
               static_cast<int>(typed.size()), typed.data(), close ? " (did you mean '" : "", close ? close->c_str() : "",
               close ? "'?)" : "");
  return 2;
}

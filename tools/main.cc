// tools/main.cc — the `rwkvkit` command: dispatches to a subcommand (tools/commands.h).
#include <cstdio>
#include <cstring>
#include <string_view>

#include "tools/commands.h"

namespace {

constexpr char kUsage[] = R"(rwkvkit )" RWKVKIT_VERSION R"( — training corpora for RWKV-5/6 models, checked with a reference model

usage: rwkvkit <command> [options]

commands:
  build        JSONL / JSONL.zst / text sources -> binidx shards + build.json (a corpus manifest)
  tokenize     RWKV World token ids of raw bytes or of a JSONL field
  inspect      verify binidx shards (one shard, or a build directory against build.json) and summarize them
  merge        one binidx prefix from a build's shards, for RWKV-LM's trainer (prints its command line)
  eval         perplexity / bits per byte of binidx shards under an RWKV-5.2 or RWKV-6 checkpoint
  detokenize   raw bytes of whitespace-separated token ids
  stats        corpus report of a build: report.json, report.html (SVG charts), report.md
  bench        `bench tokenizer`: bytes/chars per token, tokens per word and encode MB/s per language

`rwkvkit <command> --help` describes each command. The vocab is taken from --vocab PATH,
else $RWKVKIT_VOCAB, else the copy installed by tools/setup.sh.
)";

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0 ||
      std::strcmp(argv[1], "help") == 0) {
    std::fputs(kUsage, argc < 2 ? stderr : stdout);
    return argc < 2 ? 2 : 0;
  }
  const std::string_view cmd = argv[1];
  if (cmd == "--version") {
    std::puts("rwkvkit " RWKVKIT_VERSION);
    return 0;
  }
  if (cmd == "tokenize") return rwkvkit::cli::RunTokenize(argc - 1, argv + 1);
  if (cmd == "detokenize") return rwkvkit::cli::RunDetokenize(argc - 1, argv + 1);
  if (cmd == "stats") return rwkvkit::cli::RunStats(argc - 1, argv + 1);
  if (cmd == "bench") return rwkvkit::cli::RunBench(argc - 1, argv + 1);
  if (cmd == "build") return rwkvkit::cli::RunBuild(argc - 1, argv + 1);
  if (cmd == "inspect") return rwkvkit::cli::RunInspect(argc - 1, argv + 1);
  if (cmd == "merge") return rwkvkit::cli::RunMerge(argc - 1, argv + 1);
  if (cmd == "eval") return rwkvkit::cli::RunEval(argc - 1, argv + 1);
  std::fprintf(stderr, "rwkvkit: unknown command '%s' (see rwkvkit --help)\n", argv[1]);
  return 2;
}

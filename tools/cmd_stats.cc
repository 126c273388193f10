// tools/cmd_stats.cc — `rwkvkit stats`: tokenize JSONL documents, report counts per group.
//
// The main job of the demo until the corpus pipeline (issue 3) lands: documents, bytes,
// tokens and bytes per token for every value of a group key (default `lang`), plus the
// totals and the throughput. Lines without a string at the text key are counted as bad
// (named on stderr, first 10 per file) and skipped.
#include <tbb/enumerable_thread_specific.h>
#include <tbb/global_control.h>
#include <tbb/parallel_for.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "corpus/input/block_reader.h"
#include "corpus/jsonl_field.h"
#include "corpus/manifest.h"
#include "tokenizer/tokenizer.h"
#include "tools/cli/flags.h"
#include "tools/cli/vocab_path.h"
#include "tools/commands.h"

namespace rwkvkit::cli {
namespace {

constexpr char kUsage[] = R"(usage: rwkvkit stats [--key KEY] [--group-key KEY] [--json FILE] [--threads N] [--vocab PATH] FILE...
       rwkvkit stats --manifest MANIFEST [--group-key KEY] [--json FILE] [--threads N] [--vocab PATH]

Tokenizes the string at KEY (default: text) of every JSONL line of the FILEs (or of every
source of a corpus manifest, data_manifests/README.md, with its own text key; a source's
`language` replaces the group key when grouping by language) and prints, for
each value of the group key (default: lang; `(none)` when a line lacks it), the documents,
bytes, tokens and bytes per token, then the totals and the throughput. Token counts include
no end-of-document token. Lines that are not a JSON object with a string at KEY are counted
as bad and named on stderr (the first 10 per file).

  --json FILE   also write the numbers as JSON (written to a temporary name, then renamed)
  --threads N   threads to use (default: all cores)
  --vocab PATH  the vocab file (default: $RWKVKIT_VOCAB, else the copy tools/setup.sh installed)
)";

constexpr size_t kBlockBytes = 16 << 20;
constexpr size_t kMaxReportedBadLines = 10;

struct Counts {
  uint64_t docs = 0, bytes = 0, tokens = 0;
  void Add(const Counts& o) {
    docs += o.docs;
    bytes += o.bytes;
    tokens += o.tokens;
  }
};

struct LocalState {
  std::unique_ptr<corpus::JsonlFieldReader> reader;
  std::map<std::string, Counts> groups;
  std::vector<uint16_t> ids;
};

struct Totals {
  std::map<std::string, Counts> groups;
  std::map<std::string, Counts> sources;  // with --manifest
  uint64_t bad_lines = 0, input_bytes = 0;
};

// Adds one JSONL file to `totals`; every document goes to group `fixed_group` when it is set.
absl::Status StatsFile(const tokenizer::Tokenizer& tok, const std::string& path, const std::string& key,
                       const std::string& group_key, const std::optional<std::string>& fixed_group, Totals& totals) {
  absl::StatusOr<corpus::BlockReader> reader = corpus::BlockReader::Open(path);
  if (!reader.ok()) return reader.status();
  tbb::enumerable_thread_specific<LocalState> local;
  corpus::LineBlock block;
  std::vector<std::string_view> lines;
  size_t reported = 0;
  for (;;) {
    absl::StatusOr<bool> more = reader->Next(block, kBlockBytes);
    if (!more.ok()) return more.status();
    if (!*more) break;
    const size_t line_no = block.first_line;
    lines.clear();
    for (size_t k = 0; k < block.size(); ++k) lines.push_back(block.line(k));
    std::vector<std::string> errors(lines.size());
    tbb::parallel_for(size_t{0}, lines.size(), [&](size_t i) {
      LocalState& st = local.local();
      if (!st.reader) st.reader = std::make_unique<corpus::JsonlFieldReader>(std::vector<std::string>{key, group_key});
      std::string_view line = lines[i];
      if (line_no + i == 1 && line.substr(0, 3) == "\xEF\xBB\xBF") line.remove_prefix(3);
      absl::Status s = st.reader->Read(line);
      absl::StatusOr<std::string_view> text = s.ok() ? st.reader->Field(0) : absl::StatusOr<std::string_view>(s);
      if (!text.ok()) {
        errors[i] = std::string(text.status().message());
        return;
      }
      absl::StatusOr<std::string_view> group = st.reader->Field(1);
      st.ids.clear();
      tok.EncodeInto(*text, st.ids);
      Counts& c = st.groups[fixed_group ? *fixed_group : group.ok() ? std::string(*group) : std::string("(none)")];
      c.docs += 1;
      c.bytes += text->size();
      c.tokens += st.ids.size();
    });
    for (size_t i = 0; i < lines.size(); ++i) {
      if (errors[i].empty()) continue;
      ++totals.bad_lines;
      if (reported++ < kMaxReportedBadLines)
        std::fprintf(stderr, "rwkvkit stats: %s:%zu: %s\n", path.c_str(), line_no + i, errors[i].c_str());
    }
  }
  totals.input_bytes += reader->file_size();
  for (LocalState& st : local)
    for (const auto& [g, c] : st.groups) totals.groups[g].Add(c);
  return absl::OkStatus();
}

absl::Status StatsFiles(const tokenizer::Tokenizer& tok, const std::vector<std::string>& paths, const std::string& key,
                        const std::string& group_key, Totals& totals) {
  for (const std::string& path : paths) {
    absl::Status s = StatsFile(tok, path, key, group_key, std::nullopt, totals);
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::Status StatsManifest(const tokenizer::Tokenizer& tok, const std::string& manifest_path,
                           const std::string& group_key, Totals& totals) {
  absl::StatusOr<corpus::Manifest> m = corpus::LoadManifest(manifest_path);
  if (!m.ok()) return m.status();
  for (const corpus::ManifestSource& src : m->sources) {
    if (src.format != "jsonl")
      return absl::UnimplementedError(absl::StrCat(manifest_path, ": source \"", src.name, "\": format \"", src.format,
                                                   "\" is not read by `stats` yet (jsonl only)"));
    Totals one;
    const std::optional<std::string> fixed = group_key == "lang" ? src.language : std::nullopt;
    for (const auto& path : src.paths) {
      absl::Status s = StatsFile(tok, path.string(), src.text_key, group_key, fixed, one);
      if (!s.ok()) return s;
    }
    Counts& sc = totals.sources[src.name];
    for (const auto& [g, c] : one.groups) {
      totals.groups[g].Add(c);
      sc.Add(c);
    }
    totals.bad_lines += one.bad_lines;
    totals.input_bytes += one.input_bytes;
  }
  return absl::OkStatus();
}

std::string JsonEscape(std::string_view s) {
  std::string out;
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') absl::StrAppend(&out, "\\", std::string(1, ch));
    else if (c < 0x20) absl::StrAppend(&out, absl::StrFormat("\\u%04x", c));
    else out.push_back(ch);
  }
  return out;
}

std::string JsonCounts(const std::map<std::string, Counts>& m) {
  std::string j = "{";
  bool first = true;
  for (const auto& [g, c] : m) {
    absl::StrAppend(&j, first ? "\n" : ",\n", "    \"", JsonEscape(g), "\": {\"docs\": ", c.docs, ", \"bytes\": ", c.bytes,
                    ", \"tokens\": ", c.tokens, "}");
    first = false;
  }
  return j + (first ? "}" : "\n  }");
}

absl::Status WriteJson(const std::string& path, const Totals& t, const Counts& all, double seconds) {
  std::string j = "{\n  \"groups\": " + JsonCounts(t.groups) + ",\n  \"sources\": " + JsonCounts(t.sources);
  absl::StrAppend(&j, ",\n  \"total\": {\"docs\": ", all.docs, ", \"bytes\": ", all.bytes, ", \"tokens\": ", all.tokens,
                  "},\n  \"bad_lines\": ", t.bad_lines, ",\n  \"input_bytes\": ", t.input_bytes,
                  absl::StrFormat(",\n  \"seconds\": %.6f\n}\n", seconds));
  const std::string tmp = path + ".tmp";
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    f << j;
    f.flush();
    if (!f) return absl::UnavailableError(absl::StrCat(tmp, ": cannot write"));
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0)
    return absl::UnavailableError(absl::StrCat(path, ": cannot rename ", tmp, " into place"));
  return absl::OkStatus();
}

void PrintTable(const Totals& t, const Counts& all, double seconds) {
  std::printf("%-16s %8s %12s %12s %9s\n", "group", "docs", "bytes", "tokens", "bytes/tok");
  for (const auto& [g, c] : t.groups)
    std::printf("%-16s %8llu %12llu %12llu %9.3f\n", g.c_str(), static_cast<unsigned long long>(c.docs),
                static_cast<unsigned long long>(c.bytes), static_cast<unsigned long long>(c.tokens),
                c.tokens ? static_cast<double>(c.bytes) / static_cast<double>(c.tokens) : 0.0);
  std::printf("%-16s %8llu %12llu %12llu %9.3f\n", "TOTAL", static_cast<unsigned long long>(all.docs),
              static_cast<unsigned long long>(all.bytes), static_cast<unsigned long long>(all.tokens),
              all.tokens ? static_cast<double>(all.bytes) / static_cast<double>(all.tokens) : 0.0);
  if (!t.sources.empty()) {
    std::printf("\n%-24s %8s %12s %12s %9s\n", "source", "docs", "bytes", "tokens", "bytes/tok");
    for (const auto& [g, c] : t.sources)
      std::printf("%-24s %8llu %12llu %12llu %9.3f\n", g.c_str(), static_cast<unsigned long long>(c.docs),
                  static_cast<unsigned long long>(c.bytes), static_cast<unsigned long long>(c.tokens),
                  c.tokens ? static_cast<double>(c.bytes) / static_cast<double>(c.tokens) : 0.0);
  }
  std::printf("bad lines: %llu; read %.1f MB in %.3f s (%.1f MB/s including JSON parsing)\n",
              static_cast<unsigned long long>(t.bad_lines), static_cast<double>(t.input_bytes) / 1e6, seconds,
              seconds > 0 ? static_cast<double>(t.input_bytes) / 1e6 / seconds : 0.0);
}

}  // namespace

int RunStats(int argc, char** argv) {
  absl::StatusOr<ParsedFlags> flags =
      ParseFlags(argc, argv, {{"vocab", "threads", "key", "group-key", "json", "manifest"}, {"help"}});
  if (!flags.ok()) return ReportError("stats", flags.status());
  if (flags->Has("help")) {
    std::fputs(kUsage, stdout);
    return 0;
  }
  const bool use_manifest = flags->Has("manifest");
  if (use_manifest == !flags->positional.empty())
    return ReportError("stats", absl::InvalidArgumentError("give either input FILEs or --manifest (see --help)"));
  absl::StatusOr<long> threads = flags->GetInt("threads", 0, 0, 4096);
  if (!threads.ok()) return ReportError("stats", threads.status());
  std::optional<tbb::global_control> limit;
  if (*threads > 0) limit.emplace(tbb::global_control::max_allowed_parallelism, static_cast<size_t>(*threads));
  absl::StatusOr<tokenizer::Tokenizer> tok = LoadTokenizer(flags->Get("vocab"));
  if (!tok.ok()) return ReportError("stats", tok.status());
  const std::string group_key = flags->Get("group-key").value_or("lang");
  const auto start = std::chrono::steady_clock::now();
  Totals totals;
  absl::Status s = use_manifest ? StatsManifest(*tok, *flags->Get("manifest"), group_key, totals)
                                : StatsFiles(*tok, flags->positional, flags->Get("key").value_or("text"), group_key, totals);
  if (!s.ok()) return ReportError("stats", s);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  Counts all;
  for (const auto& [g, c] : totals.groups) all.Add(c);
  PrintTable(totals, all, seconds);
  if (const std::optional<std::string> json = flags->Get("json")) {
    absl::Status s = WriteJson(*json, totals, all, seconds);
    if (!s.ok()) return ReportError("stats", s);
  }
  return 0;
}

}  // namespace rwkvkit::cli

// tools/cmd_bench.cc — `rwkvkit bench tokenizer`: per-language tokenizer numbers of a JSONL corpus.
//
// For every language (the record's `lang` field, else CLD2): documents, bytes, characters,
// words, and for each vocab (the World vocab, and optionally others in the same greedy format
// side by side) tokens, bytes per token, characters per token, tokens per word, and encode
// speed in MB/s on one thread and on all cores. The counting, the speed runs and the TOTAL row
// live in tools/bench_tokenizer.h; this file parses the flags and prints the aligned table and
// the JSON (temporary name, then rename). Speed is measured on texts held in memory and never
// asserted by tests.
#include <tbb/global_control.h>
#include <tbb/info.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/file_io.h"
#include "base/json_writer.h"
#include "corpus/filters/language_id.h"
#include "corpus/input/block_reader.h"
#include "corpus/input/input_paths.h"
#include "tools/cli/flags.h"
#include "tools/cli/vocab_path.h"
#include "tools/commands.h"
#include "tools/bench_tokenizer.h"

namespace rwkvkit::cli {
namespace {

Flag RepeatedVocabFlag() {
  Flag f = VocabFlag();
  f.kind = FlagKind::kRepeated;
  f.help = "a vocab file (repeatable: each is one column group, named by its file\n"
           "stem; default: $RWKVKIT_VOCAB, else the installed copy)";
  return f;
}

const CommandSpec kSpec{
    "bench tokenizer",
    "--input FILE [--input FILE ...] [options]\n--manifest MANIFEST [options]",
    R"(Tokenizes the documents of JSONL / JSONL.zst files (or of every source of a corpus manifest)
and prints, per language: documents, bytes, characters (code points), words, and for each
vocab the tokens, bytes per token, characters per token, tokens per word, and encode speed
(MB/s = 10^6 bytes/s of text, tokenizer only, texts held in memory, median of the repeats)
on one thread and on --threads threads. Words are whitespace-separated runs holding a letter
or a number; languages written without spaces (zh, ja, th, lo, km, my, bo) show n/a. The
language is the string at --lang-key, else CLD2's guess (a manifest source's `language`
comes first). Bad lines are counted and the first 10 per file named on stderr (file:line).)",
    {
        {"input", FlagKind::kRepeated, "PATH",
         "a JSONL or JSONL.zst file, a directory or a glob, as for `build --input`\n"
         "(repeatable; further PATHs may follow)"},
        {"manifest", FlagKind::kValue, "FILE", "read the sources of a corpus manifest instead (jsonl, jsonl.zst, text)"},
        TextKeyFlag("the text key of --input files (default: text)"),
        {"key", FlagKind::kValue, "KEY", "", 0, "text-key"},
        {"lang-key", FlagKind::kValue, "KEY", "the language key (default: lang)"},
        {"detect-lang", FlagKind::kBool, "", "use CLD2 for every document, ignoring --lang-key and manifest languages"},
        RepeatedVocabFlag(),
        {"compare", FlagKind::kRepeated, "NAME=PATH", "another vocab in the same greedy format, shown as NAME (repeatable)"},
        {"json", FlagKind::kValue, "FILE", "also write the numbers as JSON (temporary name, then renamed)"},
        MaxRecordBytesFlag(),
        ThreadsFlag("threads of the all-cores speed run and of the counting (default: all)"),
        {"repeats", FlagKind::kValue, "N", "timed repeats per language and vocab (default: 5; the median is kept)"},
        {"sample-mb", FlagKind::kValue, "N", "MB of each language kept in memory for the speed runs (default: 8)"},
        {"no-speed", FlagKind::kBool, "", "counts only, no timing"},
        NoProgressFlag(),
    }};

constexpr char kTopUsage[] = R"(usage: rwkvkit bench tokenizer [options]   (see rwkvkit bench tokenizer --help)
)";

struct BenchRun {
  std::vector<BenchInput> inputs;
  std::vector<BenchVocab> vocabs;
  BenchOptions options;
  int threads = 1;
  int repeats = 5;
  bool speed = true;
};

std::optional<double> Ratio(uint64_t a, uint64_t b) {
  if (b == 0) return std::nullopt;
  return static_cast<double>(a) / static_cast<double>(b);
}

absl::Status AddVocab(const std::string& name, const std::string& path, std::vector<BenchVocab>& vocabs) {
  for (const BenchVocab& v : vocabs)
    if (v.name == name) return absl::InvalidArgumentError(absl::StrCat("two vocabs are named \"", name, "\""));
  absl::StatusOr<tokenizer::Tokenizer> tok = cli::LoadTokenizer(path);
  if (!tok.ok()) return tok.status();
  vocabs.push_back(BenchVocab{name, path, *std::move(tok)});
  return absl::OkStatus();
}

absl::Status LoadVocabs(const ParsedFlags& flags, std::vector<BenchVocab>& vocabs) {
  std::vector<std::string> paths;
  paths = flags.GetAll("vocab");
  if (paths.empty()) {
    absl::StatusOr<std::string> p = ResolveVocabPath(std::nullopt);
    if (!p.ok()) return p.status();
    paths.push_back(*p);
  }
  for (const std::string& p : paths) {
    std::string name = std::filesystem::path(p).stem().string();
    for (int k = 2; std::any_of(vocabs.begin(), vocabs.end(), [&](const BenchVocab& v) { return v.name == name; }); ++k)
      name = absl::StrCat(std::filesystem::path(p).stem().string(), "-", k);
    absl::Status s = AddVocab(name, p, vocabs);
    if (!s.ok()) return s;
  }
  {
    for (const std::string& c : flags.GetAll("compare")) {
      const size_t eq = c.find('=');
      if (eq == std::string::npos || eq == 0 || eq + 1 == c.size())
        return absl::InvalidArgumentError(absl::StrCat("--compare wants NAME=PATH (saw \"", c, "\")"));
      absl::Status s = AddVocab(c.substr(0, eq), c.substr(eq + 1), vocabs);
      if (!s.ok()) return s;
    }
  }
  return absl::OkStatus();
}

absl::Status ParseRun(const ParsedFlags& flags, BenchRun& run) {
  std::vector<std::string> files = flags.positional;
  const std::vector<std::string> inputs = flags.GetAll("input");
  files.insert(files.begin(), inputs.begin(), inputs.end());
  if (flags.Has("manifest") == !files.empty())
    return absl::InvalidArgumentError("give either --input FILE... or --manifest (see --help)");
  const std::string key = flags.Get("text-key").value_or("text");
  for (const std::string& f : files) {
    // As `rwkvkit build --input`: a file, directory or glob; the format from the name and content.
    absl::StatusOr<std::vector<std::filesystem::path>> expanded =
        corpus::input::ExpandInputPaths({std::filesystem::path(f)}, "auto");
    if (!expanded.ok()) return expanded.status();
    for (const auto& p : *expanded) run.inputs.push_back(BenchInput{p.string(), key, "", "", "auto"});
  }
  if (flags.Has("manifest")) {
    absl::Status s = AddManifestInputs(*flags.Get("manifest"), run.inputs);
    if (!s.ok()) return s;
  }
  run.options.lang_key = flags.Get("lang-key").value_or("lang");
  run.options.force_detect = flags.Has("detect-lang");
  absl::StatusOr<long> threads = flags.GetInt("threads", tbb::info::default_concurrency(), 1, 4096);
  absl::StatusOr<long> repeats = flags.GetInt("repeats", 5, 1, 1000);
  absl::StatusOr<long> max_record = flags.GetInt("max-record-bytes", static_cast<long>(corpus::input::kDefaultMaxRecordBytes),
                                                 1, kMaxRecordBytesLimit);
  if (!max_record.ok()) return max_record.status();
  run.options.max_record_bytes = static_cast<uint64_t>(*max_record);
  absl::StatusOr<long> sample_mb = flags.GetInt("sample-mb", 8, 1, 1 << 20);
  for (const auto* v : {&threads, &repeats, &sample_mb})
    if (!v->ok()) return v->status();
  run.threads = static_cast<int>(*threads);
  run.repeats = static_cast<int>(*repeats);
  run.options.sample_bytes = static_cast<uint64_t>(*sample_mb) * 1000000;
  run.speed = !flags.Has("no-speed");
  run.options.progress = !flags.Has("no-progress");
  return LoadVocabs(flags, run.vocabs);
}

std::string Fixed(std::optional<double> x, int digits) {
  return x ? absl::StrFormat("%.*f", digits, *x) : std::string("n/a");
}

// One table row per (language, vocab); the language columns only on its first vocab row.
// word_tokens[v]: the tokens that go with l.words (all of them, except in the TOTAL row).
void AddRows(const BenchRun& run, const std::string& code, const LanguageCounts& l, bool words,
             const std::vector<uint64_t>& word_tokens, const std::vector<std::optional<SpeedResult>>& speed,
             std::vector<std::vector<std::string>>& rows) {
  for (size_t v = 0; v < run.vocabs.size(); ++v) {
    const uint64_t tokens = l.tokens[v];
    std::vector<std::string> row = {"", "", "", "", ""};
    if (v == 0)
      row = {code, absl::StrCat(l.docs), absl::StrCat(l.bytes), absl::StrCat(l.chars),
             words ? absl::StrCat(l.words) : std::string("n/a")};
    row.insert(row.end(), {run.vocabs[v].name, absl::StrCat(tokens), Fixed(Ratio(l.bytes, tokens), 3),
                           Fixed(Ratio(l.chars, tokens), 3),
                           Fixed(words ? Ratio(word_tokens[v], l.words) : std::nullopt, 3)});
    if (run.speed) {
      row.push_back(Fixed(speed[v] ? std::optional<double>(speed[v]->mb_per_s_one_thread) : std::nullopt, 1));
      row.push_back(Fixed(speed[v] ? std::optional<double>(speed[v]->mb_per_s_threads) : std::nullopt, 1));
    }
    rows.push_back(std::move(row));
  }
}

void PrintRows(const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> width(rows[0].size(), 0);
  for (const auto& r : rows)
    for (size_t c = 0; c < r.size(); ++c) width[c] = std::max(width[c], r[c].size());
  for (const auto& r : rows) {
    std::string line;
    for (size_t c = 0; c < r.size(); ++c) {
      const bool left = c == 0 || c == 5;  // lang and vocab names
      const std::string pad(width[c] - r[c].size(), ' ');
      absl::StrAppend(&line, c ? "  " : "", left ? r[c] + pad : pad + r[c]);
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    std::printf("%s\n", line.c_str());
  }
}

void PrintTable(const BenchRun& run, const CorpusCounts& counts, const SpeedTable& speed, const BenchTotal& total) {
  std::vector<std::vector<std::string>> rows = {
      {"lang", "docs", "bytes", "chars", "words", "vocab", "tokens", "bytes/tok", "chars/tok", "tok/word"}};
  if (run.speed) {
    rows[0].push_back("MB/s 1t");
    rows[0].push_back(absl::StrCat("MB/s ", run.threads, "t"));
  }
  size_t li = 0;
  for (const auto& [code, l] : counts.languages)
    AddRows(run, code, l, !corpus::filters::WrittenWithoutSpaces(code), l.tokens, speed[li++], rows);
  AddRows(run, "TOTAL", total.counts, true, total.word_lang_tokens, total.speed, rows);
  PrintRows(rows);
  const std::string from = run.options.force_detect
                               ? std::string("CLD2 (forced)")
                               : absl::StrCat("the \"", run.options.lang_key, "\" field, else CLD2");
  std::printf("bad lines: %llu, unreadable files: %llu; languages from %s; %s\n",
              static_cast<unsigned long long>(counts.bad_lines), static_cast<unsigned long long>(counts.bad_files),
              from.c_str(),
              run.speed ? absl::StrFormat("speed: tokenizer only, median of %d repeats", run.repeats).c_str()
                        : "speed not measured (--no-speed)");
}

void Number(base::JsonWriter& w, std::optional<double> x) {
  if (x) w.Fixed(*x, 6);
  else w.Null();
}

// {"documents": .., "vocabs": {"name": {...}, ...}} of one language or of the total.
void Language(base::JsonWriter& w, const BenchRun& run, const LanguageCounts& l, bool words,
              const std::vector<uint64_t>& word_tokens, const std::vector<std::optional<SpeedResult>>& speed,
              int indent) {
  w.BeginObject().Key("documents").Uint(l.docs).Key("bytes").Uint(l.bytes).Key("characters").Uint(l.chars);
  w.Key("words");
  if (words) w.Uint(l.words);
  else w.Null();
  w.Key("detected_documents").Uint(l.detected_docs).Key("vocabs").BeginObject();
  for (size_t v = 0; v < run.vocabs.size(); ++v) {
    const uint64_t t = l.tokens[v];
    const std::optional<SpeedResult>& s = speed[v];
    w.Break(indent + 2).Key(run.vocabs[v].name).BeginObject().Key("tokens").Uint(t);
    Number(w.Key("bytes_per_token"), Ratio(l.bytes, t));
    Number(w.Key("characters_per_token"), Ratio(l.chars, t));
    Number(w.Key("tokens_per_word"), words ? Ratio(word_tokens[v], l.words) : std::nullopt);
    Number(w.Key("encode_mb_per_s_1_thread"), s ? std::optional<double>(s->mb_per_s_one_thread) : std::nullopt);
    Number(w.Key("encode_mb_per_s_all_threads"), s ? std::optional<double>(s->mb_per_s_threads) : std::nullopt);
    w.Key("speed_sample_bytes").Uint(s ? s->sample_bytes : 0).EndObject();
  }
  w.Break(indent).EndObject().EndObject();
}

std::string MakeJson(const BenchRun& run, const CorpusCounts& counts, const SpeedTable& speed, const BenchTotal& total) {
  base::JsonWriter w;
  w.BeginObject().Break(2).Key("command").String("bench tokenizer");
  w.Break(2).Key("inputs").BeginArray();
  for (const auto& input : run.inputs) w.String(input.path);
  w.EndArray().Break(2).Key("vocabs").BeginArray();
  for (const auto& v : run.vocabs) {
    w.BeginObject().Key("name").String(v.name).Key("path").String(v.path);
    w.Key("entries").Uint(v.tok.num_entries()).EndObject();
  }
  w.EndArray().Break(2).Key("language_key");
  if (run.options.force_detect) w.Null();
  else w.String(run.options.lang_key);
  w.Break(2).Key("threads").Int(run.threads).Break(2).Key("repeats").Int(run.speed ? run.repeats : 0);
  w.Break(2).Key("speed_measured").Bool(run.speed).Break(2).Key("languages").BeginObject();
  size_t li = 0;
  for (const auto& [code, l] : counts.languages) {
    const bool words = !corpus::filters::WrittenWithoutSpaces(code);
    Language(w.Break(4).Key(code), run, l, words, l.tokens, speed[li], 4);
    ++li;
  }
  if (li > 0) w.Break(2);
  w.EndObject();
  Language(w.Break(2).Key("total"), run, total.counts, true, total.word_lang_tokens, total.speed, 2);
  w.Break(2).Key("bad_lines").Uint(counts.bad_lines).Break(2).Key("bad_files").Uint(counts.bad_files);
  w.Break(2).Key("input_bytes").Uint(counts.input_bytes).Break(0).EndObject().Text("\n");
  return w.Take();
}

int RunBenchTokenizer(int argc, char** argv) {
  ParsedFlags flags;
  if (const std::optional<int> rc = ParseCommandLine(argc, argv, kSpec, flags)) return *rc;
  BenchRun run;
  if (absl::Status s = ParseRun(flags, run); !s.ok()) return ReportError("bench tokenizer", s);
  CorpusCounts counts;
  {
    tbb::global_control limit(tbb::global_control::max_allowed_parallelism, static_cast<size_t>(run.threads));
    if (absl::Status s = CountCorpus(run.inputs, run.vocabs, run.options, counts); !s.ok())
      return ReportError("bench tokenizer", s);
  }
  absl::StatusOr<SpeedTable> speed = MeasureAllSpeeds(run.vocabs, counts, run.speed, run.threads, run.repeats);
  if (!speed.ok()) return ReportError("bench tokenizer", speed.status());
  const BenchTotal total = MakeTotal(run.vocabs.size(), counts, *speed);
  PrintTable(run, counts, *speed, total);
  if (const std::optional<std::string> json = flags.Get("json")) {
    if (absl::Status s = base::WriteFileAtomically(*json, MakeJson(run, counts, *speed, total)); !s.ok())
      return ReportError("bench tokenizer", s);
  }
  return 0;
}

}  // namespace

int RunBench(int argc, char** argv) {
  const std::string what = argc >= 2 ? argv[1] : "";
  if (what == "tokenizer") return RunBenchTokenizer(argc - 1, argv + 1);
  if (what == "--help" || what == "-h" || what == "help") {
    std::fputs(kTopUsage, stdout);
    return 0;
  }
  if (what == "--version" || what == "-V") {
    std::puts(VersionLine());
    return 0;
  }
  std::string msg = "what to benchmark? (tokenizer)";
  if (!what.empty()) {
    const std::optional<std::string> close = Suggest(what, {"tokenizer"});
    msg = absl::StrCat("unknown benchmark '", what, "'", close ? absl::StrCat(" (did you mean '", *close, "'?)") : "");
  }
  std::fprintf(stderr, "rwkvkit bench: %s\n%s", msg.c_str(), kTopUsage);
  return 2;
}

}  // namespace rwkvkit::cli

// bench/tokenizer_bench.cc — throughput of the World tokenizer's encode paths on a JSONL corpus.
//
// Times, on the string at KEY (default `text`) of every JSONL line: per document
// EncodeSingleStream, EncodeInto, EncodeBatch (1 and N threads); on all texts back to back
// EncodeSingleStream and EncodeParallel (1 and N threads). Prints best and median of `--repeats`
// (MB = 10^6 bytes); method and options: docs/tokenizer_bench.md. Every variant must give exactly
// the plain walk's ids (and EncodeBatch its document boundaries), else exit status 1.
// `--json FILE` writes the numbers for bench/compare_tokenizers.py (base/file_io.h).
//
// Not a test: built only with -DRWKVKIT_BUILD_BENCH=ON, never run by ctest. Single process;
// the N-thread variants use TBB.
//
//   tokenizer_bench --vocab .rwkvkit/vocab/rwkv_vocab_v20230424.txt
//                   --corpus .rwkvkit/demo/demo.jsonl [--threads N] [--repeats 5] [--json out.json]
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "base/file_io.h"
#include "base/json_writer.h"
#include "simdjson.h"
#include "tokenizer/internal/vector_walk.h"
#include "tokenizer/batch_encoder.h"
#include "tokenizer/tokenizer.h"

namespace {

using rwkvkit::tokenizer::EncodedBatch;
using rwkvkit::tokenizer::Tokenizer;
using Clock = std::chrono::steady_clock;
using Ids = std::vector<uint16_t>;

struct Options {
  std::string vocab;
  std::string corpus;
  std::string key = "text";
  std::string json_path;
  int repeats = 5;
  int threads = 0;  // 0: every hardware thread
  double min_seconds = 0.2;
};

// All texts back to back in `bytes`; docs[i] views document i inside it, so `bytes` is also
// the concatenation input.
struct Corpus {
  std::string bytes;
  std::vector<std::string_view> docs;
  size_t lines = 0;
  size_t skipped = 0;  // lines without a string at the key
  size_t first_skipped_line = 0;
};

struct Measurement {
  std::string name;
  std::string input;  // "documents" or "concatenation"
  int threads = 1;
  size_t bytes = 0;
  size_t tokens = 0;
  double best_s = 0;
  double median_s = 0;
  int passes = 1;  // runs per repeat
  bool ids_match = true;
  bool cpu_clock = false;  // timed by thread CPU time (else wall)
};

double Seconds(Clock::time_point a, Clock::time_point b) { return std::chrono::duration<double>(b - a).count(); }

void PrintUsage() {
  std::fprintf(stderr,
               "usage: tokenizer_bench --vocab PATH --corpus FILE.jsonl [--key KEY] [--threads N]\n"
               "                       [--repeats R] [--min-seconds S] [--json FILE]\n");
}

bool ParseOptions(int argc, char** argv, Options& o) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    const bool has_value = i + 1 < argc;
    if (a == "--vocab" && has_value) o.vocab = argv[++i];
    else if (a == "--corpus" && has_value) o.corpus = argv[++i];
    else if (a == "--key" && has_value) o.key = argv[++i];
    else if (a == "--json" && has_value) o.json_path = argv[++i];
    else if (a == "--threads" && has_value) o.threads = std::atoi(argv[++i]);
    else if (a == "--repeats" && has_value) o.repeats = std::atoi(argv[++i]);
    else if (a == "--min-seconds" && has_value) o.min_seconds = std::atof(argv[++i]);
    else return false;
  }
  if (o.threads <= 0) o.threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  return !o.vocab.empty() && !o.corpus.empty() && o.repeats > 0 && o.min_seconds >= 0;
}

// The string at `key` of one JSONL line, copied into `out`; false when the line is not an
// object with a string there. `line` lies inside a simdjson::padded_string, so the bytes
// after it are readable padding.
bool ExtractText(simdjson::ondemand::parser& parser, const char* line, size_t len, size_t capacity,
                 std::string_view key, std::string& out) {
  simdjson::ondemand::document doc;
  if (parser.iterate(simdjson::padded_string_view(line, len, capacity)).get(doc) != simdjson::SUCCESS) return false;
  simdjson::ondemand::object obj;
  if (doc.get_object().get(obj) != simdjson::SUCCESS) return false;
  std::string_view text;
  if (obj.find_field_unordered(key).get_string().get(text) != simdjson::SUCCESS) return false;
  out.append(text);  // the view dies with the next iterate()
  return true;
}

absl::StatusOr<Corpus> ReadCorpus(const std::string& path, std::string_view key) {
  simdjson::padded_string json;
  if (simdjson::padded_string::load(path).get(json) != simdjson::SUCCESS)
    return absl::NotFoundError(absl::StrCat(path, ": cannot read the corpus"));
  simdjson::ondemand::parser parser;
  Corpus c;
  std::vector<size_t> ends;
  const char* base = json.data();
  const size_t size = json.size();
  for (size_t pos = 0; pos < size;) {
    const char* nl = static_cast<const char*>(std::memchr(base + pos, '\n', size - pos));
    const size_t end = nl ? static_cast<size_t>(nl - base) : size;
    ++c.lines;
    if (ExtractText(parser, base + pos, end - pos, size + simdjson::SIMDJSON_PADDING - pos, key, c.bytes)) {
      ends.push_back(c.bytes.size());
    } else if (end > pos) {
      if (c.skipped++ == 0) c.first_skipped_line = c.lines;
    }
    pos = end + 1;
  }
  size_t begin = 0;
  for (size_t e : ends) {
    c.docs.emplace_back(c.bytes.data() + begin, e - begin);
    begin = e;
  }
  if (c.docs.empty()) return absl::InvalidArgumentError(absl::StrCat(path, ": no line has a string at \"", std::string(key), "\""));
  return c;
}

// Runs `run` (which fills its argument with ids) once to warm up, then `repeats` timed
// repeats of `passes` runs each; the ids of the last run stay in `ids`.
// One-thread variants are timed by the thread's CPU time (the dev machine is shared: time the
// core spent on other processes is not counted), the others by wall time.
Measurement Measure(std::string name, std::string input, int threads, size_t bytes, const Options& o,
                    const std::function<void(Ids&)>& run, Ids& ids) {
  Measurement m{std::move(name), std::move(input), threads, bytes};
  m.cpu_clock = threads == 1;
  auto now = [&] {
    if (!m.cpu_clock) return std::chrono::duration<double>(Clock::now().time_since_epoch()).count();
    timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
  };
  double t0 = now();
  run(ids);
  const double warm = std::max(now() - t0, 1e-6);
  m.passes = std::max(1, static_cast<int>(std::ceil(o.min_seconds / warm)));
  std::vector<double> times;
  for (int r = 0; r < o.repeats; ++r) {
    t0 = now();
    for (int k = 0; k < m.passes; ++k) run(ids);
    times.push_back((now() - t0) / m.passes);
  }
  std::sort(times.begin(), times.end());
  m.best_s = times.front();
  m.median_s = times[times.size() / 2];
  m.tokens = ids.size();
  return m;
}

// Compares a variant's ids with the plain walk's; prints the first difference.
bool SameIds(const Measurement& m, const Ids& want, const Ids& got) {
  if (want == got) return true;
  size_t i = 0;
  while (i < want.size() && i < got.size() && want[i] == got[i]) ++i;
  std::fprintf(stderr, "MISMATCH %s (%s, %d threads): %zu ids, plain walk %zu; first difference at id %zu",
               m.name.c_str(), m.input.c_str(), m.threads, got.size(), want.size(), i);
  if (i < want.size() && i < got.size()) std::fprintf(stderr, " (%u vs %u)", got[i], want[i]);
  std::fprintf(stderr, "\n");
  return false;
}

void PrintTable(const std::vector<Measurement>& ms) {
  std::printf("\n%-34s %-13s %7s %10s %10s %11s %12s\n", "variant", "input", "threads", "MB/s best", "MB/s med",
              "Mtok/s best", "tokens");
  for (const Measurement& m : ms) {
    std::printf("%-34s %-13s %7d %10.1f %10.1f %11.2f %12zu%s\n", m.name.c_str(), m.input.c_str(), m.threads,
                m.bytes / m.best_s / 1e6, m.bytes / m.median_s / 1e6, m.tokens / m.best_s / 1e6, m.tokens,
                m.ids_match ? "" : "  MISMATCH");
  }
  std::printf("MB = 10^6 bytes of input text; best and median of the repeats.\n");
}

struct RunInfo {
  const Options* opts;
  const Corpus* corpus;
  double vocab_load_ms;
  size_t memory_bytes;
  bool ok;
};

std::string ToJson(const RunInfo& r, const std::vector<Measurement>& ms) {
  rwkvkit::base::JsonWriter w;
  w.BeginObject().Break(2).Key("tool").String("rwkvkit").Break(2).Key("version").String(RWKVKIT_VERSION);
  w.Break(2).Key("compiler").String(__VERSION__).Break(2).Key("native").Bool(RWKVKIT_BENCH_NATIVE);
  w.Break(2).Key("corpus").String(r.opts->corpus).Break(2).Key("key").String(r.opts->key);
  w.Break(2).Key("documents").Uint(r.corpus->docs.size()).Break(2).Key("skipped_lines").Uint(r.corpus->skipped);
  w.Break(2).Key("bytes").Uint(r.corpus->bytes.size());
  w.Break(2).Key("hardware_threads").Uint(std::thread::hardware_concurrency());
  w.Break(2).Key("threads").Int(r.opts->threads).Break(2).Key("repeats").Int(r.opts->repeats);
  w.Break(2).Key("vocab_load_ms").Significant(r.vocab_load_ms, 6);
  w.Break(2).Key("memory_bytes").Uint(r.memory_bytes).Break(2).Key("ids_match").Bool(r.ok);
  w.Break(2).Key("vector_walk").String(rwkvkit::tokenizer::internal::VectorWalkTarget());
  w.Break(2).Key("vector_lanes").Uint(rwkvkit::tokenizer::internal::VectorWalkLanes());
  w.Break(2).Key("mb_is").String("10^6 bytes").Break(2).Key("results").BeginArray();
  for (const Measurement& m : ms) {
    w.Break(4).BeginObject().Key("name").String(m.name).Key("input").String(m.input);
    w.Key("threads").Int(m.threads).Key("bytes").Uint(m.bytes).Key("tokens").Uint(m.tokens);
    w.Key("best_s").Significant(m.best_s, 6).Key("median_s").Significant(m.median_s, 6).Key("passes").Int(m.passes);
    w.Key("mb_per_s").Significant(m.bytes / m.best_s / 1e6, 6);
    w.Key("mb_per_s_median").Significant(m.bytes / m.median_s / 1e6, 6);
    w.Key("tokens_per_s").Significant(m.tokens / m.best_s, 6).Key("ids_match").Bool(m.ids_match);
    w.Key("clock").String(m.cpu_clock ? "thread CPU" : "wall").EndObject();
  }
  w.Break(2).EndArray().Break(0).EndObject().Text("\n");
  return w.Take();
}

// The per-document variants; each must give the plain walk's ids and document boundaries.
bool RunDocumentVariants(const Tokenizer& tok, const Corpus& c, const Options& o, std::vector<Measurement>& ms) {
  const size_t bytes = c.bytes.size();
  const std::span<const std::string_view> docs(c.docs);
  std::vector<size_t> want_offsets = {0};
  Ids want, got;
  ms.push_back(Measure("Tokenizer::EncodeSingleStream", "documents", 1, bytes, o, [&](Ids& out) {
    out.clear();
    for (std::string_view d : docs) tok.EncodeSingleStream(d, out);
  }, want));
  for (std::string_view d : docs) {
    got.clear();
    tok.EncodeSingleStream(d, got);
    want_offsets.push_back(want_offsets.back() + got.size());
  }
  bool ok = true;
  ms.push_back(Measure("Tokenizer::EncodeInto (production)", "documents", 1, bytes, o, [&](Ids& out) {
    out.clear();
    for (std::string_view d : docs) tok.EncodeInto(d, out);
  }, got));
  ok &= ms.back().ids_match = SameIds(ms.back(), want, got);
  // The production path on each other instruction set this CPU runs (as on a CPU that has
  // nothing better); the row above used the best one.
  const std::vector<std::string> targets = rwkvkit::tokenizer::internal::VectorWalkTargetsOnThisCpu();
  for (size_t k = 1; k < targets.size(); ++k) {
    rwkvkit::tokenizer::internal::UseVectorWalkTarget(targets[k]);
    const bool simd = rwkvkit::tokenizer::internal::VectorWalkLanes() > 0;
    ms.push_back(Measure("Tokenizer::EncodeInto on " + (simd ? targets[k] : "no SIMD (scalar lanes)"), "documents", 1,
                         bytes, o, [&](Ids& out) {
                           out.clear();
                           for (std::string_view d : docs) tok.EncodeInto(d, out);
                         }, got));
    ok &= ms.back().ids_match = SameIds(ms.back(), want, got);
  }
  rwkvkit::tokenizer::internal::UseVectorWalkTarget("");
  for (int threads : {1, o.threads}) {
    std::vector<size_t> offsets;
    ms.push_back(Measure("EncodeBatch", "documents", threads, bytes, o, [&](Ids& out) {
      EncodedBatch b = rwkvkit::tokenizer::EncodeBatch(tok, docs, threads);
      out = std::move(b.ids);
      offsets = std::move(b.offsets);
    }, got));
    ms.back().ids_match = SameIds(ms.back(), want, got) && offsets == want_offsets;
    if (offsets != want_offsets) std::fprintf(stderr, "MISMATCH EncodeBatch (%d threads): document offsets\n", threads);
    ok &= ms.back().ids_match;
  }
  return ok;
}

// The variants on all texts back to back (tokens may now span documents).
bool RunConcatenationVariants(const Tokenizer& tok, const Corpus& c, const Options& o, std::vector<Measurement>& ms) {
  const std::string_view all(c.bytes);
  Ids want, got;
  ms.push_back(Measure("Tokenizer::EncodeSingleStream", "concatenation", 1, all.size(), o, [&](Ids& out) {
    out.clear();
    tok.EncodeSingleStream(all, out);
  }, want));
  bool ok = true;
  for (int threads : {1, o.threads}) {
    ms.push_back(Measure("EncodeParallel", "concatenation", threads, all.size(), o, [&](Ids& out) {
      out.clear();
      rwkvkit::tokenizer::EncodeParallel(tok, all, threads, out);
    }, got));
    ok &= ms.back().ids_match = SameIds(ms.back(), want, got);
  }
  return ok;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  if (!ParseOptions(argc, argv, o)) {
    PrintUsage();
    return 2;
  }
  const Clock::time_point t0 = Clock::now();
  absl::StatusOr<Tokenizer> tok = Tokenizer::Load(o.vocab);
  const double load_ms = Seconds(t0, Clock::now()) * 1e3;
  if (!tok.ok()) {
    std::fprintf(stderr, "tokenizer_bench: %s\n", tok.status().ToString().c_str());
    return 2;
  }
  absl::StatusOr<Corpus> corpus = ReadCorpus(o.corpus, o.key);
  if (!corpus.ok()) {
    std::fprintf(stderr, "tokenizer_bench: %s\n", corpus.status().ToString().c_str());
    return 2;
  }
  std::printf("vocab: %s: %zu entries, loaded in %.1f ms (parse + trie build); MemoryBytes() = %zu (%.2f MB)\n",
              o.vocab.c_str(), tok->num_entries(), load_ms, tok->MemoryBytes(), tok->MemoryBytes() / 1e6);
  std::printf("corpus: %s: %zu documents, %zu bytes (%.2f MB) of text at \"%s\"", o.corpus.c_str(),
              corpus->docs.size(), corpus->bytes.size(), corpus->bytes.size() / 1e6, o.key.c_str());
  if (corpus->skipped > 0)
    std::printf("; %zu lines skipped (first: line %zu)", corpus->skipped, corpus->first_skipped_line);
  std::printf("\nthreads: %d (hardware: %u); %d repeats of >= %.2f s after a warm-up\n", o.threads,
              std::thread::hardware_concurrency(), o.repeats, o.min_seconds);

  std::vector<Measurement> ms;
  bool ok = RunDocumentVariants(*tok, *corpus, o, ms);
  ok &= RunConcatenationVariants(*tok, *corpus, o, ms);
  PrintTable(ms);
  if (!o.json_path.empty()) {
    const RunInfo info{&o, &*corpus, load_ms, tok->MemoryBytes(), ok};
    if (absl::Status s = rwkvkit::base::WriteFileAtomically(o.json_path, ToJson(info, ms)); !s.ok()) {
      std::fprintf(stderr, "tokenizer_bench: %s\n", std::string(s.message()).c_str());
      return 2;
    }
  }
  if (!ok) {
    std::fprintf(stderr, "tokenizer_bench: the variants disagree (see MISMATCH above)\n");
    return 1;
  }
  return 0;
}

// tools/bench_tokenizer.cc — see bench_tokenizer.h.
//
// Performance notes: the counting pass parses and tokenizes the lines of one 16 MiB block in
// parallel (one JsonlFieldReader per thread) and adds the per-line results serially in line
// order, which keeps the speed samples (first documents of each language) deterministic.
// The speed measurement never includes JSON parsing or copying: the texts are already in
// memory and only Tokenizer::EncodeInto runs inside the timed loop.
#include "tools/bench_tokenizer.h"

#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>
#include <unicode/uchar.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "corpus/build/manifest.h"
#include "corpus/filters/language_id.h"
#include "corpus/filters/text_units.h"
#include "corpus/input/input_paths.h"
#include "corpus/input/record_source.h"
#include "corpus/input/jsonl_field.h"
#include "corpus/build/progress.h"
#include "simdjson.h"
#include "tokenizer/batch_encoder.h"

namespace rwkvkit::cli {
namespace {

constexpr size_t kBlockBytes = 16 << 20;
// Documents this large are encoded with EncodeParallel in the many-thread run, so that one
// huge document does not leave the other cores idle.
constexpr size_t kBigDocBytes = 4 << 20;

bool IsLetterOrNumber(char32_t c) {
  return (U_GET_GC_MASK(static_cast<UChar32>(c)) & (U_GC_L_MASK | U_GC_N_MASK)) != 0;
}

// What one line (document) adds; error non-empty for a bad line.
struct DocResult {
  std::string error;
  std::string lang;
  bool detected = false;
  uint64_t bytes = 0, chars = 0, words = 0;
  std::vector<uint64_t> tokens;
  std::string text;  // copied only while the language's speed sample has room
};

struct ThreadState {
  std::unique_ptr<corpus::input::JsonlFieldReader> reader;
  std::vector<uint16_t> ids;
};

void MeasureDoc(std::string_view text, std::string lang, const std::set<std::string>& full,
                const std::vector<BenchVocab>& vocabs, std::vector<uint16_t>& ids, DocResult& r) {
  if (lang.empty()) {
    r.lang = corpus::filters::IdentifyLanguage(text).code;
    r.detected = true;
  } else {
    r.lang = std::move(lang);
  }
  r.bytes = text.size();
  r.chars = corpus::filters::CodePoints(text);
  r.words = CountWords(text);
  r.tokens.resize(vocabs.size());
  for (size_t v = 0; v < vocabs.size(); ++v) {
    ids.clear();
    vocabs[v].tok.EncodeInto(text, ids);
    r.tokens[v] = ids.size();
  }
  if (!full.contains(r.lang)) r.text.assign(text);
}

// The serial half: adds one document to its language, in input order.
void AddDoc(DocResult& r, const BenchOptions& options, size_t num_vocabs, CorpusCounts& out) {
  LanguageCounts& l = out.languages[r.lang];
  if (l.tokens.empty()) l.tokens.assign(num_vocabs, 0);
  l.docs += 1;
  l.bytes += r.bytes;
  l.chars += r.chars;
  l.words += r.words;
  l.detected_docs += r.detected ? 1 : 0;
  for (size_t v = 0; v < num_vocabs; ++v) l.tokens[v] += r.tokens[v];
  if (l.sample.size() < options.sample_bytes && !r.text.empty()) {
    l.sample += r.text;
    l.sample_ends.push_back(l.sample.size());
  }
}

std::set<std::string> FullLanguages(const CorpusCounts& out, const BenchOptions& options) {
  std::set<std::string> full;
  for (const auto& [code, l] : out.languages)
    if (l.sample.size() >= options.sample_bytes) full.insert(code);
  return full;
}

void ReportBadLine(const std::string& where, const std::string& what, size_t& reported, const BenchOptions& options,
                   CorpusCounts& out) {
  ++out.bad_lines;
  if (reported++ < options.max_reported_bad_lines)
    std::fprintf(stderr, "rwkvkit bench: %s: %s\n", where.c_str(), what.c_str());
}

// The language of a record: the source's, else the record's field, else "" (CLD2 decides).
std::string RecordLanguage(const corpus::input::JsonlFieldReader& reader, const BenchInput& in, const BenchOptions& options) {
  if (options.force_detect) return "";
  if (!in.language.empty()) return in.language;
  absl::StatusOr<std::string_view> lang = reader.Field(1);
  return lang.ok() ? std::string(*lang) : std::string();
}

// One record: a JSON line to parse, or a text (a text file, a Parquet cell).
void MeasureRecord(const corpus::input::RecordBlock& block, size_t i, const BenchInput& in, const std::vector<BenchVocab>& vocabs,
                   const BenchOptions& options, const std::set<std::string>& full, ThreadState& st, DocResult& r) {
  if (const corpus::input::RejectedRecord* rej = block.Rejection(i); rej != nullptr) {
    r.error = rej->message;
    return;
  }
  std::string_view record = block.record(i);
  if (block.kind == corpus::input::RecordKind::kText) {
    if (!simdjson::validate_utf8(record.data(), record.size())) {
      r.error = "invalid UTF-8 (the document is skipped)";
      return;
    }
    // A Parquet block carries the language column's values (RecordSourceOptions::language_key).
    std::string language = options.force_detect || !in.language.empty() || i >= block.languages.size()
                               ? (options.force_detect ? std::string() : in.language)
                               : block.languages[i];
    MeasureDoc(record, language, full, vocabs, st.ids, r);
    return;
  }
  if (!st.reader)
    st.reader = std::make_unique<corpus::input::JsonlFieldReader>(std::vector<std::string>{in.text_key, options.lang_key});
  if (block.first + i == 1 && record.substr(0, 3) == "\xEF\xBB\xBF") record.remove_prefix(3);
  absl::Status s = st.reader->Read(record);
  absl::StatusOr<std::string_view> text = s.ok() ? st.reader->Field(0) : absl::StatusOr<std::string_view>(s);
  if (!text.ok()) {
    r.error = std::string(text.status().message());
    return;
  }
  MeasureDoc(*text, RecordLanguage(*st.reader, in, options), full, vocabs, st.ids, r);
}

// One block of records: parsed and measured in parallel, added in record order.
void CountBlock(const corpus::input::RecordBlock& block, const BenchInput& in, const std::vector<BenchVocab>& vocabs,
                const BenchOptions& options, tbb::enumerable_thread_specific<ThreadState>& local, size_t& reported,
                CorpusCounts& out) {
  const std::set<std::string> full = FullLanguages(out, options);
  std::vector<DocResult> results(block.size());
  tbb::parallel_for(size_t{0}, block.size(), [&](size_t i) {
    MeasureRecord(block, i, in, vocabs, options, full, local.local(), results[i]);
  });
  for (size_t i = 0; i < results.size(); ++i) {
    if (!results[i].error.empty()) ReportBadLine(block.Location(in.path, i), results[i].error, reported, options, out);
    else AddDoc(results[i], options, vocabs.size(), out);
  }
}

uint64_t Documents(const CorpusCounts& out) {
  uint64_t docs = 0;
  for (const auto& [code, l] : out.languages) docs += l.docs;
  return docs;
}

// Counts one file into `out`; progress is told the input bytes read so far (`out.input_bytes`
// holds those of the files before this one).
absl::Status CountFile(const BenchInput& in, const std::vector<BenchVocab>& vocabs, const BenchOptions& options,
                       corpus::build::Progress& progress, CorpusCounts& out) {
  absl::StatusOr<std::unique_ptr<corpus::input::RecordSource>> reader =
      corpus::input::OpenRecordSource(in.path, corpus::input::RecordSourceOptions{in.format, in.text_key, std::nullopt,
                                                                   options.max_record_bytes, options.lang_key, std::nullopt,
                                                                   std::nullopt});
  if (!reader.ok()) return reader.status();
  size_t reported = 0;
  absl::Status status;
  tbb::enumerable_thread_specific<ThreadState> local;
  corpus::input::RecordBlock block;
  for (;;) {
    absl::StatusOr<bool> more = (*reader)->Next(block, kBlockBytes);
    if (!more.ok()) {
      status = more.status();
      break;
    }
    if (!*more) break;
    CountBlock(block, in, vocabs, options, local, reported, out);
    progress.Update(out.input_bytes + (*reader)->bytes_consumed(), Documents(out));
  }
  out.input_bytes += (*reader)->bytes_consumed();
  if (reported > options.max_reported_bad_lines)
    std::fprintf(stderr, "rwkvkit bench: %s: %zu more bad lines not shown\n", in.path.c_str(),
                 reported - options.max_reported_bad_lines);
  return status;
}

// One pass over the sample on the calling thread; returns the token count.
uint64_t PassOneThread(const tokenizer::Tokenizer& tok, const LanguageCounts& l, std::vector<uint16_t>& ids) {
  const std::string_view s(l.sample);
  uint64_t n = 0;
  size_t begin = 0;
  for (const size_t end : l.sample_ends) {
    ids.clear();
    tok.EncodeInto(s.substr(begin, end - begin), ids);
    n += ids.size();
    begin = end;
  }
  return n;
}

// The many-thread run's work split: contiguous document ranges of similar size, and the big
// documents on their own.
struct WorkSplit {
  std::vector<std::pair<size_t, size_t>> chunks;  // [first doc, last doc) per chunk
  std::vector<size_t> big_docs;
};

size_t DocBegin(const LanguageCounts& l, size_t i) { return i == 0 ? 0 : l.sample_ends[i - 1]; }

WorkSplit SplitWork(const LanguageCounts& l, int threads) {
  WorkSplit w;
  const size_t target = std::max<size_t>(16 << 10, l.sample.size() / (static_cast<size_t>(threads) * 16));
  size_t first = 0, bytes = 0;
  for (size_t i = 0; i < l.sample_ends.size(); ++i) {
    const size_t len = l.sample_ends[i] - DocBegin(l, i);
    if (len >= kBigDocBytes) {
      if (first < i) w.chunks.emplace_back(first, i);
      w.big_docs.push_back(i);
      first = i + 1;
      bytes = 0;
      continue;
    }
    bytes += len;
    if (bytes >= target) {
      w.chunks.emplace_back(first, i + 1);
      first = i + 1;
      bytes = 0;
    }
  }
  if (first < l.sample_ends.size()) w.chunks.emplace_back(first, l.sample_ends.size());
  return w;
}

uint64_t PassThreads(const tokenizer::Tokenizer& tok, const LanguageCounts& l, const WorkSplit& w, int threads,
                     tbb::task_arena& arena, tbb::enumerable_thread_specific<std::vector<uint16_t>>& buffers) {
  const std::string_view s(l.sample);
  std::atomic<uint64_t> n{0};
  arena.execute([&] {
    tbb::parallel_for(size_t{0}, w.chunks.size(), [&](size_t c) {
      std::vector<uint16_t>& ids = buffers.local();
      uint64_t k = 0;
      for (size_t i = w.chunks[c].first; i < w.chunks[c].second; ++i) {
        ids.clear();
        tok.EncodeInto(s.substr(DocBegin(l, i), l.sample_ends[i] - DocBegin(l, i)), ids);
        k += ids.size();
      }
      n.fetch_add(k, std::memory_order_relaxed);
    });
    for (const size_t i : w.big_docs) {
      std::vector<uint16_t>& ids = buffers.local();
      ids.clear();
      tokenizer::EncodeParallel(tok, s.substr(DocBegin(l, i), l.sample_ends[i] - DocBegin(l, i)), threads, ids);
      n.fetch_add(ids.size(), std::memory_order_relaxed);
    }
  });
  return n.load();
}

// Median MB/s of `repeats` timed repeats of `pass`, each long enough (see MeasureSpeed).
template <typename Pass>
double MedianRate(Pass pass, uint64_t bytes, int repeats, double min_repeat_seconds, uint64_t& tokens) {
  using Clock = std::chrono::steady_clock;
  auto t0 = Clock::now();
  tokens = pass();  // warm-up, and how many passes one repeat needs
  const double once = std::max(1e-6, std::chrono::duration<double>(Clock::now() - t0).count());
  const int passes = std::max(1, static_cast<int>(std::ceil(min_repeat_seconds / once)));
  std::vector<double> rates;
  for (int r = 0; r < repeats; ++r) {
    t0 = Clock::now();
    for (int p = 0; p < passes; ++p) tokens = pass();
    const double s = std::max(1e-9, std::chrono::duration<double>(Clock::now() - t0).count());
    rates.push_back(static_cast<double>(bytes) * passes / s / 1e6);
  }
  std::sort(rates.begin(), rates.end());
  const size_t m = rates.size() / 2;
  return rates.size() % 2 ? rates[m] : (rates[m - 1] + rates[m]) / 2;
}

}  // namespace

uint64_t CountWords(std::string_view text) {
  uint64_t words = 0;
  bool in_word = false, has_alnum = false;
  for (size_t i = 0; i < text.size();) {
    const char32_t c = corpus::filters::NextCodePoint(text, i);
    if (corpus::filters::IsPySpace(c)) {
      words += in_word && has_alnum ? 1 : 0;
      in_word = has_alnum = false;
    } else {
      in_word = true;
      has_alnum = has_alnum || IsLetterOrNumber(c);
    }
  }
  return words + (in_word && has_alnum ? 1 : 0);
}

absl::Status CountCorpus(const std::vector<BenchInput>& inputs, const std::vector<BenchVocab>& vocabs,
                         const BenchOptions& options, CorpusCounts& out) {
  size_t read = 0;
  absl::Status last_error;
  uint64_t total_bytes = 0;  // on disk (compressed for .zst), as RecordSource::bytes_consumed()
  for (const BenchInput& in : inputs) {
    std::error_code ec;
    const uintmax_t size = std::filesystem::file_size(in.path, ec);
    if (!ec) total_bytes += size;
  }
  corpus::build::Progress progress("bench tokenizer", total_bytes, options.progress);
  for (const BenchInput& in : inputs) {
    absl::Status s = CountFile(in, vocabs, options, progress, out);
    progress.Update(out.input_bytes, Documents(out));
    if (s.ok()) {
      ++read;
      continue;
    }
    // A missing file or a corrupt compressed stream ends that file only.
    ++out.bad_files;
    last_error = s;
    std::fprintf(stderr, "rwkvkit bench: %s\n", std::string(s.message()).c_str());
  }
  progress.Done(out.input_bytes, Documents(out));
  if (read == 0 && !inputs.empty())
    return absl::Status(last_error.code(), absl::StrCat("no input could be read; last error: ", last_error.message()));
  return absl::OkStatus();
}

absl::StatusOr<SpeedResult> MeasureSpeed(const tokenizer::Tokenizer& tok, const LanguageCounts& lang, int threads,
                                         int repeats, double min_repeat_seconds) {
  SpeedResult r;
  if (lang.sample.empty()) return r;
  std::vector<uint16_t> ids;
  uint64_t one = 0, many = 0;
  r.mb_per_s_one_thread = MedianRate([&] { return PassOneThread(tok, lang, ids); }, lang.sample.size(), repeats,
                                     min_repeat_seconds, one);
  tbb::task_arena arena(threads);
  tbb::enumerable_thread_specific<std::vector<uint16_t>> buffers;
  const WorkSplit split = SplitWork(lang, threads);
  r.mb_per_s_threads = MedianRate([&] { return PassThreads(tok, lang, split, threads, arena, buffers); },
                                  lang.sample.size(), repeats, min_repeat_seconds, many);
  if (one != many)
    return absl::InternalError(absl::StrCat("speed run: ", one, " tokens on one thread but ", many, " on ", threads));
  r.sample_tokens = one;
  r.sample_bytes = lang.sample.size();
  return r;
}

absl::Status AddManifestInputs(const std::string& manifest_path, std::vector<BenchInput>& inputs) {
  absl::StatusOr<corpus::build::Manifest> m = corpus::build::LoadManifest(manifest_path);
  if (!m.ok()) return m.status();
  for (const corpus::build::ManifestSource& src : m->sources) {
    absl::StatusOr<std::vector<std::filesystem::path>> files = corpus::input::ExpandInputPaths(src.paths, src.format);
    if (!files.ok()) return files.status();
    for (const auto& p : *files)
      inputs.push_back(BenchInput{p.string(), src.text_key, src.name, src.language.value_or(""), src.format});
  }
  return absl::OkStatus();
}

absl::StatusOr<SpeedTable> MeasureAllSpeeds(const std::vector<BenchVocab>& vocabs, const CorpusCounts& counts,
                                            bool measure, int threads, int repeats) {
  // Short languages are encoded several times per repeat, so that each repeat takes this long.
  constexpr double kMinRepeatSeconds = 0.05;
  SpeedTable table;
  for (const auto& [code, l] : counts.languages) {
    table.emplace_back(vocabs.size());
    if (!measure || l.sample.empty()) continue;
    for (size_t v = 0; v < vocabs.size(); ++v) {
      absl::StatusOr<SpeedResult> r = MeasureSpeed(vocabs[v].tok, l, threads, repeats, kMinRepeatSeconds);
      if (!r.ok())
        return absl::Status(r.status().code(), absl::StrCat(code, ", ", vocabs[v].name, ": ", r.status().message()));
      table.back()[v] = *r;
    }
  }
  return table;
}

BenchTotal MakeTotal(size_t num_vocabs, const CorpusCounts& counts, const SpeedTable& speed) {
  BenchTotal t;
  const size_t nv = num_vocabs;
  t.counts.tokens.assign(nv, 0);
  t.word_lang_tokens.assign(nv, 0);
  std::vector<double> bytes(nv, 0), secs1(nv, 0), secsn(nv, 0);
  size_t li = 0;
  for (const auto& [code, l] : counts.languages) {
    const bool words = !corpus::filters::WrittenWithoutSpaces(code);
    t.counts.docs += l.docs;
    t.counts.bytes += l.bytes;
    t.counts.chars += l.chars;
    t.counts.detected_docs += l.detected_docs;
    if (words) t.word_lang_words += l.words;
    for (size_t v = 0; v < nv; ++v) {
      t.counts.tokens[v] += l.tokens[v];
      if (words) t.word_lang_tokens[v] += l.tokens[v];
      if (const auto& s = speed[li][v]) {
        bytes[v] += static_cast<double>(l.sample.size());
        secs1[v] += static_cast<double>(l.sample.size()) / 1e6 / s->mb_per_s_one_thread;
        secsn[v] += static_cast<double>(l.sample.size()) / 1e6 / s->mb_per_s_threads;
      }
    }
    ++li;
  }
  t.counts.words = t.word_lang_words;
  for (size_t v = 0; v < nv; ++v) {
    if (bytes[v] == 0) {
      t.speed.emplace_back();
      continue;
    }
    t.speed.push_back(
        SpeedResult{bytes[v] / 1e6 / secs1[v], bytes[v] / 1e6 / secsn[v], 0, static_cast<uint64_t>(bytes[v])});
  }
  return t;
}

}  // namespace rwkvkit::cli

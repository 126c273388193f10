// tools/bench_tokenizer.h — the numbers behind `rwkvkit bench tokenizer` (tools/cmd_bench.cc);
// docs/tokenizer_bench.md defines every column and how speed is measured.
//
// CountCorpus() reads JSONL files (plain, zstd, gzip, xz), text and the other formats of
// corpus/input/record_source.h (or a manifest's sources), assigns every document a language
// (the record's language field, else CLD2; or CLD2 always when forced) and adds, per language:
// documents, UTF-8 bytes, code points, words (whitespace pieces holding an L* or N* character;
// not reported for WrittenWithoutSpaces() languages) and the tokens under every vocab. It keeps
// the first `sample_bytes` of each language's texts (whole documents) for MeasureSpeed().
// Counts are sums over documents, so they do not depend on the thread count.
//
// MeasureSpeed() times only the tokenizer on a language's sample, on one thread then `threads`
// threads, each `repeats` times, and keeps the median MB/s (10^6 bytes); MakeTotal() adds up
// the TOTAL row. Not thread-safe itself (one call at a time); uses TBB inside. Pulls in ICU
// and CLD2.
#ifndef RWKVKIT_TOOLS_BENCH_TOKENIZER_H_
#define RWKVKIT_TOOLS_BENCH_TOKENIZER_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "tokenizer/tokenizer.h"

namespace rwkvkit::cli {

struct BenchVocab {
  std::string name;  // as shown in the table and the JSON
  std::string path;
  tokenizer::Tokenizer tok;
};

struct BenchInput {
  std::string path;
  std::string text_key = "text";
  std::string source;         // manifest source name ("" for --input files)
  std::string language;       // the source's language from a manifest ("" = per record)
  std::string format = "auto";  // the source's format (corpus/input/record_source.h)
};

struct BenchOptions {
  std::string lang_key = "lang";
  bool force_detect = false;   // CLD2 on every document, ignoring the language field
  uint64_t sample_bytes = 8000000;  // per language, kept for the speed measurement
  size_t max_reported_bad_lines = 10;  // per file, on stderr
  bool progress = false;  // progress lines on stderr while counting (corpus/build/progress.h)
  uint64_t max_record_bytes = uint64_t{64} << 20;  // a longer record is a bad line, never held
};

// Per language. tokens[v] is the token count under vocab v (no end-of-document token).
struct LanguageCounts {
  uint64_t docs = 0, bytes = 0, chars = 0, words = 0;
  uint64_t detected_docs = 0;  // documents whose language came from CLD2
  std::vector<uint64_t> tokens;
  // The speed sample: whole documents, concatenated; doc_ends[i] is the end of document i.
  std::string sample;
  std::vector<size_t> sample_ends;
};

struct CorpusCounts {
  std::map<std::string, LanguageCounts> languages;
  uint64_t bad_lines = 0;
  uint64_t bad_files = 0;   // files that could not be opened or ended in a corrupt compressed stream
  uint64_t input_bytes = 0;
};

// CountCorpus()
// Bad lines (not a JSON object with a string at the text key, invalid UTF-8) are counted and
// the first few of each file named on stderr as `path:line: what`; a file that cannot be
// opened or whose compressed stream is corrupt is named too and counted in bad_files, and the run
// goes on. Fails only when nothing could be read at all (kNotFound / kDataLoss). With
// `options.progress`, shows input MB read, MB/s, documents/s and the ETA on stderr as
// `rwkvkit build` does (corpus/build/progress.h: redrawn on a TTY, a plain line every 10 s
// otherwise, and a last line when the counting is done).
absl::Status CountCorpus(const std::vector<BenchInput>& inputs, const std::vector<BenchVocab>& vocabs,
                         const BenchOptions& options, CorpusCounts& out);

// CountWords()
// Words (as defined in the banner) of valid UTF-8 text.
uint64_t CountWords(std::string_view text);

struct SpeedResult {
  double mb_per_s_one_thread = 0;
  double mb_per_s_threads = 0;
  uint64_t sample_tokens = 0;  // tokens of the sample (the same from both runs, checked)
  uint64_t sample_bytes = 0;
};

// MeasureSpeed()
// Each repeat encodes the sample enough times to take at least `min_repeat_seconds`.
// kInternal when the one-thread and the many-thread runs disagree on the token count.
absl::StatusOr<SpeedResult> MeasureSpeed(const tokenizer::Tokenizer& tok, const LanguageCounts& lang, int threads,
                                         int repeats, double min_repeat_seconds);

// AddManifestInputs()
// Every file of every source of a corpus manifest, with the source's text key, name, language
// and format (errors: the manifest's and the input paths').
absl::Status AddManifestInputs(const std::string& manifest_path, std::vector<BenchInput>& inputs);

// Per language (in CorpusCounts order) and vocab: its speed, absent when not measured or the
// language has no sample.
using SpeedTable = std::vector<std::vector<std::optional<SpeedResult>>>;

// MeasureAllSpeeds()
// MeasureSpeed() of every vocab on every language's sample (each repeat at least 0.05 s), or
// nothing measured when `measure` is false; an error names the language and the vocab.
absl::StatusOr<SpeedTable> MeasureAllSpeeds(const std::vector<BenchVocab>& vocabs, const CorpusCounts& counts,
                                            bool measure, int threads, int repeats);

// The TOTAL row: sums over the languages; words, and the tokens that go with them, over the
// languages written with spaces; speed = the samples' bytes / the time of each sample at its
// language's median rate.
struct BenchTotal {
  LanguageCounts counts;
  uint64_t word_lang_words = 0;
  std::vector<uint64_t> word_lang_tokens;
  std::vector<std::optional<SpeedResult>> speed;
};
BenchTotal MakeTotal(size_t num_vocabs, const CorpusCounts& counts, const SpeedTable& speed);

}  // namespace rwkvkit::cli

#endif  // RWKVKIT_TOOLS_BENCH_TOKENIZER_H_

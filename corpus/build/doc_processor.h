// corpus/build/doc_processor.h — documents through parse → repair → normalize → hash → tokenize.
//
// The per-document work of a build's parallel stage, a batch at a time and step by step over
// the batch, so each step is timed with two clock reads per batch (stage_times.h). A JSON
// line or a text becomes either a drop with a reason and a message (invalid_json, too_deep,
// not_object, missing_text_key, text_not_string, empty_text, the reader's own, or with
// filters "filter_" + the filter's reason, then `filtered` is set), or the repaired,
// normalized (and, with C4, edited) text's XXH3-128 key and its token ids with the
// end-of-document token 0 appended. A line simdjson rejects for invalid UTF-8 or a lone
// surrogate is repaired (RepairJsonLine) and parsed again (docs/corpus_pipeline.md). Pure.
//
// Not thread-safe: one DocProcessor per thread (it owns a JSON parser and buffers); the
// tokenizer and repairer it points to are shared read-only.
#ifndef RWKVKIT_CORPUS_BUILD_DOC_PROCESSOR_H_
#define RWKVKIT_CORPUS_BUILD_DOC_PROCESSOR_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "corpus/dedup/minhash.h"
#include "corpus/dedup/exact_dedup.h"
#include "corpus/filters/document_filters.h"
#include "corpus/input/record_block.h"
#include "corpus/input/jsonl_field.h"
#include "corpus/build/stage_times.h"
#include "corpus/text/text_repair.h"
#include "tokenizer/tokenizer.h"

namespace rwkvkit::corpus::build {

struct DocResult {
  std::string drop_reason;  // empty: the document is kept (before dedup and sampling)
  std::string message;      // why it was dropped, for the bad-input report
  text::RepairCounts repairs;
  uint64_t bytes_in = 0;   // bytes of the input line or file
  uint64_t bytes_out = 0;  // bytes of the repaired, normalized text
  dedup::Hash128 key;
  std::vector<uint16_t> tokens;  // ends with token 0
  std::vector<uint64_t> signature;  // MinHash of the normalized text (only with near-dedup)
  bool filtered = false;  // dropped by a quality filter (drop_reason "filter_...")
  std::string_view filter;  // which one ("gopher_quality", "c4", "language", ...; static storage)
  std::string language;   // detected language (only with filters; "" otherwise)
  bool c4_edited = false;  // the C4 filter removed lines or citations from the kept text
  filters::C4LineCounts c4_lines;  // lines C4 removed from the kept text, by rule
  std::string text;  // work space between the steps (the text being processed); empty after

  void Clear();
};

class DocProcessor {
 public:
  // `minhash` may be null (no near-dedup signature); `filters` may be null (no language id,
  // no quality filters), else the source's filter settings.
  DocProcessor(const tokenizer::Tokenizer& tok, const text::TextRepairer& repairer, const std::string& text_key,
               const dedup::MinHasher* minhash = nullptr, const filters::FilterOptions* filters = nullptr);

  // ProcessBlock()
  // Every record of `block` into `out` (resized to the block's size), step by step over the
  // block (parse, repair, filters, signatures, tokenize), each step's time added to its stage
  // in `times` through `clock`. A record is a JSON line, a text (record_block.h), or a record
  // the reader rejected (dropped with the reader's reason, e.g. record_too_long).
  void ProcessBlock(const input::RecordBlock& block, std::vector<DocResult>& out, StageClock& clock, StageTimes& times);
  // One JSON line through every step (untimed).
  void ProcessJsonLine(std::string_view line, DocResult& out);

 private:
  // The steps, each on one document; a step does nothing to a document already dropped.
  // Parse: record k of `block` into out.text (a JSON line's text field, or the text itself).
  void Parse(const input::RecordBlock& block, size_t k, DocResult& out);
  void ParseJsonLine(std::string_view line, DocResult& out);
  void Repair(DocResult& out);
  void Filter(DocResult& out);
  void Sign(DocResult& out);
  void Tokenize(DocResult& out);

  const tokenizer::Tokenizer& tok_;
  const text::TextRepairer& repairer_;
  const dedup::MinHasher* minhash_;
  const filters::FilterOptions* filters_;
  filters::DocumentFilter filter_;
  filters::FilterOutcome outcome_;
  input::JsonlFieldReader reader_;
  std::string text_;  // the repaired, normalized text
};

}  // namespace rwkvkit::corpus::build

#endif  // RWKVKIT_CORPUS_BUILD_DOC_PROCESSOR_H_

// corpus/build/doc_processor.cc — see doc_processor.h.
#include "corpus/build/doc_processor.h"

namespace rwkvkit::corpus::build {

void DocResult::Clear() {
  drop_reason.clear();
  message.clear();
  repairs = text::RepairCounts{};
  bytes_in = bytes_out = 0;
  key = dedup::Hash128{};
  tokens.clear();
  signature.clear();
  filtered = false;
  filter = {};
  language.clear();
  c4_edited = false;
  c4_lines = filters::C4LineCounts{};
  text.clear();
}

DocProcessor::DocProcessor(const tokenizer::Tokenizer& tok, const text::TextRepairer& repairer, const std::string& text_key,
                           const dedup::MinHasher* minhash, const filters::FilterOptions* filters)
    : tok_(tok),
      repairer_(repairer),
      minhash_(minhash),
      filters_(filters),
      reader_(std::vector<std::string>{text_key}) {}

void DocProcessor::ProcessBlock(const input::RecordBlock& block, std::vector<DocResult>& out, StageClock& clock,
                                StageTimes& times) {
  out.resize(block.size());
  for (size_t k = 0; k < block.size(); ++k) Parse(block, k, out[k]);
  clock.Lap(Stage::kParse, times);
  for (DocResult& d : out) Repair(d);
  clock.Lap(Stage::kRepair, times);
  if (filters_ != nullptr) {
    for (DocResult& d : out) Filter(d);
    clock.Lap(Stage::kFilters, times);
  }
  for (DocResult& d : out) Sign(d);
  clock.Lap(Stage::kSignatures, times);
  for (DocResult& d : out) Tokenize(d);
  clock.Lap(Stage::kTokenize, times);
}

void DocProcessor::ProcessJsonLine(std::string_view line, DocResult& out) {
  out.Clear();
  ParseJsonLine(line, out);
  Repair(out);
  if (filters_ != nullptr) Filter(out);
  Sign(out);
  Tokenize(out);
}

void DocProcessor::Parse(const input::RecordBlock& block, size_t k, DocResult& out) {
  out.Clear();
  if (const input::RejectedRecord* r = block.Rejection(k); r != nullptr) {
    out.drop_reason = r->reason;
    out.message = r->message;
    return;
  }
  if (block.kind == input::RecordKind::kJsonLine) return ParseJsonLine(block.record(k), out);
  out.bytes_in = block.record(k).size();
  out.text.assign(block.record(k));
}

// The text field of a JSON line into out.text (a copy: the parser's buffer is reused).
void DocProcessor::ParseJsonLine(std::string_view line, DocResult& out) {
  out.bytes_in = line.size();
  // A UTF-8 BOM before the JSON (the start of a file, or a file concatenated onto another)
  // is not part of the record.
  if (line.substr(0, 3) == "\xEF\xBB\xBF") {
    line.remove_prefix(3);
    ++out.repairs.bom_removed;
  }
  absl::Status s = reader_.Read(line);
  std::string repaired;
  if (!s.ok() && (reader_.last_error() == simdjson::UTF8_ERROR || reader_.last_error() == simdjson::STRING_ERROR)) {
    text::RepairCounts line_repairs;
    repaired = text::RepairJsonLine(line, line_repairs);
    s = reader_.Read(repaired);
    if (s.ok()) out.repairs += line_repairs;
  }
  if (!s.ok()) {
    out.drop_reason = reader_.last_error() == simdjson::DEPTH_ERROR ? "too_deep"
                      : reader_.last_error() == simdjson::SUCCESS   ? "not_object"
                                                                    : "invalid_json";
    out.message = std::string(s.message());
    return;
  }
  if (!reader_.found(0) || !reader_.is_string(0)) {
    out.drop_reason = reader_.found(0) ? "text_not_string" : "missing_text_key";
    out.message = std::string(reader_.Field(0).status().message());
    return;
  }
  out.text.assign(*reader_.Field(0));
}

void DocProcessor::Repair(DocResult& out) {
  if (!out.drop_reason.empty()) return;
  repairer_.Repair(out.text, text_, out.repairs);
  out.text.swap(text_);
  out.bytes_out = out.text.size();
  if (out.text.empty()) {
    out.drop_reason = "empty_text";
    out.message = "the text is empty";
  }
}

void DocProcessor::Filter(DocResult& out) {
  if (!out.drop_reason.empty()) return;
  filter_.Run(out.text, *filters_, outcome_);
  out.language = std::move(outcome_.language.code);
  const filters::Verdict& v = outcome_.verdict;
  if (!v.keep()) {
    out.drop_reason = "filter_";
    out.drop_reason.append(v.reason);
    out.filter = v.filter;
    out.filtered = true;
    return;
  }
  out.c4_edited = outcome_.text_changed;
  out.c4_lines = outcome_.c4_lines;
  out.bytes_out = out.text.size();
}

void DocProcessor::Sign(DocResult& out) {
  if (!out.drop_reason.empty()) return;
  out.key = dedup::HashText(out.text);
  if (minhash_ != nullptr) minhash_->Signature(out.text, out.signature);
}

void DocProcessor::Tokenize(DocResult& out) {
  if (out.drop_reason.empty()) {
    tok_.EncodeInto(out.text, out.tokens);
    out.tokens.push_back(tokenizer::kEndOfText);
  }
  std::string().swap(out.text);  // the batch waits for the output stage: hold no text
}

}  // namespace rwkvkit::corpus::build

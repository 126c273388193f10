// corpus/doc_processor.cc — see doc_processor.h.
#include "corpus/doc_processor.h"

namespace rwkvkit::corpus {

void DocResult::Clear() {
  drop_reason.clear();
  message.clear();
  repairs = RepairCounts{};
  bytes_in = bytes_out = 0;
  key = Hash128{};
  tokens.clear();
  signature.clear();
  filtered = false;
  filter = {};
  language.clear();
  c4_edited = false;
  c4_lines = filters::C4LineCounts{};
}

DocProcessor::DocProcessor(const tokenizer::Tokenizer& tok, const TextRepairer& repairer, const std::string& text_key,
                           const MinHasher* minhash, const filters::FilterOptions* filters)
    : tok_(tok),
      repairer_(repairer),
      minhash_(minhash),
      filters_(filters),
      reader_(std::vector<std::string>{text_key}) {}

void DocProcessor::ProcessRecord(const RecordBlock& block, size_t k, DocResult& out) {
  if (const RejectedRecord* r = block.Rejection(k); r != nullptr) {
    out.Clear();
    out.drop_reason = r->reason;
    out.message = r->message;
    return;
  }
  if (block.kind == RecordKind::kText) ProcessText(block.record(k), out);
  else ProcessJsonLine(block.record(k), out);
}

void DocProcessor::ProcessJsonLine(std::string_view line, DocResult& out) {
  out.Clear();
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
    RepairCounts line_repairs;
    repaired = RepairJsonLine(line, line_repairs);
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
  Finish(*reader_.Field(0), out);
}

void DocProcessor::ProcessText(std::string_view bytes, DocResult& out) {
  out.Clear();
  out.bytes_in = bytes.size();
  Finish(bytes, out);
}

void DocProcessor::Finish(std::string_view raw_text, DocResult& out) {
  repairer_.Repair(raw_text, text_, out.repairs);
  out.bytes_out = text_.size();
  if (text_.empty()) {
    out.drop_reason = "empty_text";
    out.message = "the text is empty";
    return;
  }
  if (filters_ != nullptr) {
    filter_.Run(text_, *filters_, outcome_);
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
    out.bytes_out = text_.size();
  }
  out.key = HashText(text_);
  if (minhash_ != nullptr) minhash_->Signature(text_, out.signature);
  tok_.EncodeInto(text_, out.tokens);
  out.tokens.push_back(tokenizer::kEndOfText);
}

}  // namespace rwkvkit::corpus

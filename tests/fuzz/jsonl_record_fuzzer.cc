// tests/fuzz/jsonl_record_fuzzer.cc — fuzz target: one JSONL record through a build's
// per-document stage (corpus/build/doc_processor.h): parse, repair of invalid UTF-8 and lone
// surrogates, normalization, quality filters and language id, MinHash, tokenization.
//
// Input: one line, processed twice: without filters (NFC) and with every filter on, C4
// included (NFKC). Properties: a dropped record has a reason and a message; a kept one has
// tokens that end with the end-of-text id 0 and decode to bytes_out bytes of valid UTF-8, and
// a MinHash signature of the configured length.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "corpus/dedup/minhash.h"
#include "corpus/build/doc_processor.h"
#include "corpus/filters/document_filters.h"
#include "corpus/text/text_repair.h"
#include "simdjson.h"
#include "tests/fuzz/fuzz_util.h"
#include "tokenizer/tokenizer.h"
#include "tokenizer/vocab.h"

namespace {

using rwkvkit::fuzz::Check;
namespace corpus = rwkvkit::corpus;
namespace tokenizer = rwkvkit::tokenizer;

// A small vocab: every byte, plus a few multi-byte tokens so that longest match matters.
tokenizer::Tokenizer MakeTokenizer() {
  tokenizer::Vocab v;
  v.tokens.resize(1);
  v.present.resize(1, false);
  auto add = [&](std::string bytes) {
    v.tokens.push_back(std::move(bytes));
    v.present.push_back(true);
    ++v.entries;
  };
  for (int b = 0; b < 256; ++b) add(std::string(1, static_cast<char>(b)));
  for (const char* t : {"th", "the", " the", "he", "in", "ing", " a", "\n\n", "\xC3\xA9", "\xE4\xB8\xAD"}) add(t);
  absl::StatusOr<tokenizer::Tokenizer> tok = tokenizer::Tokenizer::FromVocab(std::move(v));
  Check(tok.ok(), "cannot build the test tokenizer");
  return *std::move(tok);
}

struct Setup {
  tokenizer::Tokenizer tok = MakeTokenizer();
  corpus::text::TextRepairer nfc = *corpus::text::TextRepairer::Create(corpus::text::Normalization::kNfc);
  corpus::text::TextRepairer nfkc = *corpus::text::TextRepairer::Create(corpus::text::Normalization::kNfkc);
  corpus::dedup::MinHasher minhash = *corpus::dedup::MinHasher::Create(corpus::dedup::MinHashConfig{});
  corpus::filters::FilterOptions all_filters = [] {
    corpus::filters::FilterOptions o;
    o.c4 = true;
    return o;
  }();
  corpus::build::DocProcessor plain{tok, nfc, "text", &minhash, nullptr};
  corpus::build::DocProcessor filtered{tok, nfkc, "text", &minhash, &all_filters};
  corpus::build::DocResult result;
};

void CheckResult(const Setup& s, const corpus::build::DocResult& r, size_t num_hashes) {
  if (!r.drop_reason.empty()) {
    Check(!r.message.empty() || r.filtered, "a dropped record has no message");
    return;
  }
  Check(!r.tokens.empty() && r.tokens.back() == tokenizer::kEndOfText, "a kept record's tokens do not end with 0");
  absl::StatusOr<std::string> text =
      s.tok.Decode(std::span<const uint16_t>(r.tokens.data(), r.tokens.size() - 1));
  Check(text.ok(), "a kept record's tokens do not decode");
  Check(text->size() == r.bytes_out, "decoded text length differs from bytes_out");
  Check(!text->empty(), "an empty text was kept");
  Check(simdjson::validate_utf8(text->data(), text->size()), "a kept text is not valid UTF-8");
  Check(r.signature.size() == num_hashes, "MinHash signature of the wrong length");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Setup* s = new Setup();
  const std::string_view line(reinterpret_cast<const char*>(data), size);
  const size_t num_hashes = static_cast<size_t>(s->minhash.config().num_hashes());
  s->plain.ProcessJsonLine(line, s->result);
  CheckResult(*s, s->result, num_hashes);
  s->filtered.ProcessJsonLine(line, s->result);
  CheckResult(*s, s->result, num_hashes);
  return 0;
}

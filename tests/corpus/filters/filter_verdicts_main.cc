// tests/corpus/filters/filter_verdicts_main.cc — `filter_verdicts FILE.jsonl` prints, for each
// record, a JSON line with each quality filter's verdict run on its own ("keep" or datatrove's
// reason) and C4's edited text: the C++ side of datatrove_oracle_test.py.
//
// Every filter runs with all its rules (word rules and the stop-word rule on, whatever the
// language), so that every rule is compared; C4 runs twice, with datatrove's defaults and with
// filter_no_terminal_punct off (FineWeb's setting). Records are read with simdjson's
// iterate_many; a record without a string "text" prints {"error": ...}.
#include <cstdio>
#include <string>

#include "corpus/filters/c4_filter.h"
#include "corpus/filters/quality_filters.h"
#include "corpus/filters/text_units.h"
#include "simdjson.h"

namespace {

using namespace rwkvkit::corpus::filters;

std::string Json(std::string_view s) {
  std::string out = "\"";
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '"') out += "\\\"";
    else if (c == '\\') out += "\\\\";
    else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out.push_back(ch);
    }
  }
  return out + "\"";
}

std::string Reason(const Verdict& v) { return Json(v.keep() ? "keep" : v.reason); }

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: filter_verdicts FILE.jsonl\n");
    return 2;
  }
  simdjson::padded_string json;
  if (simdjson::padded_string::load(argv[1]).get(json)) {
    std::fprintf(stderr, "cannot read %s\n", argv[1]);
    return 1;
  }
  simdjson::ondemand::parser parser;
  simdjson::ondemand::document_stream docs;
  if (parser.iterate_many(json, 1 << 26).get(docs)) return 1;
  TextUnits units;
  RepetitionScratch scratch;
  C4QualityOptions c4_no_punct;
  c4_no_punct.filter_no_terminal_punct = false;
  std::string edited, edited_no_punct, line;
  for (auto doc : docs) {
    std::string_view text;
    if (doc["text"].get_string().get(text)) {
      std::puts("{\"error\": \"no text\"}");
      continue;
    }
    units.Analyze(text, /*words=*/true);
    C4LineCounts lines;
    const Verdict c4 = C4Quality(text, {}, &edited, &lines);
    const Verdict c4n = C4Quality(text, c4_no_punct, &edited_no_punct, &lines);
    line = "{\"gopher_quality\": " + Reason(GopherQuality(units, {}, true)) +
           ", \"gopher_repetition\": " + Reason(GopherRepetition(units, {}, true, scratch)) +
           ", \"fineweb_quality\": " + Reason(FineWebQuality(units, {}, true)) + ", \"c4\": " + Reason(c4) +
           ", \"c4_text\": " + (c4.keep() ? Json(edited) : "null") + ", \"c4_no_punct\": " + Reason(c4n) +
           ", \"c4_no_punct_text\": " + (c4n.keep() ? Json(edited_no_punct) : "null") + "}";
    std::puts(line.c_str());
  }
  return 0;
}

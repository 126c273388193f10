// tests/corpus/filters/langid_accuracy_main.cc — CLD2 accuracy on a JSONL corpus whose records
// carry their language: `langid_accuracy FILE [TEXT_KEY] [LANG_KEY]` prints, per true language,
// documents, correct and the most common wrong guesses. A guess is correct when its primary
// subtag equals the truth's (pt-BR and pt-PT are "pt"), except zh-Hans/zh-Hant, which must match
// exactly. "code:*" records are listed but not scored. With RWKVKIT_LANGID_PREFIX=N in the
// environment, CLD2 reads only a prefix of N bytes of each text (language_id.h), and the last
// line counts the documents whose guess differs from the whole text's. The line before it gives
// the CPU seconds of those calls (the thread's clock around IdentifyLanguage alone).
#include <time.h>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>

#include "corpus/filters/language_id.h"
#include "simdjson.h"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: langid_accuracy FILE.jsonl [text_key] [lang_key]\n");
    return 2;
  }
  const std::string text_key = argc > 2 ? argv[2] : "text", lang_key = argc > 3 ? argv[3] : "lang";
  const char* prefix_env = std::getenv("RWKVKIT_LANGID_PREFIX");
  const size_t prefix = prefix_env != nullptr && *prefix_env != '\0' ? std::strtoull(prefix_env, nullptr, 10)
                                              : rwkvkit::corpus::filters::kWholeText;
  int changed = 0;
  simdjson::padded_string json;
  if (simdjson::padded_string::load(argv[1]).get(json)) {
    std::fprintf(stderr, "cannot read %s\n", argv[1]);
    return 1;
  }
  simdjson::ondemand::parser parser;
  simdjson::ondemand::document_stream docs;
  if (parser.iterate_many(json, 1 << 26).get(docs)) return 1;
  struct Row {
    int docs = 0, correct = 0;
    std::map<std::string, int> wrong;
  };
  std::map<std::string, Row> rows;
  int total = 0, total_correct = 0;
  double cpu = 0;
  const auto now = [] {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
  };
  for (auto doc : docs) {
    std::string_view text, truth;
    if (doc[text_key].get_string().get(text) || doc[lang_key].get_string().get(truth)) continue;
    const double t0 = now();
    const std::string guess = rwkvkit::corpus::filters::IdentifyLanguage(text, prefix).code;
    cpu += now() - t0;
    if (prefix != rwkvkit::corpus::filters::kWholeText)
      changed += guess != rwkvkit::corpus::filters::IdentifyLanguage(text).code;
    const std::string t(truth);
    const bool chinese = t.starts_with("zh");
    const bool ok = chinese ? guess == t : guess.substr(0, guess.find('-')) == t.substr(0, t.find('-'));
    Row& r = rows[t];
    ++r.docs;
    if (ok) ++r.correct;
    else ++r.wrong[guess];
    if (!t.starts_with("code:")) {
      ++total;
      total_correct += ok;
    }
  }
  std::printf("| language | documents | correct | accuracy | wrong guesses |\n|---|---|---|---|---|\n");
  for (const auto& [lang, r] : rows) {
    std::string wrong;
    for (const auto& [g, n] : r.wrong) wrong += (wrong.empty() ? "" : ", ") + g + " " + std::to_string(n);
    std::printf("| %s | %d | %d | %.1f%% | %s |\n", lang.c_str(), r.docs, r.correct, 100.0 * r.correct / r.docs,
                wrong.c_str());
  }
  std::printf("| **all prose** | %d | %d | %.2f%% | |\n", total, total_correct, 100.0 * total_correct / total);
  std::printf("language id: %.3f CPU s\n", cpu);
  if (prefix != rwkvkit::corpus::filters::kWholeText)
    std::printf("prefix %zu bytes: %d documents guessed otherwise than from the whole text\n", prefix, changed);
  return 0;
}

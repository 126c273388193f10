// bench/short_call_bench.cc — the C++ cost of encoding one short string, the baseline that
// bench/python_tokenizer_bench.py subtracts from the Python call (rwkvkit.Tokenizer.encode).
//
// Times Tokenizer::EncodeToBuffer (what the Python binding calls) on TEXT into a reused buffer,
// `--calls` calls per repeat, and prints the best and median ns per call of `--repeats`
// repeats as one JSON line. Not a test: built only with -DRWKVKIT_BUILD_BENCH=ON.
//
//   short_call_bench --vocab V.txt --text "Hello world" [--calls 2000000] [--repeats 7]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "base/json_writer.h"
#include "tokenizer/tokenizer.h"

int main(int argc, char** argv) {
  std::string vocab, text = "Hello world";
  long calls = 2000000, repeats = 7;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--vocab")) vocab = argv[i + 1];
    else if (!std::strcmp(argv[i], "--text")) text = argv[i + 1];
    else if (!std::strcmp(argv[i], "--calls")) calls = std::atol(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--repeats")) repeats = std::atol(argv[i + 1]);
    else {
      std::fprintf(stderr, "short_call_bench: unknown flag %s\n", argv[i]);
      return 2;
    }
  }
  auto tok = rwkvkit::tokenizer::Tokenizer::Load(vocab);
  if (!tok.ok()) {
    std::fprintf(stderr, "short_call_bench: %s\n", std::string(tok.status().message()).c_str());
    return 1;
  }
  std::vector<uint16_t> buf(text.size() + 1);
  size_t sink = 0;
  std::vector<double> ns;
  for (long r = 0; r < repeats; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    for (long k = 0; k < calls; ++k) {
      const char* volatile p = text.data();  // keeps the call from being hoisted out of the loop
      sink += tok->EncodeToBuffer(std::string_view(p, text.size()), buf);
    }
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    ns.push_back(s * 1e9 / static_cast<double>(calls));
  }
  std::sort(ns.begin(), ns.end());
  rwkvkit::base::JsonWriter w;
  w.BeginObject().Key("text_bytes").Uint(text.size()).Key("ids").Uint(sink / static_cast<size_t>(calls * repeats));
  w.Key("best_ns").Fixed(ns.front(), 2).Key("median_ns").Fixed(ns[ns.size() / 2], 2).EndObject().Text("\n");
  std::fputs(w.str().c_str(), stdout);
  return 0;
}

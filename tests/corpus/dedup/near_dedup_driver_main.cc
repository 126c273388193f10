// tests/corpus/dedup/near_dedup_driver_main.cc — runs rwkvkit's near dedup on a JSONL file for
// datasketch_check.py.
//
//   near_dedup_driver FILE.jsonl          (one {"text": ...} per line)
//   near_dedup_driver --speed FILE.jsonl  (MinHasher::Signature MB/s on one thread; a quick
//                                          measurement for docs/near_dedup.md, not a benchmark)
//   near_dedup_driver --compare-paths FILE.jsonl  (every document's words from SplitWords with
//                                          its fast paths equal those of the BreakIterator path;
//                                          exit 1 on the first difference)
//
// Prints one JSON object: "shingles" (per document, its distinct shingle hashes, sorted, as
// decimal integers), "pairs" (every confirmed pair [i, j, estimate], found with
// LshOptions::exhaustive_pairs and deduplicated), "representative" and "stats". Test code
// only: exits 2 on a bad argument or line.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <simdjson.h>

#include "corpus/dedup/lsh_index.h"
#include "corpus/dedup/minhash.h"
#include "corpus/dedup/shingles.h"

using namespace rwkvkit::corpus;

namespace {

int Speed(const char* path) {
  std::ifstream in(path);
  simdjson::ondemand::parser parser;
  std::vector<std::string> texts;
  size_t bytes = 0;
  for (std::string line; std::getline(in, line);) {
    simdjson::padded_string padded(line);
    simdjson::ondemand::document doc;
    std::string_view text;
    if (parser.iterate(padded).get(doc) || doc["text"].get_string().get(text)) return 2;
    texts.emplace_back(text);
    bytes += text.size();
  }
  dedup::MinHasher hasher = *dedup::MinHasher::Create({});
  std::vector<uint64_t> sig;
  uint64_t check = 0;
  double best = 1e30;
  for (int rep = 0; rep < 3; ++rep) {
    const auto t0 = std::chrono::steady_clock::now();
    for (const auto& t : texts) {
      hasher.Signature(t, sig);
      for (uint64_t v : sig) check = (check ^ v) * 0x100000001B3ull;  // all values, in order
    }
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  std::printf("%zu documents, %.2f MB, best of 3: %.3f s, %.1f MB/s on one thread (check %016llx)\n",
              texts.size(), bytes / 1e6, best, bytes / 1e6 / best,
              static_cast<unsigned long long>(check));
  return 0;
}

int ComparePaths(const char* path) {
  std::ifstream in(path);
  if (!in) return 2;
  simdjson::ondemand::parser parser;
  dedup::WordSpans fast, icu;
  size_t docs = 0, words = 0;
  for (std::string line; std::getline(in, line);) {
    simdjson::padded_string padded(line);
    simdjson::ondemand::document doc;
    std::string_view text;
    if (parser.iterate(padded).get(doc) || doc["text"].get_string().get(text)) return 2;
    ++docs;
    dedup::SplitWords(text, fast);
    dedup::SplitWords(text, icu, /*force_icu=*/true);
    if (fast.text != icu.text || fast.begin != icu.begin || fast.end != icu.end) {
      std::printf("document %zu: the fast path gives other words\n", docs);
      return 1;
    }
    words += fast.size();
  }
  std::printf("ok: %zu documents, %zu words, the same on both paths\n", docs, words);
  return docs > 0 ? 0 : 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 3 && std::string_view(argv[1]) == "--speed") return Speed(argv[2]);
  if (argc == 3 && std::string_view(argv[1]) == "--compare-paths") return ComparePaths(argv[2]);
  if (argc != 2) {
    std::fprintf(stderr, "usage: near_dedup_driver FILE.jsonl\n");
    return 2;
  }
  std::ifstream in(argv[1]);
  simdjson::ondemand::parser parser;
  const dedup::MinHashConfig config;
  dedup::MinHasher hasher = *dedup::MinHasher::Create(config);
  std::vector<uint64_t> flat, sig, hashes;
  std::vector<std::vector<uint64_t>> shingles;
  dedup::WordSpans words;
  std::string line;
  while (std::getline(in, line)) {
    simdjson::padded_string padded(line);
    simdjson::ondemand::document doc;
    std::string_view text;
    if (parser.iterate(padded).get(doc) || doc["text"].get_string().get(text)) {
      std::fprintf(stderr, "bad line %zu\n", shingles.size() + 1);
      return 2;
    }
    dedup::SplitWords(text, words);
    dedup::ShingleHashes(words, config.ngram, hashes);
    hasher.SignatureOfHashes(hashes, sig);
    flat.insert(flat.end(), sig.begin(), sig.end());
    std::sort(hashes.begin(), hashes.end());
    hashes.erase(std::unique(hashes.begin(), hashes.end()), hashes.end());
    shingles.push_back(hashes);
  }
  std::map<std::pair<uint64_t, uint64_t>, double> pairs;
  dedup::LshOptions opt;
  opt.exhaustive_pairs = true;
  opt.on_confirmed_pair = [&](uint64_t i, uint64_t j, double jac) { pairs[{i, j}] = jac; };
  auto r = dedup::ClusterNearDuplicates(config, shingles.size(), flat.data(), opt);
  if (!r.ok()) return 2;
  std::printf("{\"shingles\": [");
  for (size_t d = 0; d < shingles.size(); ++d) {
    std::printf("%s[", d ? ", " : "");
    for (size_t k = 0; k < shingles[d].size(); ++k) {
      std::printf("%s%llu", k ? "," : "", static_cast<unsigned long long>(shingles[d][k]));
    }
    std::printf("]");
  }
  std::printf("],\n\"pairs\": [");
  bool first = true;
  for (const auto& [p, jac] : pairs) {
    std::printf("%s[%llu, %llu, %.6f]", first ? "" : ", ", static_cast<unsigned long long>(p.first),
                static_cast<unsigned long long>(p.second), jac);
    first = false;
  }
  std::printf("],\n\"representative\": [");
  for (size_t d = 0; d < r->representative.size(); ++d) {
    std::printf("%s%llu", d ? ", " : "", static_cast<unsigned long long>(r->representative[d]));
  }
  std::printf("],\n\"stats\": {\"candidate_pairs\": %llu, \"confirmed_pairs\": %llu, "
              "\"clusters\": %llu, \"removed\": %llu}}\n",
              static_cast<unsigned long long>(r->stats.candidate_pairs),
              static_cast<unsigned long long>(r->stats.confirmed_pairs),
              static_cast<unsigned long long>(r->stats.clusters),
              static_cast<unsigned long long>(r->stats.removed));
  return 0;
}

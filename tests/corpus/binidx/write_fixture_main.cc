// tests/corpus/binidx/write_fixture_main.cc — `binidx_write_fixture`: writes one shard of
// random documents with ShardWriter, for the tests that check other readers against it.
//
//   binidx_write_fixture PREFIX --seed S --docs N [--max-len L] [--eod] [--jsonl FILE] [--entry]
//
// --jsonl writes the expected ids, one JSON list per document. --entry prints the shard's
// build.json entry on stdout ({"name", "documents", "tokens", "bin_bytes", "idx_bytes",
// "xxh3_128"}), the hash taken with xxHash's one-shot XXH3_128bits and formatted through its
// canonical (big-endian) form, independently of `rwkvkit inspect`'s streaming code.
#include <xxhash.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>

#include "corpus/binidx/shard_writer.h"
#include "tests/corpus/binidx/random_documents.h"

namespace {

int Usage() {
  std::fputs("usage: binidx_write_fixture PREFIX --seed S --docs N [--max-len L] [--eod] [--jsonl FILE] [--entry]\n",
             stderr);
  return 2;
}

std::string Xxh3Hex(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  XXH128_canonical_t c;
  XXH128_canonicalFromHash(&c, XXH3_128bits(bytes.data(), bytes.size()));
  std::string hex;
  char b[3];
  for (unsigned char byte : c.digest) {
    std::snprintf(b, sizeof(b), "%02x", byte);
    hex += b;
  }
  return hex;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return Usage();
  const std::string prefix = argv[1];
  unsigned long seed = 0, docs = 0, max_len = 200;
  bool eod = false, entry = false;
  std::string jsonl;
  for (int i = 2; i < argc; ++i) {
    const std::string a = argv[i];
    const bool has_value = i + 1 < argc;
    if (a == "--seed" && has_value) seed = std::strtoul(argv[++i], nullptr, 10);
    else if (a == "--docs" && has_value) docs = std::strtoul(argv[++i], nullptr, 10);
    else if (a == "--max-len" && has_value) max_len = std::strtoul(argv[++i], nullptr, 10);
    else if (a == "--jsonl" && has_value) jsonl = argv[++i];
    else if (a == "--eod") eod = true;
    else if (a == "--entry") entry = true;
    else return Usage();
  }
  const auto documents =
      rwkvkit::binidx::testing::RandomDocuments(static_cast<uint32_t>(seed), docs, max_len, eod);
  absl::StatusOr<rwkvkit::binidx::ShardWriter> w = rwkvkit::binidx::ShardWriter::Create(prefix);
  if (!w.ok()) {
    std::fprintf(stderr, "%s\n", w.status().ToString().c_str());
    return 1;
  }
  for (const auto& d : documents) {
    if (absl::Status s = w->AddDocument(d); !s.ok()) {
      std::fprintf(stderr, "%s\n", s.ToString().c_str());
      return 1;
    }
  }
  absl::StatusOr<rwkvkit::binidx::ShardSummary> summary = w->Finish();
  if (!summary.ok()) {
    std::fprintf(stderr, "%s\n", summary.status().ToString().c_str());
    return 1;
  }
  if (!jsonl.empty()) {
    std::ofstream out(jsonl, std::ios::trunc);
    for (const auto& d : documents) {
      out << '[';
      for (size_t i = 0; i < d.size(); ++i) out << (i ? "," : "") << d[i];
      out << "]\n";
    }
    if (!out.good()) return 1;
  }
  if (entry) {
    std::printf("{\"name\": \"%s\", \"documents\": %llu, \"tokens\": %llu, \"bin_bytes\": %llu, \"idx_bytes\": %llu, "
                "\"xxh3_128\": \"%s\"}\n",
                summary->bin_path.stem().c_str(), static_cast<unsigned long long>(summary->documents),
                static_cast<unsigned long long>(summary->tokens), static_cast<unsigned long long>(summary->bin_bytes),
                static_cast<unsigned long long>(summary->idx_bytes), Xxh3Hex(summary->bin_path.string()).c_str());
  }
  return 0;
}

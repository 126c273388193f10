// bench/near_dedup_bench.cc — rwkvkit's near-dedup stage alone, for bench/dedup_bench.py.
//
//   near_dedup_bench --threads T --removed OUT.u32 FILE.jsonl...
//
// Reads the JSONL files in order (1 MiB blocks of whole lines, the "text" field with simdjson),
// computes every document's MinHash signature (MinHasher, default config: 5-word shingles,
// 14 x 8, Jaccard 0.8) on T threads (TBB), clusters them (ClusterNearDuplicates: sorted-band LSH,
// estimated-Jaccard confirmation, union-find, first document kept), and writes each removed
// document as four little-endian u32 (file index and 0-based line of the removed document, then
// of the document its cluster keeps) to OUT.u32, in input order.
// Prints one JSON object: documents, text bytes, removed, clusters, pairs, and the seconds of
// each part (the harness times the whole process). A line without a string "text" is counted
// in "bad_lines" and gets the empty signature. Not a test: bench/ is never run by ctest.
#include <tbb/global_control.h>
#include <tbb/parallel_for.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include <simdjson.h>

#include "base/json_writer.h"
#include "corpus/dedup/lsh_index.h"
#include "corpus/dedup/minhash.h"

using rwkvkit::corpus::dedup::ClusterNearDuplicates;
using rwkvkit::corpus::dedup::kEmptySignatureValue;
using rwkvkit::corpus::dedup::LshResult;
using rwkvkit::corpus::dedup::MinHashConfig;
using rwkvkit::corpus::dedup::MinHasher;

namespace {

double Since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

struct Block {
  std::string bytes;              // whole lines
  std::vector<size_t> line_start;  // offsets of each line in `bytes`
};

// Signatures of one block's lines, appended to `sigs` in line order.
void SignBlock(const MinHasher& hasher, const Block& b, std::vector<uint64_t>& sigs, uint64_t& text_bytes,
               uint64_t& bad) {
  const size_t h = hasher.config().num_hashes();
  const size_t n = b.line_start.size();
  const size_t base = sigs.size();
  sigs.resize(base + n * h);
  std::vector<uint64_t> bytes(n, 0), bad_lines(n, 0);
  tbb::parallel_for(tbb::blocked_range<size_t>(0, n, 16), [&](const tbb::blocked_range<size_t>& r) {
    thread_local simdjson::ondemand::parser parser;
    thread_local std::vector<uint64_t> sig;
    for (size_t k = r.begin(); k < r.end(); ++k) {
      const size_t s = b.line_start[k];
      const size_t e = k + 1 < n ? b.line_start[k + 1] - 1 : b.bytes.size() - 1;  // drop '\n'
      simdjson::padded_string line(b.bytes.data() + s, e - s);
      simdjson::ondemand::document doc;
      std::string_view text;
      if (parser.iterate(line).get(doc) || doc["text"].get_string().get(text)) {
        bad_lines[k] = 1;
        std::fill_n(sigs.data() + base + k * h, h, kEmptySignatureValue);
        continue;
      }
      hasher.Signature(text, sig);
      std::memcpy(sigs.data() + base + k * h, sig.data(), h * sizeof(uint64_t));
      bytes[k] = text.size();
    }
  });
  for (size_t k = 0; k < n; ++k) {
    text_bytes += bytes[k];
    bad += bad_lines[k];
  }
}

}  // namespace

int main(int argc, char** argv) {
  int threads = 0;
  const char* removed_path = nullptr;
  std::vector<std::string> files;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--threads") && i + 1 < argc) threads = std::atoi(argv[++i]);
    else if (!std::strcmp(argv[i], "--removed") && i + 1 < argc) removed_path = argv[++i];
    else files.emplace_back(argv[i]);
  }
  if (files.empty() || removed_path == nullptr || threads < 0) {
    std::fprintf(stderr, "usage: near_dedup_bench --threads T --removed OUT.u32 FILE.jsonl...\n");
    return 2;
  }
  tbb::global_control limit(tbb::global_control::max_allowed_parallelism,
                            threads > 0 ? static_cast<size_t>(threads) : tbb::global_control::active_value(
                                                                              tbb::global_control::max_allowed_parallelism));
  const auto t0 = std::chrono::steady_clock::now();
  MinHasher hasher = *MinHasher::Create(MinHashConfig{});
  std::vector<uint64_t> sigs;
  std::vector<std::pair<uint32_t, uint32_t>> where;  // (file, line) of each document
  uint64_t text_bytes = 0, bad = 0;
  double sign_only_s = 0;  // in the parallel signature loops (the rest of read_sign_s reads)
  for (uint32_t f = 0; f < files.size(); ++f) {
    std::ifstream in(files[f], std::ios::binary);
    if (!in) {
      std::fprintf(stderr, "%s: cannot open\n", files[f].c_str());
      return 2;
    }
    uint32_t line = 0;
    Block b;
    std::string l;
    auto flush = [&] {
      const auto s0 = std::chrono::steady_clock::now();
      SignBlock(hasher, b, sigs, text_bytes, bad);
      sign_only_s += Since(s0);
      b.bytes.clear();
      b.line_start.clear();
    };
    while (std::getline(in, l)) {
      b.line_start.push_back(b.bytes.size());
      b.bytes += l;
      b.bytes += '\n';
      where.emplace_back(f, line++);
      if (b.bytes.size() >= (8u << 20)) flush();
    }
    if (!b.line_start.empty()) flush();
  }
  const double sign_s = Since(t0);
  const auto t1 = std::chrono::steady_clock::now();
  const uint64_t n = where.size();
  absl::StatusOr<LshResult> r = ClusterNearDuplicates(hasher.config(), n, sigs.data());
  if (!r.ok()) {
    std::fprintf(stderr, "%s\n", r.status().ToString().c_str());
    return 1;
  }
  const double cluster_s = Since(t1);
  std::FILE* out = std::fopen(removed_path, "wb");
  if (out == nullptr) return 2;
  for (uint64_t i = 0; i < n; ++i) {
    if (r->representative[i] == i) continue;
    const uint64_t k = r->representative[i];
    const uint32_t rec[4] = {where[i].first, where[i].second, where[k].first, where[k].second};
    std::fwrite(rec, sizeof rec, 1, out);
  }
  std::fclose(out);
  rwkvkit::base::JsonWriter w;
  w.BeginObject().Key("documents").Uint(n).Key("text_bytes").Uint(text_bytes).Key("bad_lines").Uint(bad);
  w.Key("removed").Uint(r->stats.removed).Key("clusters").Uint(r->stats.clusters);
  w.Key("candidate_pairs").Uint(r->stats.candidate_pairs).Key("confirmed_pairs").Uint(r->stats.confirmed_pairs);
  w.Key("read_sign_s").Fixed(sign_s, 3).Key("sign_s").Fixed(sign_only_s, 3).Key("cluster_s").Fixed(cluster_s, 3);
  w.EndObject().Text("\n");
  std::fputs(w.str().c_str(), stdout);
  return 0;
}

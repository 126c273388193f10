// tools/dev/arm_walk_check/dump_trie.cc — writes the World trie's arrays and a document file
// into one file for walk_check.cc (built for the host, with the tokenizer library).
//
//   dump_trie VOCAB DOCS.bin OUT   (DOCS.bin: (uint32 length, bytes)*)
// OUT: cells u64 count, max_token_bytes u64, cells u32[], best u16[], depth u8[],
//      token lengths u8[65536], docs size u64, docs bytes.
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "tokenizer/internal/double_array.h"
#include "tokenizer/vocab.h"

int main(int argc, char** argv) {
  using rwkvkit::tokenizer::internal::DoubleArrayTrie;
  if (argc != 4) {
    std::fprintf(stderr, "usage: dump_trie VOCAB DOCS.bin OUT\n");
    return 2;
  }
  absl::StatusOr<rwkvkit::tokenizer::Vocab> vocab = rwkvkit::tokenizer::LoadVocabFile(argv[1]);
  if (!vocab.ok()) return 1;
  absl::StatusOr<std::unique_ptr<DoubleArrayTrie>> trie = DoubleArrayTrie::Build(*vocab);
  if (!trie.ok()) return 1;
  const DoubleArrayTrie& t = **trie;
  std::ifstream in(argv[2], std::ios::binary);
  std::stringstream docs;
  docs << in.rdbuf();
  const std::string d = docs.str();
  std::ofstream out(argv[3], std::ios::binary);
  const uint64_t n = t.num_cells(), mtb = t.max_token_bytes(), size = d.size();
  out.write(reinterpret_cast<const char*>(&n), 8);
  out.write(reinterpret_cast<const char*>(&mtb), 8);
  out.write(reinterpret_cast<const char*>(t.cells()), static_cast<std::streamsize>(n * 4));
  out.write(reinterpret_cast<const char*>(t.best_ids()), static_cast<std::streamsize>(n * 2));
  out.write(reinterpret_cast<const char*>(t.depths()), static_cast<std::streamsize>(n));
  out.write(reinterpret_cast<const char*>(t.token_lengths()), 65536);
  out.write(reinterpret_cast<const char*>(&size), 8);
  out.write(d.data(), static_cast<std::streamsize>(size));
  return out.good() ? 0 : 1;
}

// tools/dev/arm_walk_check/walk_check.cc — the SIMD walk against the plain walk on another
// architecture (built with a cross compiler, run under qemu-user): for every instruction set
// the (emulated) CPU runs, every document of the dump must give the plain walk's ids.
//
//   walk_check DUMP   (written by dump_trie on the host; exit 0 when every target agrees)
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "tokenizer/internal/double_array.h"
#include "tokenizer/internal/vector_encode.h"
#include "tokenizer/internal/vector_walk.h"
#include "tokenizer/internal/walk.h"

namespace ti = rwkvkit::tokenizer::internal;

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  std::ifstream in(argv[1], std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string d = ss.str();
  const char* p = d.data();
  auto take = [&](void* dst, size_t n) {
    std::memcpy(dst, p, n);
    p += n;
  };
  uint64_t n = 0, mtb = 0, size = 0;
  take(&n, 8);
  take(&mtb, 8);
  std::vector<uint32_t> cells(n);
  std::vector<uint16_t> best(n);
  std::vector<uint8_t> depth(n), lengths(65536);
  take(cells.data(), n * 4);
  take(best.data(), n * 2);
  take(depth.data(), n);
  take(lengths.data(), 65536);
  take(&size, 8);
  const std::string all(p, size);
  auto trie = ti::DoubleArrayTrie::FromArrays(std::move(cells), std::move(best), std::move(depth), std::move(lengths), mtb);
  std::vector<std::string_view> docs;
  for (size_t q = 0; q + 4 <= all.size();) {
    uint32_t len = 0;
    std::memcpy(&len, all.data() + q, 4);
    docs.emplace_back(all.data() + q + 4, len);
    q += 4 + len;
  }
  int bad = 0;
  for (const std::string& target : ti::VectorWalkTargetsOnThisCpu()) {
    ti::UseVectorWalkTarget(target);
    size_t walked = 0, tokens = 0;
    for (std::string_view doc : docs) {
      const auto* s = reinterpret_cast<const uint8_t*>(doc.data());
      std::vector<uint16_t> want(doc.size() + mtb), got(doc.size() + mtb);
      want.resize(ti::EncodeSpan(*trie, s, doc.size(), want.data()));
      if (!ti::VectorEncodeFits(*trie, doc.size(), 0, doc.size())) continue;
      size_t end = 0;
      got.resize(ti::EncodeVectorRange(*trie, s, doc.size(), 0, doc.size(), got.data(), &end));
      ++walked;
      tokens += got.size();
      if (got != want || end != doc.size()) {
        std::printf("%s: MISMATCH on a document of %zu bytes\n", target.c_str(), doc.size());
        ++bad;
        break;
      }
    }
    std::printf("%s (%zu lanes): %zu documents walked, %zu tokens, %s\n", target.c_str(), ti::VectorWalkLanes(),
                walked, tokens, bad ? "FAILED" : "same ids as the plain walk");
  }
  return bad == 0 ? 0 : 1;
}

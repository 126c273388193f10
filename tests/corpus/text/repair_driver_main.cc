// tests/corpus/text/repair_driver_main.cc — feeds byte strings through TextRepairer::Repair or
// RepairJsonLine for repair_oracle_test.py.
//
//   text_repair_driver --normalize nfc|nfkc|none [--json-line]  < records  > results
//
// Little-endian binary protocol. stdout begins with the counter names: u32 count, then per
// name u32 length + bytes (kRepairCounterFields order). stdin is a sequence of records, u32
// length + bytes; for each, stdout gets u32 length + repaired bytes + one u64 per counter (the
// counts of that record alone). Test code only: exits 2 on a bad flag or a truncated record.
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <string>
#include <string_view>

#include "corpus/text/text_repair.h"

namespace {

using rwkvkit::corpus::text::kRepairCounterFields;
using rwkvkit::corpus::text::RepairCounts;

void PutU32(uint32_t v) {
  unsigned char b[4];
  for (int i = 0; i < 4; ++i) b[i] = static_cast<unsigned char>(v >> (8 * i));
  std::fwrite(b, 1, 4, stdout);
}

void PutU64(uint64_t v) {
  unsigned char b[8];
  for (int i = 0; i < 8; ++i) b[i] = static_cast<unsigned char>(v >> (8 * i));
  std::fwrite(b, 1, 8, stdout);
}

void PutBytes(std::string_view s) {
  PutU32(static_cast<uint32_t>(s.size()));
  std::fwrite(s.data(), 1, s.size(), stdout);
}

// 1: a record read; 0: clean end of input; -1: truncated.
int ReadRecord(std::string& out) {
  unsigned char b[4];
  const size_t got = std::fread(b, 1, 4, stdin);
  if (got == 0) return 0;
  if (got != 4) return -1;
  const uint32_t n = b[0] | (b[1] << 8) | (b[2] << 16) | (static_cast<uint32_t>(b[3]) << 24);
  out.resize(n);
  return std::fread(out.data(), 1, n, stdin) == n ? 1 : -1;
}

}  // namespace

int main(int argc, char** argv) {
  std::string normalize = "nfc";
  bool json_line = false;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--normalize" && i + 1 < argc) normalize = argv[++i];
    else if (arg == "--json-line") json_line = true;
    else {
      std::cerr << "usage: text_repair_driver --normalize nfc|nfkc|none [--json-line]\n";
      return 2;
    }
  }
  const auto mode = rwkvkit::corpus::text::ParseNormalization(normalize);
  if (!mode.ok()) {
    std::cerr << mode.status() << "\n";
    return 2;
  }
  const auto repairer = rwkvkit::corpus::text::TextRepairer::Create(*mode);
  if (!repairer.ok()) {
    std::cerr << repairer.status() << "\n";
    return 2;
  }
  PutU32(static_cast<uint32_t>(std::size(kRepairCounterFields)));
  for (const auto& f : kRepairCounterFields) PutBytes(f.name);
  std::string in, out;
  int r;
  while ((r = ReadRecord(in)) == 1) {
    RepairCounts counts;
    if (json_line) out = rwkvkit::corpus::text::RepairJsonLine(in, counts);
    else repairer->Repair(in, out, counts);
    PutBytes(out);
    for (const auto& f : kRepairCounterFields) PutU64(counts.*f.member);
  }
  std::fflush(stdout);
  if (r < 0) {
    std::cerr << "truncated record on stdin\n";
    return 2;
  }
  return 0;
}

// bench/input_read_bench.cc — the read stage of `rwkvkit build` alone, for one input format:
// every file through corpus::input::OpenRecordSource() and its blocks of records, as the build's
// serial input stage reads them, and (with --extract) the text of each JSON line taken out
// with the build's JsonlFieldReader, as its parallel stage does first. Parquet records are
// the text already. Prints one JSON object: records, bytes of records, bytes of text, wall
// and CPU seconds. bench/input_bench.py runs it; never run by ctest.
//
//   input_read_bench [--format jsonl|jsonl.zst|jsonl.gz|parquet|auto] [--extract] FILE...
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "base/json_writer.h"
#include "corpus/input/record_source.h"
#include "corpus/input/jsonl_field.h"

namespace {

double CpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) * 1e-6;
}

}  // namespace

int main(int argc, char** argv) {
  using rwkvkit::corpus::input::RecordBlock;
  rwkvkit::corpus::input::RecordSourceOptions options;
  options.format = "auto";
  bool extract = false;
  std::vector<std::string> files;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--format") == 0 && i + 1 < argc) options.format = argv[++i];
    else if (std::strcmp(argv[i], "--extract") == 0) extract = true;
    else files.emplace_back(argv[i]);
  }
  if (files.empty()) {
    std::fprintf(stderr, "usage: input_read_bench [--format F] [--extract] FILE...\n");
    return 2;
  }
  rwkvkit::corpus::input::JsonlFieldReader fields({options.text_key});
  uint64_t records = 0, record_bytes = 0, text_bytes = 0;
  const auto t0 = std::chrono::steady_clock::now();
  const double c0 = CpuSeconds();
  RecordBlock block;
  for (const std::string& f : files) {
    auto source = rwkvkit::corpus::input::OpenRecordSource(f, options);
    if (!source.ok()) {
      std::fprintf(stderr, "input_read_bench: %s\n", std::string(source.status().message()).c_str());
      return 1;
    }
    for (;;) {
      absl::StatusOr<bool> more = (*source)->Next(block, 1 << 20);
      if (!more.ok()) {
        std::fprintf(stderr, "input_read_bench: %s\n", std::string(more.status().message()).c_str());
        return 1;
      }
      if (!*more) break;
      records += block.size();
      for (size_t k = 0; k < block.size(); ++k) {
        const std::string_view r = block.record(k);
        record_bytes += r.size();
        if (!extract || block.kind == rwkvkit::corpus::input::RecordKind::kText) {
          text_bytes += r.size();
        } else if (fields.Read(r).ok()) {
          absl::StatusOr<std::string_view> text = fields.Field(0);
          if (text.ok()) text_bytes += text->size();
        }
      }
    }
  }
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  rwkvkit::base::JsonWriter w;
  w.BeginObject().Key("records").Uint(records).Key("record_bytes").Uint(record_bytes).Key("text_bytes").Uint(text_bytes);
  w.Key("wall_s").Fixed(wall, 6).Key("cpu_s").Fixed(CpuSeconds() - c0, 6).EndObject().Text("\n");
  std::fputs(w.str().c_str(), stdout);
  return 0;
}

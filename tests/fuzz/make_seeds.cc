// tests/fuzz/make_seeds.cc — writes the seed corpora of the fuzz targets from the repository's
// own test data and writers (nothing downloaded): `fuzz_make_seeds SOURCE_DIR OUT_DIR`.
//
// OUT_DIR/<target>/ gets the seeds of each target (vocab, compiled_vocab, jsonl_field, jsonl_record,
// jsonl_stream, manifest, zip, pickle, pth, safetensors, binidx, build_info, inspect; the
// parquet target's come from make_parquet_seeds.py) and OUT_DIR/build/ the output of a real
// `rwkvkit build` of a small generated corpus (its build.json seeds build_info and inspect,
// its shards binidx; inspect_fuzzer reads the shards from there).
// Sources: a generated vocab and, when tools/setup.sh installed it, the head of the World
// vocab; generated JSONL records, also as files in every container (plain, gzip, xz, zstd;
// concatenated, truncated, corrupt); data_manifests/*.json; tiny .pth/.safetensors checkpoints
// from tests/refmodel/checkpoint/test_util.h and the data.pkl of tests/refmodel/fixtures/*.pth.
// Deterministic: the same tree gives the same seeds.
#include <lzma.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "corpus/binidx/shard_writer.h"
#include "corpus/build/manifest.h"
#include "corpus/build/pipeline.h"
#include "refmodel/checkpoint/zip_reader.h"
#include "tests/refmodel/checkpoint/test_util.h"
#include "tokenizer/tokenizer.h"
#include "tokenizer/vocab.h"

namespace {

namespace fs = std::filesystem;
namespace rt = rwkvkit::refmodel::testing;

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "fuzz_make_seeds: %s\n", what.c_str());
  std::exit(1);
}

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) Die(p.string() + ": cannot read");
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

void Write(const fs::path& p, std::string_view bytes) {
  fs::create_directories(p.parent_path());
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) Die(p.string() + ": cannot write");
}

// ---- vocab ----

// A Python literal for `bytes` in the World vocab's style: a str literal when the bytes are
// printable ASCII or valid multi-byte UTF-8 text, else a bytes literal with \x escapes.
std::string Literal(std::string_view bytes, bool as_bytes) {
  std::string out = as_bytes ? "b'" : "'";
  for (unsigned char c : bytes) {
    if (c == '\'' || c == '\\') absl::StrAppend(&out, "\\", std::string(1, static_cast<char>(c)));
    else if (c == '\n') out += "\\n";
    else if (c == '\t') out += "\\t";
    else if (c >= 0x20 && c < 0x7F) out.push_back(static_cast<char>(c));
    else if (!as_bytes && c >= 0x80) out.push_back(static_cast<char>(c));  // raw UTF-8 in a str literal
    else absl::StrAppend(&out, absl::StrFormat("\\x%02x", c));
  }
  return out + "'";
}

std::string GeneratedVocab(bool crlf) {
  std::string v;
  const char* eol = crlf ? "\r\n" : "\n";
  int id = 1;
  for (int b = 0; b < 256; ++b) {
    const std::string s(1, static_cast<char>(b));
    absl::StrAppend(&v, id++, " ", Literal(s, b >= 0x80), " 1", eol);
  }
  // Multi-byte tokens in every literal form the grammar allows.
  const std::vector<std::string> lines = {
      "'the' 3", "' the' 4", "'th' 2", "'ing' 3", "\"it's\" 4", "'\\n\\n' 2", "'\\u4e2d' 3", "'\xC3\xA9t\xC3\xA9' 5",
      "b'\\xe4\\xb8' 2", "'\\U0001F600' 4", "b'\\101\\102' 2", "'\\x41\\x42C' 3", "r'\\d' 2", "'a' 'bc' 3",
      "'''xy''' 2", "b'\\N' 2", "b'\\u00' 4", "u'uu' 2"};
  for (const std::string& l : lines) absl::StrAppend(&v, id++, " ", l, eol);
  return v;
}

void VocabSeeds(const fs::path& src, const fs::path& out) {
  Write(out / "generated.txt", GeneratedVocab(false));
  Write(out / "generated_crlf.txt", GeneratedVocab(true));
  std::string gen = GeneratedVocab(false);
  Write(out / "duplicate_id.txt", gen + "300 'zz' 2\n300 'zy' 2\n");
  Write(out / "bad_length.txt", gen + "400 'abc' 2\n");
  const fs::path world = src / ".rwkvkit" / "vocab" / "rwkv_vocab_v20230424.txt";
  if (fs::exists(world)) {
    const std::string w = ReadFile(world);
    size_t pos = 0;
    for (int line = 0; line < 400 && pos != std::string::npos; ++line) pos = w.find('\n', pos + 1);
    Write(out / "world_head.txt", w.substr(0, pos == std::string::npos ? w.size() : pos + 1));
  }
}

// Compiled tokenizer files of the vocab seeds that parse, intact, truncated and with a byte
// flipped.
void CompiledVocabSeeds(const fs::path& vocab_seeds, const fs::path& out) {
  for (const char* name : {"generated.txt", "world_head.txt"}) {
    if (!fs::exists(vocab_seeds / name)) continue;
    const std::string text = ReadFile(vocab_seeds / name);
    absl::StatusOr<std::string> c = rwkvkit::tokenizer::Tokenizer::Compile(text, name);
    if (!c.ok()) Die(std::string(c.status().message()));
    Write(out / absl::StrCat(name, ".compiled"), *c);
    Write(out / absl::StrCat(name, ".truncated"), c->substr(0, c->size() / 2));
    std::string flipped = *c;
    flipped[flipped.size() / 3] ^= 0x01;
    Write(out / absl::StrCat(name, ".flipped"), flipped);
  }
}

// ---- JSONL ----

std::vector<std::string> ProseParagraphs() {
  const std::vector<std::string> words = {"the", "river", "runs", "through", "a", "quiet", "valley", "where",
                                          "farmers", "grow", "wheat", "and", "barley", "every", "summer", "in",
                                          "small", "fields", "near", "old", "stone", "houses", "of", "village"};
  std::mt19937 rng(7);
  std::vector<std::string> out;
  for (int p = 0; p < 4; ++p) {
    std::string text;
    for (int s = 0; s < 12; ++s) {
      std::string sentence;
      const int n = 8 + static_cast<int>(rng() % 10);
      for (int w = 0; w < n; ++w) absl::StrAppend(&sentence, w == 0 ? "" : " ", words[rng() % words.size()]);
      sentence[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(sentence[0])));
      absl::StrAppend(&text, s == 0 ? "" : (s % 4 == 0 ? "\\n" : " "), sentence, ".");
    }
    out.push_back(text);
  }
  return out;
}

std::vector<std::string> JsonlRecords() {
  std::vector<std::string> r = {
      R"({"text": "Hello world", "id": "a1"})",
      R"({"id": 7, "text": "tab\there, newline\nthere, quote \" and backslash \\", "meta": {"lang": "en"}})",
      R"({"text": "\u00e9t\u00e9 \u4e2d\u6587 \ud83d\ude00 emoji", "id": "u"})",
      R"({"text": "lone \ud800 surrogate"})",
      "{\"text\": \"invalid \xff\xfe utf-8 \xc3\"}",
      "\xEF\xBB\xBF{\"text\": \"after a BOM\"}",
      R"({"text": "first", "text": "last wins"})",
      R"({"text": 12})",
      R"({"text": null, "meta": [1, 2, {"a": "b"}]})",
      R"({"other": "no text key"})",
      R"(["not", "an", "object"])",
      R"({"text": "trailing"} x)",
      R"({"text": "big number", "n": 1e400, "m": -12345678901234567890})",
      R"({"text": "", "id": ""})",
      R"({"text": "control \u0001\u0007 chars \r\n crlf \u0085 nel \ufeff"})",
      R"({"text": "e\u0301 combining, \uff21 fullwidth, \ufb01 ligature"})",
      R"({"text": "x", "deep": [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]})",
      "{\"text\": \"nul \\u0000 inside\", \"\\u0000key\": 1}",
      "",
      "{",
  };
  for (const std::string& p : ProseParagraphs()) r.push_back(absl::StrCat(R"({"text": ")", p, R"(", "id": "p"})"));
  r.push_back(R"({"text": "import os\ndef main():\n    return os.getcwd()\n", "id": "code"})");
  r.push_back(R"({"text": "Ceci est une phrase en fran\u00e7ais sur la rivi\u00e8re et les champs de bl\u00e9.", "id": "fr"})");
  return r;
}

void JsonlSeeds(const fs::path& out) {
  const std::vector<std::string> records = JsonlRecords();
  for (size_t i = 0; i < records.size(); ++i) {
    Write(out / "jsonl_field" / absl::StrFormat("record_%02d.jsonl", i), records[i]);
    Write(out / "jsonl_record" / absl::StrFormat("record_%02d.jsonl", i), records[i]);
  }
}

// ---- JSON Lines files in every container (jsonl_stream) ----

std::string Gzip(std::string_view in) {
  z_stream z{};
  if (deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK) Die("deflateInit2 failed");
  std::string out(deflateBound(&z, static_cast<uLong>(in.size())), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  if (deflate(&z, Z_FINISH) != Z_STREAM_END) Die("deflate failed");
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

std::string Xz(std::string_view in) {
  std::string out(lzma_stream_buffer_bound(in.size()), '\0');
  size_t pos = 0;
  if (lzma_easy_buffer_encode(6, LZMA_CHECK_CRC64, nullptr, reinterpret_cast<const uint8_t*>(in.data()), in.size(),
                              reinterpret_cast<uint8_t*>(out.data()), &pos, out.size()) != LZMA_OK)
    Die("lzma_easy_buffer_encode failed");
  out.resize(pos);
  return out;
}

std::string Zstd(std::string_view in) {
  std::string out(ZSTD_compressBound(in.size()), '\0');
  const size_t n = ZSTD_compress(out.data(), out.size(), in.data(), in.size(), 3);
  if (ZSTD_isError(n)) Die("ZSTD_compress failed");
  out.resize(n);
  return out;
}

// Small files (the fuzzer mutates them): a few records, a line over the target's 200-byte cap,
// CRLF, no final newline, empty lines; each plain and in every container, concatenated
// members/streams/frames, and truncated and corrupted compressed files.
void StreamSeeds(const fs::path& out) {
  const std::vector<std::string> records = JsonlRecords();
  std::vector<std::pair<std::string, std::string>> files = {
      {"records", absl::StrCat(records[0], "\n", records[1], "\n", records[2], "\n")},
      {"long_line", absl::StrCat(records[0], "\n", std::string(300, 'x'), "\n", records[3], "\n")},
      {"long_last_line", absl::StrCat(records[0], "\n{\"text\": \"", std::string(250, 'y'), "\"}")},
      {"crlf_no_final_newline", absl::StrCat(records[0], "\r\n\r\n\n", records[5])},
      {"prose", absl::StrCat(records[20], "\n", records[21], "\n")},
  };
  for (const auto& [name, text] : files) {
    Write(out / (name + ".jsonl"), text);
    Write(out / (name + ".jsonl.gz"), Gzip(text));
    Write(out / (name + ".jsonl.xz"), Xz(text));
    Write(out / (name + ".jsonl.zst"), Zstd(text));
  }
  const std::string a = files[0].second, b = files[1].second;
  Write(out / "members.jsonl.gz", Gzip(a) + Gzip(b));
  Write(out / "streams.jsonl.xz", Xz(a) + Xz(b));
  Write(out / "frames.jsonl.zst", Zstd(a) + Zstd(b));
  const std::string gz = Gzip(b), xz = Xz(b);
  Write(out / "truncated.jsonl.gz", gz.substr(0, gz.size() / 2));
  Write(out / "truncated.jsonl.xz", xz.substr(0, xz.size() - 9));
  std::string flipped = gz;
  flipped[flipped.size() - 6] ^= 0x55;  // the CRC of the member
  Write(out / "bad_crc.jsonl.gz", flipped);
  Write(out / "trailing_garbage.jsonl.gz", Gzip(a) + "not gzip\n");
}

// ---- manifests and a real build ----

std::string BuildManifest(const fs::path& data_dir) {
  return absl::StrCat(R"({
  "name": "fuzzseed",
  "description": "small generated corpus for the fuzz seeds",
  "seed": 3,
  "sources": [
    {"name": "prose", "paths": [")", (data_dir / "prose.jsonl").string(), R"("], "format": "jsonl",
     "text_key": "text", "id_key": "id", "language": "en", "license": "CC0-1.0", "weight": 2.0},
    {"name": "mixed", "paths": [")", (data_dir / "mixed.jsonl").string(), R"("], "format": "jsonl",
     "language": null, "license": "CC0-1.0", "weight": 0.5,
     "filters": {"gopher_quality": false}},
    {"name": "code", "paths": [")", (data_dir / "code.txt").string(), R"("], "format": "text",
     "language": "code:python", "license": "MIT"}
  ],
  "filters": {"c4": true},
  "output": {"dir": "out", "shard_tokens": 2000, "ctx_len": 64},
  "near_dedup": {"enabled": true, "ngram": 3, "bands": 4, "rows": 2, "threshold": 0.7}
})");
}

void ManifestAndBuildSeeds(const fs::path& src, const fs::path& out, const rwkvkit::tokenizer::Tokenizer& tok,
                           const fs::path& vocab_path) {
  for (const fs::directory_entry& e : fs::directory_iterator(src / "data_manifests"))
    if (e.path().extension() == ".json") Write(out / "manifest" / e.path().filename(), ReadFile(e.path()));

  const fs::path data = out / "build_input";
  std::string prose, mixed;
  const std::vector<std::string> records = JsonlRecords();
  for (const std::string& p : ProseParagraphs()) {
    absl::StrAppend(&prose, R"({"text": ")", p, R"(", "id": "p"})", "\n");
    absl::StrAppend(&prose, R"({"text": ")", p, R"( Again.", "id": "q"})", "\n");  // a near duplicate
  }
  for (const std::string& r : records) absl::StrAppend(&mixed, r, "\n");
  Write(data / "prose.jsonl", prose);
  Write(data / "mixed.jsonl", mixed);
  Write(data / "code.txt", "import sys\n\nfor line in sys.stdin:\n    print(line.upper())\n");
  const std::string manifest_text = BuildManifest(data);
  Write(out / "manifest" / "fuzzseed.json", manifest_text);

  absl::StatusOr<rwkvkit::corpus::build::Manifest> m = rwkvkit::corpus::build::ParseManifest(manifest_text, "fuzzseed.json", out);
  if (!m.ok()) Die(std::string(m.status().message()));
  for (const bool filters : {true, false}) {
    rwkvkit::corpus::build::BuildOptions o;
    o.manifest = *m;
    o.manifest_path = (out / "manifest" / "fuzzseed.json").string();
    o.out_dir = out / (filters ? "build" : "build_plain");
    o.vocab_path = vocab_path;
    o.shard_tokens = m->output.shard_tokens;
    o.ctx_len = m->output.ctx_len;
    o.near_dedup = filters;
    o.minhash = m->near_dedup->config;
    o.filters = filters;
    o.threads = 1;
    o.progress = false;
    o.max_bad_fraction = 1.0;  // the "mixed" source is bad records on purpose
    fs::remove_all(o.out_dir);
    absl::StatusOr<rwkvkit::corpus::build::BuildSummary> s = rwkvkit::corpus::build::RunBuild(o, tok);
    if (!s.ok()) Die(absl::StrCat("seed build: ", s.status().message()));
    const std::string bj = ReadFile(o.out_dir / "build.json");
    const std::string name = filters ? "build.json" : "build_plain.json";
    Write(out / "build_info" / name, bj);
    Write(out / "inspect" / name, bj);
    // binidx seeds: 4 bytes of .bin size, then the .idx.
    for (const fs::directory_entry& e : fs::directory_iterator(o.out_dir)) {
      if (e.path().extension() != ".idx") continue;
      fs::path bin = e.path();
      bin.replace_extension(".bin");
      const uint32_t bin_size = static_cast<uint32_t>(fs::file_size(bin));
      std::string seed(4, '\0');
      for (int k = 0; k < 4; ++k) seed[k] = static_cast<char>(bin_size >> (8 * k));
      Write(out / "binidx" / absl::StrCat(filters ? "" : "plain_", e.path().stem().string()), seed + ReadFile(e.path()));
    }
  }
  // Shards of unusual shapes from the writer: no documents, empty-ish documents, many small.
  const std::vector<std::vector<std::vector<uint16_t>>> shapes = {
      {}, {{0}}, {{1, 2, 3, 0}, {0}, {65535, 0}}, std::vector<std::vector<uint16_t>>(50, {7, 0})};
  for (size_t k = 0; k < shapes.size(); ++k) {
    const fs::path prefix = out / "writer_shards" / absl::StrCat("s", k);
    fs::create_directories(prefix.parent_path());
    absl::StatusOr<rwkvkit::binidx::ShardWriter> w = rwkvkit::binidx::ShardWriter::Create(prefix);
    if (!w.ok()) Die(std::string(w.status().message()));
    for (const auto& doc : shapes[k])
      if (absl::Status st = w->AddDocument(doc); !st.ok()) Die(std::string(st.message()));
    absl::StatusOr<rwkvkit::binidx::ShardSummary> sum = w->Finish();
    if (!sum.ok()) Die(std::string(sum.status().message()));
    std::string seed(4, '\0');
    for (int b = 0; b < 4; ++b) seed[b] = static_cast<char>(sum->bin_bytes >> (8 * b));
    Write(out / "binidx" / absl::StrCat("writer_", k), seed + ReadFile(sum->idx_path));
  }
  fs::remove_all(out / "writer_shards");
}

// ---- checkpoints ----

void CheckpointSeeds(const fs::path& src, const fs::path& out) {
  rt::TinyDims d;
  d.L = 1, d.D = 8, d.A = 8, d.H = 2, d.N = 4, d.F = 16, d.V = 12, d.Dm = 2, d.Dd = 2;
  int k = 0;
  for (const std::string version : {"5.2", "6.0"}) {
    const std::vector<rt::NamedTensor> model = rt::MakeTinyModel(version, d, 11);
    for (const rt::TestDType dt : {rt::TestDType::kBF16, rt::TestDType::kF16, rt::TestDType::kF32}) {
      rt::PthOptions o;
      o.dtype = dt;
      o.zip64 = k % 2 == 1;
      o.short_strings = k % 3 == 1;
      o.shared_storage = k % 3 == 2;
      const std::string pth = rt::WritePth(model, o);
      const std::string name = absl::StrCat("tiny_v", version, "_", k);
      Write(out / "pth" / (name + ".pth"), pth);
      Write(out / "zip" / (name + ".pth"), pth);
      Write(out / "safetensors" / (name + ".safetensors"), rt::WriteSafetensors(model, dt));
      ++k;
    }
  }
  // Hand-made headers: tensors that overlap (refused), that are adjacent or empty (accepted).
  const auto safetensors = [](const std::string& header, size_t data_bytes) {
    std::string f(8, '\0');
    for (int b = 0; b < 8; ++b) f[b] = static_cast<char>((header.size() >> (8 * b)) & 0xff);
    return f + header + std::string(data_bytes, '\0');
  };
  Write(out / "safetensors" / "overlap.safetensors",
        safetensors(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                    R"("b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})", 12));
  Write(out / "safetensors" / "adjacent_and_empty.safetensors",
        safetensors(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},)"
                    R"("b":{"dtype":"BF16","shape":[4],"data_offsets":[4,12]},)"
                    R"("c":{"dtype":"F16","shape":[0],"data_offsets":[4,4]}})", 12));
  Write(out / "zip" / "two_entries.zip", rt::WriteZip({{"a/x", "hello"}, {"a/y", std::string(100, 'y')}}, false).bytes);
  Write(out / "zip" / "two_entries64.zip", rt::WriteZip({{"a/x", "hello"}, {"a/y", ""}}, true).bytes);
  // The pickles: data.pkl of every .pth seed and of the committed fixtures.
  std::vector<fs::path> pths;
  for (const fs::directory_entry& e : fs::directory_iterator(out / "pth")) pths.push_back(e.path());
  for (const fs::directory_entry& e : fs::directory_iterator(src / "tests" / "refmodel" / "fixtures"))
    if (e.path().extension() == ".pth") pths.push_back(e.path());
  std::sort(pths.begin(), pths.end());
  for (const fs::path& p : pths) {
    const std::string bytes = ReadFile(p);
    const std::span<const uint8_t> span(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
    absl::StatusOr<rwkvkit::refmodel::checkpoint::ZipArchive> zip =
        rwkvkit::refmodel::checkpoint::ZipArchive::Open(p.string(), span);
    if (!zip.ok()) Die(std::string(zip.status().message()));
    for (const rwkvkit::refmodel::checkpoint::ZipEntry& e : zip->entries()) {
      if (!e.name.ends_with("/data.pkl")) continue;
      absl::StatusOr<std::span<const uint8_t>> pkl = zip->Data(e);
      if (!pkl.ok()) Die(std::string(pkl.status().message()));
      Write(out / "pickle" / (p.stem().string() + ".pkl"),
            std::string_view(reinterpret_cast<const char*>(pkl->data()), pkl->size()));
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: fuzz_make_seeds SOURCE_DIR OUT_DIR\n");
    return 2;
  }
  const fs::path src = argv[1], out = argv[2];
  fs::remove_all(out);
  fs::create_directories(out);
  VocabSeeds(src, out / "vocab");
  CompiledVocabSeeds(out / "vocab", out / "compiled_vocab");
  JsonlSeeds(out);
  StreamSeeds(out / "jsonl_stream");
  const fs::path vocab_path = out / "vocab" / "generated.txt";
  absl::StatusOr<rwkvkit::tokenizer::Tokenizer> tok = rwkvkit::tokenizer::Tokenizer::Load(vocab_path);
  if (!tok.ok()) Die(std::string(tok.status().message()));
  ManifestAndBuildSeeds(src, out, *tok, vocab_path);
  CheckpointSeeds(src, out);
  size_t files = 0;
  for (const fs::directory_entry& e : fs::recursive_directory_iterator(out)) files += e.is_regular_file();
  std::printf("fuzz_make_seeds: %zu files under %s\n", files, out.c_str());
  return 0;
}

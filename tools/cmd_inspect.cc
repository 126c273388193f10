// tools/cmd_inspect.cc — `rwkvkit inspect`: verify binidx shards and print what they hold.
//
// PATH is a build output directory (build.json + `<corpus>_<00000>.bin/.idx` shards) or one
// shard (its prefix, or its .bin / .idx). One shard: open it with ShardReader (which checks
// the whole index and the .bin size), scan every document for its length and whether it
// ends with token 0, print the numbers; exit 1 with the reader's error on a damaged shard.
// A directory: check every shard build.json lists (exists, opens cleanly, has the listed
// documents, tokens, bytes and XXH3-128 of its .bin), that the totals and the RWKV-LM
// training numbers in build.json match the shards, that each source's documents and tokens
// match the shards' source runs, and that no
// unlisted shard files lie beside them; print a table, then every problem, and exit 1 if
// there is one. Each .bin is read twice (hash, then scan): simple, and inspect is not a hot
// path. Pulls in simdjson (build.json, error codes only) and xxHash.
#include <xxhash.h>

#include <simdjson.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/json_writer.h"
#include "base/status_macros.h"
#include "corpus/binidx/shard_reader.h"
#include "corpus/binidx/training_numbers.h"
#include "tools/cli/flags.h"
#include "tools/cli/trainer_text.h"
#include "tools/commands.h"

namespace rwkvkit::cli {
namespace {

namespace fs = std::filesystem;

const CommandSpec kSpec{
    "inspect",
    "PATH [options]",
    R"(Verifies binidx shards and prints what they hold. PATH is either
  - a build output directory: every shard listed in its build.json must exist, open cleanly
    and have the listed documents, tokens, bytes and XXH3-128 of its .bin; its "output"
    totals, "training" numbers (--my_exit_tokens, --magic_prime) and each source's
    documents_written and tokens must match the shards;
    no unlisted <name>.bin/.idx(.tmp) may lie beside them;
  - one shard: its prefix (out/demo_00000) or its .bin or .idx file.
Prints documents, tokens, bytes (int32 shards, dtype code 4, are read too), the
shortest/longest/mean document, and whether every document ends with token 0 (RWKV-LM's end
of document), then RWKV-LM's --my_exit_tokens / --magic_prime for each shard and the trainer
command lines (for a build with several shards: the `rwkvkit merge` that joins them first),
or why the data is too small to train on. build.json's per-shard numbers must match too.
Exit 1 listing every problem.)",
    {
        {"json", FlagKind::kBool, "", "print the result as JSON on stdout"},
        {"ctx-len", FlagKind::kValue, "N", "the training context length for RWKV-LM's numbers (default: the build's\n"
         "training.ctx_len; for one shard, none unless given)"},
    }};

constexpr uint64_t kScanTokens = 1 << 20;

struct ShardStats {
  std::string name;
  uint64_t documents = 0, tokens = 0, bin_bytes = 0, idx_bytes = 0;
  uint64_t min_tokens = 0, max_tokens = 0;
  uint64_t not_ending_with_0 = 0;
  std::optional<uint64_t> first_not_ending_with_0;
  std::string xxh3_128;  // directory mode only
  bool opened = false;   // the reader accepted it and every document was read
  bool ok = false;       // opened, and everything matches build.json
};

// Lengths and end-of-document tokens of every document, reading the .bin as a stream.
absl::Status ScanDocuments(const binidx::ShardReader& r, ShardStats& s) {
  s.documents = r.num_documents();
  s.tokens = r.num_tokens();
  s.bin_bytes = r.bin_bytes();
  s.idx_bytes = r.idx_bytes();
  s.min_tokens = r.num_documents() ? std::numeric_limits<uint64_t>::max() : 0;
  std::vector<uint16_t> chunk;
  uint64_t chunk_begin = 0, doc_end = 0;
  for (uint64_t i = 0; i < r.num_documents(); ++i) {
    const uint64_t n = r.document_tokens(i);
    s.min_tokens = std::min(s.min_tokens, n);
    s.max_tokens = std::max(s.max_tokens, n);
    doc_end += n;
    bool ends_with_0 = false;
    if (n > 0) {
      if (doc_end - 1 < chunk_begin || doc_end - 1 >= chunk_begin + chunk.size()) {
        chunk_begin = doc_end - 1;
        RWKVKIT_RETURN_IF_ERROR(r.ReadTokens(chunk_begin, std::min(kScanTokens, s.tokens - chunk_begin), chunk));
      }
      ends_with_0 = chunk[doc_end - 1 - chunk_begin] == 0;
    }
    if (!ends_with_0) {
      if (!s.first_not_ending_with_0) s.first_not_ending_with_0 = i;
      ++s.not_ending_with_0;
    }
  }
  return absl::OkStatus();
}

// XXH3-128 of a file as 32 lowercase hex digits, high 64 bits first.
absl::StatusOr<std::string> Xxh3File(const fs::path& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return absl::NotFoundError(absl::StrCat(path.string(), ": cannot open"));
  XXH3_state_t* state = XXH3_createState();
  XXH3_128bits_reset(state);
  std::vector<char> buf(1 << 20);
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), f)) > 0) XXH3_128bits_update(state, buf.data(), n);
  const bool failed = std::ferror(f) != 0;
  std::fclose(f);
  const XXH128_hash_t h = XXH3_128bits_digest(state);
  XXH3_freeState(state);
  if (failed) return absl::DataLossError(absl::StrCat(path.string(), ": read failed"));
  return absl::StrFormat("%016x%016x", h.high64, h.low64);
}

double MeanTokens(const ShardStats& s) { return s.documents ? static_cast<double>(s.tokens) / s.documents : 0.0; }

// The "training" member: RWKV-LM's numbers for `tokens` at `ctx_len` (nothing without one).
void TrainingJson(base::JsonWriter& w, uint64_t tokens, std::optional<uint64_t> ctx_len) {
  if (!ctx_len) return;
  absl::StatusOr<binidx::TrainingNumbers> t = binidx::ComputeTrainingNumbers(tokens, *ctx_len);
  if (!t.ok()) return;
  w.Key("training").BeginObject().Key("ctx_len").Uint(*ctx_len).Key("my_exit_tokens").Uint(tokens).Key("magic_prime");
  if (t->magic_prime) w.Uint(*t->magic_prime);
  else w.Null();
  w.Key("trainer_accepts").Bool(t->trainer_accepts).EndObject();
}

// {"name": .., "ok": .., "documents": .., ..., "training": {..}}; the shard's numbers only when it opened.
void StatsJson(base::JsonWriter& w, const ShardStats& s, std::optional<uint64_t> ctx_len) {
  w.BeginObject().Key("name").String(s.name).Key("ok").Bool(s.ok);
  if (s.opened) {
    w.Key("documents").Uint(s.documents).Key("tokens").Uint(s.tokens).Key("bin_bytes").Uint(s.bin_bytes);
    w.Key("idx_bytes").Uint(s.idx_bytes).Key("min_tokens").Uint(s.min_tokens).Key("max_tokens").Uint(s.max_tokens);
    w.Key("mean_tokens").Fixed(MeanTokens(s), 3).Key("documents_not_ending_with_0").Uint(s.not_ending_with_0);
    if (!s.xxh3_128.empty()) w.Key("xxh3_128").String(s.xxh3_128);
    TrainingJson(w, s.tokens, ctx_len);
  }
  w.EndObject();
}

std::string EndsWith0Text(const ShardStats& s) {
  if (s.not_ending_with_0 == 0) return absl::StrCat("yes, all ", s.documents, " documents");
  return absl::StrCat("NO: ", s.not_ending_with_0, " of ", s.documents, " documents do not (first: document ",
                      *s.first_not_ending_with_0, ")");
}

// RWKV-LM's numbers for a shard opened on its own: "p", "p (rejected)" or "none".
std::string ShardPrimeText(uint64_t tokens, uint64_t ctx_len) {
  absl::StatusOr<binidx::TrainingNumbers> t = binidx::ComputeTrainingNumbers(tokens, ctx_len);
  if (!t.ok() || !t->magic_prime) return "none";
  return absl::StrCat(*t->magic_prime, t->trainer_accepts ? "" : " (rejected)");
}

int InspectShard(const fs::path& prefix, bool json, std::optional<uint64_t> ctx_len) {
  absl::StatusOr<binidx::ShardReader> r = binidx::ShardReader::Open(prefix);
  if (!r.ok()) return ReportError("inspect", r.status());
  ShardStats s;
  s.name = prefix.filename().string();
  if (absl::Status st = ScanDocuments(*r, s); !st.ok()) return ReportError("inspect", st);
  s.opened = s.ok = true;
  if (json) {
    base::JsonWriter w;
    StatsJson(w, s, ctx_len);
    std::printf("%s\n", w.str().c_str());
    return 0;
  }
  std::printf("shard        %s\ndocuments    %llu\ntokens       %llu\nbin bytes    %llu\nidx bytes    %llu\n",
              prefix.string().c_str(), static_cast<unsigned long long>(s.documents),
              static_cast<unsigned long long>(s.tokens), static_cast<unsigned long long>(s.bin_bytes),
              static_cast<unsigned long long>(s.idx_bytes));
  std::printf("doc tokens   min %llu, max %llu, mean %.1f\nends with 0  %s\n%s",
              static_cast<unsigned long long>(s.min_tokens), static_cast<unsigned long long>(s.max_tokens),
              MeanTokens(s), EndsWith0Text(s).c_str(),
              ctx_len ? TrainerText(s.tokens, *ctx_len, prefix.string()).c_str() : "");
  return 0;
}

// One build.json shard entry.
struct ListedShard {
  std::string name, xxh3_128;
  uint64_t documents = 0, tokens = 0, bin_bytes = 0, idx_bytes = 0;
  // The documents' sources in shard order, run-length encoded (index into sources, count);
  // absent in build.json files that predate it.
  std::optional<std::vector<std::pair<uint64_t, uint64_t>>> source_runs;
  // "training" {my_exit_tokens, magic_prime} when build.json has it (builds since the numbers
  // per shard); has_magic_prime: the key is present (null = none).
  std::optional<uint64_t> my_exit_tokens, magic_prime;
  bool has_magic_prime = false;
};

// A build.json source's name and what its counts say reached the shards.
struct ListedSource {
  std::string name;
  std::optional<uint64_t> documents_written, tokens;
};

// Documents and tokens per source index, counted from the shards.
using SourceTotals = std::map<uint64_t, std::pair<uint64_t, uint64_t>>;

// The sums build.json states: "output" {shards, documents, tokens} as `rwkvkit build` writes
// it, else "total" {tokens} (the older shape); and "training" {ctx_len, my_exit_tokens,
// magic_prime}. Absent keys are not checked.
struct BuildJson {
  std::string corpus;
  std::vector<ListedShard> shards;
  std::vector<ListedSource> sources;
  std::string totals_key;  // "output" or "total"
  std::optional<uint64_t> total_shards, total_tokens, total_documents;
  std::optional<uint64_t> ctx_len, my_exit_tokens;
  bool has_magic_prime = false;          // the key is present (null = none)
  std::optional<uint64_t> magic_prime;
};

absl::Status JsonError(const fs::path& path, const std::string& what, simdjson::error_code e) {
  return absl::DataLossError(absl::StrCat(path.string(), ": ", what, " (", simdjson::error_message(e), ")"));
}

absl::StatusOr<ListedShard> ParseShardEntry(const fs::path& path, size_t i, simdjson::dom::element e) {
  ListedShard s;
  const std::string where = absl::StrCat("shards[", i, "].");
  std::string_view sv;
  if (auto err = e["name"].get(sv); err) return JsonError(path, where + "name is missing or not a string", err);
  s.name = std::string(sv);
  if (auto err = e["xxh3_128"].get(sv); err) return JsonError(path, where + "xxh3_128 is missing or not a string", err);
  s.xxh3_128 = std::string(sv);
  const std::pair<const char*, uint64_t*> numbers[] = {
      {"documents", &s.documents}, {"tokens", &s.tokens}, {"bin_bytes", &s.bin_bytes}, {"idx_bytes", &s.idx_bytes}};
  for (const auto& [key, dst] : numbers) {
    if (auto err = e[key].get(*dst); err) {
      return JsonError(path, absl::StrCat(where, key, " is missing or not an unsigned integer"), err);
    }
  }
  simdjson::dom::object training;
  if (!e["training"].get(training)) {
    uint64_t v;
    if (!training["my_exit_tokens"].get(v)) s.my_exit_tokens = v;
    simdjson::dom::element p;
    if (!training["magic_prime"].get(p)) {
      s.has_magic_prime = true;
      if (!p.get(v)) s.magic_prime = v;
    }
  }
  if (s.name.empty() || s.name.find('/') != std::string::npos || s.name == "." || s.name == "..") {
    return absl::DataLossError(absl::StrCat(path.string(), ": ", where, "name \"", s.name, "\" is not a file name"));
  }
  simdjson::dom::array runs;
  if (!e["source_runs"].get(runs)) {
    s.source_runs.emplace();
    for (simdjson::dom::element run : runs) {
      uint64_t src = 0, n = 0;
      if (run.at(0).get(src) || run.at(1).get(n))
        return absl::DataLossError(absl::StrCat(path.string(), ": ", where, "source_runs holds an entry that is not [source, count]"));
      s.source_runs->emplace_back(src, n);
    }
  }
  return s;
}

absl::StatusOr<BuildJson> ReadBuildJson(const fs::path& path) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (auto err = parser.load(path.string()).get(root); err) {
    if (err == simdjson::IO_ERROR) return absl::NotFoundError(absl::StrCat(path.string(), ": cannot read"));
    return JsonError(path, "not valid JSON", err);
  }
  simdjson::dom::array shards;
  if (auto err = root["shards"].get(shards); err) return JsonError(path, "\"shards\" is missing or not an array", err);
  BuildJson out;
  std::string_view corpus;
  if (!root["corpus"].get(corpus)) out.corpus = std::string(corpus);
  size_t i = 0;
  for (simdjson::dom::element e : shards) {
    RWKVKIT_ASSIGN_OR_RETURN(ListedShard s, ParseShardEntry(path, i++, e));
    out.shards.push_back(std::move(s));
  }
  uint64_t v;
  simdjson::dom::object o;
  simdjson::dom::array sources;
  if (!root["sources"].get(sources)) {
    for (simdjson::dom::element e : sources) {
      ListedSource src;
      std::string_view name;
      if (!e["name"].get(name)) src.name = std::string(name);
      if (!e["counts"]["documents_written"].get(v)) src.documents_written = v;
      if (!e["counts"]["tokens"].get(v)) src.tokens = v;
      out.sources.push_back(std::move(src));
    }
  }
  if (!root["output"].get(o)) {
    out.totals_key = "output";
    if (!o["shards"].get(v)) out.total_shards = v;
    if (!o["documents"].get(v)) out.total_documents = v;
    if (!o["tokens"].get(v)) out.total_tokens = v;
  } else if (!root["total"].get(o)) {
    out.totals_key = "total";
    if (!o["tokens"].get(v)) out.total_tokens = v;
  }
  if (!root["training"].get(o)) {
    if (!o["ctx_len"].get(v)) out.ctx_len = v;
    if (!o["my_exit_tokens"].get(v)) out.my_exit_tokens = v;
    simdjson::dom::element p;
    if (!o["magic_prime"].get(p)) {
      out.has_magic_prime = true;
      if (!p.get(v)) out.magic_prime = v;
    }
  }
  return out;
}

// Adds each document of the shard to its source (by the listed source runs) in `totals`.
void CountSources(const binidx::ShardReader& r, const ListedShard& want, SourceTotals& totals,
                  std::vector<std::string>& problems) {
  uint64_t doc = 0;
  for (const auto& [src, n] : *want.source_runs) {
    for (uint64_t k = 0; k < n && doc < r.num_documents(); ++k, ++doc) {
      ++totals[src].first;
      totals[src].second += r.document_tokens(doc);
    }
  }
  uint64_t listed = 0;
  for (const auto& run : *want.source_runs) listed += run.second;
  if (listed != r.num_documents())
    problems.push_back(absl::StrCat(want.name, ": source_runs in build.json cover ", listed, " documents, the shard holds ",
                                    r.num_documents()));
}

// build.json's per-shard "training" numbers against the shard's tokens.
void CheckShardTraining(const ListedShard& want, uint64_t tokens, std::optional<uint64_t> ctx_len, ShardStats& s,
                        std::vector<std::string>& problems) {
  if (want.my_exit_tokens && *want.my_exit_tokens != tokens) {
    s.ok = false;
    problems.push_back(absl::StrCat(want.name, ": training.my_exit_tokens differs from the shard's tokens (saw ", tokens,
                                    ", expected ", *want.my_exit_tokens, ")"));
  }
  if (!ctx_len || !want.has_magic_prime) return;
  const std::optional<uint64_t> p = binidx::MagicPrime(tokens, *ctx_len);
  if (p != want.magic_prime) {
    s.ok = false;
    problems.push_back(absl::StrCat(want.name, ": training.magic_prime for ctx_len ", *ctx_len, " (saw ",
                                    want.magic_prime ? absl::StrCat(*want.magic_prime) : "null", ", expected ",
                                    p ? absl::StrCat(*p) : "null", " by RWKV-LM's make_data rule)"));
  }
}

// Checks one listed shard; appends what is wrong to `problems`. Fills `s` when it opens.
void CheckListedShard(const fs::path& dir, const ListedShard& want, std::optional<uint64_t> build_ctx_len, ShardStats& s,
                      SourceTotals& totals,
                      std::vector<std::string>& problems) {
  const fs::path prefix = dir / want.name;
  s.name = want.name;
  absl::StatusOr<binidx::ShardReader> r = binidx::ShardReader::Open(prefix);
  if (!r.ok()) {
    problems.push_back(absl::StrCat(want.name, ": ", std::string(r.status().message())));
    return;
  }
  if (absl::Status st = ScanDocuments(*r, s); !st.ok()) {
    problems.push_back(absl::StrCat(want.name, ": ", std::string(st.message())));
    return;
  }
  s.opened = s.ok = true;
  if (want.source_runs) CountSources(*r, want, totals, problems);
  const std::pair<const char*, std::pair<uint64_t, uint64_t>> fields[] = {
      {"documents", {s.documents, want.documents}},
      {"tokens", {s.tokens, want.tokens}},
      {"bin_bytes", {s.bin_bytes, want.bin_bytes}},
      {"idx_bytes", {s.idx_bytes, want.idx_bytes}}};
  for (const auto& [key, v] : fields) {
    if (v.first != v.second) {
      s.ok = false;
      problems.push_back(absl::StrCat(want.name, ": ", key, " differ from build.json (saw ", v.first, ", expected ", v.second, ")"));
    }
  }
  CheckShardTraining(want, s.tokens, build_ctx_len, s, problems);
  absl::StatusOr<std::string> hash = Xxh3File(r->bin_path());
  if (!hash.ok()) {
    s.ok = false;
    problems.push_back(absl::StrCat(want.name, ": ", std::string(hash.status().message())));
    return;
  }
  s.xxh3_128 = *hash;
  if (*hash != want.xxh3_128) {
    s.ok = false;
    problems.push_back(absl::StrCat(want.name, ".bin: XXH3-128 differs from build.json (saw ", *hash, ", expected ",
                                    want.xxh3_128, ")"));
  }
}

// Shard-like files in `dir` that build.json does not list.
void CheckForUnlistedFiles(const fs::path& dir, const std::set<std::string>& listed, std::vector<std::string>& problems) {
  std::error_code ec;
  std::vector<std::string> extra;
  for (const fs::directory_entry& e : fs::directory_iterator(dir, ec)) {
    const std::string f = e.path().filename().string();
    for (const char* ext : {".bin", ".idx", ".bin.tmp", ".idx.tmp"}) {
      const std::string x = ext;
      if (f.size() > x.size() && f.compare(f.size() - x.size(), x.size(), x) == 0) {
        const std::string stem = f.substr(0, f.size() - x.size());
        if (!listed.contains(stem) || x.ends_with(".tmp")) extra.push_back(f);
        break;
      }
    }
  }
  if (ec) problems.push_back(absl::StrCat(dir.string(), ": cannot list (", ec.message(), ")"));
  std::sort(extra.begin(), extra.end());
  for (const std::string& f : extra) problems.push_back(absl::StrCat(f, ": shard file not listed in build.json"));
}

// build.json's sums and training numbers against what the shards hold.
void CheckTotals(const BuildJson& b, uint64_t shards, uint64_t docs, uint64_t tokens, std::vector<std::string>& problems) {
  auto check = [&](const std::string& key, const std::optional<uint64_t>& stated, uint64_t actual) {
    if (stated && *stated != actual) {
      problems.push_back(absl::StrCat("build.json: ", key, " does not match the shards (saw ", actual,
                                      " in the shards, expected ", *stated, ")"));
    }
  };
  check(b.totals_key + ".shards", b.total_shards, shards);
  check(b.totals_key + ".documents", b.total_documents, docs);
  check(b.totals_key + ".tokens", b.total_tokens, tokens);
  check("training.my_exit_tokens", b.my_exit_tokens, tokens);
  if (b.ctx_len && *b.ctx_len > 0 && b.has_magic_prime) {
    const std::optional<uint64_t> want = binidx::MagicPrime(tokens, *b.ctx_len);
    if (want != b.magic_prime) {
      problems.push_back(absl::StrCat("build.json: training.magic_prime for ctx_len ", *b.ctx_len, " (saw ",
                                      b.magic_prime ? absl::StrCat(*b.magic_prime) : "null", ", expected ",
                                      want ? absl::StrCat(*want) : "null", " by RWKV-LM's make_data rule)"));
    }
  }
}

// Each source's documents_written and tokens in build.json against what the shards hold (a
// weight stored as fewer copies than counted, for one, shows here).
void CheckSources(const BuildJson& b, const SourceTotals& totals, std::vector<std::string>& problems) {
  for (const auto& [src, n] : totals)
    if (src >= b.sources.size())
      problems.push_back(absl::StrCat("build.json: source_runs name source ", src, ", but only ", b.sources.size(),
                                      " sources are listed"));
  for (size_t i = 0; i < b.sources.size(); ++i) {
    const ListedSource& want = b.sources[i];
    const auto it = totals.find(i);
    const std::pair<uint64_t, uint64_t> got = it == totals.end() ? std::pair<uint64_t, uint64_t>{0, 0} : it->second;
    const std::pair<const char*, std::pair<std::optional<uint64_t>, uint64_t>> fields[] = {
        {"documents_written", {want.documents_written, got.first}}, {"tokens", {want.tokens, got.second}}};
    for (const auto& [key, v] : fields)
      if (v.first && *v.first != v.second)
        problems.push_back(absl::StrCat("build.json: sources[", i, "] (\"", want.name, "\") counts.", key,
                                        " does not match the shards (saw ", v.second, " in the shards, expected ",
                                        *v.first, ")"));
  }
}

void PrintTable(const fs::path& dir, const std::vector<ShardStats>& stats, uint64_t docs, uint64_t tokens,
                std::optional<uint64_t> ctx_len) {
  std::printf("%s: %zu shards\n\n%-24s %12s %14s %16s %9s %9s %10s  %-16s %s\n", dir.string().c_str(), stats.size(),
              "shard", "documents", "tokens", "bin bytes", "min", "max", "mean", "magic_prime", "status");
  uint64_t bin_bytes = 0;
  for (const ShardStats& s : stats) {
    if (!s.opened) {
      std::printf("%-24s %12s %14s %16s %9s %9s %10s  %-16s %s\n", s.name.c_str(), "-", "-", "-", "-", "-", "-", "-", "BAD");
      continue;
    }
    bin_bytes += s.bin_bytes;
    std::printf("%-24s %12llu %14llu %16llu %9llu %9llu %10.1f  %-16s %s%s\n", s.name.c_str(),
                static_cast<unsigned long long>(s.documents), static_cast<unsigned long long>(s.tokens),
                static_cast<unsigned long long>(s.bin_bytes), static_cast<unsigned long long>(s.min_tokens),
                static_cast<unsigned long long>(s.max_tokens), MeanTokens(s),
                ctx_len ? ShardPrimeText(s.tokens, *ctx_len).c_str() : "-", s.ok ? "ok" : "BAD",
                s.not_ending_with_0 ? absl::StrCat(" (", s.not_ending_with_0, " docs without end token 0)").c_str() : "");
  }
  std::printf("%-24s %12llu %14llu %16llu %9s %9s %10s  %-16s\n", "total", static_cast<unsigned long long>(docs),
              static_cast<unsigned long long>(tokens), static_cast<unsigned long long>(bin_bytes), "", "", "",
              ctx_len ? ShardPrimeText(tokens, *ctx_len).c_str() : "-");
  if (ctx_len) std::printf("(magic_prime: RWKV-LM's --magic_prime for ctx_len %llu when the shard is opened on its own)\n\n",
                           static_cast<unsigned long long>(*ctx_len));
}

int InspectDirectory(const fs::path& dir, bool json, std::optional<uint64_t> flag_ctx_len) {
  absl::StatusOr<BuildJson> build = ReadBuildJson(dir / "build.json");
  if (!build.ok()) return ReportError("inspect", build.status());
  const std::optional<uint64_t> ctx_len = flag_ctx_len ? flag_ctx_len : build->ctx_len;
  std::vector<std::string> problems;
  std::vector<ShardStats> stats(build->shards.size());
  std::set<std::string> listed;
  uint64_t docs = 0, tokens = 0;
  bool all_opened = true, all_runs = true;
  SourceTotals totals;
  for (size_t i = 0; i < build->shards.size(); ++i) {
    const ListedShard& want = build->shards[i];
    if (!listed.insert(want.name).second) problems.push_back(absl::StrCat(want.name, ": listed twice in build.json"));
    CheckListedShard(dir, want, build->ctx_len, stats[i], totals, problems);
    all_opened = all_opened && stats[i].opened;
    all_runs = all_runs && want.source_runs.has_value();
    docs += stats[i].documents;
    tokens += stats[i].tokens;
  }
  // Totals only mean something when every shard could be counted.
  if (all_opened) CheckTotals(*build, stats.size(), docs, tokens, problems);
  if (all_opened && all_runs && !build->sources.empty()) CheckSources(*build, totals, problems);
  CheckForUnlistedFiles(dir, listed, problems);
  if (all_opened && docs == 0)
    problems.push_back(absl::StrCat("the build holds no documents (", stats.size(),
                                    " shards): nothing to train on; a build that keeps no document fails today, so "
                                    "this one is from an older rwkvkit or was edited: rebuild it"));
  if (json) {
    base::JsonWriter w;
    w.BeginObject().Key("path").String(dir.string()).Key("ok").Bool(problems.empty());
    w.Key("documents").Uint(docs).Key("tokens").Uint(tokens).Key("shards").BeginArray();
    for (const ShardStats& s : stats) StatsJson(w, s, ctx_len);
    w.EndArray();
    TrainingJson(w, tokens, ctx_len);
    w.Key("problems").BeginArray();
    for (const std::string& p : problems) w.String(p);
    std::printf("%s\n", w.EndArray().EndObject().str().c_str());
  } else {
    PrintTable(dir, stats, docs, tokens, ctx_len);
    if (ctx_len && stats.size() == 1) {
      std::fputs(TrainerText(tokens, *ctx_len, (dir / stats[0].name).string()).c_str(), stdout);
    } else if (ctx_len) {
      const std::string corpus = build->corpus.empty() ? "merged" : build->corpus;
      std::fputs(BuildTrainerText(dir, corpus, stats.size(), tokens, *ctx_len).c_str(), stdout);
    }
  }
  for (const std::string& p : problems) std::fprintf(stderr, "rwkvkit inspect: %s\n", p.c_str());
  if (!problems.empty()) {
    std::fprintf(stderr, "rwkvkit inspect: %zu problem%s in %s\n", problems.size(), problems.size() == 1 ? "" : "s",
                 dir.string().c_str());
    return 1;
  }
  return 0;
}

}  // namespace

int RunInspect(int argc, char** argv) {
  ParsedFlags flags;
  if (const std::optional<int> rc = ParseCommandLine(argc, argv, kSpec, flags)) return *rc;
  if (flags.positional.size() != 1) {
    return ReportError("inspect", absl::InvalidArgumentError("give exactly one PATH (see --help)"));
  }
  std::optional<uint64_t> ctx_len;
  if (flags.Has("ctx-len")) {
    absl::StatusOr<long> c = flags.GetInt("ctx-len", 0, 1, std::numeric_limits<int32_t>::max());
    if (!c.ok()) return ReportError("inspect", c.status());
    ctx_len = static_cast<uint64_t>(*c);
  }
  const bool json = flags.Has("json");
  fs::path path = flags.positional[0];
  std::error_code ec;
  if (fs::is_directory(path, ec)) return InspectDirectory(path, json, ctx_len);
  if (path.extension() == ".bin" || path.extension() == ".idx") path.replace_extension();
  return InspectShard(path, json, ctx_len);
}

}  // namespace rwkvkit::cli

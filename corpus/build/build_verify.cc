// corpus/build/build_verify.cc — see build_verify.h.
#include "corpus/build/build_verify.h"

#include <algorithm>
#include <cstdio>
#include <limits>
#include <map>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/status_macros.h"
#include "corpus/binidx/shard_reader.h"
#include "corpus/binidx/training_numbers.h"
#include "corpus/build/build_checks.h"
#include "corpus/build/build_json.h"

namespace rwkvkit::corpus::build {
namespace {

namespace fs = std::filesystem;

constexpr uint64_t kScanTokens = 1 << 20;

// Lengths and end-of-document tokens of every document, reading the .bin as a stream.
absl::Status ScanDocuments(const binidx::ShardReader& r, ShardCheck& s) {
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

// Documents and tokens per source index, counted from the shards.
using SourceTotals = std::map<uint64_t, std::pair<uint64_t, uint64_t>>;

// Adds each document of the shard to its source (by the listed source runs) in `totals`.
void CountSources(const binidx::ShardReader& r, const BuildShard& want, SourceTotals& totals,
                  std::vector<std::string>& problems) {
  uint64_t doc = 0;
  for (const auto& [src, n] : want.source_runs) {
    for (uint64_t k = 0; k < n && doc < r.num_documents(); ++k, ++doc) {
      ++totals[src].first;
      totals[src].second += r.document_tokens(doc);
    }
  }
  uint64_t listed = 0;
  for (const auto& run : want.source_runs) listed += run.second;
  if (listed != r.num_documents())
    problems.push_back(absl::StrCat(want.name, ": source_runs in build.json cover ", listed, " documents, the shard holds ",
                                    r.num_documents()));
}

// build.json's per-shard "training" numbers against the shard's tokens.
void CheckShardTraining(const BuildShard& want, uint64_t tokens, std::optional<uint64_t> ctx_len, ShardCheck& s,
                        std::vector<std::string>& problems) {
  const StatedTraining& t = want.training;
  if (t.my_exit_tokens && *t.my_exit_tokens != tokens) {
    s.ok = false;
    problems.push_back(absl::StrCat(want.name, ": training.my_exit_tokens differs from the shard's tokens (saw ", tokens,
                                    ", expected ", *t.my_exit_tokens, ")"));
  }
  if (!ctx_len || !t.has_magic_prime) return;
  const std::optional<uint64_t> p = binidx::MagicPrime(tokens, *ctx_len);
  if (p != t.magic_prime) {
    s.ok = false;
    problems.push_back(absl::StrCat(want.name, ": training.magic_prime for ctx_len ", *ctx_len, " (saw ",
                                    t.magic_prime ? absl::StrCat(*t.magic_prime) : "null", ", expected ",
                                    p ? absl::StrCat(*p) : "null", " by RWKV-LM's make_data rule)"));
  }
}

// Checks one listed shard; appends what is wrong to `problems`. Fills `s` when it opens.
void CheckListedShard(const fs::path& dir, const BuildShard& want, bool has_runs, std::optional<uint64_t> build_ctx_len,
                      ShardCheck& s, SourceTotals& totals, std::vector<std::string>& problems) {
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
  if (has_runs) CountSources(*r, want, totals, problems);
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
  absl::StatusOr<std::string> hash = FileHash128Hex(r->bin_path());
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
// The sums are "output" {shards, documents, tokens} as `rwkvkit build` writes them, else
// "total" {tokens} (an older build's shape); absent members are not checked.
void CheckTotals(const BuildJson& b, uint64_t shards, uint64_t docs, uint64_t tokens, std::vector<std::string>& problems) {
  auto check = [&](const std::string& key, bool stated, uint64_t want, uint64_t actual) {
    if (stated && want != actual) {
      problems.push_back(absl::StrCat("build.json: ", key, " does not match the shards (saw ", actual,
                                      " in the shards, expected ", want, ")"));
    }
  };
  if (b.Has("output")) {
    check("output.shards", b.Has("output.shards"), b.output_shards, shards);
    check("output.documents", b.Has("output.documents"), b.output_documents, docs);
    check("output.tokens", b.Has("output.tokens"), b.output_tokens, tokens);
  } else {
    check("total.tokens", b.Has("total") && b.Has("total.tokens"), b.total.tokens, tokens);
  }
  const StatedTraining& t = b.training;
  check("training.my_exit_tokens", t.my_exit_tokens.has_value(), t.my_exit_tokens.value_or(0), tokens);
  if (b.ctx_len && t.has_magic_prime) {
    const std::optional<uint64_t> want = binidx::MagicPrime(tokens, *b.ctx_len);
    if (want != t.magic_prime) {
      problems.push_back(absl::StrCat("build.json: training.magic_prime for ctx_len ", *b.ctx_len, " (saw ",
                                      t.magic_prime ? absl::StrCat(*t.magic_prime) : "null", ", expected ",
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
    const BuildSource& want = b.sources[i];
    const std::string counts = absl::StrCat("sources[", i, "].counts");
    const bool stated = b.Has(absl::StrCat("sources[", i, "]")) && b.Has(counts);
    const auto it = totals.find(i);
    const std::pair<uint64_t, uint64_t> got = it == totals.end() ? std::pair<uint64_t, uint64_t>{0, 0} : it->second;
    const std::pair<const char*, std::pair<uint64_t, uint64_t>> fields[] = {
        {"documents_written", {want.counts.documents_written, got.first}}, {"tokens", {want.counts.tokens, got.second}}};
    for (const auto& [key, v] : fields)
      if (stated && b.Has(absl::StrCat(counts, ".", key)) && v.first != v.second)
        problems.push_back(absl::StrCat("build.json: sources[", i, "] (\"", want.name, "\") counts.", key,
                                        " does not match the shards (saw ", v.second, " in the shards, expected ",
                                        v.first, ")"));
  }
}

}  // namespace

absl::StatusOr<ShardCheck> InspectShard(const fs::path& prefix) {
  RWKVKIT_ASSIGN_OR_RETURN(const binidx::ShardReader r, binidx::ShardReader::Open(prefix));
  ShardCheck s;
  s.name = prefix.filename().string();
  RWKVKIT_RETURN_IF_ERROR(ScanDocuments(r, s));
  s.opened = s.ok = true;
  return s;
}

absl::StatusOr<BuildCheck> VerifyBuild(const fs::path& dir) {
  absl::StatusOr<BuildJson> build = ReadBuildJson(dir, BuildJsonRead::kVerify);
  if (!build.ok()) return build.status();
  BuildCheck check;
  check.corpus = build->corpus;
  check.ctx_len = build->ctx_len;
  std::vector<std::string>& problems = check.problems;
  std::vector<ShardCheck>& stats = check.shards;
  stats.resize(build->shards.size());
  std::set<std::string> listed;
  uint64_t& docs = check.documents;
  uint64_t& tokens = check.tokens;
  bool all_opened = true, all_runs = true;
  SourceTotals totals;
  for (size_t i = 0; i < build->shards.size(); ++i) {
    const BuildShard& want = build->shards[i];
    const bool has_runs = build->Has(absl::StrCat("shards[", i, "].source_runs"));
    if (!listed.insert(want.name).second) problems.push_back(absl::StrCat(want.name, ": listed twice in build.json"));
    CheckListedShard(dir, want, has_runs, build->ctx_len, stats[i], totals, problems);
    all_opened = all_opened && stats[i].opened;
    all_runs = all_runs && has_runs;
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
  return check;
}

absl::StatusOr<BuildShards> ShardsOfBuild(const fs::path& dir) {
  RWKVKIT_ASSIGN_OR_RETURN(const BuildJson info, ReadBuildJson(dir));
  if (info.shards.empty()) return absl::FailedPreconditionError(absl::StrCat(dir.string(), ": the build has no shards"));
  BuildShards out;
  out.ctx_len = info.ctx_len;
  for (const BuildShard& s : info.shards) {
    RWKVKIT_ASSIGN_OR_RETURN(const binidx::ShardReader r, binidx::ShardReader::Open(dir / s.name));
    if (r.num_documents() != s.documents || r.num_tokens() != s.tokens) {
      return absl::FailedPreconditionError(absl::StrCat(
          r.idx_path().string(), ": differs from ", (dir / kBuildJsonName).string(), " (saw ", r.num_documents(),
          " documents and ", r.num_tokens(), " tokens, expected ", s.documents, " and ", s.tokens,
          "); run rwkvkit inspect ", dir.string()));
    }
    out.prefixes.push_back(dir / s.name);
  }
  return out;
}

}  // namespace rwkvkit::corpus::build

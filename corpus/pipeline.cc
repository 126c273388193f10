// corpus/pipeline.cc — the TBB wiring of a build (see pipeline.h).
#include "corpus/pipeline.h"

#include <tbb/enumerable_thread_specific.h>
#include <tbb/info.h>
#include <tbb/parallel_pipeline.h>
#include <tbb/task_arena.h>
#include <xxhash.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <optional>
#include <random>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/status_macros.h"
#include "corpus/bad_input.h"
#include "corpus/binidx/shard_writer.h"
#include "corpus/build_report.h"
#include "corpus/doc_processor.h"
#include "corpus/exact_dedup.h"
#include "corpus/input/block_reader.h"
#include "corpus/input/input_paths.h"
#include "corpus/progress.h"
#include "corpus/spill_store.h"

namespace rwkvkit::corpus {
namespace {

constexpr size_t kBlockBytes = 1 << 20;
constexpr char kWorkDir[] = ".rwkvkit-work";

struct InputFile {
  uint32_t source;
  std::filesystem::path path;
};

// What phase 2 needs to know of each stored document (4 bytes per document, docs_meta.u32).
struct DocMeta {
  uint16_t copies;
  uint16_t source;
};

// One unit of work in flight: about kBlockBytes of whole lines (or one text file).
struct Batch {
  uint32_t source = 0;
  size_t file = 0;
  bool whole_file = false;
  LineBlock block;
  std::string text;
  std::string file_error;  // the file broke off after the lines of this batch
  bool file_start = false;
  uint64_t bytes_done = 0;  // input bytes consumed when the batch was cut (progress)
  std::vector<DocResult> results;
};

// Deterministic uniform [0, 1) from a document key, the manifest seed and the source.
double SampleUniform(const Hash128& key, uint64_t seed, uint32_t source) {
  uint64_t x = key.lo ^ (key.hi * 0x9E3779B97F4A7C15ull) ^ (seed * 0xBF58476D1CE4E5B9ull) ^ (uint64_t{source} << 32);
  x ^= x >> 30;
  x *= 0xBF58476D1CE4E5B9ull;
  x ^= x >> 27;
  x *= 0x94D049BB133111EBull;
  x ^= x >> 31;
  return static_cast<double>(x >> 11) * 0x1.0p-53;
}

// Copies of a document in the output for a source weight: floor(w), plus one more with
// probability frac(w) (0.3 keeps a deterministic 30% sample, 2.0 repeats twice).
uint32_t Copies(double weight, const Hash128& key, uint64_t seed, uint32_t source) {
  const double whole = std::floor(weight);
  const double frac = weight - whole;
  return static_cast<uint32_t>(whole) + (frac > 0 && SampleUniform(key, seed, source) < frac ? 1 : 0);
}

// Reads the input files in order and cuts them into batches (the serial input stage).
class InputStage {
 public:
  InputStage(const BuildOptions& opt, const std::vector<InputFile>& files) : opt_(opt), files_(files) {}

  // The next batch, or nullptr at the end.
  std::unique_ptr<Batch> Next() {
    while (next_file_ <= files_.size()) {
      if (!reader_) {
        if (next_file_ == files_.size()) return nullptr;
        auto b = std::make_unique<Batch>();
        b->file = next_file_;
        b->source = files_[next_file_].source;
        b->file_start = true;
        absl::StatusOr<BlockReader> r = BlockReader::Open(files_[next_file_].path);
        if (!r.ok()) {
          b->file_error = std::string(r.status().message());
          ++next_file_;
          return b;
        }
        reader_.emplace(*std::move(r));
        if (opt_.manifest.sources[b->source].format == "text") {
          b->whole_file = true;
          absl::StatusOr<std::string> all = reader_->ReadAll();
          if (all.ok()) b->text = *std::move(all);
          else b->file_error = std::string(all.status().message());
          Advance(*b);
          return b;
        }
        pending_start_ = true;
      }
      auto b = std::make_unique<Batch>();
      b->file = next_file_;
      b->source = files_[next_file_].source;
      b->file_start = pending_start_;
      pending_start_ = false;
      absl::StatusOr<bool> more = reader_->Next(b->block, kBlockBytes);
      if (!more.ok()) {
        b->file_error = std::string(more.status().message());
        Advance(*b);
        return b;
      }
      if (!*more) {
        Advance(*b);
        if (b->file_start) return b;  // an empty file still counts as a file
        continue;
      }
      b->bytes_done = done_before_ + reader_->bytes_consumed();
      return b;
    }
    return nullptr;
  }

 private:
  void Advance(Batch& b) {
    done_before_ += reader_ ? reader_->file_size() : 0;
    b.bytes_done = done_before_;
    reader_.reset();
    ++next_file_;
  }
  const BuildOptions& opt_;
  const std::vector<InputFile>& files_;
  size_t next_file_ = 0;
  std::optional<BlockReader> reader_;
  bool pending_start_ = false;
  uint64_t done_before_ = 0;
};

// The serial in-order output stage: everything that depends on other documents.
class OutputStage {
 public:
  OutputStage(const BuildOptions& opt, const std::vector<InputFile>& files, SpillWriter& spill,
              std::vector<SourceCounts>& counts, BadInputSink& bad, std::vector<DocMeta>& meta)
      : opt_(opt), files_(files), spill_(spill), counts_(counts), bad_(bad), meta_(meta) {}

  absl::Status Consume(Batch& b) {
    SourceCounts& c = counts_[b.source];
    const std::string& path = files_[b.file].path.string();
    if (b.file_start) ++c.files;
    for (size_t k = 0; k < b.results.size(); ++k) {
      DocResult& r = b.results[k];
      ++c.documents_read;
      c.bytes_in += r.bytes_in;
      c.repairs += r.repairs;
      ++docs_;
      if (!r.drop_reason.empty()) {
        ++c.dropped[r.drop_reason];
        const std::string where = b.whole_file ? path : absl::StrCat(path, ":", b.block.first_line + k);
        bad_.Report(r.drop_reason, where, r.message);
        if (opt_.strict) return absl::DataLossError(absl::StrCat(where, ": ", r.message, " (--strict)"));
        continue;
      }
      if (!dedup_.Insert(r.key)) {
        ++c.dropped["duplicate"];
        continue;
      }
      const uint32_t copies = Copies(opt_.manifest.sources[b.source].weight, r.key, opt_.manifest.seed, b.source);
      if (copies == 0) {
        ++c.dropped["sampled_out"];
        continue;
      }
      ++c.documents_kept;
      c.documents_written += copies;
      c.bytes_out += r.bytes_out;
      c.tokens += r.tokens.size() * copies;
      meta_.push_back(DocMeta{static_cast<uint16_t>(std::min<uint32_t>(copies, 65535)), static_cast<uint16_t>(b.source)});
      RWKVKIT_RETURN_IF_ERROR(spill_.Append(r.tokens));
    }
    if (!b.file_error.empty()) {
      c.file_errors.push_back(b.file_error);
      std::fprintf(stderr, "rwkvkit build: %s (the rest of this file is skipped)\n", b.file_error.c_str());
      if (opt_.strict) return absl::DataLossError(absl::StrCat(b.file_error, " (--strict)"));
    }
    return absl::OkStatus();
  }
  uint64_t docs() const { return docs_; }
  const ExactDedup& dedup() const { return dedup_; }

 private:
  const BuildOptions& opt_;
  const std::vector<InputFile>& files_;
  SpillWriter& spill_;
  std::vector<SourceCounts>& counts_;
  BadInputSink& bad_;
  std::vector<DocMeta>& meta_;
  ExactDedup dedup_;
  uint64_t docs_ = 0;
};

absl::StatusOr<std::vector<InputFile>> ListInputs(const BuildOptions& opt, uint64_t& total_bytes) {
  std::vector<InputFile> files;
  total_bytes = 0;
  for (uint32_t s = 0; s < opt.manifest.sources.size(); ++s) {
    const ManifestSource& src = opt.manifest.sources[s];
    absl::StatusOr<std::vector<std::filesystem::path>> paths = ExpandInputPaths(src.paths, src.format);
    if (!paths.ok())
      return absl::Status(paths.status().code(),
                          absl::StrCat(std::string(paths.status().message()), " (source \"", src.name, "\")"));
    for (const auto& p : *paths) {
      std::error_code ec;
      total_bytes += std::filesystem::file_size(p, ec);
      files.push_back(InputFile{s, p});
    }
  }
  return files;
}

// Identifies the inputs and options of a build, so --resume never mixes two different builds.
std::string Fingerprint(const BuildOptions& opt, const std::vector<InputFile>& files, const std::string& options_json) {
  std::string f = options_json;
  for (const InputFile& in : files) {
    std::error_code ec;
    const auto size = std::filesystem::file_size(in.path, ec);
    const auto mtime = std::filesystem::last_write_time(in.path, ec).time_since_epoch().count();
    absl::StrAppend(&f, in.source, " ", in.path.string(), " ", size, " ", mtime, "\n");
  }
  absl::StrAppend(&f, "vocab ", opt.vocab_path.string(), "\n");
  return f;
}

std::string ReadSmallFile(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

absl::Status RunPhase1(const BuildOptions& opt, const tokenizer::Tokenizer& tok, const std::vector<InputFile>& files,
                       uint64_t total_bytes, const std::filesystem::path& work, BuildSummary& summary) {
  absl::StatusOr<TextRepairer> repairer = TextRepairer::Create(opt.normalization);
  if (!repairer.ok()) return repairer.status();
  RWKVKIT_ASSIGN_OR_RETURN(SpillWriter spill, SpillWriter::Create(work));
  std::vector<SourceCounts> counts(opt.manifest.sources.size());
  BadInputSink bad(stderr);
  std::vector<DocMeta> meta;
  InputStage input(opt, files);
  OutputStage output(opt, files, spill, counts, bad, meta);
  Progress progress("build", total_bytes, opt.progress);
  tbb::enumerable_thread_specific<std::vector<std::unique_ptr<DocProcessor>>> processors;
  absl::Status status;
  std::atomic<bool> stop{false};
  const size_t in_flight = 2 * static_cast<size_t>(tbb::this_task_arena::max_concurrency()) + 2;
  uint64_t bytes_done = 0;
  tbb::parallel_pipeline(
      in_flight,
      tbb::make_filter<void, Batch*>(tbb::filter_mode::serial_in_order,
                                     [&](tbb::flow_control& fc) -> Batch* {
                                       std::unique_ptr<Batch> b = stop ? nullptr : input.Next();
                                       if (!b) fc.stop();
                                       return b.release();
                                     }) &
          tbb::make_filter<Batch*, Batch*>(
              tbb::filter_mode::parallel,
              [&](Batch* b) -> Batch* {
                // One processor per thread and source (sources may have different text keys).
                auto& procs = processors.local();
                if (procs.size() <= b->source) procs.resize(b->source + 1);
                if (!procs[b->source])
                  procs[b->source] =
                      std::make_unique<DocProcessor>(tok, *repairer, opt.manifest.sources[b->source].text_key);
                DocProcessor& proc = *procs[b->source];
                if (b->whole_file) {
                  if (b->file_error.empty()) {
                    b->results.resize(1);
                    proc.ProcessText(b->text, b->results[0]);
                  }
                  return b;
                }
                b->results.resize(b->block.size());
                for (size_t k = 0; k < b->block.size(); ++k) proc.ProcessJsonLine(b->block.line(k), b->results[k]);
                return b;
              }) &
          tbb::make_filter<Batch*, void>(tbb::filter_mode::serial_in_order, [&](Batch* raw) {
            std::unique_ptr<Batch> b(raw);
            if (!status.ok()) return;
            status = output.Consume(*b);
            if (!status.ok()) stop = true;
            bytes_done = std::max(bytes_done, b->bytes_done);
            progress.Update(bytes_done, output.docs());
          }));
  if (!status.ok()) return status;
  progress.Done(total_bytes, output.docs());
  summary.bad_records = bad.total();
  summary.documents_read = output.docs();
  summary.input_bytes = total_bytes;
  RWKVKIT_RETURN_IF_ERROR(WriteFileAtomically(
      work / "docs_meta.u32", std::string(reinterpret_cast<const char*>(meta.data()), meta.size() * sizeof(DocMeta))));
  RWKVKIT_RETURN_IF_ERROR(
      WriteFileAtomically(work / "phase1.json", Phase1Json(opt, counts, bad, output.dedup().MemoryBytes())));
  return spill.Finish();  // the completion marker goes last
}

// The output order: indexes into the token store, repeats included.
std::vector<uint64_t> OutputOrder(const std::vector<DocMeta>& meta, bool shuffle, uint64_t seed) {
  std::vector<uint64_t> order;
  uint16_t passes = 0;
  for (const DocMeta& m : meta) passes = std::max(passes, m.copies);
  for (uint16_t pass = 0; pass < passes; ++pass)
    for (uint64_t i = 0; i < meta.size(); ++i)
      if (meta[i].copies > pass) order.push_back(i);
  if (shuffle && order.size() > 1) {
    // Fisher–Yates with mt19937_64 (its output is fixed by the standard) and our own bounded
    // draw (std::uniform_int_distribution differs between standard libraries).
    std::mt19937_64 rng(seed);
    for (uint64_t i = order.size() - 1; i > 0; --i) {
      const uint64_t bound = i + 1;
      const uint64_t limit = UINT64_MAX - UINT64_MAX % bound;
      uint64_t x;
      do x = rng();
      while (x >= limit);
      std::swap(order[i], order[x % bound]);
    }
  }
  return order;
}

std::string Hex128(const XXH128_hash_t& h) { return absl::StrFormat("%016x%016x", h.high64, h.low64); }

absl::Status RunPhase2(const BuildOptions& opt, const std::filesystem::path& work, std::vector<ShardRecord>& shards,
                       BuildSummary& summary) {
  RWKVKIT_ASSIGN_OR_RETURN(SpillReader spill, SpillReader::Open(work));
  const std::string raw = ReadSmallFile(work / "docs_meta.u32");
  std::vector<DocMeta> meta(raw.size() / sizeof(DocMeta));
  std::memcpy(meta.data(), raw.data(), meta.size() * sizeof(DocMeta));
  if (meta.size() != spill.documents())
    return absl::DataLossError(absl::StrCat((work / "docs_meta.u32").string(), ": ", meta.size(),
                                            " entries for ", spill.documents(), " documents"));
  const std::vector<uint64_t> order = OutputOrder(meta, opt.shuffle, opt.manifest.seed);
  std::vector<uint16_t> doc;
  std::optional<binidx::ShardWriter> writer;
  XXH3_state_t* hash = XXH3_createState();
  ShardRecord cur;
  bool reuse = false;
  auto finish_shard = [&]() -> absl::Status {
    cur.xxh3_128 = Hex128(XXH3_128bits_digest(hash));
    const std::filesystem::path prefix = opt.out_dir / cur.name;
    if (reuse) {
      std::error_code ec;
      cur.bin_bytes = std::filesystem::file_size(binidx::BinPath(prefix), ec);
      cur.idx_bytes = std::filesystem::file_size(binidx::IdxPath(prefix), ec);
      ++summary.shards_reused;
    } else {
      absl::StatusOr<binidx::ShardSummary> s = writer->Finish();
      if (!s.ok()) return s.status();
      cur.bin_bytes = s->bin_bytes;
      cur.idx_bytes = s->idx_bytes;
    }
    writer.reset();
    shards.push_back(cur);
    return absl::OkStatus();
  };
  auto start_shard = [&]() -> absl::Status {
    cur = ShardRecord{};
    cur.name = absl::StrFormat("%s_%05d", opt.manifest.name, shards.size());
    XXH3_128bits_reset(hash);
    const std::filesystem::path prefix = opt.out_dir / cur.name;
    std::error_code ec;
    // A shard exists under its final name only once complete (written, fsynced, renamed).
    reuse = opt.resume && std::filesystem::exists(binidx::BinPath(prefix), ec) &&
            std::filesystem::exists(binidx::IdxPath(prefix), ec);
    if (reuse) return absl::OkStatus();
    absl::StatusOr<binidx::ShardWriter> w = binidx::ShardWriter::Create(prefix);
    if (!w.ok()) return w.status();
    writer.emplace(*std::move(w));
    return absl::OkStatus();
  };
  absl::Status status;
  for (uint64_t k = 0; k < order.size() && status.ok(); ++k) {
    status = spill.Read(order[k], doc);
    if (!status.ok()) break;
    if (cur.name.empty() || (cur.tokens > 0 && cur.tokens + doc.size() > opt.shard_tokens)) {
      if (!cur.name.empty()) status = finish_shard();
      if (status.ok()) status = start_shard();
      if (!status.ok()) break;
    }
    if (!reuse) status = writer->AddDocument(doc);
    XXH3_128bits_update(hash, doc.data(), doc.size() * sizeof(uint16_t));
    const uint32_t src = meta[order[k]].source;
    if (cur.source_runs.empty() || cur.source_runs.back().first != src) cur.source_runs.emplace_back(src, 0);
    ++cur.source_runs.back().second;
    cur.documents += 1;
    cur.tokens += doc.size();
  }
  if (status.ok() && !cur.name.empty()) status = finish_shard();
  XXH3_freeState(hash);
  for (const ShardRecord& s : shards) {
    summary.tokens += s.tokens;
    summary.documents_written += s.documents;
  }
  summary.shards = shards.size();
  return status;
}

// Removes what an earlier build of this corpus left in the output directory.
void RemoveOldOutputs(const BuildOptions& opt) {
  std::error_code ec;
  std::filesystem::remove_all(opt.out_dir / kWorkDir, ec);
  std::filesystem::remove(opt.out_dir / "build.json", ec);
  const std::string prefix = opt.manifest.name + "_";
  for (const auto& e : std::filesystem::directory_iterator(opt.out_dir, ec)) {
    const std::string n = e.path().filename().string();
    if (n.rfind(prefix, 0) == 0 && (n.ends_with(".bin") || n.ends_with(".idx") || n.ends_with(".tmp")))
      std::filesystem::remove(e.path(), ec);
  }
}

}  // namespace

absl::StatusOr<BuildSummary> RunBuild(const BuildOptions& opt, const tokenizer::Tokenizer& tok) {
  if (opt.shard_tokens == 0 || opt.ctx_len == 0)
    return absl::InvalidArgumentError("shard_tokens and ctx_len must be positive");
  if (opt.manifest.sources.size() > 65535)
    return absl::InvalidArgumentError("at most 65535 sources (a document's source is stored in 16 bits)");
  uint64_t total_bytes = 0;
  RWKVKIT_ASSIGN_OR_RETURN(const std::vector<InputFile> files, ListInputs(opt, total_bytes));
  std::error_code ec;
  std::filesystem::create_directories(opt.out_dir, ec);
  if (ec) return absl::UnavailableError(absl::StrCat(opt.out_dir.string(), ": cannot create (", ec.message(), ")"));
  const std::filesystem::path work = opt.out_dir / kWorkDir;
  const std::string fingerprint = Fingerprint(opt, files, Phase1Json(opt, {}, BadInputSink(), 0));
  const bool same_build = opt.resume && ReadSmallFile(work / "fingerprint.txt") == fingerprint;
  if (opt.resume && !same_build && std::filesystem::exists(work, ec))
    std::fprintf(stderr, "rwkvkit build: --resume: the interrupted build had other inputs or options; starting over\n");
  BuildSummary summary;
  if (!same_build) RemoveOldOutputs(opt);
  std::filesystem::remove(opt.out_dir / "build.json", ec);
  std::filesystem::create_directories(work, ec);
  RWKVKIT_RETURN_IF_ERROR(WriteFileAtomically(work / "fingerprint.txt", fingerprint));

  auto run = [&]() -> absl::Status {
    if (same_build && SpillComplete(work)) {
      summary.resumed_phase1 = true;
      summary.input_bytes = total_bytes;
    } else {
      RWKVKIT_RETURN_IF_ERROR(RunPhase1(opt, tok, files, total_bytes, work, summary));
    }
    BuildOptions phase2 = opt;
    phase2.resume = same_build;
    std::vector<ShardRecord> shards;
    RWKVKIT_RETURN_IF_ERROR(RunPhase2(phase2, work, shards, summary));
    RWKVKIT_RETURN_IF_ERROR(WriteBuildJson(opt.out_dir, ReadSmallFile(work / "phase1.json"), shards, opt.ctx_len));
    std::filesystem::remove_all(work, ec);
    return absl::OkStatus();
  };
  absl::Status s;
  if (opt.threads > 0) {
    // More threads than cores only oversubscribes (and makes TBB print a warning).
    tbb::task_arena arena(std::min(opt.threads, tbb::info::default_concurrency()));
    arena.execute([&] { s = run(); });
  } else {
    s = run();
  }
  if (!s.ok()) return s;
  return summary;
}

}  // namespace rwkvkit::corpus

// corpus/build_stages.cc — see build_stages.h.
#include "corpus/build_stages.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "corpus/input/input_paths.h"
#include "corpus/near_dedup_stage.h"

namespace rwkvkit::corpus {
namespace {

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

}  // namespace

uint32_t Copies(double weight, const Hash128& key, uint64_t seed, uint32_t source) {
  const double whole = std::floor(weight);
  const double frac = weight - whole;
  return static_cast<uint32_t>(whole) + (frac > 0 && SampleUniform(key, seed, source) < frac ? 1 : 0);
}

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
      const uintmax_t size = std::filesystem::file_size(p, ec);
      if (!ec) total_bytes += size;
      files.push_back(InputFile{s, p});
    }
  }
  return files;
}


std::unique_ptr<Batch> InputStage::Next() {
  while (next_file_ < files_.size()) {
    auto b = std::make_unique<Batch>();
    b->file = next_file_;
    b->source = files_[next_file_].source;
    if (!reader_) {
      b->file_start = true;
      const ManifestSource& src = opt_.manifest.sources[b->source];
      absl::StatusOr<std::unique_ptr<RecordSource>> r = OpenRecordSource(
          files_[next_file_].path,
          RecordSourceOptions{src.format, src.text_key, src.id_key, opt_.max_record_bytes});
      if (!r.ok()) {
        b->file_error = std::string(r.status().message());
        Advance(*b);
        return b;
      }
      reader_ = *std::move(r);
      pending_start_ = true;
    }
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


void InputStage::Advance(Batch& b) {
  done_before_ += reader_ ? reader_->file_size() : 0;
  b.bytes_done = done_before_;
  reader_.reset();
  ++next_file_;
}

absl::Status OutputStage::Consume(Batch& b) {
  SourceCounts& c = counts_[b.source];
  const std::string path = files_[b.file].path.string();
  if (b.file_start) ++c.files;
  for (size_t k = 0; k < b.results.size(); ++k) {
    DocResult& r = b.results[k];
    ++c.documents_read;
    c.bytes_in += r.bytes_in;
    c.repairs += r.repairs;
    ++docs_;
    if (!r.language.empty()) ++c.languages[r.language];
    if (r.filtered) {  // a quality verdict, not bad input: counted, not reported, not fatal under --strict
      ++c.dropped[r.drop_reason];
      const std::string_view reason = std::string_view(r.drop_reason).substr(7);  // after "filter_"
      ++c.filter_drops[std::string(r.filter)][r.filter == "language" ? r.language : std::string(reason)];
      if (r.filter != "language") ++c.languages_kept[r.language];
      continue;
    }
    if (!r.language.empty()) {  // passed the filters (bad input never reaches them)
      ++c.languages_kept[r.language];
      c.c4_documents_edited += r.c4_edited;
      c.c4_lines_removed += r.c4_lines;
    }
    if (!r.drop_reason.empty()) {
      ++c.dropped[r.drop_reason];
      const std::string where = b.block.Location(path, k);
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
    if (near_ != nullptr)
      RWKVKIT_RETURN_IF_ERROR(near_->Add(r.signature, r.tokens.size(), r.bytes_out, static_cast<uint32_t>(b.file),
                                         b.block.ordinal(k)));
  }
  if (!b.file_error.empty()) {
    c.file_errors.push_back(b.file_error);
    std::fprintf(stderr, "rwkvkit build: %s (the rest of this file is skipped)\n", b.file_error.c_str());
    if (opt_.strict) return absl::DataLossError(absl::StrCat(b.file_error, " (--strict)"));
  }
  return absl::OkStatus();
}

}  // namespace rwkvkit::corpus

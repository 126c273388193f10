// corpus/build/phase1_checkpoint.cc — see phase1_checkpoint.h.
//
// The file is binary: a magic line, then little-endian uint64 numbers and length-prefixed
// strings in a fixed order; maps in key order. It is read only by the build that wrote it
// (same binary, same fingerprint), so it has no version of its own beyond the magic.
#include "corpus/build/phase1_checkpoint.h"

#include <cstring>

#include "absl/strings/str_cat.h"
#include "base/file_io.h"
#include "base/status_macros.h"
#include "corpus/build/work_files.h"

namespace rwkvkit::corpus::build {
namespace {

constexpr char kMagic[] = "rwkvkit phase1 checkpoint 3\n";  // 2: bad_records; 3: drop_report_bytes

class Writer {
 public:
  void U64(uint64_t v) { out_.append(reinterpret_cast<const char*>(&v), sizeof v); }
  void Str(const std::string& s) {
    U64(s.size());
    out_ += s;
  }
  void Counts(const std::map<std::string, uint64_t>& m) {
    U64(m.size());
    for (const auto& [k, v] : m) {
      Str(k);
      U64(v);
    }
  }
  std::string& out() { return out_; }

 private:
  std::string out_ = kMagic;
};

class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  bool U64(uint64_t& v) {
    if (in_.size() < sizeof v) return false;
    std::memcpy(&v, in_.data(), sizeof v);
    in_.remove_prefix(sizeof v);
    return true;
  }
  bool Str(std::string& s) {
    uint64_t n = 0;
    if (!U64(n) || n > in_.size()) return false;
    s.assign(in_.data(), n);
    in_.remove_prefix(n);
    return true;
  }
  bool Counts(std::map<std::string, uint64_t>& m) {
    uint64_t n = 0;
    if (!U64(n)) return false;
    for (uint64_t i = 0; i < n; ++i) {
      std::string k;
      uint64_t v = 0;
      if (!Str(k) || !U64(v)) return false;
      m[k] = v;
    }
    return true;
  }
  bool done() const { return in_.empty(); }

 private:
  std::string_view in_;
};

void PutSource(Writer& w, const SourceCounts& c) {
  for (const uint64_t v : {c.files, c.documents_read, c.documents_kept, c.documents_written, c.bad_records,
                           c.bytes_in, c.bytes_out, c.tokens, c.c4_documents_edited, c.c4_lines_removed.too_long_word,
                           c.c4_lines_removed.no_terminal_punct, c.c4_lines_removed.too_few_words,
                           c.c4_lines_removed.javascript, c.c4_lines_removed.policy})
    w.U64(v);
  for (const text::RepairCounterField& f : text::kRepairCounterFields) w.U64(c.repairs.*f.member);
  w.Counts(c.dropped);
  w.Counts(c.languages);
  w.Counts(c.languages_kept);
  w.U64(c.filter_drops.size());
  for (const auto& [filter, reasons] : c.filter_drops) {
    w.Str(filter);
    w.Counts(reasons);
  }
  w.U64(c.file_errors.size());
  for (const std::string& e : c.file_errors) w.Str(e);
}

bool GetSource(Reader& r, SourceCounts& c) {
  for (uint64_t* v : {&c.files, &c.documents_read, &c.documents_kept, &c.documents_written, &c.bad_records,
                      &c.bytes_in, &c.bytes_out, &c.tokens, &c.c4_documents_edited, &c.c4_lines_removed.too_long_word,
                      &c.c4_lines_removed.no_terminal_punct, &c.c4_lines_removed.too_few_words,
                      &c.c4_lines_removed.javascript, &c.c4_lines_removed.policy})
    if (!r.U64(*v)) return false;
  for (const text::RepairCounterField& f : text::kRepairCounterFields)
    if (!r.U64(c.repairs.*f.member)) return false;
  if (!r.Counts(c.dropped) || !r.Counts(c.languages) || !r.Counts(c.languages_kept)) return false;
  uint64_t n = 0;
  if (!r.U64(n)) return false;
  for (uint64_t i = 0; i < n; ++i) {
    std::string filter;
    if (!r.Str(filter) || !r.Counts(c.filter_drops[filter])) return false;
  }
  if (!r.U64(n)) return false;
  for (uint64_t i = 0; i < n; ++i)
    if (!r.Str(c.file_errors.emplace_back())) return false;
  return true;
}

}  // namespace

absl::Status SaveCheckpoint(const std::filesystem::path& work, const Phase1Checkpoint& cp) {
  Writer w;
  for (const uint64_t v : {cp.next_file, cp.bytes_before, cp.records, cp.stored, cp.tokens, cp.dedup_keys,
                           cp.drop_report_bytes, static_cast<uint64_t>(cp.counts.size())})
    w.U64(v);
  for (const SourceCounts& c : cp.counts) PutSource(w, c);
  w.U64(cp.bad.size());
  for (const auto& [reason, e] : cp.bad) {
    w.Str(reason);
    w.U64(e.count);
    w.U64(e.examples.size());
    for (const std::string& x : e.examples) w.Str(x);
  }
  return base::WriteFileAtomically(work / kCheckpointFile, w.out());
}

absl::StatusOr<Phase1Checkpoint> LoadCheckpoint(const std::filesystem::path& work, size_t sources) {
  std::error_code ec;
  if (!std::filesystem::exists(work / kCheckpointFile, ec))
    return absl::NotFoundError(absl::StrCat((work / kCheckpointFile).string(), ": no checkpoint"));
  const std::string raw = base::ReadFile(work / kCheckpointFile).value_or("");
  const auto bad = [&] { return absl::DataLossError(absl::StrCat((work / kCheckpointFile).string(), ": cannot be decoded")); };
  if (!std::string_view(raw).starts_with(kMagic)) return bad();
  Reader r(std::string_view(raw).substr(std::strlen(kMagic)));
  Phase1Checkpoint cp;
  uint64_t n = 0;
  for (uint64_t* v : {&cp.next_file, &cp.bytes_before, &cp.records, &cp.stored, &cp.tokens, &cp.dedup_keys,
                      &cp.drop_report_bytes, &n})
    if (!r.U64(*v)) return bad();
  if (n != sources) return bad();
  cp.counts.resize(n);
  for (SourceCounts& c : cp.counts)
    if (!GetSource(r, c)) return bad();
  if (!r.U64(n)) return bad();
  for (uint64_t i = 0; i < n; ++i) {
    std::string reason;
    uint64_t examples = 0;
    if (!r.Str(reason)) return bad();
    BadInputSink::Entry& e = cp.bad[reason];
    if (!r.U64(e.count) || !r.U64(examples) || examples > BadInputSink::kExamplesPerReason) return bad();
    for (uint64_t k = 0; k < examples; ++k)
      if (!r.Str(e.examples.emplace_back())) return bad();
  }
  if (!r.done()) return bad();
  return cp;
}

void RemoveCheckpoint(const std::filesystem::path& work) {
  std::error_code ec;
  std::filesystem::remove(work / kCheckpointFile, ec);
}

}  // namespace rwkvkit::corpus::build

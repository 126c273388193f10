// corpus/build/source_check.cc — see source_check.h.
#include "corpus/build/source_check.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"

namespace rwkvkit::corpus::build {
namespace {

// The source's most common drop reason that the bad-input sink knows, with its first example.
std::string MostCommonBadReason(const SourceCounts& c, const BadInputSink& bad) {
  std::string best;
  uint64_t best_n = 0;
  for (const auto& [reason, n] : c.dropped)
    if (bad.by_reason().contains(reason) && n > best_n) {
      best = reason;
      best_n = n;
    }
  if (best.empty()) return "";
  const BadInputSink::Entry& e = bad.by_reason().at(best);
  return absl::StrCat("; most common: ", best, " (", best_n, ")",
                      e.examples.empty() ? std::string() : absl::StrCat(", e.g. ", e.examples.front()));
}

}  // namespace

absl::Status CheckSourceYields(const BuildOptions& opt, const std::vector<SourceCounts>& counts,
                               const BadInputSink& bad) {
  std::vector<std::string> problems;
  uint64_t kept = 0;
  for (size_t i = 0; i < counts.size() && i < opt.manifest.sources.size(); ++i) {
    const SourceCounts& c = counts[i];
    const std::string& name = opt.manifest.sources[i].name;
    kept += c.documents_kept;
    if (c.documents_read == 0) {
      problems.push_back(absl::StrCat(
          "source \"", name, "\" yielded no records from ", c.files, " file(s)",
          c.file_errors.empty() ? std::string()
                                : absl::StrCat(" (", c.file_errors.size(), " could not be read: ", c.file_errors[0], ")")));
      continue;
    }
    const double fraction = static_cast<double>(c.bad_records) / static_cast<double>(c.documents_read);
    if (fraction > opt.max_bad_fraction)
      problems.push_back(absl::StrFormat("source \"%s\": %d of %d records are bad (%.1f%%, over --max-bad-fraction %g)%s",
                                         name, c.bad_records, c.documents_read, 100 * fraction, opt.max_bad_fraction,
                                         MostCommonBadReason(c, bad)));
  }
  if (problems.empty() && kept == 0)
    problems.push_back("no document is left to write (every record was bad, filtered, a duplicate or sampled out)");
  if (problems.empty()) return absl::OkStatus();
  return absl::FailedPreconditionError(
      absl::StrCat("nothing published: ", absl::StrJoin(problems, "; ")));
}

}  // namespace rwkvkit::corpus::build

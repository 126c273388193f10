// corpus/stats/report_writer.cc — see report_writer.h.
#include "corpus/stats/report_writer.h"

#include <system_error>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "corpus/build_report.h"
#include "corpus/stats/report_html.h"
#include "corpus/stats/report_json.h"
#include "corpus/stats/report_markdown.h"

namespace rwkvkit::corpus::stats {

absl::Status WriteReports(const std::filesystem::path& out_dir, const ReportModel& m) {
  std::error_code ec;
  std::filesystem::create_directories(out_dir, ec);
  if (ec) return absl::UnavailableError(absl::StrCat(out_dir.string(), ": cannot create (", ec.message(), ")"));
  RWKVKIT_RETURN_IF_ERROR(WriteFileAtomically(out_dir / "report.html", ReportHtml(m)));
  RWKVKIT_RETURN_IF_ERROR(WriteFileAtomically(out_dir / "report.md", ReportMarkdown(m)));
  return WriteFileAtomically(out_dir / "report.json", ReportJson(m));
}

}  // namespace rwkvkit::corpus::stats

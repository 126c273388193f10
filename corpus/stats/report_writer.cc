// corpus/stats/report_writer.cc — see report_writer.h.
#include "corpus/stats/report_writer.h"

#include <unistd.h>

#include <system_error>

#include "absl/strings/str_cat.h"
#include "base/file_io.h"
#include "base/status_macros.h"
#include "corpus/build/build_report.h"
#include "corpus/stats/report_html.h"
#include "corpus/stats/report_json.h"
#include "corpus/stats/report_markdown.h"

namespace rwkvkit::corpus::stats {

absl::Status CreateReportDir(const std::filesystem::path& out_dir) {
  std::error_code ec;
  std::filesystem::create_directories(out_dir, ec);
  if (ec) return absl::UnavailableError(absl::StrCat(out_dir.string(), ": cannot create (", ec.message(), ")"));
  if (!std::filesystem::is_directory(out_dir, ec) || ::access(out_dir.c_str(), W_OK | X_OK) != 0)
    return absl::UnavailableError(absl::StrCat(out_dir.string(), ": not a writable directory"));
  return absl::OkStatus();
}

absl::Status WriteReports(const std::filesystem::path& out_dir, const ReportModel& m) {
  RWKVKIT_RETURN_IF_ERROR(CreateReportDir(out_dir));
  RWKVKIT_RETURN_IF_ERROR(base::WriteFileAtomically(out_dir / "report.html", ReportHtml(m)));
  RWKVKIT_RETURN_IF_ERROR(base::WriteFileAtomically(out_dir / "report.md", ReportMarkdown(m)));
  return base::WriteFileAtomically(out_dir / "report.json", ReportJson(m));
}

}  // namespace rwkvkit::corpus::stats

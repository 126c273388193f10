// corpus/stats/report_writer.h — writes report.html, report.md and report.json into a
// directory (created if missing), each to a temporary name, fsynced, then renamed;
// report.json, the machine-readable summary, goes last.
#ifndef RWKVKIT_CORPUS_STATS_REPORT_WRITER_H_
#define RWKVKIT_CORPUS_STATS_REPORT_WRITER_H_

#include <filesystem>

#include "absl/status/status.h"
#include "corpus/stats/report_model.h"

namespace rwkvkit::corpus::stats {

// CreateReportDir()
// Creates `out_dir` if missing and checks that it is a writable directory, so that a bad
// --out fails before the shards are read rather than after (kUnavailable otherwise).
absl::Status CreateReportDir(const std::filesystem::path& out_dir);

absl::Status WriteReports(const std::filesystem::path& out_dir, const ReportModel& m);

}  // namespace rwkvkit::corpus::stats

#endif  // RWKVKIT_CORPUS_STATS_REPORT_WRITER_H_

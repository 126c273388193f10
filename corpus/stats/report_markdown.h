// corpus/stats/report_markdown.h — report.md: the summary of the corpus report as Markdown
// tables (GitHub-flavoured), ready to paste into a dataset card. The same numbers as
// report.json, fewer rows (top 20 tokens, top 10 lines). Pure.
#ifndef RWKVKIT_CORPUS_STATS_REPORT_MARKDOWN_H_
#define RWKVKIT_CORPUS_STATS_REPORT_MARKDOWN_H_

#include <string>

#include "corpus/stats/report_model.h"

namespace rwkvkit::corpus::stats {

std::string ReportMarkdown(const ReportModel& m);

// Label of a log-2 length bucket [low, high): "512–1023", or "0" / "1" for the one-value buckets.
std::string BucketLabel(uint64_t low, uint64_t high);

}  // namespace rwkvkit::corpus::stats

#endif  // RWKVKIT_CORPUS_STATS_REPORT_MARKDOWN_H_

// corpus/stats/report_json.h — report.json, the machine-readable corpus report
// (docs/stats_report.md describes every field). Deterministic: no timings, keys in a fixed
// order, numbers printed the same way on every machine. Pure.
#ifndef RWKVKIT_CORPUS_STATS_REPORT_JSON_H_
#define RWKVKIT_CORPUS_STATS_REPORT_JSON_H_

#include <string>

#include "corpus/stats/report_model.h"

namespace rwkvkit::corpus::stats {

std::string ReportJson(const ReportModel& m);

}  // namespace rwkvkit::corpus::stats

#endif  // RWKVKIT_CORPUS_STATS_REPORT_JSON_H_

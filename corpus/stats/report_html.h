// corpus/stats/report_html.h — report.html: one self-contained page (inline CSS and SVG
// charts, no scripts, no fonts, images or styles from the network) with the summary, charts
// per source and per language, the length histograms, cleaning, top tokens and repeated
// lines. Pure; the charts come from svg_chart.h.
#ifndef RWKVKIT_CORPUS_STATS_REPORT_HTML_H_
#define RWKVKIT_CORPUS_STATS_REPORT_HTML_H_

#include <string>

#include "corpus/stats/report_model.h"

namespace rwkvkit::corpus::stats {

std::string ReportHtml(const ReportModel& m);

}  // namespace rwkvkit::corpus::stats

#endif  // RWKVKIT_CORPUS_STATS_REPORT_HTML_H_

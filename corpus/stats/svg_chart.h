// corpus/stats/svg_chart.h — small inline SVG charts for report.html: horizontal bars (one
// row per item, label left, value right) and columns (a histogram). Static markup only: no
// scripts, no external fonts, sizes in the viewBox so the chart scales with its box. Labels
// are HTML-escaped here. Pure.
#ifndef RWKVKIT_CORPUS_STATS_SVG_CHART_H_
#define RWKVKIT_CORPUS_STATS_SVG_CHART_H_

#include <string>
#include <vector>

namespace rwkvkit::corpus::stats {

struct Bar {
  std::string label;       // plain text (escaped by the chart)
  double value = 0;        // bar length (>= 0)
  std::string value_text;  // printed at the bar's end
};

// One row per bar; `color` is a CSS colour. `title` becomes the SVG's <title> (accessible name).
std::string HorizontalBarChart(const std::vector<Bar>& bars, const std::string& title, const std::string& color);

// Columns of equal width in a 560x240 box with their labels below, for histograms.
std::string ColumnChart(const std::vector<Bar>& bars, const std::string& title, const std::string& color);

}  // namespace rwkvkit::corpus::stats

#endif  // RWKVKIT_CORPUS_STATS_SVG_CHART_H_

// corpus/stats/svg_chart.cc — see svg_chart.h.
#include "corpus/stats/svg_chart.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "corpus/stats/text_escape.h"

namespace rwkvkit::corpus::stats {
namespace {

constexpr int kWidth = 560;
constexpr int kLabelWidth = 150;
constexpr int kValueWidth = 80;
constexpr int kRowHeight = 22;

double MaxValue(const std::vector<Bar>& bars) {
  double m = 0;
  for (const Bar& b : bars) m = std::max(m, b.value);
  return m > 0 ? m : 1;
}

}  // namespace

std::string HorizontalBarChart(const std::vector<Bar>& bars, const std::string& title, const std::string& color) {
  const int height = static_cast<int>(bars.size()) * kRowHeight + 8;
  const double max = MaxValue(bars);
  const double plot = kWidth - kLabelWidth - kValueWidth;
  std::string svg = absl::StrFormat(
      "<svg class=\"chart\" viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" role=\"img\" "
      "><title>%s</title>",
      kWidth, height, kWidth, height, HtmlEscape(title));
  for (size_t i = 0; i < bars.size(); ++i) {
    const int y = 4 + static_cast<int>(i) * kRowHeight;
    const double w = std::max(bars[i].value > 0 ? 1.0 : 0.0, plot * bars[i].value / max);
    absl::StrAppend(&svg,
                    absl::StrFormat("<text x=\"%d\" y=\"%d\" text-anchor=\"end\" class=\"label\">%s</text>",
                                    kLabelWidth - 8, y + 15, HtmlEscape(ClipChars(bars[i].label, 22))),
                    absl::StrFormat("<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" rx=\"3\" fill=\"%s\"/>",
                                    kLabelWidth, y + 3, w, kRowHeight - 6, color),
                    absl::StrFormat("<text x=\"%.1f\" y=\"%d\" class=\"value\">%s</text>", kLabelWidth + w + 6, y + 15,
                                    HtmlEscape(bars[i].value_text)));
  }
  return svg + "</svg>";
}

std::string ColumnChart(const std::vector<Bar>& bars, const std::string& title, const std::string& color) {
  constexpr int kHeight = 240, kTop = 18, kBottom = 52, kLeft = 8;
  const double max = MaxValue(bars);
  const double plot_h = kHeight - kTop - kBottom;
  const double slot = bars.empty() ? 0 : static_cast<double>(kWidth - 2 * kLeft) / static_cast<double>(bars.size());
  std::string svg = absl::StrFormat(
      "<svg class=\"chart\" viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" role=\"img\" "
      "><title>%s</title>"
      "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" class=\"axis\"/>",
      kWidth, kHeight, kWidth, kHeight, HtmlEscape(title), kLeft, kTop + plot_h + 0.5, kWidth - kLeft,
      kTop + plot_h + 0.5);
  for (size_t i = 0; i < bars.size(); ++i) {
    const double h = bars[i].value > 0 ? std::max(1.0, plot_h * bars[i].value / max) : 0.0;
    const double x = kLeft + slot * static_cast<double>(i);
    const double cx = x + slot / 2;
    absl::StrAppend(&svg,
                    absl::StrFormat("<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" rx=\"2\" fill=\"%s\"/>",
                                    x + 1.5, kTop + plot_h - h, std::max(1.0, slot - 3), h, color));
    if (bars[i].value > 0)
      absl::StrAppend(
          &svg, absl::StrFormat("<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" class=\"value small\">%s</text>",
                                cx, kTop + plot_h - h - 4, HtmlEscape(bars[i].value_text)));
    absl::StrAppend(&svg, absl::StrFormat("<text transform=\"translate(%.1f %.1f) rotate(-45)\" text-anchor=\"end\" "
                                          "class=\"label small\">%s</text>",
                                          cx + 3, kTop + plot_h + 14, HtmlEscape(bars[i].label)));
  }
  return svg + "</svg>";
}

}  // namespace rwkvkit::corpus::stats

// index.html's charts as inline SVG: log-log line charts of a scenario across its
// parameter, and each group's ratio bars. Every label is escaped.
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <functional>
#include <set>
#include <utility>
#include <vector>

#include "reports/figures.h"
#include "reports/format.h"
#include "reports/html_parts.h"

namespace deferlab::reports::html {
namespace {

// Grid lines of a log axis from 10^lo to 10^hi: every decade, or every k-th decade when the
// range is wide, at most kMaxTicks + 1 of them whatever the data. Requires lo <= hi, finite
// (log10 of a finite positive double lies in [-324, 309]).
std::vector<double> decade_ticks(double lo, double hi) {
  constexpr int kMaxTicks = 12;
  const double step = std::max(1.0, std::ceil((hi - lo) / kMaxTicks));
  std::vector<double> ticks;
  for (int i = 0; i <= kMaxTicks && lo + i * step <= hi; ++i) ticks.push_back(lo + i * step);
  return ticks;
}

// A value a log axis can place.
bool is_plottable(double v) {
  return std::isfinite(v) && v > 0;
}

struct Series {
  std::string name;
  const char* colour;
  std::vector<std::pair<double, double>> points;  // (x, y), y > 0 on a log axis
};

// The points a log-log chart can place: x and y finite, x > 0, y > 0 or exactly 0.
std::vector<std::pair<double, double>> plottable(const std::vector<std::pair<double, double>>& in) {
  std::vector<std::pair<double, double>> out;
  for (const auto& [x, y] : in) {
    if (is_plottable(x) && (is_plottable(y) || y == 0)) out.emplace_back(x, y);
  }
  return out;
}

using YFormat = std::function<std::string(double)>;

// The geometry of one line chart: its frame and the decades its data spans.
struct ChartFrame {
  static constexpr double width = 560;
  static constexpr double height = 300;
  static constexpr double left = 70;
  static constexpr double right = 185;
  static constexpr double top = 30;
  static constexpr double bottom = 45;
  double lx0 = 0, lx1 = 0, ly0 = 0, ly1 = 0;  // log10 of the axes' ends
  bool has_zero = false;                      // a "0" row below the first decade
  double plot_h = 0;

  double px(double x) const {
    return left + (std::log10(x) - lx0) / (lx1 - lx0) * (width - left - right);
  }
  double py(double y) const {
    if (y <= 0) return top + plot_h + 24;
    return top + plot_h - (std::log10(y) - ly0) / (ly1 - ly0) * plot_h;
  }
};

// The frame that holds every plottable point; nullopt when there is none to draw.
std::optional<ChartFrame> frame_of(const std::vector<Series>& series) {
  double x_min = 1e300, x_max = 0, y_min = 1e300, y_max = 0;
  ChartFrame f;
  for (const Series& s : series) {
    for (const auto& [x, y] : s.points) {
      if (!is_plottable(x) || !(is_plottable(y) || y == 0)) continue;  // see plottable()
      x_min = std::min(x_min, x);
      x_max = std::max(x_max, x);
      if (y > 0) {
        y_min = std::min(y_min, y);
        y_max = std::max(y_max, y);
      } else {
        f.has_zero = true;
      }
    }
  }
  if (x_max <= 0 || y_max <= 0) return std::nullopt;
  f.lx0 = std::floor(std::log10(x_min));
  f.lx1 = std::max(std::ceil(std::log10(x_max)), f.lx0 + 1);
  f.ly0 = std::floor(std::log10(y_min));
  f.ly1 = std::max(std::ceil(std::log10(y_max)), f.ly0 + 1);
  f.plot_h = f.height - f.top - f.bottom - (f.has_zero ? 24 : 0);
  return f;
}

// A horizontal grid line at `y` with its label on the left.
std::string grid_row(const ChartFrame& f, double y, const char* cls, const std::string& label) {
  return "<line x1=\"" + format_fixed(f.left, 1) + "\" x2=\"" + format_fixed(f.width - f.right, 1) +
         "\" y1=\"" + format_fixed(y, 1) + "\" y2=\"" + format_fixed(y, 1) + "\" class=\"" + cls +
         "\"/>" + "<text x=\"" + format_fixed(f.left - 6, 1) + "\" y=\"" + format_fixed(y + 4, 1) +
         "\" class=\"tick\" text-anchor=\"end\">" + label + "</text>";
}

// The grid, ticks and axis labels of a line chart.
std::string chart_axes(const ChartFrame& f, const std::string& x_label, const std::string& y_label,
                       const std::vector<Series>& series, const YFormat& y_format) {
  std::string svg;
  for (const double d : decade_ticks(f.ly0, f.ly1)) {
    svg += grid_row(f, f.py(std::pow(10, d)), "grid", html_escape(y_format(std::pow(10, d))));
  }
  if (f.has_zero) svg += grid_row(f, f.py(0), "grid zero", "0");
  std::set<double> xs;
  for (const Series& s : series) {
    for (const auto& p : s.points) {
      if (is_plottable(p.first)) xs.insert(p.first);
    }
  }
  for (double x : xs) {
    svg += "<text x=\"" + format_fixed(f.px(x), 1) + "\" y=\"" +
           format_fixed(f.height - f.bottom + 16, 1) + "\" class=\"tick\" text-anchor=\"middle\">" +
           format_fixed(x, 0) + "</text>";
  }
  svg += "<text x=\"" + format_fixed((f.left + f.width - f.right) / 2, 1) + "\" y=\"" +
         format_fixed(f.height - 8, 1) + "\" class=\"axis\" text-anchor=\"middle\">" +
         html_escape(x_label) + "</text>";
  svg += "<text transform=\"translate(14," + format_fixed(f.top + f.plot_h / 2, 1) +
         ") rotate(-90)\" class=\"axis\" text-anchor=\"middle\">" + html_escape(y_label) +
         "</text>";
  return svg;
}

// One series: its line, a point with a tooltip per value, and its legend entry (the k-th).
std::string chart_series(const ChartFrame& f, const Series& s, std::size_t k,
                         const YFormat& y_format) {
  const std::vector<std::pair<double, double>> points = plottable(s.points);
  std::string path;
  for (const auto& [x, y] : points)
    path += (path.empty() ? "M" : "L") + format_fixed(f.px(x), 1) + "," + format_fixed(f.py(y), 1);
  std::string svg =
      "<path d=\"" + path + "\" fill=\"none\" stroke=\"" + s.colour + "\" stroke-width=\"2\"/>";
  for (const auto& [x, y] : points) {
    svg += "<circle cx=\"" + format_fixed(f.px(x), 1) + "\" cy=\"" + format_fixed(f.py(y), 1) +
           "\" r=\"3\" fill=\"" + s.colour + "\"><title>" + html_escape(s.name) + ": " +
           html_escape(y_format(y)) + " at N = " + format_fixed(x, 0) + "</title></circle>";
  }
  const double ly = f.top + 12 + static_cast<double>(k) * 16;
  svg += "<rect x=\"" + format_fixed(f.width - f.right + 12, 1) + "\" y=\"" +
         format_fixed(ly - 8, 1) + "\" width=\"10\" height=\"10\" fill=\"" + s.colour +
         "\"/><text x=\"" + format_fixed(f.width - f.right + 26, 1) + "\" y=\"" +
         format_fixed(ly + 1, 1) + "\" class=\"legend\">" + html_escape(s.name) + "</text>";
  return svg;
}

// A log-log line chart: x and y on log10 scales, ticks at powers of ten. Values of 0 on
// the y axis (no allocation) sit on a separate "0" row below the first decade.
std::string line_chart(const std::string& title, const std::string& x_label,
                       const std::string& y_label, const std::vector<Series>& series,
                       const YFormat& y_format) {
  const std::optional<ChartFrame> frame = frame_of(series);
  if (!frame) return "";
  std::string svg = "<svg class=\"chart\" viewBox=\"0 0 " + format_fixed(frame->width, 0) + " " +
                    format_fixed(frame->height, 0) + "\" role=\"img\" aria-label=\"" +
                    html_escape(title) + "\">";
  svg += "<text x=\"" + format_fixed(frame->left, 0) + "\" y=\"18\" class=\"chart-title\">" +
         html_escape(title) + "</text>";
  svg += chart_axes(*frame, x_label, y_label, series, y_format);
  for (std::size_t k = 0; k < series.size(); ++k)
    svg += chart_series(*frame, series[k], k, y_format);
  return svg + "</svg>";
}

// A ratio with a zero, negative or non-finite end (a baseline time of 0 gives infinity)
// has no place on a log scale: its row gets no bar.
bool has_drawable_ratio(const StrategyRow& row) {
  return row.vs_baseline && is_plottable(row.vs_baseline->estimate) &&
         is_plottable(row.vs_baseline->low) && is_plottable(row.vs_baseline->high);
}

}  // namespace

const char* colour(std::size_t index) {
  static const char* const kPalette[] = {"#d62728", "#ff7f0e", "#2ca02c", "#1f77b4", "#9467bd",
                                         "#8c564b", "#e377c2", "#7f7f7f", "#17becf", "#bcbd22"};
  return kPalette[index % std::size(kPalette)];
}

std::string ratio_bars(const CaseGroup& group, const StrategyOrder& order) {
  // No baseline (or no ratio that a log scale can show): an empty chart would only be
  // clutter; the table already says why there is no ratio.
  if (std::none_of(group.rows.begin(), group.rows.end(), has_drawable_ratio)) return "";
  double max_ratio = 1;
  double min_ratio = 1;
  for (const StrategyRow& row : group.rows) {
    if (!has_drawable_ratio(row)) continue;
    max_ratio = std::max(max_ratio, row.vs_baseline->high);
    min_ratio = std::min(min_ratio, row.vs_baseline->low);
  }
  const double l0 = std::floor(std::log10(min_ratio));
  const double l1 = std::max(std::ceil(std::log10(max_ratio)), l0 + 1);
  const double width = 360;
  const double left = 165;
  const double bar_h = 16;
  const double height = 28 + bar_h * static_cast<double>(group.rows.size()) + 18;
  auto px = [&](double r) { return left + (std::log10(r) - l0) / (l1 - l0) * (width - left - 20); };
  std::string svg = "<svg class=\"bars\" viewBox=\"0 0 " + format_fixed(width, 0) + " " +
                    format_fixed(height, 0) +
                    "\" role=\"img\" aria-label=\"ratio to the baseline, " +
                    html_escape(group.title()) + "\">";
  for (const double d : decade_ticks(l0, l1)) {
    const double x = px(std::pow(10, d));
    svg += "<line x1=\"" + format_fixed(x, 1) + "\" x2=\"" + format_fixed(x, 1) +
           "\" y1=\"20\" y2=\"" + format_fixed(height - 18, 1) + "\" class=\"grid\"/><text x=\"" +
           format_fixed(x, 1) + "\" y=\"14\" class=\"tick\" text-anchor=\"middle\">" +
           format_ratio(std::pow(10, d)) + "</text>";
  }
  double y = 24;
  for (const StrategyRow& row : group.rows) {
    const std::size_t index = order.count(row.strategy) ? order.at(row.strategy) : 0;
    svg += "<text x=\"" + format_fixed(left - 6, 1) + "\" y=\"" + format_fixed(y + 11, 1) +
           "\" class=\"tick\" text-anchor=\"end\">" + html_escape(row.strategy) + "</text>";
    if (has_drawable_ratio(row)) {
      const double x0 = px(1);
      const double x1 = px(row.vs_baseline->estimate);
      svg += "<rect x=\"" + format_fixed(std::min(x0, x1), 1) + "\" y=\"" + format_fixed(y + 2, 1) +
             "\" width=\"" + format_fixed(std::max(1.0, std::fabs(x1 - x0)), 1) + "\" height=\"" +
             format_fixed(bar_h - 5, 1) + "\" fill=\"" + colour(index) + "\"><title>" +
             html_escape(row.strategy) + ": " +
             html_escape(format_ratio_interval(*row.vs_baseline)) + "</title></rect>";
      svg += "<line x1=\"" + format_fixed(px(row.vs_baseline->low), 1) + "\" x2=\"" +
             format_fixed(px(row.vs_baseline->high), 1) + "\" y1=\"" + format_fixed(y + 7.5, 1) +
             "\" y2=\"" + format_fixed(y + 7.5, 1) + "\" class=\"whisker\"/>";
    }
    y += bar_h;
  }
  svg += "<text x=\"" + format_fixed(left, 1) + "\" y=\"" + format_fixed(height - 4, 1) +
         "\" class=\"axis\">time / " + "baseline (log scale)</text></svg>";
  return svg;
}

std::string chart_section(const RunReport& report, const Chart& chart, StrategyOrder& order) {
  std::string out = "<h2>" + html_escape(chart.scenario) + " across " + html_escape(chart.x_label) +
                    "</h2><div class=\"charts\">";
  std::vector<Series> time_series;
  std::vector<Series> alloc_series;
  for (const auto& [strategy, index] : order) {
    Series t{strategy, colour(index), {}};
    Series a{strategy, colour(index), {}};
    for (const CaseGroup& g : report.groups) {
      if (g.scenario != chart.scenario) continue;
      char* end = nullptr;
      const double n = std::strtod(g.param.c_str(), &end);
      if (g.param.empty() || *end != '\0' || !(n > 0)) continue;
      for (const StrategyRow& r : g.rows) {
        if (r.strategy != strategy || r.failed) continue;
        t.points.emplace_back(n, r.time.median);
        if (r.heap_allocs) a.points.emplace_back(n, *r.heap_allocs);
      }
    }
    if (t.points.size() >= 2) time_series.push_back(t);
    if (a.points.size() >= 2) alloc_series.push_back(a);
  }
  auto by_index = [&](const Series& x, const Series& y) { return order[x.name] < order[y.name]; };
  std::sort(time_series.begin(), time_series.end(), by_index);
  std::sort(alloc_series.begin(), alloc_series.end(), by_index);
  out += line_chart("time per iteration (median)", chart.x_label, "time", time_series,
                    [](double v) { return format_time(v); });
  out += line_chart("heap allocations per iteration", chart.x_label, "allocations", alloc_series,
                    [](double v) { return format_count(v); });
  return out + "</div>";
}

}  // namespace deferlab::reports::html

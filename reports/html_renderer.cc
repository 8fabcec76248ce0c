// index.html: the run as one self-contained page. Tables and charts are rendered here as
// HTML and inline SVG, so they read without JavaScript and print; the annotated assembly
// and the side-by-side diffs are drawn by a small inline script from data embedded in the
// page, when a reader opens them. Nothing is fetched: no CDN, no font, no image URL.
//
// Every string that comes from a binary or a file is escaped (C++ names are full of <, >
// and &); the embedded data is JSON with <, > and & written as \u escapes, so no name can
// close the script element; and the script only ever sets textContent.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <optional>
#include <nlohmann/json.hpp>
#include <set>
#include <utility>
#include <vector>

#include "disasm/diff.h"
#include "disasm/disasm_json.h"
#include "disasm/listing.h"
#include "reports/figures.h"
#include "reports/format.h"
#include "reports/profile_heat.h"
#include "reports/renderer.h"

namespace deferlab::reports {
namespace {

std::string fixed(double v, int digits) {
  char text[64];
  std::snprintf(text, sizeof text, "%.*f", digits, v);
  return text;
}

// One colour per strategy, in table order, readable on white and in print.
const char* colour(std::size_t index) {
  static const char* const kPalette[] = {"#d62728", "#ff7f0e", "#2ca02c", "#1f77b4", "#9467bd",
                                         "#8c564b", "#e377c2", "#7f7f7f", "#17becf", "#bcbd22"};
  return kPalette[index % std::size(kPalette)];
}

std::string context_value(const RunReport& r, const char* key) {
  const auto it = r.context.find(key);
  if (it == r.context.end()) return "";
  return it->is_string() ? it->get<std::string>() : it->dump();
}

std::string anchor(const std::string& text) {
  std::string out;
  for (char c : text) out += std::isalnum(static_cast<unsigned char>(c)) ? c : '-';
  return out;
}

// Charts /////////////////////////////////////////////////////////////////////////////////

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

// A log-log line chart: x and y on log10 scales, ticks at powers of ten. Values of 0 on
// the y axis (no allocation) sit on a separate "0" row below the first decade.
std::string line_chart(const std::string& title, const std::string& x_label,
                       const std::string& y_label, const std::vector<Series>& series,
                       const std::function<std::string(double)>& y_format) {
  const double width = 560;
  const double height = 300;
  const double left = 70;
  const double right = 185;
  const double top = 30;
  const double bottom = 45;
  double x_min = 1e300, x_max = 0, y_min = 1e300, y_max = 0;
  bool has_zero = false;
  for (const Series& s : series) {
    for (const auto& [x, y] : s.points) {
      if (!is_plottable(x) || !(is_plottable(y) || y == 0)) continue;  // see plottable()
      x_min = std::min(x_min, x);
      x_max = std::max(x_max, x);
      if (y > 0) {
        y_min = std::min(y_min, y);
        y_max = std::max(y_max, y);
      } else {
        has_zero = true;
      }
    }
  }
  if (x_max <= 0 || y_max <= 0) return "";
  const double lx0 = std::floor(std::log10(x_min));
  const double lx1 = std::max(std::ceil(std::log10(x_max)), lx0 + 1);
  const double ly0 = std::floor(std::log10(y_min));
  const double ly1 = std::max(std::ceil(std::log10(y_max)), ly0 + 1);
  const double plot_h = height - top - bottom - (has_zero ? 24 : 0);
  auto px = [&](double x) {
    return left + (std::log10(x) - lx0) / (lx1 - lx0) * (width - left - right);
  };
  auto py = [&](double y) {
    if (y <= 0) return top + plot_h + 24;
    return top + plot_h - (std::log10(y) - ly0) / (ly1 - ly0) * plot_h;
  };
  std::string svg = "<svg class=\"chart\" viewBox=\"0 0 " + fixed(width, 0) + " " +
                    fixed(height, 0) + "\" role=\"img\" aria-label=\"" + html_escape(title) + "\">";
  svg += "<text x=\"" + fixed(left, 0) + "\" y=\"18\" class=\"chart-title\">" + html_escape(title) +
         "</text>";
  for (const double d : decade_ticks(ly0, ly1)) {
    const double y = py(std::pow(10, d));
    svg += "<line x1=\"" + fixed(left, 1) + "\" x2=\"" + fixed(width - right, 1) + "\" y1=\"" +
           fixed(y, 1) + "\" y2=\"" + fixed(y, 1) + "\" class=\"grid\"/>";
    svg += "<text x=\"" + fixed(left - 6, 1) + "\" y=\"" + fixed(y + 4, 1) +
           "\" class=\"tick\" text-anchor=\"end\">" + html_escape(y_format(std::pow(10, d))) +
           "</text>";
  }
  if (has_zero) {
    const double y = py(0);
    svg += "<line x1=\"" + fixed(left, 1) + "\" x2=\"" + fixed(width - right, 1) + "\" y1=\"" +
           fixed(y, 1) + "\" y2=\"" + fixed(y, 1) + "\" class=\"grid zero\"/>";
    svg += "<text x=\"" + fixed(left - 6, 1) + "\" y=\"" + fixed(y + 4, 1) +
           "\" class=\"tick\" text-anchor=\"end\">0</text>";
  }
  std::set<double> xs;
  for (const Series& s : series) {
    for (const auto& p : s.points) {
      if (is_plottable(p.first)) xs.insert(p.first);
    }
  }
  for (double x : xs) {
    svg += "<text x=\"" + fixed(px(x), 1) + "\" y=\"" + fixed(height - bottom + 16, 1) +
           "\" class=\"tick\" text-anchor=\"middle\">" + fixed(x, 0) + "</text>";
  }
  svg += "<text x=\"" + fixed((left + width - right) / 2, 1) + "\" y=\"" + fixed(height - 8, 1) +
         "\" class=\"axis\" text-anchor=\"middle\">" + html_escape(x_label) + "</text>";
  svg += "<text transform=\"translate(14," + fixed(top + plot_h / 2, 1) +
         ") rotate(-90)\" class=\"axis\" text-anchor=\"middle\">" + html_escape(y_label) +
         "</text>";
  for (std::size_t k = 0; k < series.size(); ++k) {
    const Series& s = series[k];
    const std::vector<std::pair<double, double>> points = plottable(s.points);
    std::string path;
    for (const auto& [x, y] : points)
      path += (path.empty() ? "M" : "L") + fixed(px(x), 1) + "," + fixed(py(y), 1);
    svg +=
        "<path d=\"" + path + "\" fill=\"none\" stroke=\"" + s.colour + "\" stroke-width=\"2\"/>";
    for (const auto& [x, y] : points) {
      svg += "<circle cx=\"" + fixed(px(x), 1) + "\" cy=\"" + fixed(py(y), 1) +
             "\" r=\"3\" fill=\"" + s.colour + "\"><title>" + html_escape(s.name) + ": " +
             html_escape(y_format(y)) + " at N = " + fixed(x, 0) + "</title></circle>";
    }
    const double ly = top + 12 + static_cast<double>(k) * 16;
    svg += "<rect x=\"" + fixed(width - right + 12, 1) + "\" y=\"" + fixed(ly - 8, 1) +
           "\" width=\"10\" height=\"10\" fill=\"" + s.colour + "\"/><text x=\"" +
           fixed(width - right + 26, 1) + "\" y=\"" + fixed(ly + 1, 1) + "\" class=\"legend\">" +
           html_escape(s.name) + "</text>";
  }
  svg += "</svg>";
  return svg;
}

// Horizontal bars of each strategy's ratio to the baseline on a log scale, with the
// confidence interval as a whisker.
std::string ratio_bars(const CaseGroup& group, const std::map<std::string, std::size_t>& order) {
  // A ratio with a zero, negative or non-finite end (a baseline time of 0 gives infinity)
  // has no place on a log scale: its row gets no bar.
  const auto drawable = [](const StrategyRow& row) {
    return row.vs_baseline && is_plottable(row.vs_baseline->estimate) &&
           is_plottable(row.vs_baseline->low) && is_plottable(row.vs_baseline->high);
  };
  double max_ratio = 1;
  double min_ratio = 1;
  for (const StrategyRow& row : group.rows) {
    if (!drawable(row)) continue;
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
  std::string svg = "<svg class=\"bars\" viewBox=\"0 0 " + fixed(width, 0) + " " +
                    fixed(height, 0) + "\" role=\"img\" aria-label=\"ratio to the baseline, " +
                    html_escape(group.title()) + "\">";
  for (const double d : decade_ticks(l0, l1)) {
    const double x = px(std::pow(10, d));
    svg += "<line x1=\"" + fixed(x, 1) + "\" x2=\"" + fixed(x, 1) + "\" y1=\"20\" y2=\"" +
           fixed(height - 18, 1) + "\" class=\"grid\"/><text x=\"" + fixed(x, 1) +
           "\" y=\"14\" class=\"tick\" text-anchor=\"middle\">" + format_ratio(std::pow(10, d)) +
           "</text>";
  }
  double y = 24;
  for (const StrategyRow& row : group.rows) {
    const std::size_t index = order.count(row.strategy) ? order.at(row.strategy) : 0;
    svg += "<text x=\"" + fixed(left - 6, 1) + "\" y=\"" + fixed(y + 11, 1) +
           "\" class=\"tick\" text-anchor=\"end\">" + html_escape(row.strategy) + "</text>";
    if (drawable(row)) {
      const double x0 = px(1);
      const double x1 = px(row.vs_baseline->estimate);
      svg += "<rect x=\"" + fixed(std::min(x0, x1), 1) + "\" y=\"" + fixed(y + 2, 1) +
             "\" width=\"" + fixed(std::max(1.0, std::fabs(x1 - x0)), 1) + "\" height=\"" +
             fixed(bar_h - 5, 1) + "\" fill=\"" + colour(index) + "\"><title>" +
             html_escape(row.strategy) + ": " +
             html_escape(format_ratio_interval(*row.vs_baseline)) + "</title></rect>";
      svg += "<line x1=\"" + fixed(px(row.vs_baseline->low), 1) + "\" x2=\"" +
             fixed(px(row.vs_baseline->high), 1) + "\" y1=\"" + fixed(y + 7.5, 1) + "\" y2=\"" +
             fixed(y + 7.5, 1) + "\" class=\"whisker\"/>";
    }
    y += bar_h;
  }
  svg += "<text x=\"" + fixed(left, 1) + "\" y=\"" + fixed(height - 4, 1) +
         "\" class=\"axis\">time / " + "baseline (log scale)</text></svg>";
  return svg;
}

// Tables /////////////////////////////////////////////////////////////////////////////////

std::string profile_header() {
  return "<th title=\"instructions per iteration (callgrind), exact ratio to the baseline\">"
         "instr/iter</th><th title=\"estimated cycles per iteration\">cycles/iter</th>"
         "<th title=\"allocation calls per iteration counted by callgrind\">alloc "
         "calls/iter</th>";
}

// The profile's cells of a row; a missing figure is "-" with the reason as its title.
std::string profile_cells(const StrategyRow& row) {
  if (!row.profile) return "<td class=\"num\">-</td><td class=\"num\">-</td><td class=\"num\">-</td>";
  const ProfileFigures& p = *row.profile;
  const auto cell = [](const std::string& text, const std::string& why, const char* cls) {
    const std::string title = text == "-" && !why.empty() ? " title=\"" + html_escape(why) + "\"" : "";
    return std::string("<td class=\"num ") + cls + "\"" + title + ">" + html_escape(text) + "</td>";
  };
  return cell(figure_with_ratio(p.instructions, p.instructions_vs_baseline, row.is_baseline),
              p.missing, "instr") +
         cell(figure_with_ratio(p.cycles, p.cycles_vs_baseline, row.is_baseline),
              p.cycles_missing, "cycles") +
         cell(format_count(p.allocations), p.missing,
              p.allocations && *p.allocations > 0 ? "allocs" : "");
}

std::string group_table(const RunReport& report, const CaseGroup& group) {
  const StrategyRow* slowest = nullptr;
  for (const StrategyRow& row : group.rows) {
    if (!row.failed && (slowest == nullptr || row.time.median > slowest->time.median))
      slowest = &row;
  }
  std::string out = std::string("<table class=\"cases\"><thead><tr><th>") +
                    (report.derived_manifest ? "family" : "strategy") + "</th><th>median</th><th>" +
                    (report.baseline_strategy.empty()
                         ? std::string("vs baseline")
                         : "vs " + html_escape(report.baseline_strategy) + " [CI]") +
                    "</th><th>allocs/iter</th><th>bytes/iter</th><th>CV</th>";
  if (report.profile) out += profile_header();
  if (!report.architectures.empty()) {
    std::string archs;
    for (const std::string& arch : report.architectures)
      archs += (archs.empty() ? "" : " / ") + arch;
    out += "<th title=\"" + html_escape(archs) + "\">instructions<br>" + html_escape(archs) +
           "</th><th>alloc calls in loops<br>" + html_escape(archs) +
           "</th><th>match vs baseline<br>" + html_escape(archs) + "</th>";
  }
  const bool go = group.has_go_rows();
  if (go) {
    out += std::string("<th>vs ") + kGoBaselineStrategy + " [CI]</th><th>defer</th>";
  }
  out += "</tr></thead><tbody>";
  for (const StrategyRow& row : group.rows) {
    const bool allocates = row.heap_allocs && *row.heap_allocs > 0;
    std::string classes;
    if (&row == slowest) classes += " slowest";
    if (allocates) classes += " allocates";
    if (row.is_baseline) classes += " baseline";
    out += "<tr class=\"" + classes + "\" data-strategy=\"" + html_escape(row.strategy) + "\">";
    std::string name = html_escape(row.strategy);
    if (row.fidelity == "closest_form") {
      name += " <abbr title=\"closest form: " + html_escape(row.notes) + "\">*</abbr>";
    }
    out += "<td class=\"name\">" + name + "</td>";
    if (row.failed) {
      out += std::string("<td colspan=\"5\" class=\"failed\">") +
             (row.invalid ? "invalid: " : "failed: ") + html_escape(row.error) + "</td>";
    } else {
      out += "<td class=\"num time\">" + html_escape(format_time(row.time.median)) + "</td>";
      std::string ratio = row.is_baseline   ? "baseline"
                          : row.vs_baseline ? format_ratio_interval(*row.vs_baseline)
                                            : "-";
      std::string ratio_title;
      if (row.vs_baseline)
        ratio_title = " title=\"" + fixed(row.vs_baseline->confidence * 100, 1) + "% interval\"";
      out += "<td class=\"num\"" + ratio_title + ">" + html_escape(ratio) + "</td>";
      out += "<td class=\"num allocs\">" + html_escape(format_count(row.heap_allocs)) + "</td>";
      out += "<td class=\"num\">" + html_escape(format_bytes(row.heap_bytes)) + "</td>";
      const bool noisy = row.time.cv > kNoisyCv;
      out += std::string("<td class=\"num") + (noisy ? " noisy" : "") + "\">" +
             html_escape(format_percent(row.time.cv)) + (noisy ? " &#9888;" : "") + "</td>";
    }
    if (report.profile) out += profile_cells(row);
    if (!report.architectures.empty()) {
      // One cell per fact, the architectures side by side: "65 / 79".
      std::string instructions, in_loops, match;
      bool allocates_in_loop = false;
      for (const std::string& arch : report.architectures) {
        const auto path = row.hot_paths.find(arch);
        const std::string sep =
            instructions.empty() && in_loops.empty() && match.empty() ? "" : " / ";
        if (path == row.hot_paths.end()) {
          instructions += sep + "-";
          in_loops += sep + "-";
          match += sep + "-";
          continue;
        }
        const disasm::Summary& s = path->second.summary;
        instructions += sep + std::to_string(s.instructions);
        in_loops += sep + std::to_string(s.alloc_calls_in_loops);
        match += sep + (path->second.has_diff ? fixed(path->second.match_percent, 0) + "%"
                                              : std::string("-"));
        allocates_in_loop = allocates_in_loop || s.alloc_calls_in_loops > 0;
      }
      out += "<td class=\"num\">" + instructions + "</td>";
      out += std::string("<td class=\"num") + (allocates_in_loop ? " allocates" : "") + "\">" +
             in_loops + "</td>";
      out += "<td class=\"num\">" + match + "</td>";
    }
    if (go) {
      std::string vs_go;
      if (row.strategy == kGoBaselineStrategy) {
        vs_go = "baseline";
      } else if (row.vs_go_manual && !row.failed) {
        vs_go = format_ratio_interval(*row.vs_go_manual);
      }
      out += "<td class=\"num\">" + html_escape(vs_go) + "</td><td class=\"defer\">" +
             html_escape(go_defer_text(row)) + "</td>";
    }
    out += "</tr>";
  }
  out += "</tbody></table>";
  return out;
}

// The per-case assembly panel: filled by the script from the embedded data.
std::string assembly_panel(const RunReport& report, const CaseGroup& group,
                           std::size_t group_index) {
  std::string out = "<details class=\"asm-panel\" data-group=\"" + std::to_string(group_index) +
                    "\"><summary>Annotated assembly and diff for " + html_escape(group.title()) +
                    "</summary>";
  out += "<div class=\"controls\"><label>strategy <select class=\"pick-a\">";
  for (const StrategyRow& row : group.rows) {
    out += "<option value=\"" + html_escape(row.strategy) + "\">" + html_escape(row.strategy) +
           "</option>";
  }
  out += "</select></label> <label>against <select class=\"pick-b\">";
  for (const StrategyRow& row : group.rows) {
    out += "<option value=\"" + html_escape(row.strategy) + "\"" +
           (row.is_baseline ? " selected" : "") + ">" + html_escape(row.strategy) + "</option>";
  }
  out += "</select></label> <label>architecture <select class=\"pick-arch\">";
  for (const std::string& arch : report.architectures) {
    out += "<option value=\"" + html_escape(arch) + "\">" + html_escape(arch) + "</option>";
  }
  out +=
      "</select></label></div><div class=\"listing\"></div><div class=\"diff\"></div>"
      "<noscript>The listings need JavaScript; review.md and disasm.json have them as "
      "text.</noscript></details>";
  return out;
}

// The data the script draws from ///////////////////////////////////////////////////////

// The benchmarks outside the manifest that have a hot function, as one group for the
// assembly panel (a user's binary: each benchmark's hottest function of its own).
std::optional<CaseGroup> other_group(const RunReport& report) {
  CaseGroup group;
  group.scenario = "other";
  group.param = "benchmarks";
  for (const StrategyRow& r : report.other) {
    if (r.hot_symbol.empty()) continue;
    group.rows.push_back(r);
    group.rows.back().strategy = r.benchmark;
  }
  if (group.rows.empty()) return std::nullopt;
  return group;
}

nlohmann::json page_data(const RunReport& report) {
  using nlohmann::json;
  json functions = json::object();
  for (const auto& [arch, by_symbol] : report.functions) {
    json out = json::object();
    for (const auto& [symbol, f] : by_symbol) {
      const disasm::DiffOptions options = report_diff_options(arch);
      json insns = json::array();
      json source = json::object();
      for (const disasm::AnnotatedInstruction& a : f.instructions) {
        std::string classes;
        if (a.tags & disasm::kTagAlloc) classes += " alloc";
        if (a.tags & disasm::kTagFree) classes += " free";
        if (a.tags & disasm::kTagIndirectCall) classes += " indirect";
        if (a.tags & (disasm::kTagThrow | disasm::kTagUnwind)) classes += " throw";
        std::string where;
        if (a.source) {
          std::string file = a.source->file;
          if (const std::size_t slash = file.rfind('/'); slash != std::string::npos)
            file = file.substr(slash + 1);
          where = file + ":" + std::to_string(a.source->line);
        }
        const std::string operands = disasm::display_operands(a);
        insns.push_back({disasm::hex_address(a.insn.address),
                         operands.empty() ? a.insn.mnemonic : a.insn.mnemonic + " " + operands,
                         disasm::annotation_text(a), classes, a.loop_depth, a.label, where,
                         disasm::normalize(a, options)});
      }
      for (const auto& [where, text] : f.source_text) {
        std::string file = where.first;
        if (const std::size_t slash = file.rfind('/'); slash != std::string::npos)
          file = file.substr(slash + 1);
        source[file + ":" + std::to_string(where.second)] = text;
      }
      out[symbol] = {{"name", f.range.demangled},
                     {"summary", disasm::summary_text(f.summary)},
                     {"insns", insns},
                     {"source", source}};
    }
    functions[arch] = out;
  }
  // Source text per "file:line", from the listings that carry it.
  json groups = json::array();
  const auto x86 = report.functions.find("x86-64");
  std::vector<const CaseGroup*> all;
  for (const CaseGroup& g : report.groups) all.push_back(&g);
  const std::optional<CaseGroup> other = other_group(report);
  if (other) all.push_back(&*other);
  for (const CaseGroup* group : all) {
    const CaseGroup& g = *group;
    json rows = json::array();
    for (const StrategyRow& r : g.rows) {
      // The heat column of the row's x86-64 listing: executions per iteration of each
      // instruction (the profile runs on the host only).
      json heat = nullptr;
      if (x86 != report.functions.end()) {
        const auto f = x86->second.find(r.hot_symbol);
        if (f != x86->second.end()) {
          const auto heated = with_heat(f->second, r);
          if (!heated.second.empty()) {
            heat = json::array();
            for (const disasm::AnnotatedInstruction& a : heated.first.instructions)
              heat.push_back(disasm::heat_text(a));
          }
        }
      }
      rows.push_back({{"strategy", r.strategy}, {"symbol", r.hot_symbol}, {"heat", heat}});
    }
    groups.push_back({{"title", g.title()}, {"rows", rows}});
  }
  return {{"baseline", report.baseline_strategy}, {"functions", functions}, {"groups", groups}};
}

// JSON inside <script>: no '<', '>' or '&' may appear, or a name could end the element or
// open a comment the HTML parser honours. In JSON strings they become \u003c, \u003e and
// \u0026 (the same string to JSON.parse); outside strings JSON has none of them.
std::string script_safe(const std::string& json) {
  std::string out;
  out.reserve(json.size());
  for (const char c : json) {
    switch (c) {
      case '<':
        out += "\\u003c";
        break;
      case '>':
        out += "\\u003e";
        break;
      case '&':
        out += "\\u0026";
        break;
      default:
        out += c;
    }
  }
  return out;
}

constexpr const char* kStyle = R"css(
:root { --fg: #1d2125; --muted: #5f6b76; --line: #d8dee4; --bad: #fde8e8; --bad-fg: #b42318;
        --good: #e7f6ec; --warn: #fff4d6; --accent: #1f6feb; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg);
       margin: 0 auto; max-width: 1280px; padding: 20px 28px 60px; }
h1 { font-size: 24px; margin: 0 0 4px; } h2 { font-size: 19px; margin: 34px 0 6px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
h3 { font-size: 15px; margin: 22px 0 6px; }
.meta { color: var(--muted); margin: 0 0 8px; } .meta code { color: var(--fg); }
nav { margin: 10px 0 0; } nav a { margin-right: 12px; color: var(--accent); text-decoration: none; }
.warning { background: var(--warn); padding: 6px 10px; border-radius: 4px; margin: 6px 0; }
.warning.noise { background: #f6f8fa; color: var(--muted); }
.charts { display: flex; flex-wrap: wrap; gap: 18px; }
svg.chart { width: 560px; max-width: 100%; height: auto; border: 1px solid var(--line); border-radius: 6px; background: #fff; }
svg.bars { width: 360px; max-width: 100%; height: auto; }
.chart-title { font-weight: 600; font-size: 13px; } .tick { font-size: 10px; fill: var(--muted); }
.axis { font-size: 11px; fill: var(--muted); } .legend { font-size: 11px; }
.grid { stroke: #e9edf1; } .grid.zero { stroke-dasharray: 3 3; } .whisker { stroke: #222; stroke-width: 1.5; }
.group { display: flex; flex-wrap: wrap; gap: 16px; align-items: flex-start; }
table.cases { border-collapse: collapse; font-variant-numeric: tabular-nums; }
table.cases th, table.cases td { border-bottom: 1px solid var(--line); padding: 3px 8px; text-align: left; white-space: nowrap; }
table.cases th { font-weight: 600; font-size: 12px; color: var(--muted); }
td.num { text-align: right; } tr.slowest td.time { font-weight: 700; color: var(--bad-fg); }
tr.allocates td.allocs, td.allocates { background: var(--bad); color: var(--bad-fg); font-weight: 600; }
tr.baseline td { background: #f6f8fa; } td.noisy { color: var(--bad-fg); } td.failed { color: var(--bad-fg); }
abbr { text-decoration: none; cursor: help; color: var(--muted); }
details.asm-panel { margin: 8px 0 4px; } details.asm-panel > summary { cursor: pointer; color: var(--accent); }
.controls { margin: 8px 0; } .controls label { margin-right: 12px; color: var(--muted); }
.asm { font: 12px/1.35 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; border-collapse: collapse; }
.asm td { padding: 0 6px; white-space: pre; vertical-align: top; }
.asm .heat { text-align: right; color: #b35900; padding-right: .6em; font-variant-numeric: tabular-nums; }
.asm .addr { color: var(--muted); } .asm .note { color: var(--muted); } .asm .gutter { color: #9aa7b3; }
.asm .label td { color: var(--accent); font-weight: 600; } .asm .src td { color: #6b5a2e; background: #fbf8ef; }
.asm tr.alloc { background: var(--bad); } .asm tr.alloc .note { color: var(--bad-fg); font-weight: 700; }
.asm tr.free { background: var(--good); } .asm tr.indirect .note { color: #7b3fb5; font-weight: 600; }
.asm tr.throw .note { color: #b35900; }
.fn-head { margin: 10px 0 4px; font-size: 12px; } .fn-head code { font-weight: 600; }
table.sbs { border-collapse: collapse; font: 12px/1.35 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
table.sbs td { padding: 0 8px; white-space: pre; border-left: 1px solid var(--line); }
table.sbs tr.del td.a, table.sbs tr.rep td.a { background: var(--bad); }
table.sbs tr.ins td.b, table.sbs tr.rep td.b { background: var(--good); }
table.sbs th { text-align: left; font-size: 12px; padding: 2px 8px; }
footer { margin-top: 40px; color: var(--muted); font-size: 12px; }
@media print { nav, .controls, details.asm-panel { display: none; } body { max-width: none; padding: 0; }
  h2 { break-after: avoid; } table.cases { break-inside: avoid; } }
)css";

constexpr const char* kScript = R"js(
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("deferlab-data").textContent);
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function symbolOf(group, strategy) {
    var rows = data.groups[group].rows;
    for (var i = 0; i < rows.length; i++) if (rows[i].strategy === strategy) return rows[i].symbol;
    return "";
  }
  function heatOf(group, strategy) {
    var rows = data.groups[group].rows;
    for (var i = 0; i < rows.length; i++) if (rows[i].strategy === strategy) return rows[i].heat;
    return null;
  }
  // Source lines get a stable colour from their file:line, so the same line is the same
  // colour in every listing.
  function sourceColour(key) {
    var h = 0;
    for (var i = 0; i < key.length; i++) h = (h * 31 + key.charCodeAt(i)) >>> 0;
    return "hsl(" + (h % 360) + ", 70%, 45%)";
  }
  function listing(arch, symbol, heat) {
    var f = (data.functions[arch] || {})[symbol];
    var box = el("div");
    if (!f) { box.appendChild(el("p", "note", "No " + arch + " code for this strategy.")); return box; }
    var head = el("div", "fn-head");
    head.appendChild(el("code", "", f.name));
    head.appendChild(document.createTextNode("  " + f.summary));
    box.appendChild(head);
    if (arch !== "x86-64") heat = null;
    box.appendChild(el("p", "note", heat ? "heat: executions per iteration of the timed loop (profile)"
        : arch !== "x86-64" ? arch + ": static only, no profile (valgrind does not run under qemu-user)" : ""));
    var cols = heat ? 4 : 3;
    var table = el("table", "asm");
    var lastSource = "";
    f.insns.forEach(function (i, index) {
      var depth = "|".repeat(Math.min(Math.max(0, i[4] | 0), 64));
      if (i[6] && i[6] !== lastSource) {
        lastSource = i[6];
        var s = el("tr", "src");
        s.appendChild(el("td", "gutter", depth));
        var text = (f.source || {})[i[6]];
        var t = el("td", "", "// " + i[6] + (text ? "    " + text.trim() : ""));
        t.setAttribute("colspan", String(cols));
        t.style.borderLeft = "3px solid " + sourceColour(i[6]);
        s.appendChild(t);
        table.appendChild(s);
      }
      if (i[5]) {
        var l = el("tr", "label");
        l.appendChild(el("td", "gutter", depth));
        var lt = el("td", "", i[5] + ":");
        lt.setAttribute("colspan", String(cols));
        l.appendChild(lt);
        table.appendChild(l);
      }
      var tr = el("tr", i[3].trim());
      tr.appendChild(el("td", "gutter", depth));
      if (heat) tr.appendChild(el("td", "heat", heat[index]));
      tr.appendChild(el("td", "addr", i[0]));
      var code = el("td", "code", i[1]);
      if (i[6]) code.style.borderLeft = "3px solid " + sourceColour(i[6]);
      tr.appendChild(code);
      var note = i[2] ? "; " + i[2] : "";
      var noteCell = el("td", "note", note.length > 90 ? note.slice(0, 87) + "..." : note);
      if (note.length > 90) noteCell.title = note;
      tr.appendChild(noteCell);
      table.appendChild(tr);
    });
    box.appendChild(table);
    return box;
  }
  // Longest common subsequence over the normalised instructions: fine for functions of a
  // few hundred instructions, which hot functions are. Its table takes 4 n m bytes, so
  // pairs above kMaxCells (64 MB) are not aligned here: deferlab diff does it in linear
  // memory.
  var kMaxCells = 16000000;
  function align(a, b) {
    var n = a.length, m = b.length, i, j;
    var dp = [];
    for (i = 0; i <= n; i++) { dp.push(new Int32Array(m + 1)); }
    for (i = n - 1; i >= 0; i--) for (j = m - 1; j >= 0; j--)
      dp[i][j] = a[i][7] === b[j][7] ? dp[i + 1][j + 1] + 1 : Math.max(dp[i + 1][j], dp[i][j + 1]);
    var ops = [];
    i = 0; j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && a[i][7] === b[j][7]) { ops.push(["eq", a[i++], b[j++]]); }
      else if (j < m && (i === n || dp[i][j + 1] >= dp[i + 1][j])) { ops.push(["ins", null, b[j++]]); }
      else { ops.push(["del", a[i++], null]); }
    }
    return ops;
  }
  function sideBySide(arch, symA, symB, nameA, nameB) {
    var box = el("div");
    var fa = (data.functions[arch] || {})[symA], fb = (data.functions[arch] || {})[symB];
    if (!fa || !fb) return box;
    if ((fa.insns.length + 1) * (fb.insns.length + 1) > kMaxCells) {
      box.appendChild(el("p", "note", "Too large to align in the page (" + fa.insns.length +
                         " and " + fb.insns.length + " instructions): run deferlab diff."));
      return box;
    }
    var ops = align(fb.insns, fa.insns);
    var equal = ops.filter(function (o) { return o[0] === "eq"; }).length;
    var match = 100 * 2 * equal / Math.max(1, fa.insns.length + fb.insns.length);
    box.appendChild(el("h3", "", nameA + " against " + nameB + " (" + arch + "): " + match.toFixed(1) + "% match"));
    var table = el("table", "sbs");
    var head = el("tr");
    head.appendChild(el("th", "", nameB));
    head.appendChild(el("th", "", nameA));
    table.appendChild(head);
    ops.forEach(function (o) {
      var cls = o[0] === "eq" ? "eq" : o[0];
      var tr = el("tr", cls);
      tr.appendChild(el("td", "a", o[1] ? o[1][1] + (o[1][2] ? "  ; " + o[1][2] : "") : ""));
      tr.appendChild(el("td", "b", o[2] ? o[2][1] + (o[2][2] ? "  ; " + o[2][2] : "") : ""));
      table.appendChild(tr);
    });
    box.appendChild(table);
    return box;
  }
  function draw(panel) {
    var group = Number(panel.getAttribute("data-group"));
    var a = panel.querySelector(".pick-a").value;
    var b = panel.querySelector(".pick-b").value;
    var arch = panel.querySelector(".pick-arch").value;
    var list = panel.querySelector(".listing");
    var diff = panel.querySelector(".diff");
    list.textContent = "";
    diff.textContent = "";
    list.appendChild(listing(arch, symbolOf(group, a), heatOf(group, a)));
    if (a !== b) diff.appendChild(sideBySide(arch, symbolOf(group, a), symbolOf(group, b), a, b));
  }
  document.querySelectorAll("details.asm-panel").forEach(function (panel) {
    panel.addEventListener("toggle", function () { if (panel.open) draw(panel); });
    panel.querySelectorAll("select").forEach(function (s) {
      s.addEventListener("change", function () { draw(panel); });
    });
  });
  // #asm-all opens every panel (the "open every listing" link, and printing them all).
  function openAll() {
    if (location.hash !== "#asm-all") return;
    document.querySelectorAll("details.asm-panel").forEach(function (p) { p.open = true; draw(p); });
  }
  window.addEventListener("hashchange", openAll);
  openAll();
  document.body.setAttribute("data-ready", "1");
})();
)js";

}  // namespace

// One scenario charted across its numeric parameter (report.charts).
std::string chart_section(const RunReport& report, const Chart& chart,
                          std::map<std::string, std::size_t>& strategy_order) {
  std::string out = "<h2>" + html_escape(chart.scenario) + " across " +
                    html_escape(chart.x_label) + "</h2><div class=\"charts\">";
  std::vector<Series> time_series;
  std::vector<Series> alloc_series;
  for (const auto& [strategy, index] : strategy_order) {
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
  auto by_index = [&](const Series& x, const Series& y) {
    return strategy_order[x.name] < strategy_order[y.name];
  };
  std::sort(time_series.begin(), time_series.end(), by_index);
  std::sort(alloc_series.begin(), alloc_series.end(), by_index);
  out += line_chart("time per iteration (median)", chart.x_label, "time", time_series,
                    [](double v) { return format_time(v); });
  out += line_chart("heap allocations per iteration", chart.x_label, "allocations",
                    alloc_series, [](double v) { return format_count(v); });
  return out + "</div>";
}

std::string render_report_html(const RunReport& report) {
  std::map<std::string, std::size_t> strategy_order;
  for (const CaseGroup& g : report.groups) {
    for (const StrategyRow& r : g.rows) strategy_order.emplace(r.strategy, strategy_order.size());
  }
  const std::string run_id = context_value(report, "deferlab_run_id");
  std::string out =
      "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
      "<title>deferlab report " +
      html_escape(run_id) + "</title><style>" + kStyle + "</style></head><body>";
  out += "<header><h1>" + html_escape(report.title) + "</h1><p class=\"meta\">";
  const auto meta = [&](const char* label, const std::string& value) {
    if (!value.empty())
      out += html_escape(label) + " <code>" + html_escape(value) + "</code> &middot; ";
  };
  meta("run", run_id);
  meta("host", context_value(report, "deferlab_host"));
  meta("CPU", context_value(report, "deferlab_cpu_model"));
  meta("cores", context_value(report, "num_cpus"));
  meta("compiler", context_value(report, "deferlab_compiler"));
  meta("flags", context_value(report, "deferlab_cxx_flags"));
  std::string commit = context_value(report, "deferlab_git_commit");
  if (!commit.empty()) {
    commit = commit.substr(0, 12) +
             (context_value(report, "deferlab_git_dirty") == "true" ? " (dirty)" : "");
  }
  // The lab's source commit describes the lab's binary only; any other binary is named by
  // its path and build-id.
  if (report.derived_manifest) {
    meta("binary", context_value(report, "deferlab_binary"));
    meta("build-id", context_value(report, "deferlab_binary_build_id").substr(0, 16));
  } else {
    meta("commit", commit);
  }
  meta("date", context_value(report, "date"));
  out += "median of " + std::to_string(report.repetitions) + " repetitions</p>";
  std::vector<double> levels;
  for (const CaseGroup& g : report.groups) {
    for (const StrategyRow& row : g.rows) {
      if (row.vs_baseline) levels.push_back(row.vs_baseline->confidence);
    }
  }
  out += "<p class=\"meta\">Times are real time per iteration. " +
         (report.baseline_strategy.empty()
              ? std::string("No baseline: run with --baseline FAMILY for ratios")
              : html_escape(vs_baseline_definition(report.baseline_strategy)) +
                    (levels.empty() ? "" : " (" + confidence_label(levels) + ")")) +
         ". Allocations and bytes are exact operator-new counts per iteration of the timed "
         "loop; the "
         "instruction columns come from the hot function's disassembly; match is the share of "
         "instructions equal to the baseline's after normalising addresses. "
         "<a href=\"report.json\">report.json</a> has every number.</p>";
  if (std::any_of(report.groups.begin(), report.groups.end(),
                  [](const CaseGroup& g) { return g.has_go_rows(); })) {
    out += "<p class=\"meta\">" + html_escape(go_rows_note(!report.derived_manifest)) +
           " (for Go rows, match is "
           "against " +
           kGoBaselineStrategy + ").</p>";
  }
  if (report.profile) {
    out += "<ul class=\"meta profile\">";
    for (const std::string& line : profile_definitions(*report.profile, report.groups.empty() ? "" : report.baseline_strategy))
      out += "<li>" + html_escape(line) + "</li>";
    out += "</ul>";
  } else if (!report.profile_absent.empty()) {
    out += "<p class=\"meta\">No profile (instructions, cycles, allocation calls per "
           "iteration): " +
           html_escape(report.profile_absent) + "</p>";
  }
  for (const std::string& arch : report.architectures) {
    if (arch != "x86-64")
      out += "<p class=\"meta\">" + html_escape(arch + ": " + kStaticOnlyNote) + "</p>";
  }
  for (const std::string& w : report.warnings)
    out += "<p class=\"warning\">&#9888; " + html_escape(w) + "</p>";
  out += "<nav>";
  std::vector<std::string> scenarios;
  for (const CaseGroup& g : report.groups) {
    if (scenarios.empty() || scenarios.back() != g.scenario) scenarios.push_back(g.scenario);
  }
  if (!report.charts.empty()) out += "<a href=\"#charts\">charts</a>";
  for (const std::string& s : scenarios)
    out += "<a href=\"#" + anchor(s) + "\">" + html_escape(s) + "</a>";
  if (!report.other.empty()) out += "<a href=\"#other\">other</a>";
  if (!report.functions.empty())
    out += "<a href=\"#asm-all\" id=\"expand-all\">open every listing</a>";
  out += "</nav></header>";

  // Each charted scenario (the manifest's "charts"): time and allocations against its
  // numeric parameter, log scales, one series per strategy.
  if (!report.charts.empty()) out += "<section id=\"charts\">";
  for (const Chart& chart : report.charts) {
    out += chart_section(report, chart, strategy_order);
  }
  if (!report.charts.empty()) out += "</section>";

  std::size_t group_index = 0;
  std::string current;
  for (const CaseGroup& g : report.groups) {
    if (g.scenario != current) {
      current = g.scenario;
      out += "<h2 id=\"" + anchor(g.scenario) + "\">" + html_escape(g.scenario) +
             "</h2><p class=\"meta\">" + html_escape(g.scenario_summary) + "</p>";
    }
    std::string params;
    for (const auto& [key, value] : g.parameters.items()) {
      if (value.is_null()) continue;
      params += (params.empty() ? "" : ", ") + key + " = " +
                (value.is_string() ? value.get<std::string>() : value.dump());
    }
    out += "<section class=\"case\" id=\"" + anchor(g.title()) + "\"><h3>" +
           html_escape(g.title()) +
           (params.empty() ? "" : " <span class=\"meta\">(" + html_escape(params) + ")</span>") +
           "</h3>";
    out +=
        "<div class=\"group\">" + group_table(report, g) + ratio_bars(g, strategy_order) + "</div>";
    // Noise in one line; any other warning once, with every row it applies to (the Go
    // rows of a group all lack profile figures for one reason).
    std::string noisy;
    std::vector<std::pair<std::string, std::string>> warned;  // warning, rows
    for (const StrategyRow& r : g.rows) {
      if (r.time.cv > kNoisyCv) {
        noisy += (noisy.empty() ? "" : ", ") + html_escape(r.strategy) + " " +
                 html_escape(format_percent(r.time.cv));
      }
      for (const std::string& w : r.warnings) {
        if (w.rfind("noisy:", 0) == 0) continue;
        auto it = std::find_if(warned.begin(), warned.end(),
                               [&](const auto& entry) { return entry.first == w; });
        if (it == warned.end()) {
          warned.emplace_back(w, r.strategy);
        } else {
          it->second += ", " + r.strategy;
        }
      }
    }
    for (const auto& [w, rows] : warned) {
      out += "<p class=\"warning\">&#9888; " + html_escape(rows) + ": " + html_escape(w) + "</p>";
    }
    for (const std::string& w : g.warnings)
      out += "<p class=\"warning\">&#9888; " + html_escape(w) + "</p>";
    if (!noisy.empty()) {
      out += "<p class=\"warning noise\">&#9888; noisy (CV above " +
             html_escape(format_percent(kNoisyCv)) + "): " + noisy + "</p>";
    }
    if (!report.functions.empty()) out += assembly_panel(report, g, group_index);
    out += "</section>";
    ++group_index;
  }
  if (!report.other.empty()) {
    out +=
        "<h2 id=\"other\">Other benchmarks</h2><table class=\"cases\"><thead><tr><th>benchmark</th>"
        "<th>median</th><th>allocs/iter</th><th>bytes/iter</th><th>CV</th>" +
        (report.profile ? profile_header() : std::string()) + "</tr></thead><tbody>";
    for (const StrategyRow& r : report.other) {
      out += "<tr><td class=\"name\">" + html_escape(r.benchmark) + "</td>";
      const std::string profile = report.profile ? profile_cells(r) : "";
      if (r.failed) {
        out += std::string("<td colspan=\"4\" class=\"failed\">") +
               (r.invalid ? "invalid: " : "failed: ") + html_escape(r.error) + "</td>" + profile +
               "</tr>";
        continue;
      }
      out += "<td class=\"num\">" + html_escape(format_time(r.time.median)) +
             "</td><td class=\"num\">" + html_escape(format_count(r.heap_allocs)) +
             "</td><td class=\"num\">" + html_escape(format_bytes(r.heap_bytes)) +
             "</td><td class=\"num\">" + html_escape(format_percent(r.time.cv)) + "</td>" +
             profile + "</tr>";
    }
    out += "</tbody></table>";
    // After the manifest's groups, as page_data numbers it.
    const std::optional<CaseGroup> other = other_group(report);
    if (other && !report.functions.empty())
      out += assembly_panel(report, *other, report.groups.size());
  }
  out +=
      "<footer>Generated by deferlab. The page is self-contained: it makes no network "
      "request.</footer>";
  out += "<script type=\"application/json\" id=\"deferlab-data\">" +
         script_safe(
             page_data(report).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)) +
         "</script>";
  out += "<script>" + std::string(kScript) + "</script></body></html>\n";
  return out;
}

}  // namespace deferlab::reports

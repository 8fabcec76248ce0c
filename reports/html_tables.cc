// index.html's tables: one per group (a row per strategy, with the profile's and the
// disassembly's columns when the run has them), the table of other benchmarks, and the
// assembly panel under each group that the page's script fills.
#include <string>

#include "reports/figures.h"
#include "reports/format.h"
#include "reports/html_parts.h"

namespace deferlab::reports::html {
namespace {

std::string profile_header() {
  return "<th title=\"instructions per iteration (callgrind), exact ratio to the baseline\">"
         "instr/iter</th><th title=\"estimated cycles per iteration\">cycles/iter</th>"
         "<th title=\"allocation calls per iteration counted by callgrind\">alloc "
         "calls/iter</th>";
}

// The profile's cells of a row; a missing figure is "-" with the reason as its title.
std::string profile_cells(const StrategyRow& row) {
  if (!row.profile)
    return "<td class=\"num\">-</td><td class=\"num\">-</td><td class=\"num\">-</td>";
  const ProfileFigures& p = *row.profile;
  const auto cell = [](const std::string& text, const std::string& why, const char* cls) {
    const std::string title =
        text == "-" && !why.empty() ? " title=\"" + html_escape(why) + "\"" : "";
    return std::string("<td class=\"num ") + cls + "\"" + title + ">" + html_escape(text) + "</td>";
  };
  return cell(figure_with_ratio(p.instructions, p.instructions_vs_baseline, row.is_baseline),
              p.missing, "instr") +
         cell(figure_with_ratio(p.cycles, p.cycles_vs_baseline, row.is_baseline), p.cycles_missing,
              "cycles") +
         cell(format_count(p.allocations), p.missing,
              p.allocations && *p.allocations > 0 ? "allocs" : "");
}

// The architectures side by side in a header: "x86-64 / aarch64".
std::string arch_list(const RunReport& report) {
  std::string archs;
  for (const std::string& arch : report.architectures) archs += (archs.empty() ? "" : " / ") + arch;
  return archs;
}

std::string group_header(const RunReport& report, const CaseGroup& group) {
  std::string out =
      std::string("<table class=\"cases\"><thead><tr><th>") +
      (report.derived_manifest ? "family" : "strategy") + "</th><th>median</th><th>" +
      (report.baseline_strategy.empty() ? std::string("vs baseline")
                                        : "vs " + html_escape(report.baseline_strategy) + " [CI]") +
      "</th><th>allocs/iter</th><th>bytes/iter</th><th>CV</th>";
  if (report.profile) out += profile_header();
  if (!report.architectures.empty()) {
    const std::string archs = html_escape(arch_list(report));
    out += "<th title=\"" + archs + "\">instructions<br>" + archs +
           "</th><th>alloc calls in loops<br>" + archs + "</th><th>match vs baseline<br>" + archs +
           "</th>";
  }
  if (group.has_go_rows()) {
    const std::string go_baseline = report.language_baseline("go");
    if (!go_baseline.empty()) out += "<th>vs " + html_escape(go_baseline) + " [CI]</th>";
    out += "<th>defer</th>";
  }
  return out + "</tr></thead><tbody>";
}

// A row's time, ratio, heap and CV cells, or its failure across them.
std::string measured_cells(const StrategyRow& row) {
  if (row.failed) {
    return std::string("<td colspan=\"5\" class=\"failed\">") +
           (row.invalid ? "invalid: " : "failed: ") + html_escape(row.error) + "</td>";
  }
  std::string out = "<td class=\"num time\">" + html_escape(format_time(row.time.median)) + "</td>";
  const std::string ratio = row.is_baseline   ? "baseline"
                            : row.vs_baseline ? format_ratio_interval(*row.vs_baseline)
                                              : "-";
  std::string ratio_title;
  if (row.vs_baseline)
    ratio_title = " title=\"" + format_fixed(row.vs_baseline->confidence * 100, 1) + "% interval\"";
  out += "<td class=\"num\"" + ratio_title + ">" + html_escape(ratio) + "</td>";
  out += "<td class=\"num allocs\">" + html_escape(format_count(row.heap_allocs)) + "</td>";
  out += "<td class=\"num\">" + html_escape(format_bytes(row.heap_bytes)) + "</td>";
  const bool noisy = row.time.cv > kNoisyCv;
  out += std::string("<td class=\"num") + (noisy ? " noisy" : "") + "\">" +
         html_escape(format_percent(row.time.cv)) + (noisy ? " &#9888;" : "") + "</td>";
  return out;
}

// One cell per disassembly fact, the architectures side by side: "65 / 79".
std::string hot_path_cells(const RunReport& report, const StrategyRow& row) {
  std::string instructions, in_loops, match;
  bool allocates_in_loop = false;
  for (const std::string& arch : report.architectures) {
    const auto path = row.hot_paths.find(arch);
    const std::string sep = instructions.empty() && in_loops.empty() && match.empty() ? "" : " / ";
    if (path == row.hot_paths.end()) {
      instructions += sep + "-";
      in_loops += sep + "-";
      match += sep + "-";
      continue;
    }
    const disasm::Summary& s = path->second.summary;
    instructions += sep + std::to_string(s.instructions);
    in_loops += sep + std::to_string(s.alloc_calls_in_loops);
    match += sep + (path->second.has_diff ? format_whole_percent(path->second.match_percent)
                                          : std::string("-"));
    allocates_in_loop = allocates_in_loop || s.alloc_calls_in_loops > 0;
  }
  return "<td class=\"num\">" + instructions + "</td>" + "<td class=\"num" +
         (allocates_in_loop ? " allocates" : "") + "\">" + in_loops + "</td>" +
         "<td class=\"num\">" + match + "</td>";
}

// The Go columns: the ratio to the Go rows' own baseline (when the manifest names one) and
// the defer mechanism.
std::string go_cells(const RunReport& report, const StrategyRow& row) {
  std::string out;
  const std::string go_baseline = report.language_baseline("go");
  if (!go_baseline.empty()) {
    std::string vs_go;
    if (row.strategy == go_baseline) {
      vs_go = "baseline";
    } else if (row.vs_language_baseline && !row.failed) {
      vs_go = format_ratio_interval(*row.vs_language_baseline);
    }
    out += "<td class=\"num\">" + html_escape(vs_go) + "</td>";
  }
  return out + "<td class=\"defer\">" + html_escape(go_defer_text(row)) + "</td>";
}

std::string group_row(const RunReport& report, const CaseGroup& group, const StrategyRow& row,
                      const StrategyRow* slowest) {
  std::string classes;
  if (&row == slowest) classes += " slowest";
  if (row.heap_allocs && *row.heap_allocs > 0) classes += " allocates";
  if (row.is_baseline) classes += " baseline";
  std::string out =
      "<tr class=\"" + classes + "\" data-strategy=\"" + html_escape(row.strategy) + "\">";
  std::string name = html_escape(row.strategy);
  if (row.fidelity == "closest_form") {
    name += " <abbr title=\"closest form: " + html_escape(row.notes) + "\">*</abbr>";
  }
  out += "<td class=\"name\">" + name + "</td>" + measured_cells(row);
  if (report.profile) out += profile_cells(row);
  if (!report.architectures.empty()) out += hot_path_cells(report, row);
  if (group.has_go_rows()) out += go_cells(report, row);
  return out + "</tr>";
}

}  // namespace

std::string group_table(const RunReport& report, const CaseGroup& group) {
  const StrategyRow* slowest = nullptr;
  for (const StrategyRow& row : group.rows) {
    if (!row.failed && (slowest == nullptr || row.time.median > slowest->time.median))
      slowest = &row;
  }
  std::string out = group_header(report, group);
  for (const StrategyRow& row : group.rows) out += group_row(report, group, row, slowest);
  return out + "</tbody></table>";
}

std::string other_table(const RunReport& report) {
  std::string out =
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
           "</td><td class=\"num\">" + html_escape(format_percent(r.time.cv)) + "</td>" + profile +
           "</tr>";
  }
  return out + "</tbody></table>";
}

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

}  // namespace deferlab::reports::html

// index.html: the run as one self-contained page. Tables and charts are rendered here as
// HTML and inline SVG, so they read without JavaScript and print; the annotated assembly
// and the side-by-side diffs are drawn by a small inline script from data embedded in the
// page, when a reader opens them. Nothing is fetched: no CDN, no font, no image URL.
//
// Every string that comes from a binary or a file is escaped (C++ names are full of <, >
// and &); the embedded data is JSON with <, > and & written as \u escapes, so no name can
// close the script element; and the script only ever sets textContent. The page's style
// and script are reports/resources/report.css and report.js, embedded at build time.
#include <algorithm>
#include <cctype>
#include <string>
#include <utility>
#include <vector>

#include "reports/figures.h"
#include "reports/format.h"
#include "reports/html_parts.h"
#include "reports/renderer.h"
#include "reports/resources.h"

namespace deferlab::reports {
namespace {

// "label <code>value</code> &middot; " for each value present.
std::string meta_items(const RunReport& report) {
  std::string out;
  const auto meta = [&](const char* label, const std::string& value) {
    if (!value.empty())
      out += html_escape(label) + " <code>" + html_escape(value) + "</code> &middot; ";
  };
  meta("run", report.context_text("deferlab_run_id"));
  meta("host", report.context_text("deferlab_host"));
  meta("CPU", report.context_text("deferlab_cpu_model"));
  meta("cores", report.context_text("num_cpus"));
  meta("compiler", report.context_text("deferlab_compiler"));
  meta("flags", report.context_text("deferlab_cxx_flags"));
  // The lab's source commit describes the lab's binary only; any other binary is named by
  // its path and build-id.
  if (report.derived_manifest) {
    meta("binary", report.context_text("deferlab_binary"));
    meta("build-id", report.context_text("deferlab_binary_build_id").substr(0, 16));
  } else {
    std::string commit = report.context_text("deferlab_git_commit");
    if (!commit.empty()) {
      commit = commit.substr(0, 12) +
               (report.context_text("deferlab_git_dirty") == "true" ? " (dirty)" : "");
    }
    meta("commit", commit);
  }
  meta("date", report.context_text("date"));
  return out;
}

// What the columns are: times, the baseline ratio and its level, the exact counts.
std::string definitions(const RunReport& report) {
  std::vector<double> levels;
  for (const CaseGroup& g : report.groups) {
    for (const StrategyRow& row : g.rows) {
      if (row.vs_baseline) levels.push_back(row.vs_baseline->confidence);
    }
  }
  std::string out =
      "<p class=\"meta\">Times are real time per iteration. " +
      (report.baseline_strategy.empty()
           ? std::string("No baseline: run with --baseline FAMILY for ratios")
           : html_escape(vs_baseline_definition(report.baseline_strategy)) +
                 (levels.empty() ? "" : " (" + confidence_label(levels) + ")")) +
      "; " + html_escape(allocations_definition(report.derived_manifest)) +
      "; the instruction columns come from the hot function's disassembly; match is the share of "
      "instructions equal to the baseline's after normalising addresses. "
      "<a href=\"report.json\">report.json</a> has every number.</p>";
  if (std::any_of(report.groups.begin(), report.groups.end(),
                  [](const CaseGroup& g) { return g.has_go_rows(); })) {
    const std::string go_baseline = report.language_baseline("go");
    out += "<p class=\"meta\">" + html_escape(go_rows_note(!report.derived_manifest, go_baseline)) +
           (go_baseline.empty()
                ? ""
                : " (for Go rows, match is against " + html_escape(go_baseline) + ")") +
           ".</p>";
  }
  return out;
}

// The profile's definitions, or why the run has none; the other architectures' note; the
// report's warnings.
std::string notes(const RunReport& report) {
  std::string out;
  if (report.profile) {
    out += "<ul class=\"meta profile\">";
    for (const std::string& line : profile_definitions(
             *report.profile, report.groups.empty() ? "" : report.baseline_strategy))
      out += "<li>" + html_escape(line) + "</li>";
    out += "</ul>";
  } else if (!report.profile_absent.empty()) {
    out +=
        "<p class=\"meta\">No profile (instructions, cycles, allocation calls per "
        "iteration): " +
        html_escape(report.profile_absent) + "</p>";
  }
  for (const std::string& arch : report.architectures) {
    if (arch != "x86-64")
      out += "<p class=\"meta\">" + html_escape(arch + ": " + kStaticOnlyNote) + "</p>";
  }
  for (const std::string& w : report.warnings)
    out += "<p class=\"warning\">&#9888; " + html_escape(w) + "</p>";
  return out;
}

std::string navigation(const RunReport& report) {
  std::string out = "<nav>";
  std::vector<std::string> scenarios;
  for (const CaseGroup& g : report.groups) {
    if (scenarios.empty() || scenarios.back() != g.scenario) scenarios.push_back(g.scenario);
  }
  if (!report.charts.empty()) out += "<a href=\"#charts\">charts</a>";
  for (const std::string& s : scenarios)
    out += "<a href=\"#" + html::anchor(s) + "\">" + html_escape(s) + "</a>";
  if (!report.other.empty()) out += "<a href=\"#other\">other</a>";
  if (!report.functions.empty())
    out += "<a href=\"#asm-all\" id=\"expand-all\">open every listing</a>";
  return out + "</nav>";
}

std::string page_header(const RunReport& report) {
  const std::string run_id = report.context_text("deferlab_run_id");
  std::string out =
      "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
      "<title>deferlab report " +
      html_escape(run_id) + "</title><style>\n" + std::string(resources::report_css) +
      "</style></head><body>";
  out += "<header><h1>" + html_escape(report.title) + "</h1><p class=\"meta\">" +
         meta_items(report) + "median of " + std::to_string(report.repetitions) +
         " repetitions</p>";
  return out + definitions(report) + notes(report) + navigation(report) + "</header>";
}

// Noise in one line; any other warning once, with every row it applies to (the Go rows of
// a group all lack profile figures for one reason).
std::string group_warnings(const CaseGroup& g) {
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
  std::string out;
  for (const auto& [w, rows] : warned)
    out += "<p class=\"warning\">&#9888; " + html_escape(rows) + ": " + html_escape(w) + "</p>";
  for (const std::string& w : g.warnings)
    out += "<p class=\"warning\">&#9888; " + html_escape(w) + "</p>";
  if (!noisy.empty()) {
    out += "<p class=\"warning noise\">&#9888; noisy (CV above " +
           html_escape(format_percent(kNoisyCv)) + "): " + noisy + "</p>";
  }
  return out;
}

std::string group_section(const RunReport& report, const CaseGroup& g, std::size_t group_index,
                          const html::StrategyOrder& order) {
  std::string params;
  for (const auto& [key, value] : g.parameters.items()) {
    if (value.is_null()) continue;
    params += (params.empty() ? "" : ", ") + key + " = " +
              (value.is_string() ? value.get<std::string>() : value.dump());
  }
  std::string out =
      "<section class=\"case\" id=\"" + html::anchor(g.title()) + "\"><h3>" +
      html_escape(g.title()) +
      (params.empty() ? "" : " <span class=\"meta\">(" + html_escape(params) + ")</span>") +
      "</h3>";
  out += "<div class=\"group\">" + html::group_table(report, g) + html::ratio_bars(g, order) +
         "</div>";
  out += group_warnings(g);
  if (!report.functions.empty()) out += html::assembly_panel(report, g, group_index);
  return out + "</section>";
}

// Each charted scenario (the manifest's "charts"): time and allocations against its
// numeric parameter, log scales, one series per strategy.
std::string charts(const RunReport& report, html::StrategyOrder& order) {
  if (report.charts.empty()) return "";
  std::string out = "<section id=\"charts\">";
  for (const Chart& chart : report.charts) out += html::chart_section(report, chart, order);
  return out + "</section>";
}

std::string groups(const RunReport& report, const html::StrategyOrder& order) {
  std::string out;
  std::string current;
  for (std::size_t index = 0; index < report.groups.size(); ++index) {
    const CaseGroup& g = report.groups[index];
    if (g.scenario != current) {
      current = g.scenario;
      out += "<h2 id=\"" + html::anchor(g.scenario) + "\">" + html_escape(g.scenario) +
             "</h2><p class=\"meta\">" + html_escape(g.scenario_summary) + "</p>";
    }
    out += group_section(report, g, index, order);
  }
  if (!report.other.empty()) {
    out += html::other_table(report);
    // After the manifest's groups, as the page's data numbers it.
    const std::optional<CaseGroup> other = html::other_group(report);
    if (other && !report.functions.empty())
      out += html::assembly_panel(report, *other, report.groups.size());
  }
  return out;
}

}  // namespace

namespace html {

std::string anchor(const std::string& text) {
  std::string out;
  for (char c : text) out += std::isalnum(static_cast<unsigned char>(c)) ? c : '-';
  return out;
}

}  // namespace html

std::string render_report_html(const RunReport& report) {
  html::StrategyOrder order;
  for (const CaseGroup& g : report.groups) {
    for (const StrategyRow& r : g.rows) order.emplace(r.strategy, order.size());
  }
  std::string out = page_header(report);
  out += charts(report, order);
  out += groups(report, order);
  out +=
      "<footer>Generated by deferlab. The page is self-contained: it makes no network "
      "request.</footer>";
  out += "<script type=\"application/json\" id=\"deferlab-data\">" +
         html::page_data_script(report) + "</script>";
  out += "<script>\n" + std::string(resources::report_js) + "</script></body></html>\n";
  return out;
}

}  // namespace deferlab::reports

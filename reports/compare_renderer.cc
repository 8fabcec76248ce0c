// The renderings of a Comparison as console text, deferlab.compare/1 JSON and a
// self-contained HTML page, and the cells every format shares (compare_cells.h); Markdown
// is compare_markdown.cc.
#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "reports/compare.h"
#include "reports/compare_cells.h"

#include <fmt/format.h>
#include "reports/figures.h"
#include "reports/format.h"
#include "reports/resources.h"

namespace deferlab::reports {
namespace {

// A resource file's text without the newline that ends the file.
std::string_view without_final_newline(std::string_view text) {
  if (!text.empty() && text.back() == '\n') text.remove_suffix(1);
  return text;
}

}  // namespace

namespace compare_cells {

// The change figure (figures.h time_ratio) as every format shows it.
std::string change_text(const CompareRow& r) {
  if (!r.change) return "-";
  const std::string estimate = format_signed_percent(r.change->estimate - 1);
  if (!(r.change->confidence > 0)) return estimate + " (no interval)";
  return estimate + " [" + format_signed_percent(r.change->low - 1) + ", " +
         format_signed_percent(r.change->high - 1) + "]";
}

// The level of the rows' intervals, for the column header: "90%", "90-95%".
std::string change_level(const Comparison& c) {
  std::vector<double> levels;
  for (const CompareRow& r : c.rows) {
    if (r.change) levels.push_back(r.change->confidence);
  }
  return levels.empty() ? "" : confidence_label(levels);
}

std::string change_header(const Comparison& c) {
  const std::string level = change_level(c);
  return level.empty() ? "change [CI]" : "change [" + level + " CI]";
}

// The footer line: what the change column is, at which level, and what asked for it.
std::string definition_text(const Comparison& c) {
  std::string out = change_definition() + "; heap counts are exact per iteration";
  if (const std::string level = change_level(c); !level.empty()) {
    out += "; the intervals cover " + level + " (" + confidence_label(1 - c.alpha) +
           " asked: the exact level is discrete, and lower with few repetitions)";
  }
  return out;
}

std::string geomean_text(const Comparison& c) {
  return "geomean of the change estimates: " + format_signed_percent(*c.geomean_ratio - 1);
}

std::string p_text(const CompareRow& r) {
  if (!r.test) return "-";
  char text[32];
  std::snprintf(text, sizeof text, "%.4f", r.test->p_value);
  return text;
}

// "8 -> 9 (+1)"; a side without a value shows why ("invalid", "errored", "-").
std::string counts_text(const CounterChange& c) {
  if (!c.base && !c.head && c.base_tag == "-" && c.head_tag == "-") return "-";
  std::string text = (c.base ? format_count(c.base) : c.base_tag) + " -> " +
                     (c.head ? format_count(c.head) : c.head_tag);
  if (c.base && c.head && *c.base != *c.head) {
    char delta[32];
    std::snprintf(delta, sizeof delta, " (%+g)", *c.head - *c.base);
    text += delta;
  }
  if (c.amortized) text += " amortized";
  return text;
}

bool any_profile(const Comparison& c) {
  for (const CompareRow& r : c.rows) {
    if (r.instructions.base || r.instructions.head) return true;
  }
  return false;
}

// "465 -> 466 (+1)", "465", "-".
std::string profile_text(const ProfileChange& k) {
  if (!k.base && !k.head) return "-";
  if (k.base && k.head && *k.base == *k.head) return format_count(k.base);
  std::string text = format_count(k.base) + " -> " + format_count(k.head);
  if (k.base && k.head) text += fmt::format(" ({:+g})", *k.head - *k.base);
  return text;
}

std::string code_text(const CompareRow& r) {
  if (!r.code) return "";
  char text[160];
  std::snprintf(text, sizeof text,
                "%.0f%% same; alloc calls %+lld, in loops %+lld, instructions %+lld",
                r.code->match_percent, r.code->delta.alloc_calls,
                r.code->delta.alloc_calls_in_loops, r.code->delta.instructions);
  return text;
}

}  // namespace compare_cells

using namespace compare_cells;

std::string render_comparison_text(const Comparison& c, bool color) {
  std::vector<std::vector<std::string>> table = {{"benchmark", "base", "head", change_header(c),
                                                  "p", "verdict", "heap_allocs", "heap_bytes",
                                                  "code"}};
  const bool profiled = any_profile(c);
  if (profiled) table[0].push_back("instr/iter");
  for (const CompareRow& r : c.rows) {
    table.push_back({visible_text(r.name), r.base.n ? format_time(r.base.median) : "-",
                     r.head.n ? format_time(r.head.median) : "-", change_text(r), p_text(r),
                     r.verdict, counts_text(r.allocs), counts_text(r.bytes), code_text(r)});
    if (profiled) table.back().push_back(profile_text(r.instructions));
  }
  std::vector<std::size_t> widths(table[0].size(), 0);
  for (const auto& row : table) {
    for (std::size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  }
  std::string out =
      "base: " + visible_text(c.base_source) + "\nhead: " + visible_text(c.head_source) + "\n\n";
  for (std::size_t k = 0; k < table.size(); ++k) {
    const auto& row = table[k];
    std::string line;
    for (std::size_t i = 0; i < row.size(); ++i) {
      std::string cell = row[i];
      const std::string pad(widths[i] - cell.size(), ' ');
      cell = i == 0 || i == 5 || i == 8 ? cell + pad : pad + cell;
      if (color && k > 0 && i == 5) {
        if (row[i] == "slower") cell = "\033[31m" + cell + "\033[0m";
        if (row[i] == "faster") cell = "\033[32m" + cell + "\033[0m";
      }
      line += (i ? "  " : "") + cell;
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  if (c.geomean_ratio) out += "\n" + geomean_text(c) + "\n";
  out += definition_text(c) + "\n";
  for (const std::string& name : c.only_in_base)
    out += "only in base: " + visible_text(name) + "\n";
  for (const std::string& name : c.only_in_head)
    out += "only in head: " + visible_text(name) + "\n";
  for (const std::string& w : c.warnings) out += "warning: " + visible_text(w) + "\n";
  for (const CompareRow& r : c.rows) {
    for (const std::string& w : r.warnings)
      out += "warning: " + visible_text(r.name + ": " + w) + "\n";
    for (const std::string& f : r.changed_functions)
      out += "instructions changed: " + visible_text(r.name + ": " + f) + "\n";
  }
  return out;
}

std::string render_comparison_json(const Comparison& c) {
  using Json = nlohmann::ordered_json;
  auto summary = [](const stats::Summary& s) {
    return Json{{"n", s.n}, {"median", s.median}, {"min", s.min}, {"max", s.max}, {"cv", s.cv}};
  };
  auto optional = [](const std::optional<double>& v) { return v ? Json(*v) : Json(nullptr); };
  auto counter = [&](const CounterChange& k) {
    return Json{{"base", optional(k.base)},
                {"head", optional(k.head)},
                {"amortized", k.amortized},
                {"problem", k.problem}};
  };
  auto profile_pair = [&](const ProfileChange& k) {
    return Json{{"base", optional(k.base)}, {"head", optional(k.head)}, {"problem", k.problem}};
  };
  Json rows = Json::array();
  for (const CompareRow& r : c.rows) {
    Json row = {
        {"name", r.name},
        {"base_ns", summary(r.base)},
        {"head_ns", summary(r.head)},
        {"change", r.change ? Json{{"estimate", r.change->estimate},
                                   {"low", r.change->low},
                                   {"high", r.change->high},
                                   {"confidence", r.change->confidence}}
                            : Json(nullptr)},
        {"mann_whitney",
         r.test ? Json{{"u", r.test->u}, {"p_value", r.test->p_value}, {"exact", r.test->exact}}
                : Json(nullptr)},
        {"verdict", r.verdict},
        {"problem", r.problem},
        {"heap_allocs", counter(r.allocs)},
        {"heap_bytes", counter(r.bytes)},
        {"code", r.code ? Json{{"symbol", r.code->symbol},
                               {"match_percent", r.code->match_percent},
                               {"alloc_calls_delta", r.code->delta.alloc_calls},
                               {"alloc_calls_in_loops_delta", r.code->delta.alloc_calls_in_loops},
                               {"instructions_delta", r.code->delta.instructions}}
                        : Json(nullptr)},
        {"instructions_per_iter", profile_pair(r.instructions)},
        {"cycles_per_iter", profile_pair(r.cycles)},
        {"changed_functions", r.changed_functions},
        {"warnings", r.warnings},
        {"failed_gates", r.failed_gates}};
    rows.push_back(row);
  }
  Json gates = Json::array();
  for (const Gate& g : c.gates) gates.push_back(g.text);
  Json gate_runs = Json::array();
  for (const GateRun& g : c.gate_runs) {
    gate_runs.push_back({{"gate", g.gate.text},
                         {"rows", g.rows},
                         {"checked", g.checked},
                         {"tripped", g.tripped},
                         {"unverifiable", g.unverifiable},
                         {"amortized", g.amortized}});
  }
  const Json doc = {{"schema", "deferlab.compare/1"},
                    {"base", c.base_source},
                    {"head", c.head_source},
                    {"alpha", c.alpha},
                    {"rows", rows},
                    {"geomean_ratio", c.geomean_ratio ? Json(*c.geomean_ratio) : Json(nullptr)},
                    {"only_in_base", c.only_in_base},
                    {"only_in_head", c.only_in_head},
                    {"warnings", c.warnings},
                    {"change_definition", change_definition()},
                    {"gates", gates},
                    {"gate_runs", gate_runs},
                    {"failures", c.failures}};
  return doc.dump(2) + "\n";
}

std::string render_comparison_html(const Comparison& c) {
  std::string out =
      "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>deferlab "
      "compare</title><style>" +
      std::string(without_final_newline(resources::compare_css)) +
      "</style></head><body><h1>deferlab compare</h1><p>base <code>" + html_escape(c.base_source) +
      "</code>, head <code>" + html_escape(c.head_source) + "</code></p>";
  out += "<table><thead><tr><th>benchmark</th><th>base</th><th>head</th><th>" +
         html_escape(change_header(c)) +
         "</th><th>p</th><th>verdict</th><th>heap_allocs</th><th>heap_bytes</th><th>code</th></tr>"
         "</thead><tbody>";
  for (const CompareRow& r : c.rows) {
    out += std::string("<tr") + (r.failed_gates.empty() ? "" : " class=\"gate\"") + "><td>" +
           html_escape(r.name) + "</td><td>" + (r.base.n ? format_time(r.base.median) : "-") +
           "</td><td>" + (r.head.n ? format_time(r.head.median) : "-") + "</td><td>" +
           html_escape(change_text(r)) + "</td><td>" + p_text(r) + "</td><td class=\"" +
           (r.verdict == "slower"   ? "slower"
            : r.verdict == "faster" ? "faster"
                                    : "") +
           "\">" + html_escape(r.verdict) + "</td><td>" + html_escape(counts_text(r.allocs)) +
           "</td><td>" + html_escape(counts_text(r.bytes)) + "</td><td>" +
           html_escape(code_text(r)) + "</td></tr>";
  }
  out += "</tbody></table>";
  if (c.geomean_ratio) out += "<p>" + html_escape(geomean_text(c)) + "</p>";
  out += "<p>" + html_escape(definition_text(c)) + "</p>";
  for (const std::string& name : c.only_in_base)
    out += "<p>only in base: <code>" + html_escape(name) + "</code></p>";
  for (const std::string& name : c.only_in_head)
    out += "<p>only in head: <code>" + html_escape(name) + "</code></p>";
  for (const CompareRow& r : c.rows) {
    if (!r.problem.empty())
      out += "<p class=\"warn\">&#9888; " + html_escape(r.name + ": " + r.problem) + "</p>";
  }
  for (const std::string& w : c.warnings)
    out += "<p class=\"warn\">&#9888; " + html_escape(w) + "</p>";
  for (const std::string& f : c.failures)
    out += "<p class=\"warn gate\">gate failed: " + html_escape(f) + "</p>";
  out += "</body></html>\n";
  return out;
}

}  // namespace deferlab::reports

// review.md: GitHub-flavoured Markdown to paste into a code review. A summary table first,
// then collapsible sections per case and per hot function (annotated ```asm, a ```diff
// against the row it is compared with), added in order of interest while they fit the
// budget (--max-chars, 65,000 by default: under GitHub's 65,536-character comment limit);
// a closing note says what was cut and how to get it (markdown_budget.h).
#include <algorithm>
#include <set>

#include "disasm/diff_render.h"
#include "disasm/listing.h"
#include "reports/figures.h"
#include "reports/format.h"
#include "reports/markdown_budget.h"
#include "reports/profile_heat.h"
#include "reports/renderer.h"

namespace deferlab::reports {
namespace {

// Text inside the raw HTML of a <details> block: on one line (a blank line would end the
// HTML block) and escaped.
std::string inline_html(std::string_view text) {
  return html_escape(visible_text(text));
}

std::string ratio_cell(const StrategyRow& row) {
  if (row.failed) return row.invalid ? "invalid" : "failed";
  if (row.is_baseline) return "baseline";
  if (!row.vs_baseline) return "-";
  return format_ratio_interval(*row.vs_baseline);
}

// " 22 | 31 | 0 |": the profile's figures, instructions and cycles with their exact ratio.
std::string profile_cells(const StrategyRow& row) {
  if (!row.profile) return " - | - | - |";
  const ProfileFigures& p = *row.profile;
  return " " + figure_with_ratio(p.instructions, p.instructions_vs_baseline, row.is_baseline) +
         " | " + figure_with_ratio(p.cycles, p.cycles_vs_baseline, row.is_baseline) + " | " +
         format_count(p.allocations) + " |";
}

// Why a row's profile figures are missing, as a quoted note; "" when none is.
std::string profile_note(const StrategyRow& row, const std::string& name) {
  if (!row.profile) return "";
  const std::string why = profile_missing_text(*row.profile);
  if (why.empty()) return "";
  return "\n> `" + markdown_cell(name) + "`: profile figures missing: " + markdown_cell(why) + "\n";
}

std::string group_table(const RunReport& report, const CaseGroup& group) {
  const std::string vs = report.baseline_strategy.empty()
                             ? "vs baseline"
                             : "vs " + markdown_text(report.baseline_strategy);
  std::string out = "| " + std::string(report.derived_manifest ? "family" : "strategy") +
                    " | median | " + vs + " | allocs/iter | bytes/iter | CV |";
  const bool has_x86 = std::find(report.architectures.begin(), report.architectures.end(),
                                 "x86-64") != report.architectures.end();
  const bool go = group.has_go_rows();
  // The ratio to the Go rows' own baseline, when the manifest names one.
  const std::string go_baseline = go ? report.language_baseline("go") : "";
  const bool profiled = report.profile.has_value();
  if (profiled) out += " instr/iter | cycles/iter | alloc calls/iter |";
  if (has_x86) out += " instructions | alloc calls in loops | match vs baseline |";
  if (!go_baseline.empty()) out += " vs " + markdown_text(go_baseline) + " |";
  if (go) out += " defer |";
  out += "\n|---|---:|---:|---:|---:|---:|";
  if (profiled) out += "---:|---:|---:|";
  if (has_x86) out += "---:|---:|---:|";
  if (!go_baseline.empty()) out += "---:|";
  if (go) out += "---|";
  out += "\n";
  for (const StrategyRow& row : group.rows) {
    std::string name = markdown_code(row.strategy);
    if (row.fidelity == "closest_form") name += " \\*";
    // A failed or invalid row shows its reason where the time would be, and no dispersion.
    const std::string median = row.failed ? markdown_cell(row.error) : format_time(row.time.median);
    out += "| " + name + " | " + median + " | " + ratio_cell(row) + " | " +
           format_count(row.heap_allocs) + " | " + format_bytes(row.heap_bytes) + " | " +
           (row.failed ? "-" : format_percent(row.time.cv) + (row.time.cv > kNoisyCv ? " ⚠" : "")) +
           " |";
    if (profiled) out += profile_cells(row);
    if (has_x86) {
      const auto path = row.hot_paths.find("x86-64");
      if (path == row.hot_paths.end()) {
        out += " - | - | - |";
      } else {
        char match[16] = "-";
        if (path->second.has_diff)
          std::snprintf(match, sizeof match, "%.0f%%", path->second.match_percent);
        out += " " + std::to_string(path->second.summary.instructions) + " | " +
               std::to_string(path->second.summary.alloc_calls_in_loops) + " | " + match + " |";
      }
    }
    if (!go_baseline.empty()) {
      std::string vs_go;
      if (row.strategy == go_baseline) {
        vs_go = "baseline";
      } else if (row.vs_language_baseline) {
        vs_go = format_ratio_interval(*row.vs_language_baseline);
      }
      out += " " + vs_go + " |";
    }
    if (go) out += " " + markdown_cell(go_defer_text(row)) + " |";
    out += "\n";
  }
  for (const StrategyRow& row : group.rows) {
    for (const std::string& w : row.invalid_data) {
      out += "\n> ⚠ `" + markdown_cell(row.strategy) + "`: " + markdown_cell(w) + "\n";
    }
    out += profile_note(row, row.strategy);
  }
  return out;
}

// Strategies as rows, the key cases as columns: ratio and allocations in one cell.
std::string overview_table(const RunReport& report) {
  std::vector<const CaseGroup*> columns;
  for (const std::string& key : report.highlights) {
    for (const CaseGroup& g : report.groups) {
      if (g.title() == key) columns.push_back(&g);
    }
  }
  if (columns.empty()) return "";
  std::vector<std::string> strategies;
  for (const CaseGroup* g : columns) {
    for (const StrategyRow& row : g->rows) {
      if (std::find(strategies.begin(), strategies.end(), row.strategy) == strategies.end()) {
        strategies.push_back(row.strategy);
      }
    }
  }
  std::string out = "| strategy |";
  for (const CaseGroup* g : columns) out += " " + markdown_text(g->title()) + " |";
  out += "\n|---|";
  for (std::size_t k = 0; k < columns.size(); ++k) out += "---:|";
  out += "\n";
  for (const std::string& strategy : strategies) {
    out += "| " + markdown_code(strategy) + " |";
    for (const CaseGroup* g : columns) {
      const StrategyRow* row = nullptr;
      for (const StrategyRow& r : g->rows) {
        if (r.strategy == strategy) row = &r;
      }
      if (row == nullptr) {
        out += " - |";
        continue;
      }
      std::string cell = row->failed        ? ratio_cell(*row)
                         : row->is_baseline ? "1 (baseline)"
                         : row->vs_baseline ? format_ratio(row->vs_baseline->estimate)
                                            : "-";
      if (row->profile && row->profile->instructions_vs_baseline && !row->is_baseline)
        cell += " (instr " + format_ratio(*row->profile->instructions_vs_baseline) + ")";
      if (row->heap_allocs && *row->heap_allocs > 0)
        cell +=
            ", " + format_count(row->heap_allocs) + (*row->heap_allocs == 1 ? " alloc" : " allocs");
      out += " " + cell + " |";
    }
    out += "\n";
  }
  return out;
}

// Benchmarks outside the manifest (every benchmark of a user's binary), failed ones
// included: a benchmark that reported an error is a row that says so, never a missing row.
std::string other_table(const RunReport& report) {
  if (report.other.empty()) return "";
  std::string out = report.groups.empty() ? "" : "Other benchmarks:\n\n";
  const bool profiled = report.profile.has_value();
  out += "| benchmark | median | allocs/iter | bytes/iter | CV |";
  out += profiled ? " instr/iter | cycles/iter | alloc calls/iter |\n" : "\n";
  out += profiled ? "|---|---:|---:|---:|---:|---:|---:|---:|\n" : "|---|---:|---:|---:|---:|\n";
  std::string notes;
  for (const StrategyRow& row : report.other) {
    out += "| " + markdown_cell(row.benchmark) + " | ";
    notes += profile_note(row, row.benchmark);
    if (row.failed) {
      out += "failed: " + markdown_cell(row.error) + " | - | - | - |" +
             (profiled ? profile_cells(row) : "") + "\n";
      continue;
    }
    out += format_time(row.time.median) + " | " + format_count(row.heap_allocs) + " | " +
           format_bytes(row.heap_bytes) + " | " + format_percent(row.time.cv) +
           (row.time.cv > kNoisyCv ? " ⚠" : "") + " |" + (profiled ? profile_cells(row) : "") +
           "\n";
  }
  return out + notes + "\n";
}

// The title line: the run, the machine, the compiler and what was measured.
std::string review_run_line(const RunReport& report) {
  std::string head = "## " + markdown_text(report.title) + "\n\n";
  const std::string cpu = report.context_text("deferlab_cpu_model");
  const std::string compiler = report.context_text("deferlab_compiler");
  const std::string commit = report.context_text("deferlab_git_commit");
  head += "Run " + markdown_code(report.context_text("deferlab_run_id"), false);
  if (!cpu.empty()) {
    head += " on " + markdown_text(cpu) + " (" + markdown_text(report.context_text("num_cpus")) +
            " CPUs)";
  }
  if (!compiler.empty()) head += ", " + markdown_cell(compiler);
  const std::string flags = report.context_text("deferlab_cxx_flags");
  if (!flags.empty()) head += " " + markdown_code(flags, false);
  // The lab's source commit describes the lab's binary only; any other binary is named
  // by its path and build-id.
  if (!commit.empty() && !report.derived_manifest) {
    head += ", commit " + markdown_code(commit.substr(0, 12), false) +
            (report.context_text("deferlab_git_dirty") == "true" ? " (dirty)" : "");
  }
  if (report.derived_manifest) {
    const std::string binary = report.context_text("deferlab_binary");
    const std::string build_id = report.context_text("deferlab_binary_build_id");
    if (!binary.empty()) head += ", binary " + markdown_code(binary, false);
    if (!build_id.empty())
      head += " (build-id " + markdown_code(build_id.substr(0, 16), false) + ")";
  }
  std::vector<double> levels;
  for (const CaseGroup& g : report.groups) {
    for (const StrategyRow& row : g.rows) {
      if (row.vs_baseline) levels.push_back(row.vs_baseline->confidence);
    }
  }
  head += ". Median of " + std::to_string(report.repetitions) + " repetitions; " +
          (report.baseline_strategy.empty()
               ? std::string("no baseline (--baseline FAMILY gives ratios)")
               : markdown_text(vs_baseline_definition(report.baseline_strategy)) +
                     (levels.empty() ? "" : " (" + confidence_label(levels) + ")")) +
          "; " + markdown_text(allocations_definition(report.derived_manifest)) + ".\n\n";
  return head;
}

// The notes under the title: the Go rows, the profile, other architectures.
std::string review_notes(const RunReport& report) {
  std::string head;
  if (std::any_of(report.groups.begin(), report.groups.end(),
                  [](const CaseGroup& g) { return g.has_go_rows(); })) {
    const std::string go_baseline = report.language_baseline("go");
    head += markdown_text(go_rows_note(!report.derived_manifest, go_baseline)) +
            (go_baseline.empty()
                 ? ""
                 : " (for Go rows, match is against " + markdown_text(go_baseline) + ")") +
            ".\n\n";
  }
  if (report.profile) {
    head += "Per iteration, exact, from the profile pass:";
    for (const std::string& line : profile_definitions(
             *report.profile, report.groups.empty() ? "" : report.baseline_strategy))
      head += "\n- " + markdown_text(line);
    head += "\n\n";
  } else if (!report.profile_absent.empty()) {
    head += "No profile (instructions, cycles, allocation calls per iteration): " +
            markdown_text(report.profile_absent) + ".\n\n";
  }
  for (const std::string& arch : report.architectures) {
    if (arch != "x86-64") head += "> " + markdown_text(arch + ": " + kStaticOnlyNote) + ".\n\n";
  }
  return head;
}

// The groups in order of interest: the key cases first, then everything else.
std::vector<const CaseGroup*> groups_by_interest(const RunReport& report) {
  std::vector<const CaseGroup*> ordered;
  for (const std::string& key : report.highlights) {
    for (const CaseGroup& g : report.groups) {
      if (g.title() == key) ordered.push_back(&g);
    }
  }
  for (const CaseGroup& g : report.groups) {
    if (std::find(ordered.begin(), ordered.end(), &g) == ordered.end()) ordered.push_back(&g);
  }
  return ordered;
}

// A group's table folded under a summary naming its slowest row.
MarkdownSection table_section(const RunReport& report, const CaseGroup& g) {
  const StrategyRow* slowest = nullptr;
  for (const StrategyRow& row : g.rows) {
    if (!row.failed && (slowest == nullptr || row.time.median > slowest->time.median))
      slowest = &row;
  }
  std::string summary = "<b>" + inline_html(g.title()) + "</b>";
  if (slowest != nullptr && slowest->vs_baseline) {
    summary += ": slowest " + inline_html(slowest->strategy) + " " +
               format_ratio(slowest->vs_baseline->estimate);
  }
  const std::string about =
      g.scenario_summary.empty() ? "" : markdown_cell(g.scenario_summary) + "\n\n";
  return {g.title() + " table",
          "<details><summary>" + summary + "</summary>\n\n" + about + group_table(report, g),
          "\n</details>\n", true};
}

// A row's x86-64 listing with its heat and the model's diff against the row it is
// compared with, folded.
MarkdownSection assembly_section(const CaseGroup& g, const StrategyRow& row,
                                 const std::map<std::string, disasm::AnnotatedFunction>& functions,
                                 const disasm::AnnotatedFunction& f) {
  const auto [heated, heat_note] = with_heat(f, row);
  disasm::ListingOptions listing;
  listing.heat_note = heat_note;
  listing.bytes = false;  // review.md stays compact: its budget is for instructions
  std::string body = "<details><summary><code>" + inline_html(row.strategy) + "</code> in " +
                     inline_html(g.scenario) + ": " + html_escape(disasm::summary_text(f.summary)) +
                     "</summary>\n\n" + disasm::render_function_markdown(heated, listing);
  const auto path = row.hot_paths.find("x86-64");
  if (!row.is_baseline && path != row.hot_paths.end() && path->second.diff) {
    const StrategyRow* base = g.row_of(path->second.compared_with);
    const auto b = base ? functions.find(base->hot_symbol) : functions.end();
    if (b != functions.end()) {
      body += "\nAgainst " + markdown_code(base->strategy, false) + ":\n\n" +
              disasm::render_diff_markdown({&b->second, base->strategy, "x86-64"},
                                           {&f, row.strategy, "x86-64"}, *path->second.diff);
    }
  }
  return {row.strategy + " in " + g.scenario + " assembly", body + "\n</details>\n", {}, false};
}

// Sections in order of interest: every group's table (they are small and they are the
// point), then each distinct hot function once, then a user's binary's own functions.
std::vector<MarkdownSection> review_sections(const RunReport& report) {
  std::vector<MarkdownSection> sections;
  const std::vector<const CaseGroup*> ordered = groups_by_interest(report);
  for (const CaseGroup* g : ordered) sections.push_back(table_section(report, *g));
  const auto functions = report.functions.find("x86-64");
  if (functions == report.functions.end()) return sections;
  std::set<std::string> shown;
  for (const CaseGroup* g : ordered) {
    for (const StrategyRow& row : g->rows) {
      if (row.hot_symbol.empty() || !shown.insert(row.hot_symbol).second) continue;
      const auto f = functions->second.find(row.hot_symbol);
      // The heat of the first row that shows the function (the key cases come first).
      if (f != functions->second.end())
        sections.push_back(assembly_section(*g, row, functions->second, f->second));
    }
  }
  // A user's binary: each benchmark's hottest function of its own, with its heat.
  for (const StrategyRow& row : report.other) {
    if (row.hot_symbol.empty()) continue;
    const auto f = functions->second.find(row.hot_symbol);
    if (f == functions->second.end()) continue;
    const auto [heated, heat_note] = with_heat(f->second, row);
    disasm::ListingOptions listing;
    listing.heat_note = heat_note;
    listing.bytes = false;
    sections.push_back({row.benchmark + " assembly",
                        "<details><summary><code>" + inline_html(row.benchmark) +
                            "</code>: " + inline_html(f->second.range.demangled) + ", " +
                            html_escape(disasm::summary_text(f->second.summary)) +
                            "</summary>\n\n" + disasm::render_function_markdown(heated, listing) +
                            "\n</details>\n",
                        {},
                        false});
  }
  return sections;
}

}  // namespace

std::string render_review_markdown(const RunReport& report, std::size_t max_chars) {
  std::string head = review_run_line(report) + review_notes(report);
  head += overview_table(report) + "\n";
  head += other_table(report);
  for (const std::string& w : report.warnings) head += "> ⚠ " + markdown_cell(w) + "\n";
  const std::string footnote =
      "\n<sub>\\* closest form: the strategy cannot express the scenario as written (see "
      "cases.json). ⚠ CV above 5 %. Generated by `deferlab report`.</sub>\n";
  return fit_markdown(head, review_sections(report), footnote, max_chars,
                      "The full report is index.html and report.json in the run directory; "
                      "`deferlab report RUN_DIR -f md --max-chars N` gives a longer review.md.");
}

}  // namespace deferlab::reports

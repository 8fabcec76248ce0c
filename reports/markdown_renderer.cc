// review.md: GitHub-flavoured Markdown to paste into a code review. A summary table first,
// then collapsible sections per case and per hot function (annotated ```asm, a ```diff
// against the baseline), added in order of interest until GitHub's 65,536-character
// comment limit; a closing note says what was cut.
#include <algorithm>
#include <set>

#include "disasm/diff_render.h"
#include "disasm/listing.h"
#include "reports/figures.h"
#include "reports/format.h"
#include "reports/profile_heat.h"
#include "reports/renderer.h"

namespace deferlab::reports {
namespace {

std::string context_value(const RunReport& r, const char* key) {
  const auto it = r.context.find(key);
  if (it == r.context.end()) return "";
  return it->is_string() ? it->get<std::string>() : it->dump();
}

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
  const std::string vs =
      report.baseline_strategy.empty() ? "vs baseline" : "vs " + markdown_text(report.baseline_strategy);
  std::string out = "| " + std::string(report.derived_manifest ? "family" : "strategy") +
                    " | median | " + vs + " | allocs/iter | bytes/iter | CV |";
  const bool has_x86 = std::find(report.architectures.begin(), report.architectures.end(),
                                 "x86-64") != report.architectures.end();
  const bool go = group.has_go_rows();
  const bool profiled = report.profile.has_value();
  if (profiled) out += " instr/iter | cycles/iter | alloc calls/iter |";
  if (has_x86) out += " instructions | alloc calls in loops | match vs baseline |";
  if (go) out += std::string(" vs ") + kGoBaselineStrategy + " | defer |";
  out += "\n|---|---:|---:|---:|---:|---:|";
  if (profiled) out += "---:|---:|---:|";
  if (has_x86) out += "---:|---:|---:|";
  if (go) out += "---:|---|";
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
    if (go) {
      std::string vs_go;
      if (row.strategy == kGoBaselineStrategy) {
        vs_go = "baseline";
      } else if (row.vs_go_manual) {
        vs_go = format_ratio_interval(*row.vs_go_manual);
      }
      out += " " + vs_go + " | " + markdown_cell(go_defer_text(row)) + " |";
    }
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

}  // namespace

std::string render_review_markdown(const RunReport& report) {
  std::string head = "## " + markdown_text(report.title) + "\n\n";
  const std::string cpu = context_value(report, "deferlab_cpu_model");
  const std::string compiler = context_value(report, "deferlab_compiler");
  const std::string commit = context_value(report, "deferlab_git_commit");
  head += "Run " + markdown_code(context_value(report, "deferlab_run_id"), false);
  if (!cpu.empty()) {
    head += " on " + markdown_text(cpu) + " (" + markdown_text(context_value(report, "num_cpus")) +
            " CPUs)";
  }
  if (!compiler.empty()) head += ", " + markdown_cell(compiler);
  const std::string flags = context_value(report, "deferlab_cxx_flags");
  if (!flags.empty()) head += " " + markdown_code(flags, false);
  // The lab's source commit describes the lab's binary only; any other binary is named
  // by its path and build-id.
  if (!commit.empty() && !report.derived_manifest) {
    head += ", commit " + markdown_code(commit.substr(0, 12), false) +
            (context_value(report, "deferlab_git_dirty") == "true" ? " (dirty)" : "");
  }
  if (report.derived_manifest) {
    const std::string binary = context_value(report, "deferlab_binary");
    const std::string build_id = context_value(report, "deferlab_binary_build_id");
    if (!binary.empty()) head += ", binary " + markdown_code(binary, false);
    if (!build_id.empty()) head += " (build-id " + markdown_code(build_id.substr(0, 16), false) + ")";
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
          "; allocations are exact operator-new counts per iteration of the timed loop.\n\n";
  if (std::any_of(report.groups.begin(), report.groups.end(),
                  [](const CaseGroup& g) { return g.has_go_rows(); }))
    head += markdown_text(go_rows_note(!report.derived_manifest)) + " (for Go rows, match is against " +
            kGoBaselineStrategy + ").\n\n";
  if (report.profile) {
    head += "Per iteration, exact, from the profile pass:";
    for (const std::string& line : profile_definitions(*report.profile, report.groups.empty() ? "" : report.baseline_strategy))
      head += "\n- " + markdown_text(line);
    head += "\n\n";
  } else if (!report.profile_absent.empty()) {
    head += "No profile (instructions, cycles, allocation calls per iteration): " +
            markdown_text(report.profile_absent) + ".\n\n";
  }
  for (const std::string& arch : report.architectures) {
    if (arch != "x86-64") head += "> " + markdown_text(arch + ": " + kStaticOnlyNote) + ".\n\n";
  }
  head += overview_table(report) + "\n";
  head += other_table(report);
  for (const std::string& w : report.warnings) head += "> ⚠ " + markdown_cell(w) + "\n";

  // Sections in order of interest: the key cases first, then everything else.
  struct Section {
    std::string title;
    std::string body;
  };
  std::vector<Section> sections;
  std::vector<const CaseGroup*> ordered;
  for (const std::string& key : report.highlights) {
    for (const CaseGroup& g : report.groups) {
      if (g.title() == key) ordered.push_back(&g);
    }
  }
  for (const CaseGroup& g : report.groups) {
    if (std::find(ordered.begin(), ordered.end(), &g) == ordered.end()) ordered.push_back(&g);
  }
  // Tables for every case come before any assembly: they are small and they are the point.
  for (const CaseGroup* g : ordered) {
    const StrategyRow* slowest = nullptr;
    for (const StrategyRow& row : g->rows) {
      if (!row.failed && (slowest == nullptr || row.time.median > slowest->time.median))
        slowest = &row;
    }
    std::string summary = "<b>" + inline_html(g->title()) + "</b>";
    if (slowest != nullptr && slowest->vs_baseline) {
      summary += ": slowest " + inline_html(slowest->strategy) + " " +
                 format_ratio(slowest->vs_baseline->estimate);
    }
    const std::string about =
        g->scenario_summary.empty() ? "" : markdown_cell(g->scenario_summary) + "\n\n";
    sections.push_back({g->title() + " table", "<details><summary>" + summary + "</summary>\n\n" +
                                                   about + group_table(report, *g) +
                                                   "\n</details>\n"});
  }
  // Then each distinct hot function once: its x86-64 listing and diff against the baseline.
  std::set<std::string> shown;
  const auto functions = report.functions.find("x86-64");
  for (const CaseGroup* g : ordered) {
    if (functions == report.functions.end()) break;
    const StrategyRow* base = g->baseline();
    for (const StrategyRow& row : g->rows) {
      if (row.hot_symbol.empty() || !shown.insert(row.hot_symbol).second) continue;
      const auto f = functions->second.find(row.hot_symbol);
      if (f == functions->second.end()) continue;
      // The heat of the first row that shows the function (the key cases come first).
      const auto [heated, heat_note] = with_heat(f->second, row);
      disasm::ListingOptions listing;
      listing.heat_note = heat_note;
      listing.bytes = false;  // review.md stays compact: its budget is for instructions
      std::string body = "<details><summary><code>" + inline_html(row.strategy) + "</code> in " +
                         inline_html(g->scenario) + ": " +
                         html_escape(disasm::summary_text(f->second.summary)) + "</summary>\n\n" +
                         disasm::render_function_markdown(heated, listing);
      if (base != nullptr && !row.is_baseline) {
        const auto b = functions->second.find(base->hot_symbol);
        if (b != functions->second.end() &&
            disasm::within_diff_limit(b->second, f->second, report_diff_options("x86-64"))) {
          const disasm::FunctionDiff d =
              disasm::diff_functions(b->second, f->second, report_diff_options("x86-64"));
          body += "\nAgainst " + markdown_code(base->strategy, false) + ":\n\n" +
                  disasm::render_diff_markdown({&b->second, base->strategy, "x86-64"},
                                               {&f->second, row.strategy, "x86-64"}, d);
        }
      }
      body += "\n</details>\n";
      sections.push_back({row.strategy + " in " + g->scenario + " assembly", body});
    }
  }

  // A user's binary: each benchmark's hottest function of its own, with its heat.
  for (const StrategyRow& row : report.other) {
    if (functions == report.functions.end() || row.hot_symbol.empty()) continue;
    const auto f = functions->second.find(row.hot_symbol);
    if (f == functions->second.end()) continue;
    const auto [heated, heat_note] = with_heat(f->second, row);
    disasm::ListingOptions listing;
    listing.heat_note = heat_note;
    listing.bytes = false;
    sections.push_back({row.benchmark + " assembly",
                        "<details><summary><code>" + inline_html(row.benchmark) + "</code>: " +
                            inline_html(f->second.range.demangled) + ", " +
                            html_escape(disasm::summary_text(f->second.summary)) +
                            "</summary>\n\n" + disasm::render_function_markdown(heated, listing) +
                            "\n</details>\n"});
  }

  const std::string footnote =
      "\n<sub>\\* closest form: the strategy cannot express the scenario as written (see "
      "cases.json). ⚠ CV above 5 %. Generated by `deferlab report`.</sub>\n";
  std::string out = head;
  std::vector<std::string> cut;
  // Room for the note about what was cut.
  const std::size_t reserve = 600 + footnote.size();
  for (const Section& s : sections) {
    if (out.size() + s.body.size() + reserve > kReviewLimit) {
      cut.push_back(s.title);
      continue;
    }
    out += s.body;
  }
  if (!cut.empty()) {
    out += "\n> " + std::to_string(cut.size()) + " of " + std::to_string(sections.size()) +
           " sections were cut to stay under GitHub's 65,536-character comment limit (the first: " +
           markdown_cell(cut.front()) +
           "). The full report is index.html and report.json in the "
           "run directory.\n";
  }
  out += footnote;
  return out;
}

}  // namespace deferlab::reports

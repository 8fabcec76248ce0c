// The console summary (text_renderer.h): aligned tables with optional ANSI colour.
#include "reports/text_renderer.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "reports/figures.h"
#include "reports/format.h"

namespace deferlab::reports {
namespace {

struct Cell {
  std::string text;
  const char* color = nullptr;  // ANSI sequence or null
};

constexpr const char* kBold = "\033[1m";
constexpr const char* kYellow = "\033[33m";
constexpr const char* kRed = "\033[31m";
constexpr const char* kDim = "\033[2m";
constexpr const char* kReset = "\033[0m";

// Left-aligned first column, the rest right-aligned. Cell text is shown with its control
// bytes escaped (names come from files): a name cannot end a line or colour the terminal.
std::string render_table(std::vector<std::vector<Cell>> rows, const TextStyle& style) {
  std::vector<std::size_t> widths;
  for (auto& row : rows) {
    for (Cell& cell : row) cell.text = visible_text(cell.text);
  }
  for (const auto& row : rows) {
    widths.resize(std::max(widths.size(), row.size()));
    for (std::size_t i = 0; i < row.size(); ++i)
      widths[i] = std::max(widths[i], row[i].text.size());
  }
  std::string out;
  for (const auto& row : rows) {
    out += "  ";
    for (std::size_t i = 0; i < row.size(); ++i) {
      const std::string pad(widths[i] - row[i].text.size(), ' ');
      if (i > 0) out += "  ";
      const bool colored = style.color && row[i].color != nullptr;
      if (i > 0) out += pad;
      if (colored) out += row[i].color;
      out += row[i].text;
      if (colored) out += kReset;
      if (i == 0 && row.size() > 1) out += pad;
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    out += '\n';
  }
  return out;
}

// The interval level the group's rows achieve (figures.h): 90 % with 3 repetitions.
std::string confidence_label(const CaseGroup& group) {
  std::vector<double> levels;
  for (const StrategyRow& row : group.rows) {
    if (row.vs_baseline) levels.push_back(row.vs_baseline->confidence);
  }
  return levels.empty() ? "no" : reports::confidence_label(levels);
}

// Groups with Go rows get two more columns: the ratio to the Go rows' own baseline (when
// the manifest names one), and the defer mechanism the disassembly shows.
struct GoColumns {
  bool shown = false;
  std::string baseline;  // "": no ratio column
  bool has_ratio() const { return shown && !baseline.empty(); }
};

std::vector<Cell> header_row(const std::string& first, const std::string& baseline,
                             const std::string& confidence, bool profiled, const GoColumns& go) {
  std::vector<Cell> cells = {{first, kDim},
                             {"median", kDim},
                             {baseline.empty() ? std::string("vs baseline")
                                               : "vs " + baseline + " [" + confidence + " CI]",
                              kDim}};
  if (go.has_ratio()) cells.push_back({"vs " + go.baseline, kDim});
  cells.insert(cells.end(), {{"allocs/iter", kDim}, {"bytes/iter", kDim}, {"CV", kDim}});
  if (profiled) {
    cells.push_back({"instr/iter", kDim});
    cells.push_back({"cycles/iter", kDim});
    cells.push_back({"alloc calls/iter", kDim});
  }
  if (go.shown) cells.push_back({"defer", kDim});
  return cells;
}

// The profile's cells of a row: instructions and cycles with their exact ratio to the
// baseline, and the allocation calls; "-" where missing (the reason goes under the table).
void add_profile_cells(std::vector<Cell>& cells, const StrategyRow& row) {
  if (!row.profile) return;
  const ProfileFigures& p = *row.profile;
  const bool allocates = p.allocations && *p.allocations > 0;
  cells.push_back({figure_with_ratio(p.instructions, p.instructions_vs_baseline, row.is_baseline)});
  cells.push_back({figure_with_ratio(p.cycles, p.cycles_vs_baseline, row.is_baseline)});
  cells.push_back({format_count(p.allocations), allocates ? kYellow : nullptr});
}

std::vector<Cell> strategy_row(const StrategyRow& row, const StrategyRow* slowest,
                               const GoColumns& go) {
  if (row.failed) {
    std::vector<Cell> cells = {
        {row.strategy}, {row.invalid ? "invalid" : "failed", kRed}, {row.error, kRed}};
    // The profile counts what the code does, whatever the timed run reported.
    if (row.profile) cells.resize(go.has_ratio() ? 7 : 6, Cell{""});  // the profile's columns
    add_profile_cells(cells, row);
    return cells;
  }
  std::string ratio = "-";
  if (row.is_baseline) {
    ratio = "baseline";
  } else if (row.vs_baseline) {
    ratio = format_ratio_interval(*row.vs_baseline);
  }
  const bool allocates = row.heap_allocs && *row.heap_allocs > 0;
  const bool noisy = row.time.cv > kNoisyCv;
  std::string name = row.strategy;
  if (row.fidelity == "closest_form") name += " *";
  std::vector<Cell> cells = {{name},
                             {format_time(row.time.median), &row == slowest ? kBold : nullptr},
                             {ratio, row.is_baseline ? kDim : nullptr}};
  if (go.has_ratio()) {
    std::string vs_go;
    if (row.strategy == go.baseline) {
      vs_go = "baseline";
    } else if (row.vs_language_baseline) {
      vs_go = format_ratio_interval(*row.vs_language_baseline);
    }
    cells.push_back({vs_go, row.strategy == go.baseline ? kDim : nullptr});
  }
  cells.insert(cells.end(),
               {{format_count(row.heap_allocs), allocates ? kYellow : nullptr},
                {format_bytes(row.heap_bytes), allocates ? kYellow : nullptr},
                {format_percent(row.time.cv) + (noisy ? " !" : ""), noisy ? kRed : nullptr}});
  add_profile_cells(cells, row);
  if (go.shown) cells.push_back({go_defer_text(row)});
  return cells;
}

// "  note: NAME: no profile figures: why", one per row whose figures are missing.
std::string profile_notes(const StrategyRow& row, const std::string& name) {
  if (!row.profile) return "";
  const std::string why = profile_missing_text(*row.profile);
  if (why.empty()) return "";
  return "  note: " + visible_text(name + ": profile figures missing: " + why) + "\n";
}

std::string describe_parameters(const nlohmann::json& parameters) {
  std::string text;
  for (const auto& [key, value] : parameters.items()) {
    if (value.is_null()) continue;
    if (!text.empty()) text += ", ";
    text += key + " = " + (value.is_string() ? value.get<std::string>() : value.dump());
  }
  return text;
}

// What the notes under the tables must explain.
struct Marks {
  bool closest = false;
  bool noisy = false;
  bool go = false;
};

std::string group_text(const RunReport& report, const CaseGroup& group, const TextStyle& style,
                       Marks& marks) {
  const StrategyRow* slowest = nullptr;
  for (const StrategyRow& row : group.rows) {
    if (!row.failed && (slowest == nullptr || row.time.median > slowest->time.median)) {
      slowest = &row;
    }
    marks.closest = marks.closest || row.fidelity == "closest_form";
    marks.noisy = marks.noisy || row.time.cv > kNoisyCv;
  }
  const std::string title = visible_text(group.title());
  std::string out = style.color ? std::string(kBold) + title + kReset : title;
  const std::string params = visible_text(describe_parameters(group.parameters));
  if (!params.empty()) out += "  (" + params + ")";
  out += '\n';
  const GoColumns go{group.has_go_rows(), report.language_baseline("go")};
  marks.go = marks.go || go.shown;
  std::vector<std::vector<Cell>> rows = {
      header_row(report.derived_manifest ? "family" : "strategy", report.baseline_strategy,
                 confidence_label(group), report.profile.has_value(), go)};
  for (const StrategyRow& row : group.rows) rows.push_back(strategy_row(row, slowest, go));
  out += render_table(rows, style);
  for (const std::string& w : group.warnings) out += "  note: " + visible_text(w) + "\n";
  for (const StrategyRow& row : group.rows) {
    for (const std::string& w : row.invalid_data)
      out += "  note: " + visible_text(row.strategy + ": " + w) + "\n";
    out += profile_notes(row, row.strategy);
  }
  return out + '\n';
}

// The benchmarks outside the groups (every benchmark of a binary without a manifest).
std::string other_text(const RunReport& report, const TextStyle& style, Marks& marks) {
  std::string out = report.groups.empty() ? "benchmarks\n" : "other benchmarks\n";
  std::vector<std::vector<Cell>> rows = {{{"benchmark", kDim},
                                          {"median", kDim},
                                          {"allocs/iter", kDim},
                                          {"bytes/iter", kDim},
                                          {"CV", kDim}}};
  if (report.profile) {
    rows.front().push_back({"instr/iter", kDim});
    rows.front().push_back({"cycles/iter", kDim});
    rows.front().push_back({"alloc calls/iter", kDim});
  }
  std::string notes;
  for (const StrategyRow& row : report.other) {
    notes += profile_notes(row, row.benchmark);
    if (row.failed) {
      rows.push_back(
          {{row.benchmark}, {row.invalid ? "invalid" : "failed", kRed}, {row.error, kRed}});
      if (row.profile) rows.back().resize(5, Cell{""});
      add_profile_cells(rows.back(), row);
      continue;
    }
    const bool noisy = row.time.cv > kNoisyCv;
    marks.noisy = marks.noisy || noisy;
    rows.push_back({{row.benchmark},
                    {format_time(row.time.median)},
                    {format_count(row.heap_allocs)},
                    {format_bytes(row.heap_bytes)},
                    {format_percent(row.time.cv) + (noisy ? " !" : ""), noisy ? kRed : nullptr}});
    add_profile_cells(rows.back(), row);
  }
  return out + render_table(rows, style) + notes + '\n';
}

// The notes under the tables: how each figure was measured, and what the marks mean.
std::vector<std::string> footer_notes(const RunReport& report, const Marks& marks) {
  std::vector<std::string> notes;
  notes.push_back("median of " + std::to_string(report.repetitions) +
                  " repetitions (real time per iteration); " +
                  allocations_definition(report.derived_manifest));
  if (!report.groups.empty()) {
    notes.push_back(report.baseline_strategy.empty()
                        ? "no baseline: --baseline FAMILY gives ratios to that family"
                        : vs_baseline_definition(report.baseline_strategy));
  }
  if (marks.go)
    notes.push_back(go_rows_note(!report.derived_manifest, report.language_baseline("go")));
  if (report.profile) {
    for (std::string& line : profile_definitions(
             *report.profile, report.groups.empty() ? "" : report.baseline_strategy))
      notes.push_back(std::move(line));
  } else if (!report.profile_absent.empty()) {
    notes.push_back("no profile (instructions, cycles, allocation calls per iteration): " +
                    report.profile_absent);
  }
  for (const std::string& arch : report.architectures) {
    if (arch != "x86-64") notes.push_back(arch + ": " + kStaticOnlyNote);
  }
  if (marks.closest) {
    notes.push_back(
        "* closest form: the strategy cannot express the scenario as written; "
        "see the case notes in cases.json");
  }
  if (marks.noisy) {
    notes.push_back("! coefficient of variation above " + format_percent(kNoisyCv) +
                    ": treat that time with care");
  }
  for (const std::string& warning : report.warnings) notes.push_back("warning: " + warning);
  return notes;
}

}  // namespace

std::string render_text(const RunReport& report, const TextStyle& style) {
  std::string out;
  Marks marks;
  for (const CaseGroup& group : report.groups) out += group_text(report, group, style, marks);
  if (!report.other.empty()) out += other_text(report, style, marks);
  for (const std::string& note : footer_notes(report, marks)) out += visible_text(note) + '\n';
  return out;
}

}  // namespace deferlab::reports

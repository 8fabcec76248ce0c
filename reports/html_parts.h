// The pieces index.html is assembled from (html_renderer.cc), each in the file of its
// kind: charts (html_charts.cc), tables and assembly panels (html_tables.cc) and the data
// the page's script draws from (html_page_data.cc). Internal to reports/.
#pragma once

#include <cstddef>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "reports/report_model.h"

namespace deferlab::reports::html {

// Each strategy's place in the report (first appearance), which fixes its colour.
using StrategyOrder = std::map<std::string, std::size_t>;

// A fragment id made of `text`: every character that is not a letter or digit becomes '-'.
std::string anchor(const std::string& text);

// One colour per strategy, in table order, readable on white and in print.
const char* colour(std::size_t index);

// One scenario charted across its numeric parameter (report.charts): time and allocations
// per iteration on log-log axes, one series per strategy.
std::string chart_section(const RunReport& report, const Chart& chart, StrategyOrder& order);

// Horizontal bars of each strategy's ratio to the baseline on a log scale, with the
// confidence interval as a whisker.
std::string ratio_bars(const CaseGroup& group, const StrategyOrder& order);

// The table of one group: a row per strategy.
std::string group_table(const RunReport& report, const CaseGroup& group);

// The table of the benchmarks outside the manifest's groups.
std::string other_table(const RunReport& report);

// The per-case assembly panel: filled by the script from the embedded data.
std::string assembly_panel(const RunReport& report, const CaseGroup& group,
                           std::size_t group_index);

// The benchmarks outside the manifest that have a hot function, as one group for the
// assembly panel (a user's binary: each benchmark's hottest function of its own).
std::optional<CaseGroup> other_group(const RunReport& report);

// The JSON the page's script draws the listings and diffs from, safe inside <script>.
std::string page_data_script(const RunReport& report);

}  // namespace deferlab::reports::html

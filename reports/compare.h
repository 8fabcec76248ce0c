// Two runs of the same benchmarks side by side, as Google Benchmark's compare.py and
// benchstat do it: per benchmark the median change with a confidence interval, a
// two-sided Mann-Whitney U test and a verdict; the exact change in heap allocations and
// bytes; and, when both runs carry disassembly, what changed in the hot function. CI gates
// (--fail-on) turn chosen regressions into a failing exit code.
//
//   const CompareInput base = load_compare_input("out/before");
//   const CompareInput head = load_compare_input("out/after");
//   const Comparison c = compare_runs(base, head, 0.05, {parse_gate("allocs:+0")});
//   if (!c.failures.empty()) ...
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "harness/statistics.h"
#include "reports/bench_results.h"
#include "reports/report_model.h"

namespace deferlab::reports {

struct CompareInput {
  std::string source;  // the directory or file given
  BenchResults bench;
  std::optional<RunReport> run;  // a run directory with cases.json (and disasm.json)
};

// A run directory (bench.json inside) or a Google Benchmark JSON file of any project.
CompareInput load_compare_input(const std::filesystem::path& path);

struct Gate {
  enum class Kind { kTime, kAllocs, kBytes };
  Kind kind = Kind::kTime;
  double threshold = 0;  // kTime: a fraction (+5% -> 0.05); otherwise an absolute increase
  std::string text;      // as given
};

// "time:+5%", "allocs:+0", "bytes:+64". Throws Error on anything else.
Gate parse_gate(const std::string& text);

struct CodeChange {
  std::string symbol;
  double match_percent = 100;
  disasm::SummaryDelta delta;  // head minus base
};

struct CompareRow {
  std::string name;
  stats::Summary base;
  stats::Summary head;
  std::optional<stats::Ratio> change;  // head / base, with its interval
  std::optional<stats::MannWhitney> test;
  std::string verdict;  // "faster", "slower", "no significant change", "not compared"
  std::optional<double> base_allocs, head_allocs;
  std::optional<double> base_bytes, head_bytes;
  std::optional<CodeChange> code;
  std::vector<std::string> warnings;
  std::vector<std::string> failed_gates;  // the gates this row trips
};

struct Comparison {
  std::string base_source;
  std::string head_source;
  double alpha = 0.05;
  std::vector<CompareRow> rows;         // benchmarks in both, in BASE's order
  std::optional<double> geomean_ratio;  // of the median ratios
  std::vector<std::string> only_in_base;
  std::vector<std::string> only_in_head;
  std::vector<std::string> warnings;
  std::vector<Gate> gates;
  std::vector<std::string> failures;  // one line per tripped gate and row
};

Comparison compare_runs(const CompareInput& base, const CompareInput& head, double alpha,
                        const std::vector<Gate>& gates);

// Renderers: console text, Markdown, deferlab.compare/1 JSON, a self-contained HTML page.
std::string render_comparison_text(const Comparison& c, bool color);
std::string render_comparison_markdown(const Comparison& c);
std::string render_comparison_json(const Comparison& c);
std::string render_comparison_html(const Comparison& c);

}  // namespace deferlab::reports

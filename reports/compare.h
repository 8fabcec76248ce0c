// Two runs of the same benchmarks side by side, as Google Benchmark's compare.py and
// benchstat do it: per benchmark the change in time (figures.h time_ratio: Hodges-Lehmann
// estimate with its interval), a two-sided Mann-Whitney U test and a verdict; the exact
// change in heap allocations and bytes; and, when both runs carry disassembly, what
// changed in the hot function. CI gates (--fail-on) turn chosen regressions into a failing
// exit code, and fail closed: a row a gate cannot judge (missing, errored, invalid, without
// the metric) fails it too.
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

#include "disasm/listing.h"  // for kDefaultMarkdownBudget
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
  enum class Kind { kTime, kAllocs, kBytes, kInstructions, kCycles };
  Kind kind = Kind::kTime;
  // kTime, kInstructions, kCycles: a fraction (+5% -> 0.05); otherwise an absolute increase
  double threshold = 0;
  std::string text;  // as given
};

// "time:+5%", "allocs:+0", "bytes:+64", "instructions:+1%", "cycles:+2%". Throws Error on
// anything else, and on thresholds that are not finite, negative, or absurd: a fraction
// above +10000 %, counts above 2^40.
Gate parse_gate(const std::string& text);

// The largest time threshold a gate takes, as a fraction (+10000 %: 101 times slower).
inline constexpr double kMaxTimeThreshold = 100;

struct CodeChange {
  std::string symbol;
  double match_percent = 100;
  disasm::SummaryDelta delta;  // head minus base
};

// An exact heap counter on both sides. A side without a value says why.
struct CounterChange {
  std::optional<double> base;  // median per iteration over the valid repetitions
  std::optional<double> head;
  std::string base_tag;  // in place of a missing value: "-" (absent), "invalid", "errored"
  std::string head_tag;
  bool amortized = false;  // on either side (figures.h: is_amortized)
  std::string problem;     // e.g. "heap_allocs invalid in HEAD: ..."; "" when both exist
};

// A profile figure per iteration (profile.json of each run directory) on both sides.
struct ProfileChange {
  std::optional<double> base;
  std::optional<double> head;
  std::string problem;  // why a side has no figure; "" when both have one
};

struct CompareRow {
  std::string name;
  stats::Summary base;
  stats::Summary head;
  // figures.h time_ratio(head, base, 1 - alpha): THE change figure of the table, footer,
  // JSON and gate messages.
  std::optional<stats::Ratio> change;
  std::optional<stats::MannWhitney> test;
  // "faster", "slower", "no significant change"; "not compared" (no samples to test, e.g.
  // aggregates only), "errored" or "invalid" (a side errored or has invalid data).
  std::string verdict;
  std::string problem;  // why the times were not compared, when they were not
  CounterChange allocs;
  CounterChange bytes;
  std::optional<CodeChange> code;
  ProfileChange instructions;  // exact instructions per iteration
  ProfileChange cycles;        // estimated cycles per iteration
  // The hot functions whose instructions per iteration changed: "f: 10 -> 11", "g: new, 5".
  std::vector<std::string> changed_functions;
  std::vector<std::string> warnings;
  std::vector<std::string> failed_gates;  // the gates this row trips or cannot be checked on
};

// What one gate did over the whole comparison.
struct GateRun {
  Gate gate;
  std::size_t rows = 0;          // BASE benchmarks it applies to (every one)
  std::size_t checked = 0;       // rows with the data to judge: passed or tripped
  std::size_t tripped = 0;       // regressions beyond the threshold
  std::size_t unverifiable = 0;  // missing, renamed, errored, invalid or lacking the metric
  std::size_t amortized = 0;     // checked rows whose counter is amortized (with tolerance)
};

struct Comparison {
  std::string base_source;
  std::string head_source;
  double alpha = 0.05;
  std::vector<CompareRow> rows;         // benchmarks in both, in BASE's order
  std::optional<double> geomean_ratio;  // of the change estimates of the compared rows
  std::vector<std::string> only_in_base;
  std::vector<std::string> only_in_head;
  std::vector<std::string> warnings;
  std::vector<Gate> gates;
  std::vector<GateRun> gate_runs;     // one per gate, in the order given
  std::vector<std::string> failures;  // one line per tripped or unverifiable gate and row
};

// Throws Error when a time gate cannot trip with the repetitions given (the smallest
// p-value the U test can reach is not below alpha), saying how many it needs.
Comparison compare_runs(const CompareInput& base, const CompareInput& head, double alpha,
                        const std::vector<Gate>& gates);

// Renderers (reports/renderer.h has them behind one interface): console text, Markdown
// of at most max_chars characters (compare_markdown.cc), deferlab.compare/1 JSON, a
// self-contained HTML page.
std::string render_comparison_text(const Comparison& c, bool color);
std::string render_comparison_markdown(const Comparison& c,
                                       std::size_t max_chars = disasm::kDefaultMarkdownBudget);
std::string render_comparison_json(const Comparison& c);
std::string render_comparison_html(const Comparison& c);

}  // namespace deferlab::reports

// The report model: one run's benchmark results, case manifest and (when present) hot-path
// disassembly merged per scenario and parameter, each strategy with its time statistics,
// ratio to the baseline strategy, exact heap counts and warnings. Every renderer (text,
// JSON, HTML, Markdown) draws from this one model.
//
//   const RunReport report = build_run_report(bench, &manifest, nullptr, "goto_cleanup");
//   std::cout << render_text(report, {});
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "disasm/annotate.h"
#include "disasm/diff.h"
#include "harness/statistics.h"
#include "reports/bench_results.h"

namespace deferlab::reports {

// A coefficient of variation above this marks a time as noisy.
inline constexpr double kNoisyCv = 0.05;

// One architecture's view of a row's hot function.
struct HotPath {
  disasm::Summary summary;
  bool has_diff = false;  // against the baseline strategy's hot function
  double match_percent = 0;
  disasm::SummaryDelta delta;            // this minus the baseline
  std::size_t instructions_added = 0;    // inserted or replaced
  std::size_t instructions_removed = 0;  // deleted or replaced
};

struct StrategyRow {
  std::string benchmark;  // the full benchmark name
  std::string strategy;   // for benchmarks outside the manifest: the name itself
  std::string fidelity;   // "faithful", "closest_form", or "" outside the manifest
  std::string notes;
  std::string hot_symbol;  // mangled; "" when unknown
  std::string hot_symbol_demangled;
  std::map<std::string, HotPath> hot_paths;  // by architecture, when disasm.json has it
  bool failed = false;                       // the benchmark reported an error
  std::string error;
  std::vector<double> samples_ns;  // real time per iteration, one per repetition
  stats::Summary time;             // over samples_ns
  // Exact per-iteration heap counts (median over repetitions) when the binary reports them.
  std::optional<double> heap_allocs;
  std::optional<double> heap_bytes;
  std::optional<double> heap_frees;
  bool is_baseline = false;
  std::optional<stats::Ratio> vs_baseline;  // this time / the baseline's
  std::vector<std::string> warnings;
};

struct CaseGroup {
  std::string scenario;
  std::string scenario_summary;
  std::string param;
  nlohmann::json parameters = nlohmann::json::object();
  std::vector<StrategyRow> rows;      // in strategy order
  std::vector<std::string> warnings;  // about the group as a whole

  std::string title() const { return scenario + "/" + param; }
  const StrategyRow* baseline() const;
};

struct RunReport {
  nlohmann::json context = nlohmann::json::object();
  std::string baseline_strategy;
  std::vector<CaseGroup> groups;   // scenario order, then parameter order
  std::vector<StrategyRow> other;  // benchmarks the manifest does not describe
  std::size_t repetitions = 0;     // the most repetitions any benchmark has
  std::vector<std::string> warnings;
  // From disasm.json: the architectures, and every hot function by arch, then symbol.
  std::vector<std::string> architectures;
  std::map<std::string, std::map<std::string, disasm::AnnotatedFunction>> functions;
  std::map<std::string, std::string> binaries;  // arch -> binary path
};

// `manifest` may be null (a foreign binary): every benchmark then lands in `other`.
// Throws Error when the manifest is malformed.
RunReport build_run_report(const BenchResults& bench, const nlohmann::json* manifest,
                           const std::string& baseline_strategy);

// Builds one row's statistics from its results (shared with compare).
StrategyRow make_row(const BenchmarkResult& result);

// Adds the hot-path facts of `disasm_set` (disasm.json: {"architectures": {arch:
// deferlab.disasm/1}}) to every row, with each row's diff against its group's baseline.
// Throws Error when the document is malformed.
void attach_disasm(RunReport& report, const nlohmann::json& disasm_set);

// The diff options reports use (registers count; addresses do not).
disasm::DiffOptions report_diff_options(const std::string& arch);

}  // namespace deferlab::reports

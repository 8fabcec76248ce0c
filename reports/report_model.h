// The report model: one run's benchmark results, case manifest and (when present) hot-path
// disassembly merged per scenario and parameter, each strategy with its time statistics,
// ratio to the baseline strategy, exact heap counts and warnings. Every renderer (text,
// JSON, HTML, Markdown) draws from this one model.
//
//   const RunReport report = build_run_report(bench, &manifest, "BM_Baseline");
//   std::cout << render_text(report, {});
#pragma once

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "disasm/annotate.h"
#include "disasm/diff.h"
#include "harness/statistics.h"
#include "reports/bench_results.h"
#include "reports/profile_figures.h"

namespace deferlab::reports {

// A coefficient of variation above this marks a time as noisy.
inline constexpr double kNoisyCv = 0.05;

// One architecture's view of a row's hot function.
struct HotPath {
  disasm::Summary summary;
  bool has_diff = false;  // against compared_with: its language's own baseline, else the baseline
  double match_percent = 0;
  disasm::SummaryDelta delta;            // this minus the baseline
  std::size_t instructions_added = 0;    // inserted or replaced
  std::size_t instructions_removed = 0;  // deleted or replaced
  // The diff itself (has_diff), against the row named `compared_with`: renderers show it
  // rather than diff again.
  std::shared_ptr<const disasm::FunctionDiff> diff;
  std::string compared_with;
  // Go rows: the defer mechanism the compiler chose (disasm/go_defer.h: "heap record",
  // "stack record", "open-coded", "none"), with " in a function literal" when the defers
  // are in the literals the hot function calls; "" for C++ rows.
  std::string go_defer;
};

struct StrategyRow {
  std::string benchmark;  // the full benchmark name
  std::string strategy;   // for benchmarks outside the manifest: the name itself
  std::string language;   // "c++" or "go" (the manifest's, else bench.json's "language")
  std::string fidelity;   // "faithful", "closest_form", or "" outside the manifest
  std::string notes;
  std::string hot_symbol;  // mangled; "" when unknown
  std::string hot_symbol_demangled;
  std::map<std::string, HotPath> hot_paths;  // by architecture, when disasm.json has it
  bool failed = false;             // the benchmark reported an error, or its data is invalid
  bool invalid = false;            // failed because bench.json's values for it are impossible
  std::string error;               // the error message, or why the data is invalid
  std::vector<double> samples_ns;  // real time per iteration, one per repetition
  stats::Summary time;             // over samples_ns
  // Exact per-iteration heap counts (median over repetitions) when the binary reports them.
  std::optional<double> heap_allocs;
  std::optional<double> heap_bytes;
  std::optional<double> heap_frees;
  bool is_baseline = false;
  // figures.h time_ratio: this time / the baseline's, at kRunConfidence requested.
  std::optional<stats::Ratio> vs_baseline;
  // Rows of a language with a baseline of its own (RunReport::language_baselines: the Go
  // rows' own floor): the same ratio against the group's row of that strategy, if any.
  std::optional<stats::Ratio> vs_language_baseline;
  std::vector<std::string> warnings;
  // What bench.json held for this row that failed the checks of docs/figures.md (an
  // invalid counter, invalid MemoryManager fields); also in `warnings`. Text and Markdown
  // print these under the table, where a "-" alone would not say why.
  std::vector<std::string> invalid_data;
  // The profile pass's exact figures per iteration (profile.json), when the run has one.
  std::optional<ProfileFigures> profile;
};

struct CaseGroup {
  std::string scenario;
  std::string scenario_summary;
  std::string param;
  nlohmann::json parameters = nlohmann::json::object();
  std::vector<StrategyRow> rows;      // in strategy order
  std::vector<std::string> warnings;  // about the group as a whole

  std::string title() const { return param.empty() ? scenario : scenario + "/" + param; }
  const StrategyRow* baseline() const;
  const StrategyRow* row_of(const std::string& strategy) const;
  bool has_go_rows() const;
  // The row a row is compared with: its language's own baseline when `language_baseline`
  // names one (this group's row of that strategy), else the group's baseline; null when
  // the group has no such row.
  const StrategyRow* compared_with(const std::string& language_baseline) const;
};

// A scenario the reports chart across its (numeric) parameters, one series per strategy.
struct Chart {
  std::string scenario;
  std::string x_label;
};

struct RunReport {
  nlohmann::json context = nlohmann::json::object();
  // From the manifest: the report's title, the groups a reviewer reads first, the charts.
  // A binary without a manifest gets one derived from its benchmark names
  // (derived_manifest.h) and a title naming the binary.
  std::string title;
  std::vector<std::string> highlights;  // group titles
  std::vector<Chart> charts;
  bool derived_manifest = false;  // not the lab's: derived, or a user binary's own
  std::string baseline_strategy;  // "" when there is none
  // By language, the strategy its rows are also compared with, in time and code (the
  // manifest's "language_baselines": a language whose rows cannot be measured against the
  // baseline strategy's, such as Go rows beside C++ ones, names its own floor).
  std::map<std::string, std::string> language_baselines;
  std::vector<CaseGroup> groups;   // scenario order, then parameter order
  std::vector<StrategyRow> other;  // benchmarks the manifest does not describe
  std::size_t repetitions = 0;     // the most repetitions any benchmark has
  std::vector<std::string> warnings;
  // From disasm.json: the architectures, and every hot function by arch, then symbol.
  std::vector<std::string> architectures;
  std::map<std::string, std::map<std::string, disasm::AnnotatedFunction>> functions;
  std::map<std::string, std::string> binaries;  // arch -> binary path
  // The profile pass (profile.json), or why the run has none (`profile_absent`).
  std::optional<ProfileData> profile;
  std::string profile_absent;

  // language_baselines' entry for `language`; "" when it has none.
  std::string language_baseline(const std::string& language) const;
  // A context value as text (a string as it is, anything else as JSON); "" when absent.
  std::string context_text(const char* key) const;
};

// Why architectures other than the host's have no profile (shown wherever they appear).
inline constexpr const char* kStaticOnlyNote =
    "static only: no profile (valgrind does not run under qemu-user), so instructions, cycles "
    "and allocation calls per iteration are the host's";

// `manifest` may be null (a binary without one): groups are then derived from the
// benchmark names (derived_manifest.h). `baseline_strategy` "" takes the manifest's.
// Throws Error naming `manifest_name` and the JSON path when the manifest is malformed.
RunReport build_run_report(const BenchResults& bench, const nlohmann::json* manifest,
                           const std::string& baseline_strategy,
                           const std::string& manifest_name = "cases.json");

// Builds one row's statistics from its results (shared with compare).
StrategyRow make_row(const BenchmarkResult& result);

// Adds the hot-path facts of `disasm_set` (disasm.json: {"architectures": {arch:
// deferlab.disasm/1}}) to every row, with each row's diff against its group's baseline.
// Throws Error naming `source_name` and the JSON path when the document is malformed.
void attach_disasm(RunReport& report, const nlohmann::json& disasm_set,
                   const std::string& source_name = "disasm.json");

// A Go row's defer mechanism as tables show it: the x86-64 one ("heap record"), followed
// by another architecture's when it differs ("...; aarch64: stack record"); "-" for a Go
// row without disassembly, "" for C++ rows.
std::string go_defer_text(const StrategyRow& row);

// The footnote of tables with Go rows: where their figures come from, and the ratio to
// `go_baseline` (the Go rows' own baseline; "" when the manifest names none).
std::string go_rows_note(bool lab_cases, const std::string& go_baseline);

// Adds the profile's figures to every row (rows it lacks say why) with exact ratios to
// each group's baseline. Attach it before the disassembly: a row without a declared hot
// symbol (a binary without a manifest) takes its hottest function that disasm.json has,
// and attach_disasm then gives it its hot path and diff.
void attach_profile(RunReport& report, ProfileData profile);

// Gives each row without a hot symbol the first of its profile's hot functions (they come
// hottest first) that report.functions has for x86-64; no-op without both.
void assign_profiled_hot_symbols(RunReport& report);

// Hot functions a report aligns with its baseline's: a report diffs every row against its
// baseline and every pair in a group, so it keeps each diff under a second. Larger ones
// get a warning instead of a match figure.
inline constexpr std::size_t kMaxReportDiffInstructions = 10000;

// The diff options reports use (registers count; addresses do not; at most
// kMaxReportDiffInstructions a side).
disasm::DiffOptions report_diff_options(const std::string& arch);

}  // namespace deferlab::reports

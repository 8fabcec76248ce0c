// The report model (report_model.h): rows from bench.json, grouped by the manifest or by
// benchmark names, with their ratios to the baseline, and the profile's figures on them.
#include "reports/report_model.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <map>
#include <set>

#include "common/error.h"
#include "common/json_reader.h"
#include "reports/derived_manifest.h"
#include "reports/figures.h"
#include "reports/format.h"

namespace deferlab::reports {
namespace {

// One entry of the manifest's "cases", read once.
struct ManifestCase {
  std::string scenario;
  std::string param;
  std::string benchmark;
  json::Node node;
};

std::vector<ManifestCase> read_cases(const json::Node& manifest) {
  std::vector<ManifestCase> cases;
  for (const json::Node& c : manifest["cases"].elements()) {
    cases.push_back({c["scenario"].string(), c["param"].string(), c["benchmark"].string(), c});
  }
  return cases;
}

// The manifest's facts about one case, on its row.
void describe_row(const json::Node& c, StrategyRow& row) {
  row.strategy = c["strategy"].string();
  row.language = c.string_or("language", row.language.empty() ? "c++" : row.language);
  row.fidelity = c.string_or("fidelity", "");
  row.notes = c.string_or("notes", "");
  if (const auto symbol = c.find("hot_symbol")) {
    row.hot_symbol = symbol->string_or("mangled", "");
    row.hot_symbol_demangled = symbol->string_or("demangled", row.hot_symbol);
  }
}

// Each row's ratio to the group's baseline, when the baseline has samples, and to its
// language's own baseline when the report names one.
void add_ratios(CaseGroup& group, const RunReport& report) {
  const auto usable = [](const StrategyRow* r) {
    return r != nullptr && !r->failed && !r->samples_ns.empty();
  };
  // Copies: the rows are written below.
  const StrategyRow* base = group.baseline();
  const std::vector<double> base_samples = usable(base) ? base->samples_ns : std::vector<double>();
  std::map<std::string, std::vector<double>> language_samples;
  for (const auto& [language, strategy] : report.language_baselines) {
    const StrategyRow* own = group.row_of(strategy);
    if (usable(own)) language_samples[language] = own->samples_ns;
  }
  for (StrategyRow& row : group.rows) {
    if (!usable(&row)) continue;
    if (!base_samples.empty())
      row.vs_baseline = time_ratio(row.samples_ns, base_samples, kRunConfidence);
    if (const auto own = language_samples.find(row.language); own != language_samples.end())
      row.vs_language_baseline = time_ratio(row.samples_ns, own->second, kRunConfidence);
  }
}

// The groups the manifest describes, in its scenario and parameter order; marks the
// benchmarks it covers in `described`.
void add_manifest_groups(RunReport& report, const BenchResults& bench, const json::Node& manifest,
                         std::map<std::string, bool>& described) {
  std::map<std::string, std::int64_t> strategy_rank;
  for (const json::Node& s : manifest["strategies"].elements()) {
    strategy_rank[s["name"].string()] =
        s.integer_or("rank", 0, std::numeric_limits<int>::min(), std::numeric_limits<int>::max());
  }
  const std::vector<ManifestCase> cases = read_cases(manifest);
  for (const json::Node& scenario : manifest["scenarios"].elements()) {
    const std::string name = scenario["name"].string();
    const std::string summary = scenario.string_or("summary", "");
    for (const json::Node& param : scenario["params"].elements()) {
      CaseGroup group;
      group.scenario = name;
      group.scenario_summary = summary;
      group.param = param.string();
      for (const ManifestCase& c : cases) {
        if (c.scenario != name || c.param != group.param) continue;
        const BenchmarkResult* result = bench.find(c.benchmark);
        if (result == nullptr) continue;  // filtered out of this run
        described[c.benchmark] = true;
        StrategyRow row = make_row(*result);
        describe_row(c.node, row);
        row.is_baseline = row.strategy == report.baseline_strategy;
        if (const auto parameters = c.node.find("parameters")) {
          if (!parameters->is_object()) parameters->fail("expected an object");
          group.parameters = parameters->raw();
        }
        group.rows.push_back(std::move(row));
      }
      if (group.rows.empty()) continue;
      std::stable_sort(group.rows.begin(), group.rows.end(),
                       [&](const StrategyRow& a, const StrategyRow& b) {
                         return strategy_rank[a.strategy] < strategy_rank[b.strategy];
                       });
      add_ratios(group, report);
      report.groups.push_back(std::move(group));
    }
  }
}

}  // namespace

const StrategyRow* CaseGroup::baseline() const {
  for (const StrategyRow& row : rows) {
    if (row.is_baseline) return &row;
  }
  return nullptr;
}

const StrategyRow* CaseGroup::row_of(const std::string& strategy) const {
  for (const StrategyRow& row : rows) {
    if (row.strategy == strategy) return &row;
  }
  return nullptr;
}

const StrategyRow* CaseGroup::compared_with(const std::string& language_baseline) const {
  return language_baseline.empty() ? baseline() : row_of(language_baseline);
}

std::string RunReport::language_baseline(const std::string& language) const {
  const auto it = language_baselines.find(language);
  return it == language_baselines.end() ? "" : it->second;
}

std::string RunReport::context_text(const char* key) const {
  const auto it = context.find(key);
  if (it == context.end()) return "";
  return it->is_string() ? it->get<std::string>() : it->dump();
}

bool CaseGroup::has_go_rows() const {
  return std::any_of(rows.begin(), rows.end(),
                     [](const StrategyRow& row) { return row.language == "go"; });
}

StrategyRow make_row(const BenchmarkResult& result) {
  StrategyRow row;
  row.benchmark = result.name;
  row.strategy = result.name;
  row.language = result.language.empty() ? "c++" : result.language;
  row.invalid = !result.is_valid();
  row.failed = result.error || row.invalid;
  row.error = result.error_message;
  if (row.invalid) {
    row.error = result.invalid.front();
    if (result.invalid.size() > 1)
      row.error += " (and " + std::to_string(result.invalid.size() - 1) + " more)";
  }
  row.samples_ns = result.real_ns;
  if (!row.samples_ns.empty()) row.time = stats::summarize(row.samples_ns);
  row.heap_allocs = result.counter_median("heap_allocs");
  row.heap_bytes = result.counter_median("heap_bytes");
  row.heap_frees = result.counter_median("heap_frees");
  if (row.invalid) {
    row.warnings.push_back("invalid: " + row.error);
  } else if (row.failed) {
    row.warnings.push_back("failed in " + std::to_string(result.errored_repetitions) + " of " +
                           std::to_string(result.repetitions_seen) +
                           " repetitions: " + result.error_message);
  }
  for (const auto& [counter, reason] : result.invalid_counters) {
    row.invalid_data.push_back(counter + " invalid, not shown: " + reason);
  }
  if (!result.memory_invalid.empty()) {
    row.invalid_data.push_back("MemoryManager fields invalid, not used: " + result.memory_invalid);
  }
  row.warnings.insert(row.warnings.end(), row.invalid_data.begin(), row.invalid_data.end());
  if (row.time.n >= 2 && row.time.cv > kNoisyCv) {
    row.warnings.push_back("noisy: CV " + format_percent(row.time.cv) + " is above " +
                           format_percent(kNoisyCv));
  }
  if (result.aggregates_only) {
    row.warnings.push_back("only aggregates in the file: one sample, no dispersion");
  }
  return row;
}

RunReport build_run_report(const BenchResults& bench, const nlohmann::json* manifest,
                           const std::string& baseline_strategy, const std::string& manifest_name) {
  RunReport report;
  report.context = bench.context;
  for (const BenchmarkResult& b : bench.benchmarks) {
    report.repetitions = std::max(report.repetitions, b.real_ns.size());
  }

  std::map<std::string, bool> described;  // benchmark names the manifest covers
  nlohmann::json derived;
  std::string binary_name = "benchmarks";
  if (const auto it = bench.context.find("deferlab_binary");
      it != bench.context.end() && it->is_string()) {
    binary_name = std::filesystem::path(it->get<std::string>()).filename().string();
  }
  if (manifest == nullptr) {
    derived = derive_manifest(bench, binary_name, baseline_strategy);
    manifest = &derived;
    report.derived_manifest = true;
  } else if (manifest->is_object() && manifest->contains("declared_by")) {
    // A user's binary declared it (harness/benchmark_manifest.h): the reports name that
    // binary and its families, as for a derived manifest, never the lab's commit.
    report.derived_manifest = true;
  }
  const json::Source source{manifest_name, "regenerate it with the binary's --deferlab_cases"};
  const json::Node root(*manifest, source);
  if (!root.is_object()) root.fail("expected an object");
  report.baseline_strategy =
      baseline_strategy.empty() ? root.string_or("baseline_strategy", "") : baseline_strategy;
  report.title = root.string_or("title", "deferlab: " + binary_name);
  if (const auto own = root.find("language_baselines")) {
    for (const auto& [language, strategy] : own->members())
      report.language_baselines[language] = strategy.string();
  }
  if (const auto highlights = root.find("highlights")) {
    for (const json::Node& h : highlights->elements()) report.highlights.push_back(h.string());
  }
  if (const auto charts = root.find("charts")) {
    for (const json::Node& c : charts->elements()) {
      report.charts.push_back({c["scenario"].string(), c.string_or("x_label", "parameter")});
    }
  }
  add_manifest_groups(report, bench, root, described);
  if (!report.baseline_strategy.empty()) {
    bool found = false;
    for (const CaseGroup& g : report.groups) found = found || g.baseline() != nullptr;
    if (!found && !report.groups.empty()) {
      report.warnings.push_back("baseline '" + report.baseline_strategy +
                                "' matches no benchmark of this run: no ratios");
    }
  }
  for (const BenchmarkResult& b : bench.benchmarks) {
    if (!described.contains(b.name)) report.other.push_back(make_row(b));
  }
  if (report.repetitions > 0 && report.repetitions < 5) {
    report.warnings.push_back(std::to_string(report.repetitions) +
                              " repetitions: ratio intervals are wide and cannot reach 95 %; "
                              "use --repetitions 9 or more for comparisons");
  }
  return report;
}

std::string go_rows_note(bool lab_cases, const std::string& go_baseline) {
  // A user's Go benchmarks report what -benchmem prints unless they report exact counts.
  if (!lab_cases) {
    return "Go rows: ns/op of go test -bench; allocs and bytes per iteration are the "
           "benchmark's exact allocs/iter when it reports one, else Go's allocs/op and B/op "
           "(integer divisions by b.N, rounded down)";
  }
  std::string note =
      "go_* rows: Go's own defer (cases/go), ns/op of go test -bench with "
      "allocs and bytes from runtime.MemStats over the timed loop (bytes by "
      "size class), GC off";
  if (!go_baseline.empty()) note += "; vs " + go_baseline + ": the same ratio against the Go floor";
  return note + "; defer: the mechanism in the Go hot function's instructions";
}

void attach_profile(RunReport& report, ProfileData profile) {
  const auto ratio = [](const std::optional<double>& a,
                        const std::optional<double>& b) -> std::optional<double> {
    if (!a || !b || *b <= 0) return std::nullopt;
    return *a / *b;
  };
  const auto figures_for = [&](StrategyRow& row) {
    row.profile = profile.figures_for(row.benchmark);
    // callgrind runs the Google Benchmark binary; the Go rows come from go test.
    if (row.language == "go" && !profile.benchmarks.contains(row.benchmark)) {
      row.profile->missing = row.profile->cycles_missing =
          "a Go row: the profile pass runs the Google Benchmark binary only";
    }
    const std::string why = profile_missing_text(*row.profile);
    if (!why.empty()) row.warnings.push_back("profile figures missing: " + why);
  };
  for (CaseGroup& group : report.groups) {
    for (StrategyRow& row : group.rows) figures_for(row);
    const StrategyRow* base = group.baseline();
    if (base == nullptr) continue;
    const ProfileFigures base_figures = *base->profile;
    for (StrategyRow& row : group.rows) {
      row.profile->instructions_vs_baseline =
          ratio(row.profile->instructions, base_figures.instructions);
      row.profile->cycles_vs_baseline = ratio(row.profile->cycles, base_figures.cycles);
    }
  }
  for (StrategyRow& row : report.other) figures_for(row);
  assign_profiled_hot_symbols(report);
  report.profile = std::move(profile);
  report.profile_absent.clear();
}

}  // namespace deferlab::reports

#include "reports/report_model.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <map>
#include <set>

#include "disasm/disasm_json.h"
#include "disasm/go_defer.h"
#include "harness/error.h"
#include "harness/json_reader.h"
#include "reports/derived_manifest.h"
#include "reports/figures.h"
#include "reports/format.h"

namespace deferlab::reports {
namespace {

std::string percent(double fraction) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f%%", fraction * 100);
  return text;
}

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

// Each row's ratio to the group's baseline, when the baseline has samples.
void add_ratios(CaseGroup& group) {
  const auto usable = [](const StrategyRow* r) {
    return r != nullptr && !r->failed && !r->samples_ns.empty();
  };
  // Copies: the rows are written below.
  const StrategyRow* base = group.baseline();
  const std::vector<double> base_samples = usable(base) ? base->samples_ns : std::vector<double>();
  const StrategyRow* go_base = group.row_of(kGoBaselineStrategy);
  const std::vector<double> go_samples =
      usable(go_base) ? go_base->samples_ns : std::vector<double>();
  for (StrategyRow& row : group.rows) {
    if (!usable(&row)) continue;
    if (!base_samples.empty())
      row.vs_baseline = time_ratio(row.samples_ns, base_samples, kRunConfidence);
    if (row.language == "go" && !go_samples.empty())
      row.vs_go_manual = time_ratio(row.samples_ns, go_samples, kRunConfidence);
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
      add_ratios(group);
      report.groups.push_back(std::move(group));
    }
  }
}

// The defer mechanism of a Go hot function: its own, or, when it has no defer, that of
// the function literals it defines (pkg.f.func1: the usual fix moves the defer there).
std::string go_defer_mechanism(const std::map<std::string, disasm::AnnotatedFunction>& functions,
                               const disasm::AnnotatedFunction& hot) {
  const disasm::GoDefers own = disasm::classify_go_defers(hot);
  if (own.has_defers()) return own.mechanisms();
  const std::string prefix = hot.range.name + ".func";
  std::set<std::string> found;
  for (auto it = functions.lower_bound(prefix);
       it != functions.end() && it->first.compare(0, prefix.size(), prefix) == 0; ++it) {
    const disasm::GoDefers d = disasm::classify_go_defers(it->second);
    if (d.has_defers()) found.insert(d.mechanisms());
  }
  if (found.empty()) return "none";
  std::string out;
  for (const std::string& m : found) out += (out.empty() ? "" : " + ") + m;
  return out + " in a function literal";
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
    row.warnings.push_back("noisy: CV " + percent(row.time.cv) + " is above " + percent(kNoisyCv));
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

std::string go_defer_text(const StrategyRow& row) {
  if (row.language != "go") return "";
  std::string host;
  std::string others;
  for (const auto& [arch, path] : row.hot_paths) {
    if (path.go_defer.empty()) continue;
    if (arch == "x86-64") host = path.go_defer;
  }
  for (const auto& [arch, path] : row.hot_paths) {
    if (arch != "x86-64" && !path.go_defer.empty() && path.go_defer != host)
      others += "; " + arch + ": " + path.go_defer;
  }
  if (host.empty() && others.empty()) return "-";
  return host.empty() ? others.substr(2) : host + others;
}

std::string go_rows_note(bool lab_cases) {
  // A user's Go benchmarks report what -benchmem prints unless they report exact counts.
  if (!lab_cases) {
    return "Go rows: ns/op of go test -bench; allocs and bytes per iteration are the "
           "benchmark's exact allocs/iter when it reports one, else Go's allocs/op and B/op "
           "(integer divisions by b.N, rounded down)";
  }
  return std::string(
             "go_* rows: Go's own defer (cases/go), ns/op of go test -bench with "
             "allocs and bytes from runtime.MemStats over the timed loop (bytes by "
             "size class), GC off; vs ") +
         kGoBaselineStrategy +
         ": the same ratio against the Go floor; defer: the mechanism "
         "in the Go hot function's instructions";
}

disasm::DiffOptions report_diff_options(const std::string& arch) {
  static const std::set<std::string> x86 = disasm::register_names(disasm::Arch::kX86_64);
  static const std::set<std::string> arm = disasm::register_names(disasm::Arch::kAArch64);
  disasm::DiffOptions options;
  options.registers = arch == "aarch64" ? &arm : &x86;
  options.max_instructions = kMaxReportDiffInstructions;
  return options;
}

void attach_disasm(RunReport& report, const nlohmann::json& disasm_set,
                   const std::string& source_name) {
  const json::Source source{source_name, "regenerate it with deferlab run"};
  const json::Node root(disasm_set, source);
  for (const auto& [arch, document] : root["architectures"].members()) {
    report.architectures.push_back(arch);
    if (const auto binary = document.find("binary")) {
      report.binaries[arch] = binary->string_or("path", "");
    }
    for (disasm::AnnotatedFunction& f : disasm::read_disasm_document(document)) {
      const std::string name = f.range.name;
      report.functions[arch].emplace(name, std::move(f));
    }
  }
  // The Go cases' functions, from their own binaries: Go symbols ("pkg.name") never
  // collide with C++ ones, so they share each architecture's map.
  if (const auto go = root.find("go")) {
    for (const auto& [arch, document] : go->members()) {
      if (std::find(report.architectures.begin(), report.architectures.end(), arch) ==
          report.architectures.end())
        report.architectures.push_back(arch);
      if (const auto binary = document.find("binary")) {
        report.binaries["go " + arch] = binary->string_or("path", "");
      }
      for (disasm::AnnotatedFunction& f : disasm::read_disasm_document(document)) {
        const std::string name = f.range.name;
        report.functions[arch].emplace(name, std::move(f));
      }
    }
  }
  // The host's architecture first, then the others, as every table lists them.
  std::stable_sort(
      report.architectures.begin(), report.architectures.end(),
      [](const std::string& a, const std::string& b) { return (a == "x86-64") > (b == "x86-64"); });
  assign_profiled_hot_symbols(report);
  for (CaseGroup& group : report.groups) {
    for (StrategyRow& row : group.rows) {
      // A Go row's code is compared with Go's floor, not with the C++ baseline's.
      const StrategyRow* base =
          row.language == "go" ? group.row_of(kGoBaselineStrategy) : group.baseline();
      for (const std::string& arch : report.architectures) {
        const auto& functions = report.functions[arch];
        const auto f = functions.find(row.hot_symbol);
        if (f == functions.end()) continue;
        HotPath path;
        path.summary = f->second.summary;
        if (row.language == "go") path.go_defer = go_defer_mechanism(functions, f->second);
        if (base != nullptr) {
          const auto b = functions.find(base->hot_symbol);
          if (b != functions.end() &&
              !disasm::within_diff_limit(b->second, f->second, report_diff_options(arch))) {
            row.warnings.push_back(arch + " hot path not diffed against the baseline: over " +
                                   std::to_string(kMaxReportDiffInstructions) + " instructions");
          } else if (b != functions.end()) {
            const disasm::FunctionDiff d =
                disasm::diff_functions(b->second, f->second, report_diff_options(arch));
            path.has_diff = true;
            path.match_percent = d.match_percent;
            path.delta = d.delta;
            path.instructions_added = d.inserted + d.replaced;
            path.instructions_removed = d.deleted + d.replaced;
          }
        }
        row.hot_paths[arch] = path;
      }
      // The same instructions as the baseline but a different time: not the strategy.
      // (Pairs of other strategies are checked below, once per group.)
      const auto x86 = row.hot_paths.find("x86-64");
      if (!row.is_baseline && row.language != "go" && x86 != row.hot_paths.end() &&
          x86->second.has_diff && x86->second.match_percent == 100.0 && row.vs_baseline &&
          (row.vs_baseline->low > 1.0 || row.vs_baseline->high < 1.0)) {
        row.warnings.push_back(
            "same instructions as the baseline, yet the time differs: code placement or "
            "measurement, not the strategy");
      }
    }
    // Strategies that compile to the same instructions yet measure apart: the gap is code
    // placement or measurement, and a reader should credit no strategy with it. One note
    // per set of identical functions.
    const auto x86 = report.functions.find("x86-64");
    if (x86 == report.functions.end()) continue;
    std::vector<int> set_of(group.rows.size(), -1);
    int sets = 0;
    for (std::size_t i = 0; i < group.rows.size(); ++i) {
      if (set_of[i] != -1) continue;
      const auto fi = x86->second.find(group.rows[i].hot_symbol);
      if (fi == x86->second.end() || group.rows[i].failed || group.rows[i].samples_ns.empty())
        continue;
      set_of[i] = sets++;
      for (std::size_t j = i + 1; j < group.rows.size(); ++j) {
        const auto fj = x86->second.find(group.rows[j].hot_symbol);
        if (set_of[j] != -1 || fj == x86->second.end() || group.rows[j].failed ||
            group.rows[j].samples_ns.empty() ||
            !disasm::within_diff_limit(fi->second, fj->second, report_diff_options("x86-64")))
          continue;
        if (disasm::diff_functions(fi->second, fj->second, report_diff_options("x86-64"))
                .match_percent == 100.0) {
          set_of[j] = set_of[i];
        }
      }
    }
    for (int set = 0; set < sets; ++set) {
      const StrategyRow* fastest = nullptr;
      const StrategyRow* slowest = nullptr;
      std::string names;
      int members = 0;
      for (std::size_t i = 0; i < group.rows.size(); ++i) {
        if (set_of[i] != set) continue;
        const StrategyRow& row = group.rows[i];
        names += (names.empty() ? "" : ", ") + row.strategy;
        ++members;
        if (fastest == nullptr || row.time.median < fastest->time.median) fastest = &row;
        if (slowest == nullptr || row.time.median > slowest->time.median) slowest = &row;
      }
      if (members < 2) continue;
      const stats::Ratio r = time_ratio(slowest->samples_ns, fastest->samples_ns, kRunConfidence);
      if (r.low <= 1.0) continue;  // within the noise
      group.warnings.push_back(names + " run the same x86-64 instructions, yet " +
                               slowest->strategy + " measures " + format_ratio(r.estimate) +
                               " of " + fastest->strategy +
                               ": code placement or measurement, not the strategy");
    }
  }
}

void assign_profiled_hot_symbols(RunReport& report) {
  const auto x86 = report.functions.find("x86-64");
  if (x86 == report.functions.end()) return;
  const auto assign = [&](StrategyRow& row) {
    if (!row.hot_symbol.empty() || !row.profile) return;
    for (const ProfiledFunction& f : row.profile->hot_functions) {
      if (!x86->second.contains(f.symbol)) continue;
      row.hot_symbol = f.symbol;
      row.hot_symbol_demangled = f.demangled;
      return;
    }
  };
  for (CaseGroup& group : report.groups) {
    for (StrategyRow& row : group.rows) assign(row);
  }
  for (StrategyRow& row : report.other) assign(row);
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

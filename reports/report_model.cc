#include "reports/report_model.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>

#include "disasm/disasm_json.h"
#include "harness/error.h"
#include "reports/format.h"

namespace deferlab::reports {
namespace {

std::string percent(double fraction) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f%%", fraction * 100);
  return text;
}

// Checked access to the manifest, which is read from a file like any other input.
class ManifestReader {
 public:
  explicit ManifestReader(const nlohmann::json& manifest) : manifest_(manifest) {}

  [[noreturn]] void fail(const std::string& what) const {
    throw Error("malformed case manifest: " + what, "cases.json",
                "regenerate it with `deferlab_bench --deferlab_cases`");
  }

  const nlohmann::json& array(const nlohmann::json& object, const char* key) const {
    const auto it = object.find(key);
    if (it == object.end() || !it->is_array()) fail(std::string("\"") + key + "\" is not an array");
    return *it;
  }

  std::string string(const nlohmann::json& object, const char* key) const {
    const auto it = object.find(key);
    if (it == object.end() || !it->is_string()) {
      fail(std::string("\"") + key + "\" is missing or not a string");
    }
    return it->get<std::string>();
  }

 private:
  const nlohmann::json& manifest_;
};

}  // namespace

const StrategyRow* CaseGroup::baseline() const {
  for (const StrategyRow& row : rows) {
    if (row.is_baseline) return &row;
  }
  return nullptr;
}

StrategyRow make_row(const BenchmarkResult& result) {
  StrategyRow row;
  row.benchmark = result.name;
  row.strategy = result.name;
  row.failed = result.error;
  row.error = result.error_message;
  row.samples_ns = result.real_ns;
  if (!row.samples_ns.empty()) row.time = stats::summarize(row.samples_ns);
  row.heap_allocs = result.counter_median("heap_allocs");
  row.heap_bytes = result.counter_median("heap_bytes");
  row.heap_frees = result.counter_median("heap_frees");
  if (row.failed) row.warnings.push_back("failed: " + result.error_message);
  if (row.time.n >= 2 && row.time.cv > kNoisyCv) {
    row.warnings.push_back("noisy: CV " + percent(row.time.cv) + " is above " + percent(kNoisyCv));
  }
  if (result.aggregates_only) {
    row.warnings.push_back("only aggregates in the file: one sample, no dispersion");
  }
  return row;
}

RunReport build_run_report(const BenchResults& bench, const nlohmann::json* manifest,
                           const std::string& baseline_strategy) {
  RunReport report;
  report.context = bench.context;
  report.baseline_strategy = baseline_strategy;
  for (const BenchmarkResult& b : bench.benchmarks) {
    report.repetitions = std::max(report.repetitions, b.real_ns.size());
  }

  std::map<std::string, bool> described;  // benchmark names the manifest covers
  if (manifest != nullptr) {
    const ManifestReader reader(*manifest);
    if (!manifest->is_object()) reader.fail("the top level is not an object");
    std::map<std::string, int> strategy_rank;
    for (const nlohmann::json& s : reader.array(*manifest, "strategies")) {
      strategy_rank[reader.string(s, "name")] = s.value("rank", 0);
    }
    for (const nlohmann::json& scenario : reader.array(*manifest, "scenarios")) {
      const std::string name = reader.string(scenario, "name");
      for (const nlohmann::json& param : reader.array(scenario, "params")) {
        if (!param.is_string()) reader.fail("a parameter of " + name + " is not a string");
        CaseGroup group;
        group.scenario = name;
        group.scenario_summary = scenario.value("summary", "");
        group.param = param.get<std::string>();
        for (const nlohmann::json& c : reader.array(*manifest, "cases")) {
          if (reader.string(c, "scenario") != name || reader.string(c, "param") != group.param) {
            continue;
          }
          const std::string benchmark = reader.string(c, "benchmark");
          const BenchmarkResult* result = bench.find(benchmark);
          if (result == nullptr) continue;  // filtered out of this run
          described[benchmark] = true;
          StrategyRow row = make_row(*result);
          row.strategy = reader.string(c, "strategy");
          row.fidelity = c.value("fidelity", "");
          row.notes = c.value("notes", "");
          if (const auto symbol = c.find("hot_symbol"); symbol != c.end() && symbol->is_object()) {
            row.hot_symbol = symbol->value("mangled", "");
            row.hot_symbol_demangled = symbol->value("demangled", row.hot_symbol);
          }
          row.is_baseline = row.strategy == baseline_strategy;
          if (c.contains("parameters") && c["parameters"].is_object()) {
            group.parameters = c["parameters"];
          }
          group.rows.push_back(std::move(row));
        }
        if (group.rows.empty()) continue;
        std::stable_sort(group.rows.begin(), group.rows.end(),
                         [&](const StrategyRow& a, const StrategyRow& b) {
                           return strategy_rank[a.strategy] < strategy_rank[b.strategy];
                         });
        if (const StrategyRow* base = group.baseline();
            base != nullptr && !base->failed && !base->samples_ns.empty()) {
          const std::vector<double> base_samples = base->samples_ns;
          for (StrategyRow& row : group.rows) {
            if (row.failed || row.samples_ns.empty()) continue;
            row.vs_baseline = stats::ratio_interval(row.samples_ns, base_samples);
          }
        }
        report.groups.push_back(std::move(group));
      }
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

disasm::DiffOptions report_diff_options(const std::string& arch) {
  static const std::set<std::string> x86 = disasm::register_names(disasm::Arch::kX86_64);
  static const std::set<std::string> arm = disasm::register_names(disasm::Arch::kAArch64);
  disasm::DiffOptions options;
  options.registers = arch == "aarch64" ? &arm : &x86;
  return options;
}

void attach_disasm(RunReport& report, const nlohmann::json& disasm_set) {
  if (!disasm_set.is_object() || !disasm_set.contains("architectures") ||
      !disasm_set["architectures"].is_object()) {
    throw Error("malformed disasm.json: no \"architectures\" object", "disasm.json",
                "regenerate it with deferlab run");
  }
  for (const auto& [arch, document] : disasm_set["architectures"].items()) {
    report.architectures.push_back(arch);
    if (document.contains("binary") && document["binary"].is_object()) {
      report.binaries[arch] = document["binary"].value("path", "");
    }
    for (disasm::AnnotatedFunction& f : disasm::read_disasm_document(document, "disasm.json")) {
      const std::string name = f.range.name;
      report.functions[arch].emplace(name, std::move(f));
    }
  }
  // The host's architecture first, then the others, as every table lists them.
  std::stable_sort(
      report.architectures.begin(), report.architectures.end(),
      [](const std::string& a, const std::string& b) { return (a == "x86-64") > (b == "x86-64"); });
  for (CaseGroup& group : report.groups) {
    const StrategyRow* base = group.baseline();
    for (StrategyRow& row : group.rows) {
      for (const std::string& arch : report.architectures) {
        const auto& functions = report.functions[arch];
        const auto f = functions.find(row.hot_symbol);
        if (f == functions.end()) continue;
        HotPath path;
        path.summary = f->second.summary;
        if (base != nullptr) {
          const auto b = functions.find(base->hot_symbol);
          if (b != functions.end()) {
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
      if (!row.is_baseline && x86 != row.hot_paths.end() && x86->second.has_diff &&
          x86->second.match_percent == 100.0 && row.vs_baseline &&
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
      if (fi == x86->second.end() || group.rows[i].samples_ns.empty()) continue;
      set_of[i] = sets++;
      for (std::size_t j = i + 1; j < group.rows.size(); ++j) {
        const auto fj = x86->second.find(group.rows[j].hot_symbol);
        if (set_of[j] != -1 || fj == x86->second.end() || group.rows[j].samples_ns.empty())
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
      const stats::Ratio r = stats::ratio_interval(slowest->samples_ns, fastest->samples_ns);
      if (r.low <= 1.0) continue;  // within the noise
      group.warnings.push_back(names + " run the same x86-64 instructions, yet " +
                               slowest->strategy + " measures " + format_ratio(r.estimate) +
                               " of " + fastest->strategy +
                               ": code placement or measurement, not the strategy");
    }
  }
}

}  // namespace deferlab::reports

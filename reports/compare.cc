#include "reports/compare.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>

#include <fmt/format.h>

#include "harness/error.h"
#include "reports/format.h"
#include "reports/run_directory.h"

namespace deferlab::reports {
namespace {

namespace fs = std::filesystem;

// compare.py's advice: below 9 repetitions the U test has little power.
constexpr std::size_t kEnoughRepetitions = 9;

const disasm::AnnotatedFunction* hot_function(const RunReport& run, const std::string& benchmark,
                                              std::string* symbol) {
  const auto functions = run.functions.find("x86-64");
  if (functions == run.functions.end()) return nullptr;
  for (const CaseGroup& g : run.groups) {
    for (const StrategyRow& row : g.rows) {
      if (row.benchmark != benchmark) continue;
      const auto f = functions->second.find(row.hot_symbol);
      if (f == functions->second.end()) return nullptr;
      *symbol = row.hot_symbol_demangled.empty() ? row.hot_symbol : row.hot_symbol_demangled;
      return &f->second;
    }
  }
  return nullptr;
}

}  // namespace

CompareInput load_compare_input(const fs::path& path) {
  std::error_code ec;
  CompareInput input;
  input.source = path.string();
  if (fs::is_directory(path, ec)) {
    if (!fs::exists(path / "bench.json", ec)) {
      throw Error("no bench.json in this directory", path.string(),
                  "pass a run directory or a Google Benchmark JSON file");
    }
    input.bench = load_bench_file(path / "bench.json");
    if (fs::exists(path / "cases.json", ec)) input.run = load_run_directory(path, "goto_cleanup");
    return input;
  }
  input.bench = load_bench_file(path);
  return input;
}

Gate parse_gate(const std::string& text) {
  const auto fail = [&]() -> Error {
    return Error("not a gate: '" + text + "'", "--fail-on",
                 "write time:+5% (significantly slower by more than 5 %), allocs:+0 (any more "
                 "allocations) or bytes:+N");
  };
  const std::size_t colon = text.find(':');
  if (colon == std::string::npos) throw fail();
  Gate gate;
  gate.text = text;
  const std::string kind = text.substr(0, colon);
  std::string amount = text.substr(colon + 1);
  if (kind == "time") {
    gate.kind = Gate::Kind::kTime;
    if (amount.empty() || amount.back() != '%') throw fail();
    amount.pop_back();
  } else if (kind == "allocs") {
    gate.kind = Gate::Kind::kAllocs;
  } else if (kind == "bytes") {
    gate.kind = Gate::Kind::kBytes;
  } else {
    throw fail();
  }
  if (!amount.empty() && amount.front() == '+') amount.erase(0, 1);
  double value = 0;
  const auto [end, ec] = std::from_chars(amount.data(), amount.data() + amount.size(), value);
  if (amount.empty() || ec != std::errc() || end != amount.data() + amount.size() || value < 0) {
    throw fail();
  }
  gate.threshold = gate.kind == Gate::Kind::kTime ? value / 100 : value;
  return gate;
}

Comparison compare_runs(const CompareInput& base, const CompareInput& head, double alpha,
                        const std::vector<Gate>& gates) {
  Comparison c;
  c.base_source = base.source;
  c.head_source = head.source;
  c.alpha = alpha;
  c.gates = gates;
  std::vector<double> ratios;
  std::size_t fewest = SIZE_MAX;
  for (const BenchmarkResult& b : base.bench.benchmarks) {
    const BenchmarkResult* h = head.bench.find(b.name);
    if (h == nullptr) {
      c.only_in_base.push_back(b.name);
      continue;
    }
    CompareRow row;
    row.name = b.name;
    row.base_allocs = b.counter_median("heap_allocs");
    row.head_allocs = h->counter_median("heap_allocs");
    row.base_bytes = b.counter_median("heap_bytes");
    row.head_bytes = h->counter_median("heap_bytes");
    if (b.error || h->error || b.real_ns.empty() || h->real_ns.empty()) {
      row.verdict = "not compared";
      row.warnings.push_back(b.error || h->error ? "a side reported an error"
                                                 : "a side has no samples");
      c.rows.push_back(std::move(row));
      continue;
    }
    row.base = stats::summarize(b.real_ns);
    row.head = stats::summarize(h->real_ns);
    row.change = stats::ratio_interval(h->real_ns, b.real_ns, 1 - alpha);
    row.test = stats::mann_whitney_u(b.real_ns, h->real_ns);
    const bool significant = row.test->p_value < alpha;
    row.verdict = !significant                        ? "no significant change"
                  : row.head.median < row.base.median ? "faster"
                                                      : "slower";
    ratios.push_back(row.head.median / row.base.median);
    fewest = std::min({fewest, b.real_ns.size(), h->real_ns.size()});
    for (const auto& [side, s] : {std::pair{"base", row.base}, std::pair{"head", row.head}}) {
      if (s.cv > kNoisyCv)
        row.warnings.push_back(std::string(side) + " is noisy: CV " + format_percent(s.cv));
    }
    if (base.run && head.run) {
      std::string base_symbol;
      std::string head_symbol;
      const disasm::AnnotatedFunction* fb = hot_function(*base.run, b.name, &base_symbol);
      const disasm::AnnotatedFunction* fh = hot_function(*head.run, b.name, &head_symbol);
      if (fb != nullptr && fh != nullptr) {
        const disasm::FunctionDiff d =
            disasm::diff_functions(*fb, *fh, report_diff_options("x86-64"));
        row.code = CodeChange{head_symbol, d.match_percent, d.delta};
      }
    }
    for (const Gate& gate : gates) {
      switch (gate.kind) {
        case Gate::Kind::kTime:
          if (significant && row.head.median > row.base.median &&
              row.head.median / row.base.median > 1 + gate.threshold) {
            row.failed_gates.push_back(gate.text);
            c.failures.push_back(row.name + ": " +
                                 format_signed_percent(row.head.median / row.base.median - 1) +
                                 " slower (p = " + std::to_string(row.test->p_value).substr(0, 6) +
                                 "), over " + gate.text);
          }
          break;
        case Gate::Kind::kAllocs:
        case Gate::Kind::kBytes: {
          // The exact counters: any increase beyond the threshold trips the gate.
          const bool allocs = gate.kind == Gate::Kind::kAllocs;
          const std::optional<double>& before = allocs ? row.base_allocs : row.base_bytes;
          const std::optional<double>& after = allocs ? row.head_allocs : row.head_bytes;
          if (before && after && *after > *before + gate.threshold) {
            row.failed_gates.push_back(gate.text);
            c.failures.push_back(fmt::format("{}: {} per iteration {:g} -> {:g}, over {}", row.name,
                                             allocs ? "heap_allocs" : "heap_bytes", *before, *after,
                                             gate.text));
          }
          break;
        }
      }
    }
    c.rows.push_back(std::move(row));
  }
  for (const BenchmarkResult& h : head.bench.benchmarks) {
    if (base.bench.find(h.name) == nullptr) c.only_in_head.push_back(h.name);
  }
  if (!ratios.empty()) c.geomean_ratio = stats::geomean(ratios);
  if (fewest != SIZE_MAX && fewest < kEnoughRepetitions) {
    c.warnings.push_back("only " + std::to_string(fewest) +
                         " repetitions on a side: the U test needs about 9 or more to detect "
                         "small changes (run with --repetitions 9)");
  }
  return c;
}

}  // namespace deferlab::reports

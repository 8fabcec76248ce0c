// Comparing two runs (compare.h): loading each side, and a row per benchmark in both with
// its time test, exact heap counts, profile figures and code change.
#include "reports/compare.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <map>

#include <fmt/format.h>

#include "common/error.h"
#include "reports/compare_gates.h"
#include "reports/figures.h"
#include "reports/format.h"
#include "reports/go_bench_text.h"
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
  const auto function_of = [&](const StrategyRow& row) -> const disasm::AnnotatedFunction* {
    const auto f = functions->second.find(row.hot_symbol);
    if (f == functions->second.end()) return nullptr;
    *symbol = row.hot_symbol_demangled.empty() ? row.hot_symbol : row.hot_symbol_demangled;
    return &f->second;
  };
  for (const CaseGroup& g : run.groups) {
    for (const StrategyRow& row : g.rows) {
      if (row.benchmark == benchmark) return function_of(row);
    }
  }
  // A user's binary: the hottest function the profile found (report_model.h attach_profile).
  for (const StrategyRow& row : run.other) {
    if (row.benchmark == benchmark) return function_of(row);
  }
  return nullptr;
}

// A Google Benchmark JSON file, or `go test -bench` text (what benchstat reads), by its
// content: JSON starts with '{'.
BenchResults load_bench_or_go_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return load_bench_file(path);  // its error names the file
  std::string text(kMaxGoTextBytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (!looks_like_go_bench_text(text)) return load_bench_file(path);
  return parse_bench_json(go_bench_text_to_json(text, path.string(), {}), path.string());
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
    // The whole run, for the code diff and the profile gates (and why it has no profile).
    input.run = load_run_directory(path, "");
    return input;
  }
  input.bench = load_bench_or_go_text(path);
  return input;
}

namespace {

// Why a side's times cannot be compared, or "".
std::string side_problem(const BenchmarkResult& r, const char* side) {
  if (!r.is_valid()) {
    return fmt::format(
        "invalid in {}: {}{}", side, r.invalid.front(),
        r.invalid.size() > 1 ? fmt::format(" (and {} more)", r.invalid.size() - 1) : std::string());
  }
  if (r.error) {
    return fmt::format("errored in {} of {} repetitions in {}: {}", r.errored_repetitions,
                       r.repetitions_seen, side, r.error_message);
  }
  if (r.real_ns.empty()) return std::string("no samples in ") + side;
  return "";
}

// One exact counter on both sides; values from an errored or invalid side are not shown.
CounterChange counter_change(const BenchmarkResult& b, const BenchmarkResult& h,
                             const std::string& counter) {
  CounterChange c;
  const auto read = [&](const BenchmarkResult& r, const char* side,
                        std::string* tag) -> std::optional<double> {
    std::string problem;
    if (!r.is_valid() || r.error) {
      problem = side_problem(r, side);
      *tag = r.is_valid() ? "errored" : "invalid";
    } else if (const auto bad = r.invalid_counters.find(counter); bad != r.invalid_counters.end()) {
      problem = counter + " invalid in " + side + ": " + bad->second;
      *tag = "invalid";
    } else if (!r.counters.contains(counter)) {
      problem = "no " + counter + " counter in " + side;
      *tag = "-";
    }
    if (!problem.empty()) {
      if (c.problem.empty()) c.problem = problem;
      return std::nullopt;
    }
    c.amortized = c.amortized || r.is_amortized(counter);
    return r.counter_median(counter);
  };
  c.base = read(b, "BASE", &c.base_tag);
  c.head = read(h, "HEAD", &c.head_tag);
  return c;
}

// The row of `benchmark` in a run, manifest groups first; null when it has none.
const StrategyRow* run_row(const RunReport& run, const std::string& benchmark) {
  for (const CaseGroup& g : run.groups) {
    for (const StrategyRow& row : g.rows) {
      if (row.benchmark == benchmark) return &row;
    }
  }
  for (const StrategyRow& row : run.other) {
    if (row.benchmark == benchmark) return &row;
  }
  return nullptr;
}

// The profile's figures of `benchmark` on one side, or why there are none.
const ProfileFigures* side_profile(const CompareInput& input, const std::string& benchmark,
                                   const char* side, std::string* problem) {
  if (!input.run || !input.run->profile) {
    std::string why = "not a run directory";
    if (input.run)
      why = input.run->profile_absent.empty() ? "no profile.json" : input.run->profile_absent;
    *problem = fmt::format("no profile in {} ({})", side, why);
    return nullptr;
  }
  const StrategyRow* row = run_row(*input.run, benchmark);
  if (row == nullptr || !row->profile) {
    *problem = fmt::format("no profile row in {}", side);
    return nullptr;
  }
  return &*row->profile;
}

// One profile figure on both sides, read by `figure` (a member of ProfileFigures).
ProfileChange profile_change(const ProfileFigures* b, const ProfileFigures* h,
                             const std::string& problem, const char* what,
                             std::optional<double> ProfileFigures::*figure,
                             std::string ProfileFigures::*missing) {
  ProfileChange c;
  c.problem = problem;
  if (b != nullptr) c.base = b->*figure;
  if (h != nullptr) c.head = h->*figure;
  if (c.problem.empty() && !c.base)
    c.problem = fmt::format("{} missing in BASE: {}", what, b->*missing);
  if (c.problem.empty() && !c.head)
    c.problem = fmt::format("{} missing in HEAD: {}", what, h->*missing);
  return c;
}

// The hot functions (by linkage name) whose instructions per iteration differ.
std::vector<std::string> changed_functions(const ProfileFigures& b, const ProfileFigures& h) {
  std::map<std::string, std::pair<const ProfiledFunction*, const ProfiledFunction*>> by_symbol;
  for (const ProfiledFunction& f : b.hot_functions) by_symbol[f.symbol].first = &f;
  for (const ProfiledFunction& f : h.hot_functions) by_symbol[f.symbol].second = &f;
  std::vector<std::string> changed;
  for (const auto& [symbol, pair] : by_symbol) {
    const auto [fb, fh] = pair;
    const std::string& name = (fh != nullptr ? fh : fb)->demangled;
    if (fb != nullptr && fh != nullptr) {
      if (fb->instructions != fh->instructions)
        changed.push_back(
            fmt::format("{}: {:g} -> {:g}", name, fb->instructions, fh->instructions));
    } else if (fh != nullptr) {
      changed.push_back(
          fmt::format("{}: new among the hot functions, {:g}", name, fh->instructions));
    } else {
      changed.push_back(
          fmt::format("{}: no longer among the hot functions (was {:g})", name, fb->instructions));
    }
  }
  return changed;
}

void add_profile_changes(CompareRow& row, const CompareInput& base, const CompareInput& head) {
  std::string problem, head_problem;
  const ProfileFigures* b = side_profile(base, row.name, "BASE", &problem);
  const ProfileFigures* h = side_profile(head, row.name, "HEAD", &head_problem);
  if (problem.empty()) problem = head_problem;
  row.instructions = profile_change(b, h, problem, "instructions", &ProfileFigures::instructions,
                                    &ProfileFigures::missing);
  row.cycles = profile_change(b, h, problem, "cycles", &ProfileFigures::cycles,
                              &ProfileFigures::cycles_missing);
  if (row.instructions.problem.empty() && *row.instructions.base != *row.instructions.head)
    row.changed_functions = changed_functions(*b, *h);
}

CompareRow compare_row(const BenchmarkResult& b, const BenchmarkResult& h, double alpha,
                       const CompareInput& base, const CompareInput& head) {
  CompareRow row;
  row.name = b.name;
  row.allocs = counter_change(b, h, "heap_allocs");
  row.bytes = counter_change(b, h, "heap_bytes");
  // Plain go test output has only Go's allocs/op and B/op, integer divisions by b.N.
  for (const BenchmarkResult* r : {&b, &h}) {
    if (r->allocs_source.find("rounded") != std::string::npos) {
      row.warnings.push_back("allocs and bytes are Go's allocs/op and B/op (" +
                             std::string(r == &b ? "BASE" : "HEAD") +
                             "): integer divisions by b.N, rounded down");
      break;
    }
  }
  // Counts of the code, whatever the times say (an errored timed run included).
  add_profile_changes(row, base, head);
  row.problem = side_problem(b, "BASE");
  if (row.problem.empty()) row.problem = side_problem(h, "HEAD");
  if (!row.problem.empty()) {
    row.verdict = !b.is_valid() || !h.is_valid() ? "invalid"
                  : b.error || h.error           ? "errored"
                                                 : "not compared";
    row.warnings.push_back(row.problem);
    return row;
  }
  row.base = stats::summarize(b.real_ns);
  row.head = stats::summarize(h.real_ns);
  row.change = time_ratio(h.real_ns, b.real_ns, 1 - alpha);
  if (b.aggregates_only || h.aggregates_only) {
    row.verdict = "not compared";
    row.problem = fmt::format("only aggregates in {}: one sample a side, nothing to test",
                              b.aggregates_only ? "BASE" : "HEAD");
    row.warnings.push_back(row.problem);
    return row;
  }
  row.test = stats::mann_whitney_u(b.real_ns, h.real_ns);
  row.verdict = !(row.test->p_value < alpha) ? "no significant change"
                : row.change->estimate < 1   ? "faster"
                                             : "slower";
  for (const auto& [side, s] : {std::pair{"base", row.base}, std::pair{"head", row.head}}) {
    if (s.cv > kNoisyCv)
      row.warnings.push_back(std::string(side) + " is noisy: CV " + format_percent(s.cv));
  }
  if (base.run && head.run) {
    std::string base_symbol;
    std::string head_symbol;
    const disasm::AnnotatedFunction* fb = hot_function(*base.run, b.name, &base_symbol);
    const disasm::AnnotatedFunction* fh = hot_function(*head.run, b.name, &head_symbol);
    if (fb != nullptr && fh != nullptr &&
        disasm::within_diff_limit(*fb, *fh, report_diff_options("x86-64"))) {
      const disasm::FunctionDiff d =
          disasm::diff_functions(*fb, *fh, report_diff_options("x86-64"));
      row.code = CodeChange{head_symbol, d.match_percent, d.delta};
    }
  }
  return row;
}

}  // namespace

Comparison compare_runs(const CompareInput& base, const CompareInput& head, double alpha,
                        const std::vector<Gate>& gates) {
  Comparison c;
  c.base_source = base.source;
  c.head_source = head.source;
  c.alpha = alpha;
  c.gates = gates;
  std::vector<double> changes;
  std::size_t fewest = SIZE_MAX;
  for (const BenchmarkResult& b : base.bench.benchmarks) {
    const BenchmarkResult* h = head.bench.find(b.name);
    if (h == nullptr) {
      c.only_in_base.push_back(b.name);
      continue;
    }
    c.rows.push_back(compare_row(b, *h, alpha, base, head));
    const CompareRow& row = c.rows.back();
    if (row.test) {
      changes.push_back(row.change->estimate);
      fewest = std::min({fewest, row.base.n, row.head.n});
    }
  }
  for (const BenchmarkResult& h : head.bench.benchmarks) {
    if (base.bench.find(h.name) == nullptr) c.only_in_head.push_back(h.name);
  }
  if (!changes.empty()) c.geomean_ratio = stats::geomean(changes);
  if (fewest != SIZE_MAX && fewest < kEnoughRepetitions) {
    c.warnings.push_back("only " + std::to_string(fewest) +
                         " repetitions on a side: the U test needs about 9 or more to detect "
                         "small changes (run with --repetitions 9)");
  }
  require_time_gates_can_trip(c);
  apply_gates(c);
  return c;
}

}  // namespace deferlab::reports

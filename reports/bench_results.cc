// Parsing Google Benchmark JSON into per-benchmark samples (bench_results.h), every value
// checked against docs/figures.md.
#include "reports/bench_results.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <iterator>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/error.h"
#include "common/json_reader.h"
#include "harness/statistics.h"
#include "reports/bench_checks.h"
#include "reports/figures.h"

namespace deferlab::reports {

using namespace detail;  // the value checks of bench_checks.h

namespace {

// File-level checks: what decides which benchmark a value belongs to.
class Reader {
 public:
  explicit Reader(std::string source) : source_(std::move(source)) {}

  [[noreturn]] void fail(const std::string& what) const {
    throw Error("not a valid Google Benchmark JSON file: " + what, source_,
                "expected the output of --benchmark_out=FILE --benchmark_out_format=json");
  }

  std::string string(const nlohmann::json& object, const char* key, const std::string& where,
                     const std::string& fallback = {}) const {
    const auto it = object.find(key);
    if (it == object.end()) return fallback;
    if (!it->is_string()) fail(where + "." + key + " is not a string");
    return it->get<std::string>();
  }

 private:
  std::string source_;
};

// What one entry's times say, or why they cannot be used.
struct TimedEntry {
  double real_ns = 0;
  double cpu_ns = 0;
  std::int64_t iterations = 1;
  std::int64_t threads = 1;
  std::string problem;
};

TimedEntry read_times(const nlohmann::json& run, const std::string& where, bool aggregate) {
  TimedEntry e;
  std::string unit = "ns";
  if (const auto u = run.find("time_unit"); u != run.end()) {
    if (!u->is_string()) {
      e.problem = where + ".time_unit is " + describe_type(*u) + ", not a string";
      return e;
    }
    unit = u->get<std::string>();
  }
  const double scale = ns_per_unit(unit);
  if (scale == 0) {
    e.problem = where + ".time_unit '" + unit + "' is not ns, us, ms or s";
    return e;
  }
  e.problem = check_time(run, "real_time", where, scale, &e.real_ns);
  if (e.problem.empty()) e.problem = check_time(run, "cpu_time", where, scale, &e.cpu_ns);
  if (!e.problem.empty() || aggregate) return e;  // an aggregate's "iterations" is its count
  const auto it = run.find("iterations");
  e.problem = it == run.end() ? where + ".iterations is missing"
                              : check_number(*it, where + ".iterations", 1, kMaxCount, true);
  if (!e.problem.empty()) return e;
  e.iterations = it->get<std::int64_t>();
  if (const auto t = run.find("threads"); t != run.end()) {
    e.problem = check_number(*t, where + ".threads", 1, 1 << 20, true);
    if (e.problem.empty()) e.threads = t->get<std::int64_t>();
  }
  return e;
}

// The MemoryManager fields of an entry; `problem` says why they cannot be used.
struct MemoryEntry {
  std::optional<MemoryFields> fields;
  std::string problem;
};

MemoryEntry read_memory_fields(const nlohmann::json& run, const std::string& where) {
  MemoryEntry e;
  const auto allocs = run.find("allocs_per_iter");
  if (allocs == run.end()) {
    if (run.contains("max_bytes_used"))
      e.problem = where + " has max_bytes_used without allocs_per_iter";
    return e;
  }
  MemoryFields f;
  auto field = [&](const char* key, double low, bool required, std::optional<double>* out) {
    if (!e.problem.empty()) return;
    const auto it = run.find(key);
    if (it == run.end()) {
      if (required) e.problem = where + "." + key + " is missing";
      return;
    }
    e.problem =
        check_number(*it, where + "." + key, low, kMaxCount, std::string(key) != "allocs_per_iter");
    if (e.problem.empty()) *out = it->get<double>();
  };
  std::optional<double> allocs_per_iter;
  std::optional<double> max_bytes_used;
  field("allocs_per_iter", 0, true, &allocs_per_iter);
  field("max_bytes_used", 0, true, &max_bytes_used);
  field("total_allocated_bytes", 0, false, &f.total_allocated_bytes);
  field("net_heap_growth", -kMaxCount, false, &f.net_heap_growth);
  if (!e.problem.empty()) return e;
  f.allocs_per_iter = *allocs_per_iter;
  f.max_bytes_used = *max_bytes_used;
  e.fields = f;
  return e;
}

}  // namespace

std::optional<double> BenchmarkResult::counter_median(const std::string& counter) const {
  const auto it = counters.find(counter);
  if (it == counters.end() || it->second.empty()) return std::nullopt;
  return stats::median(it->second);
}

bool BenchmarkResult::is_amortized(const std::string& counter) const {
  const auto it = counters.find(counter);
  return it != counters.end() && reports::is_amortized(it->second);
}

const BenchmarkResult* BenchResults::find(const std::string& name) const {
  for (const BenchmarkResult& b : benchmarks) {
    if (b.name == name) return &b;
  }
  return nullptr;
}

namespace {

// A benchmark while its entries are read: the MemoryManager fields of each valid
// repetition wait here until the exact counters of every repetition are known.
struct Pending {
  std::vector<std::optional<MemoryFields>> memory;
};

// The user counters of one valid entry, appended to `b` (see BenchmarkResult::counters).
void read_counters(const nlohmann::json& run, const std::string& where, BenchmarkResult& b) {
  for (const auto& [key, value] : run.items()) {
    if (standard_fields().contains(key) || b.invalid_counters.contains(key)) continue;
    std::string problem;
    if (is_exact_counter(key)) {
      problem = check_number(value, where + "." + key, 0, kMaxCount, false);
    } else if (value.is_null()) {
      problem = where + "." + key + " is null (NaN or infinite)";
    } else if (!value.is_number()) {
      continue;  // not a counter: Google Benchmark writes counters as numbers
    }
    if (!problem.empty()) {
      b.invalid_counters[key] = problem;
      b.counters.erase(key);
      continue;
    }
    b.counters[key].push_back(value.get<double>());
  }
}

// The descriptive strings of an entry (not counters, not checked beyond their type).
void read_labels(const nlohmann::json& run, BenchmarkResult& b) {
  const auto label = [&](const char* key, std::string& out) {
    const auto it = run.find(key);
    if (it != run.end() && it->is_string() && out.empty()) out = it->get<std::string>();
  };
  label("language", b.language);
  label("deferlab_allocs_source", b.allocs_source);
}

void read_iteration_entry(const nlohmann::json& run, const std::string& where, BenchmarkResult& b,
                          Pending& pending) {
  ++b.repetitions_seen;
  read_labels(run, b);
  bool errored = false;
  if (const auto e = run.find("error_occurred"); e != run.end()) {
    if (!e->is_boolean()) {
      b.invalid.push_back(where + ".error_occurred is " + describe_type(*e) + ", not a boolean");
      return;
    }
    errored = e->get<bool>();
  }
  if (errored) {
    b.error = true;
    ++b.errored_repetitions;
    const auto m = run.find("error_message");
    if (m != run.end() && !m->is_string()) {
      b.invalid.push_back(where + ".error_message is " + describe_type(*m) + ", not a string");
    } else if (b.error_message.empty() && m != run.end()) {
      b.error_message = m->get<std::string>();
    }
    return;
  }
  const TimedEntry t = read_times(run, where, false);
  if (!t.problem.empty()) {
    b.invalid.push_back(t.problem);
    return;
  }
  b.real_ns.push_back(t.real_ns);
  b.cpu_ns.push_back(t.cpu_ns);
  b.iterations.push_back(t.iterations);
  b.threads.push_back(t.threads);
  read_counters(run, where, b);
  MemoryEntry memory = read_memory_fields(run, where);
  if (!memory.problem.empty() && b.memory_invalid.empty()) b.memory_invalid = memory.problem;
  pending.memory.push_back(memory.fields);
}

// Why repetition i's MemoryManager fields contradict its exact counters, or "".
std::string memory_contradiction(const BenchmarkResult& b, std::size_t i, const MemoryFields& f) {
  // Google Benchmark 1.7.1 measures min(16, iterations per thread) iterations.
  const double m = static_cast<double>(std::min<std::int64_t>(16, b.iterations[i] / b.threads[i]));
  const std::string rep = fmt::format("repetition {}", i);
  const double allocs = f.allocs_per_iter * m;
  if (std::fabs(allocs - std::round(allocs)) > 1e-6) {
    return fmt::format(
        "{}: allocs_per_iter {:g} is not a whole number of allocations over {:g} "
        "iterations",
        rep, f.allocs_per_iter, m);
  }
  if (allocs == 0 && (f.max_bytes_used != 0 || f.total_allocated_bytes.value_or(0) != 0)) {
    return rep + ": bytes used without an allocation";
  }
  if (f.net_heap_growth && *f.net_heap_growth > f.max_bytes_used) {
    return fmt::format("{}: net_heap_growth {:g} exceeds max_bytes_used {:g}", rep,
                       *f.net_heap_growth, f.max_bytes_used);
  }
  const auto heap_allocs = b.counters.find("heap_allocs");
  if (heap_allocs != b.counters.end() && !b.is_amortized("heap_allocs") &&
      f.allocs_per_iter != heap_allocs->second[i]) {
    return fmt::format("{}: allocs_per_iter {:g} contradicts the exact heap_allocs {:g}", rep,
                       f.allocs_per_iter, heap_allocs->second[i]);
  }
  const auto heap_bytes = b.counters.find("heap_bytes");
  if (heap_bytes != b.counters.end() && !b.is_amortized("heap_bytes") && f.total_allocated_bytes &&
      *f.total_allocated_bytes != heap_bytes->second[i] * m) {
    return fmt::format(
        "{}: total_allocated_bytes {:g} contradicts the exact heap_bytes {:g} x {:g} "
        "iterations",
        rep, *f.total_allocated_bytes, heap_bytes->second[i], m);
  }
  return "";
}

// Checks what needs every repetition: counters present in all, MemoryManager fields
// against the exact counters. Clears every number of an invalid benchmark.
void finish(BenchmarkResult& b, const Pending& pending) {
  const std::size_t n = b.real_ns.size();
  for (auto it = b.counters.begin(); it != b.counters.end();) {
    if (it->second.size() != n) {
      b.invalid_counters[it->first] =
          fmt::format("{} is in {} of {} repetitions", it->first, it->second.size(), n);
      it = b.counters.erase(it);
    } else {
      ++it;
    }
  }
  if (!b.is_valid()) {
    b.real_ns.clear();
    b.cpu_ns.clear();
    b.iterations.clear();
    b.threads.clear();
    b.counters.clear();
    return;
  }
  std::size_t with_memory = 0;
  for (const auto& f : pending.memory) with_memory += f.has_value();
  if (!b.memory_invalid.empty() || with_memory == 0) return;
  if (with_memory != n) {
    b.memory_invalid = fmt::format("MemoryManager fields in {} of {} repetitions", with_memory, n);
    return;
  }
  for (std::size_t i = 0; i < n; ++i) {
    b.memory_invalid = memory_contradiction(b, i, *pending.memory[i]);
    if (!b.memory_invalid.empty()) return;
  }
  for (const auto& f : pending.memory) b.memory.push_back(*f);
}

// A benchmark known from its median aggregate alone.
BenchmarkResult read_median_aggregate(const std::string& name, const nlohmann::json& run,
                                      const std::string& where) {
  BenchmarkResult b;
  b.name = name;
  b.aggregates_only = true;
  const TimedEntry t = read_times(run, where, true);
  if (!t.problem.empty()) {
    b.invalid.push_back(t.problem);
    return b;
  }
  b.real_ns.push_back(t.real_ns);
  b.cpu_ns.push_back(t.cpu_ns);
  read_counters(run, where, b);
  return b;
}

}  // namespace

BenchResults parse_bench_json(const nlohmann::json& document, const std::string& source) {
  const Reader reader(source);
  if (!document.is_object()) reader.fail("the top level is not an object");
  const auto benchmarks = document.find("benchmarks");
  if (benchmarks == document.end() || !benchmarks->is_array()) {
    reader.fail("no \"benchmarks\" array");
  }
  BenchResults results;
  if (const auto context = document.find("context"); context != document.end()) {
    if (!context->is_object()) reader.fail("\"context\" is not an object");
    results.context = *context;
  }
  std::map<std::string, std::size_t> index;  // run name -> position in results
  std::vector<Pending> pending;
  std::map<std::string, std::pair<const nlohmann::json*, std::string>> median_aggregates;
  for (std::size_t i = 0; i < benchmarks->size(); ++i) {
    const nlohmann::json& run = (*benchmarks)[i];
    const std::string where = "benchmarks[" + std::to_string(i) + "]";
    if (!run.is_object()) reader.fail(where + " is not an object");
    const std::string name = reader.string(run, "name", where);
    if (name.empty()) reader.fail(where + ".name is missing");
    const std::string run_name = reader.string(run, "run_name", where, name);
    const std::string run_type = reader.string(run, "run_type", where, "iteration");
    if (run_type == "aggregate") {
      if (reader.string(run, "aggregate_name", where) == "median") {
        median_aggregates[run_name] = {&run, where};
      }
      continue;
    }
    if (run_type != "iteration") reader.fail(where + ".run_type '" + run_type + "' is unknown");
    auto [slot, inserted] = index.emplace(run_name, results.benchmarks.size());
    if (inserted) {
      results.benchmarks.emplace_back();
      results.benchmarks.back().name = run_name;
      pending.emplace_back();
    }
    read_iteration_entry(run, where, results.benchmarks[slot->second], pending[slot->second]);
  }
  // The statistics pair every sample of one side with every sample of the other (the
  // Hodges-Lehmann interval sorts m x n differences): bounded here, whatever the file says.
  for (const BenchmarkResult& b : results.benchmarks) {
    if (b.repetitions_seen > kMaxRepetitions) {
      reader.fail(std::to_string(b.repetitions_seen) + " repetitions of " + b.name + ", over the " +
                  std::to_string(kMaxRepetitions) + " deferlab reads");
    }
  }
  for (std::size_t i = 0; i < results.benchmarks.size(); ++i)
    finish(results.benchmarks[i], pending[i]);
  // Files written with aggregates only: the median aggregate stands for the samples.
  for (const auto& [name, entry] : median_aggregates) {
    if (index.contains(name)) continue;
    BenchmarkResult b = read_median_aggregate(name, *entry.first, entry.second);
    finish(b, Pending{});
    results.benchmarks.push_back(std::move(b));
  }
  return results;
}

}  // namespace deferlab::reports

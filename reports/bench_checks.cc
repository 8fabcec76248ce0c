// The value-level checks of docs/figures.md that bench.json's entries go through
// (bench_checks.h).
#include "reports/bench_checks.h"

#include <fmt/format.h>

#include <cmath>

namespace deferlab::reports::detail {

const std::set<std::string>& standard_fields() {
  static const std::set<std::string> fields = {"name",
                                               "family_index",
                                               "per_family_instance_index",
                                               "run_name",
                                               "run_type",
                                               "repetitions",
                                               "repetition_index",
                                               "threads",
                                               "iterations",
                                               "real_time",
                                               "cpu_time",
                                               "time_unit",
                                               "aggregate_name",
                                               "aggregate_unit",
                                               "error_occurred",
                                               "error_message",
                                               "label",
                                               "allocs_per_iter",
                                               "max_bytes_used",
                                               "total_allocated_bytes",
                                               "net_heap_growth",
                                               "big_o",
                                               "rms",
                                               "complexity"};
  return fields;
}

// Nanoseconds per unit of a time_unit; 0 for a unit Google Benchmark does not write.
double ns_per_unit(const std::string& unit) {
  if (unit == "ns") return 1;
  if (unit == "us") return 1e3;
  if (unit == "ms") return 1e6;
  if (unit == "s") return 1e9;
  return 0;
}

// The exact per-iteration heap counters of HeapCounters: counts, so 0 <= value <= 2^40.
bool is_exact_counter(const std::string& key) {
  return key == "heap_allocs" || key == "heap_bytes" || key == "heap_frees";
}

std::string describe_type(const nlohmann::json& value) {
  if (value.is_null()) return "null (NaN or infinite)";
  if (value.is_string()) return "a string";
  if (value.is_boolean()) return "a boolean";
  if (value.is_object()) return "an object";
  if (value.is_array()) return "an array";
  return "a number";
}

std::string check_number(const nlohmann::json& value, const std::string& path, double low,
                         double high, bool integral) {
  if (!value.is_number()) return path + " is " + describe_type(value) + ", not a number";
  const double v = value.get<double>();
  if (!std::isfinite(v)) return path + " is not finite";
  if (integral && v != std::floor(v)) return fmt::format("{} is {:g}, not a whole number", path, v);
  if (v < low || v > high) {
    return fmt::format("{} is {:g}, outside [{:g}, {:g}]", path, v, low, high);
  }
  return "";
}

// A time: finite and > 0 nanoseconds.
std::string check_time(const nlohmann::json& run, const char* key, const std::string& where,
                       double ns_per_unit, double* ns) {
  const auto it = run.find(key);
  const std::string path = where + "." + key;
  if (it == run.end()) return path + " is missing";
  if (!it->is_number()) return path + " is " + describe_type(*it) + ", not a number";
  *ns = it->get<double>() * ns_per_unit;
  if (!std::isfinite(*ns) || !(*ns > 0)) {
    return fmt::format("{} is {:g}; a time must be finite and > 0", path, it->get<double>());
  }
  return "";
}

}  // namespace deferlab::reports::detail

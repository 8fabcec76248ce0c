// Google Benchmark JSON (bench.json, or any binary's --benchmark_out) read into per
// benchmark samples: one time and one value per user counter for each repetition.
//
//   const BenchResults results = load_bench_file("out/latest/bench.json");
//   for (const BenchmarkResult& b : results.benchmarks) use(b.real_ns);
//
// The file is untrusted: every field is type-checked, and anything malformed is an Error
// naming the file and the JSON path.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace deferlab::reports {

struct BenchmarkResult {
  std::string name;             // the run name, e.g. "loop_defer/heap_defer/64"
  std::vector<double> real_ns;  // one per repetition
  std::vector<double> cpu_ns;
  std::vector<std::int64_t> iterations;
  // User counters per repetition (heap_allocs, heap_bytes, heap_frees, ...).
  std::map<std::string, std::vector<double>> counters;
  // Google Benchmark's own MemoryManager fields, from the first repetition.
  std::optional<double> allocs_per_iter;
  std::optional<double> max_bytes_used;
  bool error = false;
  std::string error_message;
  // True when the file held only aggregates (e.g. --benchmark_report_aggregates_only):
  // the samples are then the median aggregate alone.
  bool aggregates_only = false;

  // The median of a counter over repetitions, when the counter exists.
  std::optional<double> counter_median(const std::string& counter) const;
};

struct BenchResults {
  nlohmann::json context = nlohmann::json::object();
  std::vector<BenchmarkResult> benchmarks;  // in file order

  const BenchmarkResult* find(const std::string& name) const;
};

// `source` names the document in error messages.
BenchResults parse_bench_json(const nlohmann::json& document, const std::string& source);

// Reads and parses a file; Error when it is missing, not JSON, or not Google Benchmark's.
BenchResults load_bench_file(const std::filesystem::path& path);

// What a crashed run left in its --benchmark_out file: the document cut after the last
// complete benchmark entry and closed, parsed. Null when nothing complete is left.
nlohmann::json salvage_truncated_bench_json(const std::string& text);

// Reads a JSON file; Error (naming the file) when it cannot be read or parsed.
// Google Benchmark's bare NaN / Infinity numbers are read as null.
nlohmann::json load_json_file(const std::filesystem::path& path);

}  // namespace deferlab::reports

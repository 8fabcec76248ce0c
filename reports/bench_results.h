// Google Benchmark JSON (bench.json, or any binary's --benchmark_out) read into per
// benchmark samples: one time and one value per user counter for each repetition.
//
//   const BenchResults results = load_bench_file("out/latest/bench.json");
//   for (const BenchmarkResult& b : results.benchmarks) use(b.real_ns);
//
// The file is untrusted. What decides which benchmark a value belongs to (the top level,
// the "benchmarks" array, each entry being an object, its name, run_name, run_type and
// aggregate_name) must be well formed or the file is an Error naming the JSON path. Every
// value inside an entry is checked against docs/figures.md: a fault there (a wrong type,
// a zero, negative or non-finite time, a count above 2^40, MemoryManager fields that
// contradict the exact counters) marks that benchmark, counter or field invalid with the
// reason, so it is shown as invalid and never used as a number.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace deferlab::reports {

// The most repetitions of one benchmark a file may hold: comparing two sides sorts
// m x n ratios (8 MB at 1,000 each), so more is refused rather than left to exhaust memory.
inline constexpr std::size_t kMaxRepetitions = 1000;

// Google Benchmark's MemoryManager fields of one repetition (docs/figures.md).
struct MemoryFields {
  double allocs_per_iter = 0;
  double max_bytes_used = 0;
  std::optional<double> total_allocated_bytes;  // absent when the manager did not measure it
  std::optional<double> net_heap_growth;
};

// One benchmark (one run name) over its repetitions. Every value here passed the checks of
// docs/figures.md; what failed them is named in `invalid`, `invalid_counters` or
// `memory_invalid` and is not here as a number.
struct BenchmarkResult {
  std::string name;             // the run name, e.g. "BM_Vector/64"
  std::vector<double> real_ns;  // one per repetition that ran without error
  std::vector<double> cpu_ns;
  std::vector<std::int64_t> iterations;
  std::vector<std::int64_t> threads;
  // User counters per repetition (heap_allocs, heap_bytes, heap_frees, ...). A counter
  // that is missing, non-finite, of the wrong type or out of range in any repetition is
  // left out whole, with the reason in invalid_counters.
  std::map<std::string, std::vector<double>> counters;
  std::map<std::string, std::string> invalid_counters;
  // Google Benchmark's MemoryManager fields, one per repetition, when every repetition has
  // them and they are sane and agree with the exact counters; otherwise empty, with the
  // reason in memory_invalid (empty when the file has no such fields).
  std::vector<MemoryFields> memory;
  std::string memory_invalid;
  bool error = false;  // a repetition reported an error
  std::string error_message;
  std::size_t errored_repetitions = 0;
  std::size_t repetitions_seen = 0;  // iteration entries in the file, errored or not
  // Why the benchmark's times cannot be used: one reason per faulty entry, with its JSON
  // path. When not empty, the samples and counters above are cleared.
  std::vector<std::string> invalid;
  // True when the file held only aggregates (e.g. --benchmark_report_aggregates_only):
  // the samples are then the median aggregate alone.
  bool aggregates_only = false;
  // "go" for rows read from go test output (reports/go_bench_text.h); "" otherwise.
  std::string language;
  // How the heap counters were measured, when the file says (the Go rows do).
  std::string allocs_source;

  bool is_valid() const { return invalid.empty(); }

  // The median of a counter over repetitions, when the counter exists and is valid.
  std::optional<double> counter_median(const std::string& counter) const;

  // True when the counter's per-iteration value depends on the iteration count
  // (figures.h: is_amortized); false for a counter this benchmark lacks.
  bool is_amortized(const std::string& counter) const;
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

// Puts a Google Benchmark document's "benchmarks" entries in `order` (run names, as
// --benchmark_list_tests prints them: registration order), keeping each name's entries in
// the order they came. With random interleaving the binary writes them shuffled; reports
// then list a user's benchmarks the same way on every run. Names not in `order` go last.
void order_benchmarks(nlohmann::json& document, const std::vector<std::string>& order);

// Reads a JSON file through json::load_file (common/json_reader.h): Error (naming the
// file) when it cannot be read or parsed, is over 256 MiB or nests deeper than 256 levels.
// Google Benchmark's bare NaN / Infinity numbers are read as null, raw control bytes in its
// strings as \u00XX escapes.
nlohmann::json load_json_file(const std::filesystem::path& path);

}  // namespace deferlab::reports

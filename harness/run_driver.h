// Drives a Google Benchmark binary: lists what a filter selects, runs it with
// repetitions while reporting progress, and reads the lab's case manifest.
//
//   const auto names = list_benchmarks(binary, "BM_Vector");
//   const BenchmarkRun run = run_benchmarks({binary, "BM_Vector", 5, 0.1}, "raw.json",
//       [](const RunProgress& p) { /* p.done of p.total, p.name just finished */ });
//
// Works on any Google Benchmark binary: only its standard --benchmark_* flags are used.
// The console output is parsed for progress only; results come from --benchmark_out JSON.
#pragma once

#include <cstddef>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harness/subprocess.h"

namespace deferlab::harness {

struct RunOptions {
  std::filesystem::path binary;
  std::string filter;  // a Google Benchmark regex; empty selects everything
  int repetitions = 5;
  double min_time = 0.1;  // seconds each repetition runs for at least
  std::vector<std::string>
      extra_args;              // passed through, e.g. --benchmark_enable_random_interleaving
  double timeout_seconds = 0;  // the whole run's wall-clock limit; 0: none
  // What list_benchmarks returned for this filter, when the caller has it; else listed again.
  std::vector<std::string> listed;
};

// How long listing the benchmarks or reading the manifest may take: a program that does
// not know --benchmark_list_tests may do anything, including wait forever.
constexpr double kListTimeoutSeconds = 60;

struct RunProgress {
  std::size_t done = 0;  // results (one per benchmark and repetition) seen so far
  std::size_t total = 0;
  std::string_view name;  // the benchmark whose result just came
};

struct BenchmarkRun {
  ExitStatus status;  // timed_out or interrupted_by set when the run was stopped
  // Results seen on the console: for progress only. A name with a newline in it can make
  // this wrong; count the JSON's entries for anything that matters.
  std::size_t completed = 0;
  std::size_t expected = 0;              // benchmarks x repetitions
  std::vector<std::string> stderr_tail;  // the binary's last lines on stderr
  std::vector<std::string> console;      // everything it printed on stdout
};

// The benchmark names `filter` selects, in run order (empty when the filter selects
// nothing). Throws Error when the binary does not run, does not answer
// --benchmark_list_tests in time, or lists no benchmark at all (not a Google Benchmark
// binary). A name containing a newline is listed as two: use the count as an estimate.
std::vector<std::string> list_benchmarks(const std::filesystem::path& binary,
                                         const std::string& filter);

// Runs the selected benchmarks with results written to `json_out` by the binary itself.
// A crash, a timeout or an interrupt (harness/interrupt.h) is not an exception: the
// returned status says what happened, the binary's process group is gone, and json_out
// keeps whatever the binary had written.
BenchmarkRun run_benchmarks(const RunOptions& options, const std::filesystem::path& json_out,
                            const std::function<void(const RunProgress&)>& on_progress);

// The lab binary's deferlab.cases/1 manifest (`--deferlab_cases`; the Go cases' binary
// takes `-deferlab.cases`). Throws Error when the binary does not print one.
nlohmann::json read_case_manifest(const std::filesystem::path& binary,
                                  const std::string& flag = "--deferlab_cases");

// Facts about this machine and checkout for bench.json's context: host, kernel, CPU
// model, and git commit / dirty flag of `source_dir` when it is a git work tree.
nlohmann::json describe_environment(const std::optional<std::filesystem::path>& source_dir);

}  // namespace deferlab::harness

// Drives a Go test binary (built with `go test -c`) the way run_driver.h drives a Google
// Benchmark binary: its benchmarks run with repetitions (-test.count) under a wall-clock
// limit in their own process group, with progress from the result lines it prints. The
// text it prints is the result; reports/go_bench_text.h reads it.
//
//   GoRunOptions options{.binary = "x.test", .bench = ".", .count = 5, .benchtime = 0.1};
//   const BenchmarkRun run = run_go_benchmarks(options, on_progress);
//   const nlohmann::json doc = reports::go_bench_text_to_json(join(run.console), ...);
#pragma once

#include <cstddef>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "harness/run_driver.h"

namespace deferlab::harness {

struct GoRunOptions {
  std::filesystem::path binary;
  std::string bench = ".";  // -test.bench: Go's regular expression, one part per '/' level
  int count = 5;            // -test.count: repetitions of every benchmark
  double benchtime = 0.1;   // -test.benchtime in seconds: each repetition runs at least this
  std::vector<std::string> extra_args;  // passed after the -test.* flags
  double timeout_seconds = 0;           // the whole run's wall-clock limit; 0: none
  std::size_t expected = 0;             // result lines expected, for progress; 0: unknown
};

// The command line run_go_benchmarks runs (tests and messages show it).
std::vector<std::string> go_benchmark_argv(const GoRunOptions& options);

// Runs the benchmarks. A crash, a timeout or an interrupt is not an exception: the status
// says what happened, and `console` keeps every line printed until then. `completed`
// counts result lines (a "Benchmark..." line with an iteration count).
BenchmarkRun run_go_benchmarks(const GoRunOptions& options,
                               const std::function<void(const RunProgress&)>& on_progress);

// The Go version a binary was built with ("go1.19.8"), from `go version BINARY`; "" when
// no go command answers.
std::string go_version_of(const std::filesystem::path& binary);

}  // namespace deferlab::harness

// Running a Go test binary's benchmarks with repetitions and a time limit (go_runner.h).
#include "harness/go_runner.h"

#include <algorithm>
#include <charconv>
#include <deque>
#include <sstream>

#include "common/error.h"
#include "harness/subprocess.h"

namespace deferlab::harness {
namespace {

// The name of a result line ("BenchmarkX/y-8   100   12.5 ns/op ..."), or "".
std::string_view result_name(std::string_view line) {
  if (line.rfind("Benchmark", 0) != 0) return {};
  const std::size_t name_end = line.find_first_of(" \t");
  if (name_end == std::string_view::npos) return {};
  const std::size_t count = line.find_first_not_of(" \t", name_end);
  if (count == std::string_view::npos) return {};
  const std::size_t count_end = std::min(line.find_first_of(" \t", count), line.size());
  long long n = 0;
  const auto [end, ec] = std::from_chars(line.data() + count, line.data() + count_end, n);
  if (ec != std::errc() || end != line.data() + count_end) return {};
  return line.substr(0, name_end);
}

// git and go answer in well under a second; a hung one must not hang the run.
constexpr double kQueryTimeoutSeconds = 30;

}  // namespace

std::vector<std::string> go_benchmark_argv(const GoRunOptions& options) {
  std::ostringstream benchtime;
  benchtime << options.benchtime << "s";
  std::vector<std::string> argv = {options.binary.string(),
                                   "-test.run=^$",  // no tests, no examples: benchmarks only
                                   "-test.bench=" + options.bench,
                                   "-test.benchmem",
                                   "-test.count=" + std::to_string(options.count),
                                   "-test.benchtime=" + benchtime.str()};
  argv.insert(argv.end(), options.extra_args.begin(), options.extra_args.end());
  return argv;
}

BenchmarkRun run_go_benchmarks(const GoRunOptions& options,
                               const std::function<void(const RunProgress&)>& on_progress) {
  BenchmarkRun run;
  run.expected = options.expected;
  std::deque<std::string> tail;
  ProcessOptions process;
  process.timeout_seconds = options.timeout_seconds;
  process.return_when_interrupted = true;
  run.status = run_process(
      go_benchmark_argv(options),
      [&](std::string_view line) {
        run.console.emplace_back(line);
        const std::string_view name = result_name(line);
        if (name.empty()) return;
        ++run.completed;
        if (on_progress) {
          const std::size_t total = std::max(run.expected, run.completed);
          on_progress({run.completed, total, name});
        }
      },
      [&](std::string_view line) {
        tail.emplace_back(line);
        if (tail.size() > 20) tail.pop_front();
      },
      process);
  run.stderr_tail.assign(tail.begin(), tail.end());
  return run;
}

std::string go_version_of(const std::filesystem::path& binary) {
  std::string version;
  try {
    ProcessOptions options;
    options.timeout_seconds = kQueryTimeoutSeconds;
    // "path: go1.19.8"
    const ExitStatus status = run_process(
        {"go", "version", binary.string()},
        [&](std::string_view line) {
          const std::size_t colon = line.rfind(": ");
          if (version.empty() && colon != std::string_view::npos) version = line.substr(colon + 2);
        },
        nullptr, options);
    if (!status.succeeded()) return "";
  } catch (const Error&) {
    return "";
  }
  return version;
}

}  // namespace deferlab::harness

// Listing and running a Google Benchmark binary's benchmarks (run_driver.h).
#include "harness/run_driver.h"

#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <deque>
#include <fstream>
#include <set>
#include <sstream>

#include "common/error.h"

namespace deferlab::harness {
namespace {

std::string format_seconds(double seconds) {
  std::ostringstream out;
  out << seconds;
  return out.str();
}

// The benchmark a console line reports on: its first field when that is a name we run
// (aggregate lines, "name_mean" and the like, are not).
std::string_view result_name(std::string_view line,
                             const std::set<std::string, std::less<>>& names) {
  const std::size_t end = line.find_first_of(" \t");
  const std::string_view first = line.substr(0, end);
  if (end == std::string_view::npos || first.empty()) return {};
  return names.contains(first) ? first : std::string_view{};
}

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

// The first line of a command's output, or "" when it fails.
// git answers in milliseconds; a hung one (a network file system) must not hang the run.
constexpr double kGitTimeoutSeconds = 30;

std::string first_line_of(const std::vector<std::string>& argv) {
  ProcessOptions options;
  options.timeout_seconds = kGitTimeoutSeconds;
  std::string first;
  bool seen = false;
  try {
    const ExitStatus status = run_process(
        argv,
        [&](std::string_view line) {
          if (!seen) first = line;
          seen = true;
        },
        nullptr, options);
    if (!status.succeeded()) return "";
  } catch (const Error&) {
    return "";
  }
  return first;
}

}  // namespace

namespace {

std::vector<std::string> listed_names(const std::filesystem::path& binary,
                                      const std::string& filter) {
  std::vector<std::string> names;
  std::vector<std::string> errors;
  std::vector<std::string> argv = {binary.string(), "--benchmark_list_tests=true"};
  if (!filter.empty()) argv.push_back("--benchmark_filter=" + filter);
  ProcessOptions options;
  options.timeout_seconds = kListTimeoutSeconds;
  const ExitStatus status = run_process(
      argv,
      [&](std::string_view line) {
        if (!line.empty()) names.emplace_back(line);
      },
      [&](std::string_view line) { errors.emplace_back(line); }, options);
  if (!status.succeeded()) {
    throw Error("cannot list the benchmarks: the binary " + status.describe() +
                    " on --benchmark_list_tests" + (errors.empty() ? "" : ": " + errors.back()),
                binary.string(), "is it a Google Benchmark binary?");
  }
  return names;
}

}  // namespace

std::vector<std::string> list_benchmarks(const std::filesystem::path& binary,
                                         const std::string& filter) {
  std::vector<std::string> names = listed_names(binary, filter);
  // Nothing selected: a filter that matches nothing, or a program that lists nothing at all.
  if (names.empty() && (filter.empty() || listed_names(binary, "").empty())) {
    throw Error("the binary lists no benchmarks (--benchmark_list_tests printed nothing)",
                binary.string(),
                "is it a Google Benchmark binary? deferlab runs programs built with "
                "BENCHMARK_MAIN() or benchmark::RunSpecifiedBenchmarks()");
  }
  return names;
}

BenchmarkRun run_benchmarks(const RunOptions& options, const std::filesystem::path& json_out,
                            const std::function<void(const RunProgress&)>& on_progress) {
  const std::vector<std::string> listed =
      options.listed.empty() ? list_benchmarks(options.binary, options.filter) : options.listed;
  const std::set<std::string, std::less<>> names(listed.begin(), listed.end());
  BenchmarkRun run;
  run.expected = listed.size() * static_cast<std::size_t>(options.repetitions);

  std::vector<std::string> argv = {
      options.binary.string(),
      "--benchmark_out=" + json_out.string(),
      "--benchmark_out_format=json",
      "--benchmark_format=console",
      "--benchmark_color=false",
      "--benchmark_counters_tabular=false",
      "--benchmark_repetitions=" + std::to_string(options.repetitions),
      "--benchmark_min_time=" + format_seconds(options.min_time),
  };
  if (!options.filter.empty()) argv.push_back("--benchmark_filter=" + options.filter);
  argv.insert(argv.end(), options.extra_args.begin(), options.extra_args.end());

  std::deque<std::string> tail;
  ProcessOptions process;
  process.timeout_seconds = options.timeout_seconds;
  process.return_when_interrupted = true;
  run.status = run_process(
      argv,
      [&](std::string_view line) {
        run.console.emplace_back(line);
        const std::string_view name = result_name(line, names);
        if (name.empty()) return;
        ++run.completed;
        // A name with a newline in it is listed as two: never show more than 100 %.
        if (on_progress) {
          on_progress({std::min(run.completed, run.expected), run.expected, name});
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

nlohmann::json read_case_manifest(const std::filesystem::path& binary, const std::string& flag) {
  std::string text;
  ProcessOptions options;
  options.timeout_seconds = kListTimeoutSeconds;
  const ExitStatus status = run_process(
      {binary.string(), flag},
      [&](std::string_view line) {
        text += line;
        text += '\n';
      },
      nullptr, options);
  nlohmann::json manifest = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!status.succeeded() || manifest.is_discarded() || !manifest.is_object() ||
      manifest.value("schema", "") != "deferlab.cases/1") {
    throw Error("the binary printed no deferlab case manifest", binary.string(),
                "a binary with a .deferlab_manifest section must print one for --deferlab_cases");
  }
  return manifest;
}

nlohmann::json describe_environment(const std::optional<std::filesystem::path>& source_dir) {
  nlohmann::json env = nlohmann::json::object();
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) == 0) env["host"] = host;
  utsname uts{};
  if (::uname(&uts) == 0) {
    env["kernel"] = std::string(uts.sysname) + " " + uts.release;
    env["machine"] = uts.machine;
  }
  std::ifstream cpuinfo("/proc/cpuinfo");
  for (std::string line; std::getline(cpuinfo, line);) {
    if (line.rfind("model name", 0) == 0 && line.find(':') != std::string::npos) {
      env["cpu_model"] = line.substr(line.find(':') + 2);
      break;
    }
  }
  env["cpus_online"] = ::sysconf(_SC_NPROCESSORS_ONLN);
  // An installed deferlab has no source tree: no commit rather than a wrong one.
  if (!source_dir) return env;
  const std::string dir = source_dir->string();
  const std::string commit = trim(first_line_of({"git", "-C", dir, "rev-parse", "HEAD"}));
  if (!commit.empty()) {
    env["git_commit"] = commit;
    bool dirty = false;
    try {
      ProcessOptions options;
      options.timeout_seconds = kGitTimeoutSeconds;
      const ExitStatus status = run_process(
          {"git", "-C", dir, "status", "--porcelain", "--untracked-files=no"},
          [&](std::string_view line) { dirty = dirty || !line.empty(); }, nullptr, options);
      if (status.succeeded()) env["git_dirty"] = dirty;
    } catch (const Error&) {
    }
  }
  return env;
}

}  // namespace deferlab::harness

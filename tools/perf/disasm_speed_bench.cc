// Times `deferlab disasm` against objdump and llvm-objdump on one large library, in one run
// of one Google Benchmark binary, and prints the ratios (docs/performance.md).
//
//   build/tools/perf/disasm_speed_bench [--library=PATH] [--symbol=NAME] [--deferlab=PATH]
//                                       [benchmark flags, e.g. --benchmark_repetitions=3]
//
// Every job is a whole process, as a user runs it: fork, exec, output to /dev/null, and
// wall time from the parent, CPU time (user + system) and peak RSS from wait4's rusage.
// Jobs (in this order, each repeated as --benchmark_repetitions says):
//   all/*          the whole .text: `deferlab disasm --all` (NDJSON, every core) against
//                  `objdump -d` and `llvm-objdump-14 -d` (both print the bytes, as the NDJSON
//                  does);
//   all_one_core/* the same pinned to CPU 0 (what `taskset -c 0` does) against objdump;
//   symbol/*       one symbol: `deferlab disasm -s SYMBOL -f json` against
//                  `llvm-objdump-14 -d --disassemble-symbols=SYMBOL`.
// Counters: wall_s, cpu_s, peak_rss_mib (Google Benchmark's own time is the wall time, set
// manually). After the run, a Markdown table of medians and ratios deferlab / reference
// goes to stdout, with the load average before and after: the machine may be shared, so
// compare ratios measured side by side, not seconds. Not a test: ctest does not run it.
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <string>
#include <vector>

namespace {

struct Settings {
  std::string library = "/usr/lib/x86_64-linux-gnu/libLLVM-14.so.1";
  std::string symbol = "_ZN4llvm10AADepGraph5printEv";
  std::string deferlab = DEFERLAB_TOOL;  // the build tree's, unless --deferlab= says
  std::string llvm_objdump = "llvm-objdump-14";
  std::string objdump = "objdump";
};
Settings settings;

struct Sample {
  double wall = 0;  // seconds
  double cpu = 0;   // seconds, user + system
  double peak_rss_mib = 0;
};
std::map<std::string, std::vector<Sample>> samples;  // by job name

// Runs `argv` to completion with stdout to /dev/null (stderr kept in a file for errors),
// pinned to CPU 0 when asked. Returns its figures, or an error message.
bool run_process(const std::vector<std::string>& argv, bool one_core, Sample& out,
                 std::string& error) {
  char log[] = "/tmp/disasm_speed_bench.XXXXXX";
  const int log_fd = ::mkstemp(log);
  if (log_fd < 0) {
    error = "cannot create a temporary file";
    return false;
  }
  const auto started = std::chrono::steady_clock::now();
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int null_fd = ::open("/dev/null", O_WRONLY);
    ::dup2(null_fd, STDOUT_FILENO);
    ::dup2(log_fd, STDERR_FILENO);
    if (one_core) {
      cpu_set_t cpus;
      CPU_ZERO(&cpus);
      CPU_SET(0, &cpus);
      ::sched_setaffinity(0, sizeof cpus, &cpus);
    }
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execvp(args[0], args.data());
    std::fprintf(stderr, "cannot run %s: %s\n", args[0], std::strerror(errno));
    ::_exit(127);
  }
  int status = 0;
  struct rusage usage {};
  const pid_t done = pid > 0 ? ::wait4(pid, &status, 0, &usage) : -1;
  out.wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  out.cpu = static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
            static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
  out.peak_rss_mib = static_cast<double>(usage.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB
  ::close(log_fd);
  std::ifstream in(log);
  std::string text((std::istreambuf_iterator<char>(in)), {});
  ::unlink(log);
  if (done != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    error = argv[0] + " failed: " + text.substr(0, 300);
    return false;
  }
  return true;
}

void run_job(benchmark::State& state, const std::string& name, const std::vector<std::string>& argv,
             bool one_core) {
  for (auto _ : state) {
    Sample s;
    std::string error;
    if (!run_process(argv, one_core, s, error)) {
      state.SkipWithError(error.c_str());
      break;
    }
    state.SetIterationTime(s.wall);
    state.counters["wall_s"] = s.wall;
    state.counters["cpu_s"] = s.cpu;
    state.counters["peak_rss_mib"] = s.peak_rss_mib;
    samples[name].push_back(s);
  }
}

void register_jobs() {
  const Settings& s = settings;
  const std::vector<std::string> deferlab_all = {s.deferlab, "disasm", s.library,
                                                 "--all",    "-o",     "/dev/null"};
  const std::vector<std::string> objdump_all = {s.objdump, "-d", s.library};
  const std::vector<std::string> llvm_all = {s.llvm_objdump, "-d", s.library};
  const std::vector<std::string> deferlab_symbol = {s.deferlab, "disasm", s.library, "-s",
                                                    s.symbol,   "-f",     "json"};
  const std::vector<std::string> llvm_symbol = {s.llvm_objdump, "-d",
                                                "--disassemble-symbols=" + s.symbol, s.library};
  struct Job {
    const char* name;
    std::vector<std::string> argv;
    bool one_core;
  };
  const std::vector<Job> jobs = {
      {"all/deferlab", deferlab_all, false},       {"all/objdump", objdump_all, false},
      {"all/llvm-objdump", llvm_all, false},       {"all_one_core/deferlab", deferlab_all, true},
      {"all_one_core/objdump", objdump_all, true}, {"symbol/deferlab", deferlab_symbol, false},
      {"symbol/llvm-objdump", llvm_symbol, false},
  };
  for (const Job& job : jobs) {
    benchmark::RegisterBenchmark(
        job.name,
        [job](benchmark::State& state) { run_job(state, job.name, job.argv, job.one_core); })
        // A symbol takes tens of milliseconds, process start included: one run is mostly
        // noise, so its median is of 15 runs per repetition.
        ->Iterations(job.name[0] == 's' ? 15 : 1)
        ->UseManualTime()
        ->Unit(benchmark::kSecond);
  }
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

Sample median_of(const std::string& job) {
  std::vector<double> wall, cpu, rss;
  for (const Sample& s : samples[job]) {
    wall.push_back(s.wall);
    cpu.push_back(s.cpu);
    rss.push_back(s.peak_rss_mib);
  }
  return {median(wall), median(cpu), median(rss)};
}

void print_row(const char* what, const std::string& job, const char* reference,
               const std::string& reference_job) {
  if (samples[job].empty() || samples[reference_job].empty()) return;  // filtered out
  const Sample a = median_of(job);
  const Sample b = median_of(reference_job);
  std::printf(
      "| %s | %.3g s wall, %.3g s CPU, %.0f MiB | %s: %.3g s, %.3g s CPU, %.0f MiB | %.2f | %.2f "
      "| %.2f |\n",
      what, a.wall, a.cpu, a.peak_rss_mib, reference, b.wall, b.cpu, b.peak_rss_mib,
      a.wall / b.wall, b.cpu > 0 ? a.cpu / b.cpu : 0.0, a.peak_rss_mib / b.peak_rss_mib);
}

std::string load_average() {
  std::ifstream in("/proc/loadavg");
  std::string one, five, fifteen;
  in >> one >> five >> fifteen;
  return one + " " + five + " " + fifteen;
}

// --library=, --symbol=, --deferlab=, --llvm-objdump=: this program's own flags, taken out
// of argv before Google Benchmark reads the rest.
void take_own_flags(int& argc, char** argv) {
  const std::pair<const char*, std::string*> flags[] = {
      {"--library=", &settings.library},
      {"--symbol=", &settings.symbol},
      {"--deferlab=", &settings.deferlab},
      {"--llvm-objdump=", &settings.llvm_objdump}};
  int kept = 1;
  for (int i = 1; i < argc; ++i) {
    bool taken = false;
    for (const auto& [prefix, value] : flags) {
      if (std::strncmp(argv[i], prefix, std::strlen(prefix)) == 0) {
        *value = argv[i] + std::strlen(prefix);
        taken = true;
      }
    }
    if (!taken) argv[kept++] = argv[i];
  }
  argc = kept;
}

}  // namespace

int main(int argc, char** argv) {
  take_own_flags(argc, argv);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;
  if (::access(settings.library.c_str(), R_OK) != 0) {
    std::fprintf(stderr, "disasm_speed_bench: cannot read %s (Debian: apt-get install llvm-14)\n",
                 settings.library.c_str());
    return 2;
  }
  register_jobs();
  const std::string load_before = load_average();
  benchmark::RunSpecifiedBenchmarks();
  const std::string load_after = load_average();
  std::printf(
      "\nFile: `%s`, deferlab `%s`, %ld online CPUs; medians of each job's runs; load "
      "average (1, 5, 15 min) %s before, %s after.\n\n",
      settings.library.c_str(), settings.deferlab.c_str(), ::sysconf(_SC_NPROCESSORS_ONLN),
      load_before.c_str(), load_after.c_str());
  std::printf("| job | deferlab | reference | wall ratio | CPU ratio | peak RSS ratio |\n");
  std::printf("|---|---|---|---:|---:|---:|\n");
  print_row("whole `.text`, NDJSON (`--all`)", "all/deferlab", "objdump -d", "all/objdump");
  print_row("whole `.text`, NDJSON (`--all`)", "all/deferlab", "llvm-objdump-14 -d",
            "all/llvm-objdump");
  print_row("whole `.text`, one core (`taskset -c 0`)", "all_one_core/deferlab", "objdump -d",
            "all_one_core/objdump");
  const std::string symbol_job = "one symbol (`" + settings.symbol + "`, `-f json`)";
  print_row(symbol_job.c_str(), "symbol/deferlab", "llvm-objdump-14 --disassemble-symbols",
            "symbol/llvm-objdump");
  benchmark::Shutdown();
  return 0;
}

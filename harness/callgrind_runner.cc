// Runs benchmarks under callgrind and turns its dumps into per-call records (see
// callgrind_runner.h).
#include "harness/callgrind_runner.h"

#include <sys/utsname.h>

#include <charconv>
#include <deque>
#include <fstream>
#include <map>
#include <set>

#include "common/error.h"
#include "harness/callgrind_parser.h"
#include "harness/profile_analysis.h"
#include "harness/subprocess.h"

namespace deferlab::harness {
namespace {

constexpr const char* kStartKeepRunning = "_ZN9benchmark5State16StartKeepRunningEv";
constexpr const char* kFinishKeepRunning = "_ZN9benchmark5State17FinishKeepRunningEv";
constexpr const char* kPauseTiming = "_ZN9benchmark5State11PauseTimingEv";
constexpr const char* kResumeTiming = "_ZN9benchmark5State12ResumeTimingEv";
constexpr std::string_view kLoopRecordTrigger = "--dump-after=";

std::string format_seconds(double seconds) {
  char text[32];
  std::snprintf(text, sizeof text, "%.6g", seconds);
  return text;
}

std::string cache_option(const char* name, const CacheLevel& c) {
  return std::string("--") + name + "=" + std::to_string(c.size) + "," +
         std::to_string(c.associativity) + "," + std::to_string(c.line);
}

std::string machine_name() {
  utsname u{};
  if (::uname(&u) != 0) return "x86_64";
  return u.machine;
}

// What one loop record holds before it is paired with its call.
struct Window {
  EventCounts events{};
  std::map<std::string, std::uint64_t> allocations;
  std::uint64_t timer_calls = 0;
  std::map<FunctionKey, std::map<std::uint64_t, std::uint64_t>> executions;
};

bool is_plt_stub(const std::string& symbol) {
  return symbol.ends_with("[PLT]");
}

// Call arcs with PLT stubs looked through: X -> stub -> T counts as X -> T.
void add_calls(const CallgrindNames& names, const CallgrindPart& part, Window& w) {
  std::map<std::uint32_t, std::uint32_t> stub_target;
  for (const CallArc& arc : part.calls) {
    if (is_plt_stub(names.functions[arc.caller].name)) stub_target[arc.caller] = arc.callee;
  }
  for (const CallArc& arc : part.calls) {
    const std::string& caller = names.functions[arc.caller].name;
    if (arc.count == 0 || is_plt_stub(caller) || is_allocation_function(caller)) continue;
    std::uint32_t callee = arc.callee;
    if (const auto it = stub_target.find(callee); it != stub_target.end()) callee = it->second;
    const std::string_view name = without_symbol_version(names.functions[callee].name);
    if (is_allocation_function(name)) w.allocations[std::string(name)] += arc.count;
    if ((name == kPauseTiming || name == kResumeTiming) && !caller.starts_with("_ZN9benchmark")) {
      w.timer_calls += arc.count;
    }
  }
}

Window window_of(const CallgrindNames& names, const CallgrindPart& part,
                 const std::array<std::size_t, kEventCount>& columns) {
  Window w;
  for (std::size_t e = 0; e < kEventCount; ++e) {
    if (columns[e] < part.totals.size()) w.events[e] = part.totals[columns[e]];
  }
  for (const CostLine& line : part.lines) {
    const CallgrindFunction& f = names.functions[line.function];
    w.executions[{names.objects[f.object], f.name}][line.address] += part.cost(line, columns[kIr]);
  }
  add_calls(names, part, w);
  return w;
}

CallRecord record_of(const LoggedCall& call, Window&& w) {
  CallRecord r;
  r.benchmark = call.benchmark;
  r.iterations = call.iterations;
  r.threads = threads_in_name(call.benchmark);
  r.cpu_seconds = call.cpu_seconds;
  r.events = w.events;
  r.allocations = std::move(w.allocations);
  r.timer_calls = w.timer_calls;
  r.executions = std::move(w.executions);
  return r;
}

// Adds a thread's record of the same call into the first one.
void merge_into(CallRecord& into, Window&& w) {
  for (std::size_t e = 0; e < kEventCount; ++e) into.events[e] += w.events[e];
  for (const auto& [fn, n] : w.allocations) into.allocations[fn] += n;
  into.timer_calls += w.timer_calls;
  for (auto& [fn, by_address] : w.executions) {
    for (const auto& [address, n] : by_address) into.executions[fn][address] += n;
  }
}

// Pairs loop records with logged calls; a threaded call has one record per thread, and a
// MemoryManager adds one record (of min(16, N) iterations) after each benchmark.
std::vector<CallRecord> pair_records(std::deque<Window>& windows,
                                     const std::vector<LoggedCall>& logged,
                                     const std::string& source) {
  std::size_t expected = 0;
  std::vector<std::string> benchmarks;
  for (std::size_t i = 0; i < logged.size(); ++i) {
    expected += static_cast<std::size_t>(threads_in_name(logged[i].benchmark));
    if (i + 1 == logged.size() || logged[i + 1].benchmark != logged[i].benchmark) {
      benchmarks.push_back(logged[i].benchmark);
    }
  }
  const bool memory_runs = windows.size() == expected + benchmarks.size();
  if (windows.size() != expected && !memory_runs) {
    throw Error("callgrind recorded " + std::to_string(windows.size()) +
                    " runs of timed loops but Google Benchmark logged " +
                    std::to_string(logged.size()) + " calls",
                source, "profile a Google Benchmark 1.7 binary linked with libbenchmark");
  }
  std::vector<CallRecord> records;
  for (std::size_t i = 0; i < logged.size(); ++i) {
    records.push_back(record_of(logged[i], std::move(windows.front())));
    windows.pop_front();
    for (int t = 1; t < records.back().threads; ++t) {
      merge_into(records.back(), std::move(windows.front()));
      windows.pop_front();
    }
    const bool last_call = i + 1 == logged.size() || logged[i + 1].benchmark != logged[i].benchmark;
    if (memory_runs && last_call) {
      LoggedCall memory{logged[i].benchmark, std::min<std::uint64_t>(16, logged[i].iterations), -1};
      records.push_back(record_of(memory, std::move(windows.front())));
      records.back().memory_run = true;
      records.back().threads = 1;
      windows.pop_front();
    }
  }
  return records;
}

}  // namespace

std::string exact_filter(const std::vector<std::string>& names) {
  std::string re = "^(";
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0) re += '|';
    for (const char c : names[i]) {
      // Special in both ECMAScript (std::regex) and POSIX extended expressions.
      if (std::string_view("\\^$.|?*+()[]{}").find(c) != std::string_view::npos) re += '\\';
      re += c;
    }
  }
  return re + ")$";
}

std::vector<std::string> callgrind_command(const CallgrindRunOptions& o) {
  std::vector<std::string> argv = {"setarch",
                                   machine_name(),
                                   "-R",
                                   "env",
                                   "LD_BIND_NOW=1",
                                   "valgrind",
                                   "--tool=callgrind",
                                   "--quiet",
                                   "--combine-dumps=yes",
                                   "--dump-instr=yes",
                                   "--dump-line=no",
                                   "--demangle=no",
                                   "--skip-plt=no"};
  const auto add = [&argv](std::string_view option, std::string_view value) {
    std::string text(option);
    text += value;
    argv.push_back(std::move(text));
  };
  add("--callgrind-out-file=", o.output.string());
  add("--zero-before=", kStartKeepRunning);
  add("--dump-after=", kFinishKeepRunning);
  add("--cache-sim=", o.cache_simulation ? "yes" : "no");
  add("--branch-sim=", o.branch_simulation ? "yes" : "no");
  if (o.cache_simulation) {
    argv.push_back(cache_option("I1", o.i1));
    argv.push_back(cache_option("D1", o.d1));
    argv.push_back(cache_option("LL", o.ll));
  }
  argv.push_back(o.binary.string());
  argv.push_back("--benchmark_filter=" + exact_filter(o.benchmarks));
  argv.push_back("--benchmark_min_time=" + format_seconds(o.min_time));
  argv.push_back("--benchmark_min_warmup_time=1e-09");  // one warm-up call of 1 iteration
  argv.push_back("--benchmark_repetitions=1");
  argv.push_back("--benchmark_enable_random_interleaving=false");
  argv.push_back("--v=2");
  return argv;
}

bool read_log_line(std::string_view line, std::vector<LoggedCall>& calls) {
  constexpr std::string_view kRunning = "-- LOG(2): Running ";
  constexpr std::string_view kRan = "-- LOG(2): Ran in ";
  if (line.starts_with(kRunning)) {
    line.remove_prefix(kRunning.size());
    const std::size_t at = line.rfind(" for ");
    if (at == std::string_view::npos) return false;
    std::uint64_t n = 0;
    const std::string_view digits = line.substr(at + 5);
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
    if (ec != std::errc() || end != digits.data() + digits.size()) return false;
    calls.push_back({std::string(line.substr(0, at)), n, -1});
    return true;
  }
  if (line.starts_with(kRan) && !calls.empty()) {
    line.remove_prefix(kRan.size());
    double cpu = -1;
    const auto [end, ec] = std::from_chars(line.data(), line.data() + line.size(), cpu);
    if (ec == std::errc() && end != line.data() && *end == '/') calls.back().cpu_seconds = cpu;
    return true;
  }
  return false;
}

std::string valgrind_version() {
  std::string version;
  ExitStatus status;
  try {
    status = run_process({"valgrind", "--version"}, [&](std::string_view l) { version = l; }, {});
  } catch (const Error&) {
    status.code = 127;
  }
  if (!status.succeeded() || !version.starts_with("valgrind-")) {
    throw Error("valgrind does not run", "valgrind",
                "install it (Debian: apt-get install valgrind) or pass --no-profile");
  }
  return version;
}

CallgrindRun read_call_records(std::istream& callgrind, const std::string& source,
                               const std::vector<LoggedCall>& logged) {
  CallgrindNames names;
  std::deque<Window> windows;
  std::array<std::size_t, kEventCount> columns{};
  CallgrindRun run;
  parse_callgrind(callgrind, source, names, [&](CallgrindPart&& part) {
    if (!part.trigger.starts_with(kLoopRecordTrigger)) return;
    for (std::size_t e = 0; e < kEventCount; ++e) {
      columns[e] = event_index(names, kProfileEvents[e].callgrind);
      run.counted[e] = columns[e] < names.events.size();
    }
    if (!run.counted[kIr]) throw Error("the callgrind output counts no instructions (Ir)", source);
    windows.push_back(window_of(names, part, columns));
  });
  run.records = pair_records(windows, logged, source);
  return run;
}

CallgrindRun run_callgrind(const CallgrindRunOptions& options) {
  if (options.benchmarks.empty()) return {};
  std::vector<LoggedCall> logged;
  std::deque<std::string> tail;  // the last lines that were not Google Benchmark's log
  std::string current;
  ProcessOptions process;
  process.timeout_seconds = options.timeout_seconds;
  process.return_when_interrupted = true;
  const ExitStatus status = run_process(
      callgrind_command(options), [](std::string_view) {},
      [&](std::string_view line) {
        if (read_log_line(line, logged)) {
          if (logged.back().benchmark != current) {
            if (!current.empty() && options.on_benchmark_done) options.on_benchmark_done(current);
            current = logged.back().benchmark;
          }
          return;
        }
        tail.emplace_back(line);
        if (tail.size() > 8) tail.pop_front();
      },
      process);
  if (status.timed_out || status.interrupted_by != 0) {
    CallgrindRun stopped;
    stopped.stopped = status;
    return stopped;
  }
  if (!status.succeeded()) {
    std::string last;
    for (const std::string& l : tail) last += (last.empty() ? "" : " | ") + l;
    throw Error("the benchmark binary " + status.describe() + " under callgrind", options.binary,
                last.empty() ? "run it without deferlab to see why" : "its last words: " + last);
  }
  if (!current.empty() && options.on_benchmark_done) options.on_benchmark_done(current);
  std::ifstream in(options.output, std::ios::binary);
  if (!in) throw Error("callgrind wrote no output file", options.output.string());
  return read_call_records(in, options.output.string(), logged);
}

}  // namespace deferlab::harness

// Runs a Google Benchmark binary under valgrind's callgrind so that each call of a
// benchmark's timed loop becomes one cost record, and matches the records to the calls.
//
// How (Google Benchmark 1.7.1, any binary, no change to it):
// - StartKeepRunning() and FinishKeepRunning(), exported by libbenchmark, bracket the
//   timed loop in every call whatever the benchmark function is called:
//   --zero-before=StartKeepRunning drops what ran between calls (setup included) and
//   --dump-after=FinishKeepRunning writes the loop's record; both stay outside the timer.
// - --v=2 makes Google Benchmark log "Running NAME for N" before each call: the N-th
//   record belongs to the N-th logged call. A MemoryManager adds one unlogged call of
//   min(16, N) iterations after each benchmark; it is recognised by the record count.
// - --benchmark_min_warmup_time runs one warm-up call first, so the calls that count do
//   not pay for valgrind translating the code, and iteration counts grow 1, 10, 100, ...
// - ASLR off (setarch -R) and LD_BIND_NOW=1 (no lazy binding inside a loop's first call)
//   make the process the same from run to run; --skip-plt=no keeps PLT stubs apart, so
//   a call instruction's count is the number of times it ran.
//
//   const CallgrindRun run = run_callgrind({.binary = "./bench", .benchmarks = {"BM_a"},
//                                           .output = dir / "a.callgrind"});
#pragma once

#include <filesystem>
#include <functional>
#include <istream>
#include <optional>
#include <string>
#include <vector>

#include "harness/profile.h"
#include "harness/subprocess.h"

namespace deferlab::harness {

struct CallgrindRunOptions {
  std::filesystem::path binary;
  std::vector<std::string> benchmarks;  // exact names; run in the binary's own order
  double min_time = 0.01;               // --benchmark_min_time, seconds
  bool cache_simulation = true;
  bool branch_simulation = true;
  CacheLevel i1{32768, 8, 64}, d1{32768, 8, 64}, ll{8388608, 16, 64};
  std::filesystem::path output;  // the callgrind file to write
  // Wall-clock limit of the process (0: none). A process that runs past it, or that an
  // interrupt (harness/interrupt.h) stops, yields no records: CallgrindRun::stopped says so.
  double timeout_seconds = 0;
  // Called (from the calling thread) as each benchmark finishes.
  std::function<void(const std::string& benchmark)> on_benchmark_done;
};

// One call Google Benchmark logged at --v=2.
struct LoggedCall {
  std::string benchmark;
  std::uint64_t iterations = 0;
  double cpu_seconds = -1;  // from the "Ran in CPU/REAL" line that follows, if any
};

struct CallgrindRun {
  std::vector<CallRecord> records;  // one per logged call, plus memory runs
  EventMask counted{};
  // Set when the process was stopped (timed out or interrupted) before it finished: then
  // `records` is empty, since a record cut short cannot be paired with its call.
  std::optional<ExitStatus> stopped;
};

// The command line run_callgrind uses (valgrind options, then the binary and its flags).
std::vector<std::string> callgrind_command(const CallgrindRunOptions& options);

// A regular expression (Google Benchmark's --benchmark_filter) matching exactly `names`.
std::string exact_filter(const std::vector<std::string>& names);

// "valgrind-3.19.0". Throws Error with an install hint when valgrind does not run.
std::string valgrind_version();

// Runs the benchmarks under callgrind and reads the records. Throws Error when valgrind
// cannot run, the binary fails, or the records do not match the logged calls; returns
// with `stopped` set (and no records) when the timeout or an interrupt stopped it.
CallgrindRun run_callgrind(const CallgrindRunOptions& options);

// Reads the loop records of a callgrind file written the way run_callgrind asks
// (parts triggered by --dump-after) and pairs them with the logged calls. Throws Error
// when the counts do not match.
CallgrindRun read_call_records(std::istream& callgrind, const std::string& source,
                               const std::vector<LoggedCall>& logged);

// Parses Google Benchmark's --v=2 lines ("-- LOG(2): Running NAME for N", "-- LOG(2): Ran
// in CPU/REAL") into `calls`; returns false for any other line.
bool read_log_line(std::string_view line, std::vector<LoggedCall>& calls);

}  // namespace deferlab::harness

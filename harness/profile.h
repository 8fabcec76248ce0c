// The deterministic profile of Google Benchmark benchmarks: what valgrind's callgrind
// counted in each call of a benchmark's timed loop, and the per-iteration figures derived
// from two calls with known, different iteration counts.
//
// Units: every event is a count (instructions executed, data reads, cache misses, ...);
// "per iteration" means per iteration of the timed loop (`for (auto _ : state)`), "per
// call" the fixed cost of one call of the benchmark function around its loop
// (StartKeepRunning and FinishKeepRunning included).
//
//   const Profile p = profile_benchmarks(options);        // harness/profile_pass.h
//   for (const BenchmarkProfile& b : p.benchmarks)
//     if (b.exact) use(b.per_iteration->events[kIr]);     // a whole number
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace deferlab::harness {

// The callgrind events a profile reads, in callgrind's order ("events:" with
// --cache-sim=yes --branch-sim=yes).
enum ProfileEvent : std::size_t {
  kIr,    // instructions executed
  kDr,    // data reads
  kDw,    // data writes
  kI1mr,  // L1 instruction cache misses
  kD1mr,  // L1 data cache read misses
  kD1mw,  // L1 data cache write misses
  kILmr,  // last-level cache misses on instruction fetch
  kDLmr,  // last-level cache read misses
  kDLmw,  // last-level cache write misses
  kBc,    // conditional branches
  kBcm,   // conditional branches mispredicted
  kBi,    // indirect branches
  kBim,   // indirect branches mispredicted
  kEventCount
};

struct ProfileEventInfo {
  const char* callgrind;  // the name in callgrind's "events:" line
  const char* key;        // the name in deferlab.profile/1
};

inline constexpr std::array<ProfileEventInfo, kEventCount> kProfileEvents = {{
    {"Ir", "instructions"},
    {"Dr", "data_reads"},
    {"Dw", "data_writes"},
    {"I1mr", "i1_misses"},
    {"D1mr", "d1_read_misses"},
    {"D1mw", "d1_write_misses"},
    {"ILmr", "ll_instruction_misses"},
    {"DLmr", "ll_read_misses"},
    {"DLmw", "ll_write_misses"},
    {"Bc", "conditional_branches"},
    {"Bcm", "conditional_mispredicts"},
    {"Bi", "indirect_branches"},
    {"Bim", "indirect_mispredicts"},
}};

using EventCounts = std::array<std::uint64_t, kEventCount>;
using EventMask = std::array<bool, kEventCount>;  // which events the profile counted

// A function as callgrind saw it: the ELF object and the linkage (mangled) name.
struct FunctionKey {
  std::string object;
  std::string symbol;
  auto operator<=>(const FunctionKey&) const = default;
};

// One call of a benchmark function: what callgrind recorded from the entry of
// StartKeepRunning() to the return of FinishKeepRunning(), i.e. the timed loop.
struct CallRecord {
  std::string benchmark;
  std::uint64_t iterations = 0;
  int threads = 1;
  bool memory_run = false;  // Google Benchmark's extra call for a MemoryManager
  double cpu_seconds = -1;  // CPU time Google Benchmark measured (under callgrind); -1 unknown
  EventCounts events{};     // self cost of everything that ran
  // Calls to each allocation function (harness/profile_analysis.h) from code that is not
  // itself an allocator, so operator new -> malloc counts once.
  std::map<std::string, std::uint64_t> allocations;
  // Calls of PauseTiming/ResumeTiming from the benchmark (not from Google Benchmark).
  std::uint64_t timer_calls = 0;
  // Per function: instruction address -> executions (callgrind's Ir at that address).
  std::map<FunctionKey, std::map<std::uint64_t, std::uint64_t>> executions;
};

// Per-iteration (or per-call) values of the events, with the estimated cycles.
struct EventFigures {
  std::array<double, kEventCount> events{};
  std::optional<double> cycles;  // missing without cache simulation
};

struct HotInstruction {
  std::uint64_t address = 0;
  std::int64_t executions = 0;  // executions in the larger call minus in the smaller
  double per_iteration = 0;     // executions / iteration difference
};

struct HotFunction {
  FunctionKey function;
  std::string demangled;
  double instructions_per_iteration = 0;
  double share = 0;                          // of the benchmark's instructions per iteration, 0..1
  std::vector<HotInstruction> instructions;  // by address
};

// The per-iteration figures from another pair of calls, for the reader to compare.
struct PairCheck {
  std::uint64_t low = 0, high = 0;  // iterations of the two calls
  EventFigures per_iteration;
};

struct BenchmarkProfile {
  std::string name;
  // True when every figure below is exact: the instructions and allocation calls per
  // iteration are whole numbers from two calls with known iteration counts, and nothing
  // (threads, a paused timer, a fixed iteration count) mixes other work into the calls.
  bool exact = false;
  std::vector<std::string> reasons;            // why the row is not exact; empty when it is
  std::vector<std::string> notes;              // figures left out that do not decide exactness
  std::string method;                          // how the figures were obtained
  std::vector<std::uint64_t> call_iterations;  // every call seen, in order (memory run: 0)
  std::uint64_t low = 0, high = 0;             // iterations of the two calls used
  std::optional<EventFigures> per_iteration;   // missing when no two calls could be used
  std::optional<EventFigures> per_call;
  std::optional<EventFigures> net_per_iteration;            // minus the calibration's empty loop
  std::map<std::string, double> allocations_per_iteration;  // by allocation function
  std::optional<double> allocations_total;                  // sum over the functions
  std::vector<HotFunction> hot_functions;
  std::vector<PairCheck> checks;
  int pass = 1;         // 2 when the row was run again with a longer minimum time
  double min_time = 0;  // the --benchmark_min_time of the run the figures come from
};

struct CacheLevel {
  std::uint64_t size = 0, associativity = 0, line = 0;  // bytes, ways, bytes
};

// How the profile was taken: the same for every row.
struct ProfileSetup {
  std::string valgrind_version;
  std::vector<std::string> command;  // the first pass's command line, program included
  bool cache_simulation = true;
  bool branch_simulation = true;
  CacheLevel i1{32768, 8, 64}, d1{32768, 8, 64}, ll{8388608, 16, 64};
  double min_time = 0.01;     // --benchmark_min_time of the first pass
  double max_min_time = 1.0;  // the longest a second pass may use
  int jobs = 2;               // callgrind processes run at once
};

struct Profile {
  std::string binary;
  ProfileSetup setup;
  EventMask counted{};  // events present in callgrind's output
  std::optional<BenchmarkProfile> calibration;
  std::vector<BenchmarkProfile> benchmarks;
  double wall_seconds = 0;
  // Why the pass did not finish, "" when it did. The rows it could not profile are in
  // `benchmarks` without figures, their reasons saying so.
  std::string incomplete;
  bool timed_out = false;  // it ran past ProfileOptions::timeout_seconds
  int interrupted_by = 0;  // an interrupt (harness/interrupt.h) stopped it: the signal
};

}  // namespace deferlab::harness

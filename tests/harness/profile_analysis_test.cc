// Tests harness/profile_analysis.cc and the record pairing of harness/callgrind_runner.cc
// on data built here: per-iteration figures by difference, exactness, labelled rows, hot
// functions, allocation calls, the cycles formula, and Google Benchmark's log lines.
#include "harness/profile_analysis.h"

#include <gtest/gtest.h>

#include <cmath>
#include <sstream>
#include <string>
#include <vector>

#include "common/error.h"
#include "harness/callgrind_runner.h"

namespace deferlab::harness {
namespace {

const FunctionKey kLoop{"/bin/bench", "_Z4loopv"};
const FunctionKey kBody{"/bin/bench", "_Z4bodyv"};

// A call of n iterations costing per_call + n * per_iteration instructions: the loop's
// two instructions run n times, the body's ten 2n times, and `per_call` instructions
// run once in the benchmark function.
CallRecord call(std::uint64_t n, std::uint64_t per_iteration = 22, std::uint64_t per_call = 500) {
  CallRecord c;
  c.benchmark = "BM_x";
  c.iterations = n;
  c.events[kIr] = per_call + n * per_iteration;
  c.events[kDr] = 7 * n;
  c.executions[kLoop][0x100] = n;
  c.executions[kLoop][0x104] = n;
  c.executions[{"/bin/bench", "_Z5setupv"}][0x200] = per_call;
  for (std::uint64_t a = 0; a < 10; ++a) c.executions[kBody][0x300 + a] = 2 * n;
  return c;
}

EventMask all_events() {
  EventMask m;
  m.fill(true);
  return m;
}

TEST(ProfileAnalysis, TakesTheCallsWithTenAndAHundredIterations) {
  std::vector<CallRecord> calls = {call(1, 22, 800), call(1),    call(10),
                                   call(100),        call(1000), call(2573)};
  calls.push_back(call(16, 22, 90000));  // a MemoryManager's extra call, not used
  calls.back().memory_run = true;
  const BenchmarkProfile row = analyse_benchmark("BM_x", calls, all_events());
  EXPECT_TRUE(row.exact) << (row.reasons.empty() ? "" : row.reasons[0]);
  EXPECT_EQ(row.low, 10u);
  EXPECT_EQ(row.high, 100u);
  ASSERT_TRUE(row.per_iteration);
  EXPECT_EQ(row.per_iteration->events[kIr], 22);
  EXPECT_EQ(row.per_iteration->events[kDr], 7);
  EXPECT_EQ(row.per_call->events[kIr], 500);
  EXPECT_EQ(row.call_iterations, (std::vector<std::uint64_t>{1, 1, 10, 100, 1000, 2573, 0}));
  // The other pair is reported for the reader.
  ASSERT_EQ(row.checks.size(), 1u);
  EXPECT_EQ(row.checks[0].low, 100u);
  EXPECT_EQ(row.checks[0].high, 1000u);
  EXPECT_EQ(row.checks[0].per_iteration.events[kIr], 22);
}

TEST(ProfileAnalysis, AWholeNumberIsRequiredForExactness) {
  std::vector<CallRecord> calls = {call(10), call(100)};
  calls[1].events[kIr] += 3;  // the larger call did 3 instructions more than its iterations
  const BenchmarkProfile row = analyse_benchmark("BM_x", calls, all_events());
  EXPECT_FALSE(row.exact);
  ASSERT_TRUE(row.per_iteration);  // measured, but labelled
  EXPECT_DOUBLE_EQ(row.per_iteration->events[kIr], 22 + 3.0 / 90);
  ASSERT_EQ(row.reasons.size(), 1u);
  EXPECT_NE(row.reasons[0].find("not a whole number (1983 over 90 iterations)"), std::string::npos)
      << row.reasons[0];
}

TEST(ProfileAnalysis, LabelsRowsWhoseRecordsHoldOtherWork) {
  const std::vector<CallRecord> plain = {call(10), call(100)};
  for (const std::string name : {"BM_x/threads:2", "BM_x/iterations:50"}) {
    const BenchmarkProfile row = analyse_benchmark(name, plain, all_events());
    EXPECT_FALSE(row.exact) << name;
    EXPECT_FALSE(row.per_iteration) << name;  // no number, a reason instead
    EXPECT_EQ(row.reasons.size(), 1u) << name;
  }
  std::vector<CallRecord> paused = plain;
  paused[1].timer_calls = 200;
  const BenchmarkProfile row = analyse_benchmark("BM_x", paused, all_events());
  EXPECT_FALSE(row.exact);
  EXPECT_FALSE(row.per_iteration);
  ASSERT_EQ(row.reasons.size(), 1u);
  EXPECT_NE(row.reasons[0].find("PauseTiming"), std::string::npos);
}

TEST(ProfileAnalysis, NeedsTwoCallsWhoseCountsDoNotDependOnTiming) {
  for (const std::vector<CallRecord>& calls :
       {std::vector{call(1), call(1), call(13), call(54)},
        std::vector{call(1), call(1), call(100), call(1000)}}) {
    const BenchmarkProfile row = analyse_benchmark("BM_x", calls, all_events());
    EXPECT_FALSE(row.exact);
    EXPECT_FALSE(row.per_iteration);
    ASSERT_EQ(row.reasons.size(), 1u);
    EXPECT_NE(row.reasons[0].find("calls: 1, 1, 1"), std::string::npos) << row.reasons[0];
  }
}

TEST(ProfileAnalysis, CountsAllocationCallsPerIteration) {
  std::vector<CallRecord> calls = {call(10), call(100)};
  for (CallRecord& c : calls) {
    c.allocations["_Znwm"] = c.iterations + 3;  // +3: allocations before the loop's first
    c.allocations["__cxa_allocate_exception"] = 2 * c.iterations;
  }
  BenchmarkProfile row = analyse_benchmark("BM_x", calls, all_events());
  EXPECT_TRUE(row.exact);
  EXPECT_EQ(row.allocations_per_iteration.at("_Znwm"), 1);
  EXPECT_EQ(row.allocations_per_iteration.at("__cxa_allocate_exception"), 2);
  EXPECT_EQ(row.allocations_total, 3);

  calls[1].allocations["malloc"] = 5;  // 5 calls over 90 iterations: not a whole number
  row = analyse_benchmark("BM_x", calls, all_events());
  EXPECT_FALSE(row.exact);
  ASSERT_EQ(row.reasons.size(), 1u);
  EXPECT_NE(row.reasons[0].find("calls to malloc"), std::string::npos);
}

TEST(ProfileAnalysis, HotFunctionsCoverNinetyFivePercentWithCountsPerInstruction) {
  const BenchmarkProfile row = analyse_benchmark("BM_x", {call(10), call(100)}, all_events());
  // Per iteration: the body 20 of 22 instructions (91%), the loop 2 (9%); setup 0.
  ASSERT_EQ(row.hot_functions.size(), 2u);
  EXPECT_EQ(row.hot_functions[0].function, kBody);
  EXPECT_EQ(row.hot_functions[0].instructions_per_iteration, 20);
  EXPECT_DOUBLE_EQ(row.hot_functions[0].share, 20.0 / 22);
  ASSERT_EQ(row.hot_functions[0].instructions.size(), 10u);
  EXPECT_EQ(row.hot_functions[0].instructions[0].address, 0x300u);
  EXPECT_EQ(row.hot_functions[0].instructions[0].per_iteration, 2);
  EXPECT_EQ(row.hot_functions[0].instructions[0].executions, 180);
  EXPECT_EQ(row.hot_functions[1].function, kLoop);
  EXPECT_EQ(row.hot_functions[1].demangled, "loop()");
}

TEST(ProfileAnalysis, AtMostEightHotFunctionsAndNoPltStubs) {
  std::vector<CallRecord> calls = {call(10, 0, 0), call(100, 0, 0)};
  for (CallRecord& c : calls) {
    c.executions.clear();
    c.executions[{"", "0x0000000000109030 [PLT]"}][0x109030] = 50 * c.iterations;
    for (int f = 0; f < 20; ++f) {
      c.executions[{"/bin/bench", "f" + std::to_string(f)}][0x10] = c.iterations;
    }
    c.events[kIr] = 70 * c.iterations;
  }
  const BenchmarkProfile row = analyse_benchmark("BM_x", calls, all_events());
  ASSERT_EQ(row.hot_functions.size(), 8u);
  for (const HotFunction& h : row.hot_functions) EXPECT_FALSE(h.function.symbol.ends_with("[PLT]"));
}

TEST(ProfileAnalysis, EstimatesCyclesWithIaisFormula) {
  std::array<double, kEventCount> e{};
  e[kIr] = 100, e[kDr] = 20, e[kDw] = 10;
  e[kI1mr] = 2, e[kD1mr] = 3, e[kD1mw] = 1;  // 6 L1 misses
  e[kILmr] = 1, e[kDLmr] = 1, e[kDLmw] = 0;  // 2 of them miss the LL too
  // L1 hits 130 - 6 = 124, LL hits 6 - 2 = 4, RAM hits 2: 124 + 5 * 4 + 35 * 2.
  EXPECT_EQ(estimated_cycles(e, all_events()), 214);
  EventMask no_cache{};
  no_cache[kIr] = no_cache[kDr] = no_cache[kDw] = true;
  EXPECT_FALSE(estimated_cycles(e, no_cache));
}

TEST(ProfileAnalysis, SaysWhenACacheFigureComesOutNegative) {
  std::vector<CallRecord> calls = {call(10), call(100)};
  calls[0].events[kD1mw] = 40;  // a colder start in the smaller call
  calls[1].events[kD1mw] = 31;
  const BenchmarkProfile row = analyse_benchmark("BM_x", calls, all_events());
  EXPECT_TRUE(row.exact);  // instructions and allocations decide exactness
  ASSERT_TRUE(row.per_iteration);
  EXPECT_DOUBLE_EQ(row.per_iteration->events[kD1mw], -0.1);  // kept: the cycles need it
  EXPECT_TRUE(row.per_iteration->cycles);
  ASSERT_EQ(row.notes.size(), 1u);
  EXPECT_NE(row.notes[0].find("d1_write_misses per iteration is negative"), std::string::npos);
}

TEST(ProfileAnalysis, NetFiguresSubtractTheEmptyLoop) {
  BenchmarkProfile row = analyse_benchmark("BM_x", {call(10), call(100)}, all_events());
  const BenchmarkProfile empty = analyse_benchmark(
      "calibration/empty_loop", {call(10, 2, 499), call(100, 2, 499)}, all_events());
  apply_calibration(row, empty, all_events());
  ASSERT_TRUE(row.net_per_iteration);
  EXPECT_EQ(row.net_per_iteration->events[kIr], 20);
}

TEST(ProfileAnalysis, KnowsTheAllocationFunctions) {
  for (const char* yes : {"_Znwm", "_Znam", "_ZnwmSt11align_val_t", "_ZnwmRKSt9nothrow_t", "malloc",
                          "malloc@@GLIBC_2.2.5", "calloc", "realloc", "aligned_alloc",
                          "posix_memalign", "__cxa_allocate_exception"}) {
    EXPECT_TRUE(is_allocation_function(yes)) << yes;
  }
  for (const char* no : {"free", "_ZdlPv", "_ZdlPvm", "mallinfo", "_Z6mallocv", "memset"}) {
    EXPECT_FALSE(is_allocation_function(no)) << no;
  }
}

TEST(ProfileAnalysis, ReadsThreadCountsFromNames) {
  EXPECT_EQ(threads_in_name("BM_x"), 1);
  EXPECT_EQ(threads_in_name("BM_x/threads:4"), 4);
  EXPECT_EQ(threads_in_name("BM_x/8/threads:2/real_time"), 2);
  EXPECT_EQ(threads_in_name("BM_x/threads:two"), 1);
}

TEST(ProfileAnalysis, PlansALongerRunFromTheCpuTimeSeen) {
  std::vector<CallRecord> calls = {call(1), call(1), call(10), call(54)};
  calls[3].cpu_seconds = 0.0054;  // 100 us per iteration
  const BenchmarkProfile row = analyse_benchmark("BM_x", calls, all_events());
  // The call of 10 iterations (1 ms) must take under a tenth of the minimum time, twice.
  const std::optional<double> needed = min_time_for_more_calls(row, calls, 0.01);
  ASSERT_TRUE(needed);
  EXPECT_NEAR(*needed, 0.02, 1e-12);
  const std::vector<CallRecord> good = {call(10), call(100)};
  EXPECT_FALSE(min_time_for_more_calls(analyse_benchmark("BM_x", good, all_events()), good, 0.01));
}

TEST(ProfileLog, ReadsGoogleBenchmarksVerboseLines) {
  std::vector<LoggedCall> calls;
  EXPECT_TRUE(read_log_line("-- LOG(2): Running BM_a/8 for 100", calls));
  EXPECT_TRUE(read_log_line("-- LOG(2): Ran in 0.0025/0.0031", calls));
  EXPECT_TRUE(read_log_line("-- LOG(2): Running name with for inside for 7", calls));
  EXPECT_FALSE(read_log_line("==123== valgrind says something", calls));
  EXPECT_FALSE(read_log_line("-- LOG(2): Running BM_b for many", calls));
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[0].benchmark, "BM_a/8");
  EXPECT_EQ(calls[0].iterations, 100u);
  EXPECT_EQ(calls[0].cpu_seconds, 0.0025);
  EXPECT_EQ(calls[1].benchmark, "name with for inside");
  EXPECT_EQ(calls[1].cpu_seconds, -1);
}

// A loop record as run_callgrind asks callgrind to write it: `n` iterations of a loop that
// calls operator new through a PLT stub (which jumps to it) and pauses the timer `pauses`
// times; operator new calls malloc, which must not count twice.
std::string loop_part(int part, std::uint64_t n, std::uint64_t pauses = 0) {
  std::string p = "part: " + std::to_string(part) +
                  "\ndesc: Trigger: --dump-after=_ZN9benchmark5State17FinishKeepRunningEv\n"
                  "positions: instr\nevents: Ir Dr\n"
                  "ob=(1) /bin/bench\nfn=(1) _Z2BMRN9benchmark5StateE\n0x1000 " +
                  std::to_string(500 + 3 * n) + " " + std::to_string(n) + "\n";
  p += "cob=(2) ???\ncfn=(2) 0x0000000000109030 [PLT]\ncalls=" + std::to_string(n) +
       " 0x109030\n* 9\n";
  if (pauses > 0) {
    p += "cob=(2)\ncfn=(5) 0x0000000000109040 [PLT]\ncalls=" + std::to_string(pauses) +
         " 0x109040\n* 9\n";
  }
  p += "ob=(2)\nfn=(2)\n0x109030 " + std::to_string(n) + "\ncob=(3) /lib/libstdc++.so\n" +
       "cfn=(3) _Znwm\ncalls=" + std::to_string(n) + " 0x9000\n* 5\n";
  if (pauses > 0) {
    p += "fn=(5)\n0x109040 " + std::to_string(pauses) + "\ncob=(4) /lib/libbenchmark.so\n" +
         "cfn=(6) _ZN9benchmark5State11PauseTimingEv\ncalls=" + std::to_string(pauses) +
         " 0x149b0\n* 5\n";
  }
  p += "ob=(3)\nfn=(3)\n0x9000 " + std::to_string(4 * n) + "\ncob=(5) /lib/libc.so.6\n" +
       "cfn=(4) malloc@@GLIBC_2.2.5\ncalls=" + std::to_string(n) + " 0x5000\n* 5\n";
  return p;
}

CallgrindRun read_records(const std::string& text, const std::vector<LoggedCall>& logged) {
  std::istringstream in("# callgrind format\nversion: 1\n" + text +
                        "part: 99\ndesc: Trigger: Program termination\nevents: Ir Dr\n");
  return read_call_records(in, "test.out", logged);
}

TEST(ProfileRecords, PairsRecordsWithLoggedCallsAndMemoryRuns) {
  const std::vector<LoggedCall> logged = {
      {"BM_a", 1, 0.001}, {"BM_a", 10, 0.002}, {"BM_b", 100, -1}};
  const CallgrindRun run = read_records(loop_part(1, 1) + loop_part(2, 10) + loop_part(3, 10) +
                                            loop_part(4, 100, 100) + loop_part(5, 16),
                                        logged);
  EXPECT_TRUE(run.counted[kIr] && run.counted[kDr]);
  EXPECT_FALSE(run.counted[kI1mr]);
  ASSERT_EQ(run.records.size(), 5u);  // BM_a 1, 10, memory run; BM_b 100, memory run
  EXPECT_EQ(run.records[1].iterations, 10u);
  EXPECT_EQ(run.records[1].cpu_seconds, 0.002);
  EXPECT_TRUE(run.records[2].memory_run);
  EXPECT_EQ(run.records[2].iterations, 10u);  // min(16, 10)
  EXPECT_EQ(run.records[3].benchmark, "BM_b");
  EXPECT_EQ(run.records[4].iterations, 16u);
  // Self cost: 500 + 3n in the benchmark, n in the stub, 4n in operator new.
  EXPECT_EQ(run.records[1].events[kIr], 500u + 30 + 10 + 40);
  EXPECT_EQ(run.records[1].events[kDr], 10u);
  // Through the stub to operator new; its malloc is not a second allocation.
  EXPECT_EQ(run.records[1].allocations, (std::map<std::string, std::uint64_t>{{"_Znwm", 10}}));
  EXPECT_EQ(run.records[1].timer_calls, 0u);
  EXPECT_EQ(run.records[3].timer_calls, 100u);
  EXPECT_EQ(run.records[1].executions.at({"/bin/bench", "_Z2BMRN9benchmark5StateE"}).at(0x1000),
            530u);
}

TEST(ProfileRecords, RefusesRecordsThatDoNotMatchTheLog) {
  EXPECT_THROW(read_records(loop_part(1, 1) + loop_part(2, 10),
                            {{"BM_a", 1, -1}, {"BM_a", 10, -1}, {"BM_a", 100, -1}}),
               Error);
}

TEST(ProfileRecords, BuildsAFilterThatMatchesExactlyTheNames) {
  EXPECT_EQ(exact_filter({"BM_a/8", "x.y+(z)"}), R"(^(BM_a/8|x\.y\+\(z\))$)");
}

}  // namespace
}  // namespace deferlab::harness

// Tests harness/repairing_reporter.cc and the MemoryManager's records
// (harness/memory_manager.cc) on a replay of Google Benchmark 1.7.1's runner: per
// benchmark a std::vector<Result> that reallocates as repetitions are pushed, repetitions
// interleaved at random, each Run keeping &vector.back(). Every repaired Run must point at
// its own repetition's values; where the order cannot be told, at nothing.
#include "harness/repairing_reporter.h"

#include <gtest/gtest.h>

#include <array>
#include <bit>
#include <memory>
#include <random>
#include <sstream>
#include <vector>

#include "harness/memory_manager.h"

namespace deferlab::harness {
namespace {

using Result = benchmark::MemoryManager::Result;
using BenchRun = benchmark::BenchmarkReporter::Run;

// Result's default constructor reads MemoryManager::TombstoneValue, which libbenchmark
// 1.7.1 does not export; a Result made from bits needs nothing from the library.
Result blank_result() {
  return std::bit_cast<Result>(std::array<std::int64_t, 4>{});
}

constexpr int kIterations = 1000;  // the memory run is min(16, 1000) = 16 iterations

// What repetition `rep` of benchmark `b` allocates in its memory window: a distinct count.
int allocations_of(int b, int rep) {
  return 1 + 10 * b + rep;
}

// One benchmark as BenchmarkRunner keeps it: its Results and the Runs made so far.
struct Runner {
  std::vector<Result> results;
  std::vector<BenchRun> runs;
};

class Replay {
 public:
  // Runs repetition `rep` of runner `b`: push_back, Start, allocate, Stop, make the Run.
  void repeat(int b, int rep, bool errored = false) {
    Runner& r = runners_[b];
    r.results.push_back(blank_result());
    Result* result = &r.results.back();
    manager_.Start();
    // Direct operator new calls: a new-expression paired with delete may be elided.
    std::array<void*, 64> blocks{};
    const int n = allocations_of(b, rep);
    for (int i = 0; i < n; ++i) blocks[i] = ::operator new(sizeof(int));
    for (int i = 0; i < n; ++i) ::operator delete(blocks[i]);
    manager_.Stop(result);
    BenchRun run;
    run.iterations = kIterations;
    run.repetition_index = rep;
    run.error_occurred = errored;
    if (!errored) {  // as CreateRunReport: an errored Run carries no memory result
      run.memory_result = result;
      run.allocs_per_iter = static_cast<double>(result->num_allocs) / 16;
    }
    r.runs.push_back(run);
  }

  const MemoryManager& manager() const { return manager_; }
  Runner& runner(int b) { return runners_[b]; }

 private:
  MemoryManager manager_;
  std::array<Runner, 4> runners_;
};

// The repetition order of --benchmark_enable_random_interleaving, with a fixed seed.
std::vector<int> interleaved(int benchmarks, int repetitions, unsigned seed) {
  std::vector<int> order;
  for (int b = 0; b < benchmarks; ++b) order.insert(order.end(), repetitions, b);
  std::mt19937 random(seed);
  std::shuffle(order.begin(), order.end(), random);
  return order;
}

TEST(RepairingReporterTest, EveryRepetitionGetsItsOwnFields) {
  constexpr int kBenchmarks = 4;
  constexpr int kRepetitions = 9;  // vectors reallocate at 1, 2, 4 and 8 elements
  for (unsigned seed = 1; seed <= 20; ++seed) {
    SCOPED_TRACE(seed);
    Replay replay;
    std::array<int, kBenchmarks> done{};
    int stale = 0;
    for (int b : interleaved(kBenchmarks, kRepetitions, seed)) {
      replay.repeat(b, done[b]++);
      if (done[b] != kRepetitions) continue;
      // Reported right after the last repetition, as 1.7.1's RunBenchmarks does.
      Runner& r = replay.runner(b);
      const std::vector<BenchRun> repaired = repair_memory_results(r.runs, replay.manager());
      ASSERT_EQ(repaired.size(), r.runs.size());
      for (int rep = 0; rep < kRepetitions; ++rep) {
        SCOPED_TRACE(rep);
        // The pointer the library kept no longer points into the vector: the fault.
        stale += r.runs[rep].memory_result != &r.results[rep];
        ASSERT_NE(repaired[rep].memory_result, nullptr);
        EXPECT_EQ(repaired[rep].memory_result->num_allocs, allocations_of(b, rep));
        EXPECT_EQ(repaired[rep].memory_result->total_allocated_bytes,
                  allocations_of(b, rep) * static_cast<std::int64_t>(sizeof(int)));
      }
      // Pure: the file reporter, called next with the same runs, gets the same answer.
      const std::vector<BenchRun> again = repair_memory_results(r.runs, replay.manager());
      for (int rep = 0; rep < kRepetitions; ++rep) {
        EXPECT_EQ(again[rep].memory_result, repaired[rep].memory_result);
      }
    }
    // Four reallocations per benchmark leave most kept pointers dangling.
    EXPECT_GT(stale, kBenchmarks * (kRepetitions - 4) - 1);
  }
}

TEST(RepairingReporterTest, AnErroredRepetitionHidesTheOrderOfTheOnesBefore) {
  Replay replay;
  for (int rep = 0; rep < 5; ++rep) {
    replay.repeat(1, rep);  // another benchmark in between, as interleaving does
    replay.repeat(0, rep, /*errored=*/rep == 2);
  }
  const std::vector<BenchRun> repaired =
      repair_memory_results(replay.runner(0).runs, replay.manager());
  // Repetitions 0 and 1 cannot be told apart from other benchmarks' Stops: dropped.
  EXPECT_EQ(repaired[0].memory_result, nullptr);
  EXPECT_EQ(repaired[1].memory_result, nullptr);
  EXPECT_EQ(repaired[2].memory_result, nullptr);  // errored: never had one
  ASSERT_NE(repaired[3].memory_result, nullptr);
  ASSERT_NE(repaired[4].memory_result, nullptr);
  EXPECT_EQ(repaired[3].memory_result->num_allocs, allocations_of(0, 3));
  EXPECT_EQ(repaired[4].memory_result->num_allocs, allocations_of(0, 4));
}

TEST(RepairingReporterTest, AnErroredLastRepetitionStillOrdersTheOthers) {
  Replay replay;
  for (int rep = 0; rep < 4; ++rep) {
    replay.repeat(1, rep);
    replay.repeat(0, rep, /*errored=*/rep == 3);
  }
  const std::vector<BenchRun> repaired =
      repair_memory_results(replay.runner(0).runs, replay.manager());
  for (int rep = 0; rep < 3; ++rep) {
    ASSERT_NE(repaired[rep].memory_result, nullptr) << rep;
    EXPECT_EQ(repaired[rep].memory_result->num_allocs, allocations_of(0, rep));
  }
  EXPECT_EQ(repaired[3].memory_result, nullptr);
}

TEST(RepairingReporterTest, ARunThatDisagreesWithItsRecordLosesItsFields) {
  Replay replay;
  replay.repeat(0, 0);
  std::vector<BenchRun> runs = replay.runner(0).runs;
  runs[0].allocs_per_iter += 0.5;  // not what the library computed from that Result
  EXPECT_EQ(repair_memory_results(runs, replay.manager())[0].memory_result, nullptr);
}

// Records what reached it, and on which stream.
class CapturingReporter final : public benchmark::BenchmarkReporter {
 public:
  bool ReportContext(const Context&) override { return true; }
  void ReportRuns(const std::vector<Run>& runs) override {
    stream = &GetOutputStream();
    for (const Run& run : runs) allocs.push_back(run.memory_result->num_allocs);
  }
  std::ostream* stream = nullptr;
  std::vector<std::int64_t> allocs;
};

TEST(RepairingReporterTest, PassesRepairedRunsAndItsStreamsOn) {
  Replay replay;
  for (int rep = 0; rep < 3; ++rep) replay.repeat(0, rep);
  CapturingReporter inner;
  RepairingReporter reporter(inner, replay.manager());
  // What RunSpecifiedBenchmarks does to a file reporter: set its streams, not virtual.
  std::ostringstream file;
  reporter.SetOutputStream(&file);
  reporter.ReportRuns(replay.runner(0).runs);
  EXPECT_EQ(inner.stream, &file);
  EXPECT_EQ(inner.allocs, (std::vector<std::int64_t>{allocations_of(0, 0), allocations_of(0, 1),
                                                     allocations_of(0, 2)}));
}

}  // namespace
}  // namespace deferlab::harness

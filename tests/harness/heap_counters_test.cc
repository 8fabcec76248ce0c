// Tests harness/heap_counters.cc and harness/memory_manager.cc inside real Google
// Benchmark runs: the per-iteration counters are exact whatever the iteration count, and
// the MemoryManager fills the fields bench.json carries.
#include "harness/heap_counters.h"

#include <benchmark/benchmark.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "harness/memory_manager.h"

namespace deferlab::harness {
namespace {

// Keeps each run's counters and memory result.
class CapturingReporter : public benchmark::BenchmarkReporter {
 public:
  struct Row {
    std::map<std::string, double> counters;
    benchmark::IterationCount iterations = 0;
    // optional: Result's default constructor refers to TombstoneValue, which
    // libbenchmark 1.7.1 does not export; a copy does not.
    std::optional<benchmark::MemoryManager::Result> memory;
  };

  bool ReportContext(const Context&) override { return true; }
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& run : runs) {
      Row row;
      for (const auto& [name, counter] : run.counters) row.counters[name] = counter.value;
      row.iterations = run.iterations;
      if (run.memory_result != nullptr) row.memory.emplace(*run.memory_result);
      rows[run.benchmark_name()] = row;
    }
  }

  std::map<std::string, Row> rows;
};

template <class T>
T opaque(T value) {
  asm volatile("" : "+r"(value));
  return value;
}

void allocates_three(benchmark::State& state) {
  HeapCounters heap(state);
  for (auto _ : state) {
    delete opaque(new int(1));
    delete[] opaque(new char[100]);
    ::operator delete(opaque(::operator new(12)));
  }
  heap.report();
}

void allocates_nothing(benchmark::State& state) {
  HeapCounters heap(state);
  int x = 0;
  for (auto _ : state) benchmark::DoNotOptimize(++x);
  heap.report();
}

// Keeps one block per iteration alive until the loop ends.
void grows(benchmark::State& state) {
  HeapCounters heap(state);
  std::vector<void*> kept;
  kept.reserve(1 << 20);
  for (auto _ : state) kept.push_back(::operator new(64));
  heap.report();
  for (void* p : kept) ::operator delete(p);
}

class HeapCountersTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    install_memory_manager();
    benchmark::RegisterBenchmark("heap_counters_test/allocates_three", allocates_three);
    benchmark::RegisterBenchmark("heap_counters_test/allocates_three_fixed", allocates_three)
        ->Iterations(7);
    benchmark::RegisterBenchmark("heap_counters_test/allocates_nothing", allocates_nothing);
    benchmark::RegisterBenchmark("heap_counters_test/grows", grows)->Iterations(10);
    benchmark::RunSpecifiedBenchmarks(&reporter_, "heap_counters_test/");
  }

  static CapturingReporter reporter_;
};
CapturingReporter HeapCountersTest::reporter_;

TEST_F(HeapCountersTest, CountsAreExactPerIteration) {
  for (const char* name : {"heap_counters_test/allocates_three",
                           "heap_counters_test/allocates_three_fixed/iterations:7"}) {
    SCOPED_TRACE(name);
    const auto& row = reporter_.rows.at(name);
    EXPECT_GT(row.iterations, 0);
    EXPECT_EQ(row.counters.at("heap_allocs"), 3.0);
    EXPECT_EQ(row.counters.at("heap_frees"), 3.0);
    EXPECT_EQ(row.counters.at("heap_bytes"), static_cast<double>(sizeof(int) + 100 + 12));
  }
}

// The loop machinery of Google Benchmark itself allocates nothing on the timed thread.
TEST_F(HeapCountersTest, AnEmptyLoopCountsZero) {
  const auto& row = reporter_.rows.at("heap_counters_test/allocates_nothing");
  EXPECT_EQ(row.counters.at("heap_allocs"), 0.0);
  EXPECT_EQ(row.counters.at("heap_frees"), 0.0);
  EXPECT_EQ(row.counters.at("heap_bytes"), 0.0);
}

TEST_F(HeapCountersTest, MemoryManagerFillsTheResult) {
  const auto& row = reporter_.rows.at("heap_counters_test/grows/iterations:10");
  ASSERT_TRUE(row.memory.has_value());
  // Google Benchmark's memory run covers its own bookkeeping too, so these are lower
  // bounds: at least one 64-byte block per iteration of that run, kept alive.
  EXPECT_GE(row.memory->num_allocs, 10);
  EXPECT_GE(row.memory->total_allocated_bytes, 10 * 64);
  EXPECT_GE(row.memory->max_bytes_used, 10 * 64);
  // The blocks are freed before the window closes; growth is whatever the library kept.
  // (TombstoneValue, the unset marker, is the int64 maximum.)
  EXPECT_LT(row.memory->net_heap_growth, std::numeric_limits<std::int64_t>::max());
}

}  // namespace
}  // namespace deferlab::harness

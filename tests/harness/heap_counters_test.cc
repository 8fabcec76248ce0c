// Tests harness/heap_counters.cc and harness/memory_manager.cc inside real Google
// Benchmark runs: the per-iteration counters are exact whatever the iteration count, and
// the MemoryManager fills the fields bench.json carries from the HeapCounters window.
#include "harness/heap_counters.h"

#include <benchmark/benchmark.h>
#include <gtest/gtest.h>

#include <cstdint>
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

// The memory run's HeapCounters window becomes the Result: the loop alone, no bookkeeping.
TEST_F(HeapCountersTest, MemoryManagerTakesTheHeapCountersWindow) {
  const auto& three = reporter_.rows.at("heap_counters_test/allocates_three_fixed/iterations:7");
  ASSERT_TRUE(three.memory.has_value());
  // The memory run is min(16, 7) = 7 iterations of 3 allocations each, all freed.
  EXPECT_EQ(three.memory->num_allocs, 3 * 7);
  EXPECT_EQ(three.memory->total_allocated_bytes,
            7 * static_cast<std::int64_t>(sizeof(int) + 100 + 12));
  EXPECT_EQ(three.memory->net_heap_growth, 0);
  EXPECT_GE(three.memory->max_bytes_used, 100);  // the char[100] was live at some point
  const auto& nothing = reporter_.rows.at("heap_counters_test/allocates_nothing");
  ASSERT_TRUE(nothing.memory.has_value());
  EXPECT_EQ(nothing.memory->num_allocs, 0);
  EXPECT_EQ(nothing.memory->total_allocated_bytes, 0);
  EXPECT_EQ(nothing.memory->max_bytes_used, 0);
  EXPECT_EQ(nothing.memory->net_heap_growth, 0);
}

// Blocks kept past the loop: the peak and the growth are the malloc usable sizes of the
// 8 MiB reserve and the ten 64-byte blocks, all still live when report() runs.
TEST_F(HeapCountersTest, MemoryManagerSeesWhatTheLoopKeeps) {
  const auto& row = reporter_.rows.at("heap_counters_test/grows/iterations:10");
  ASSERT_TRUE(row.memory.has_value());
  EXPECT_EQ(row.memory->num_allocs, 1 + 10);
  EXPECT_EQ(row.memory->total_allocated_bytes, (8 << 20) + 10 * 64);
  EXPECT_EQ(row.memory->max_bytes_used, row.memory->net_heap_growth);
  EXPECT_GE(row.memory->max_bytes_used, row.memory->total_allocated_bytes);
}

}  // namespace
}  // namespace deferlab::harness

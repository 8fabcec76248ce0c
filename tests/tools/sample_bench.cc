// A Google Benchmark binary "no one here wrote": plain benchmarks counted with the deferlab
// package's HeapCounters, used to test `deferlab run --binary`, compare, and the
// MemoryManager fields of a user's binary (one benchmark's bytes are amortized).
#include <benchmark/benchmark.h>

#include <memory>
#include <vector>

#include "harness/benchmark_main.h"
#include "harness/heap_counters.h"

static void BM_TwoAllocations(benchmark::State& state) {
  deferlab::harness::HeapCounters heap(state);
  for (auto _ : state) {
    auto a = std::make_unique<int>(1);
    auto b = std::make_unique<double>(2);
    benchmark::DoNotOptimize(a.get());
    benchmark::DoNotOptimize(b.get());
  }
  heap.report();
}
BENCHMARK(BM_TwoAllocations);

static void BM_NoAllocation(benchmark::State& state) {
  deferlab::harness::HeapCounters heap(state);
  int x = 0;
  for (auto _ : state) benchmark::DoNotOptimize(x += 1);
  heap.report();
}
BENCHMARK(BM_NoAllocation);

// A vector that grows across iterations: its allocations and bytes per iteration depend on
// the iteration count (amortized), so they are never gated exactly.
static void BM_VectorGrowth(benchmark::State& state) {
  std::vector<int> v;
  deferlab::harness::HeapCounters heap(state);
  for (auto _ : state) {
    v.push_back(1);
    benchmark::DoNotOptimize(v.data());
  }
  heap.report();
}
BENCHMARK(BM_VectorGrowth);

int main(int argc, char** argv) {
  deferlab::harness::initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  deferlab::harness::run_specified_benchmarks();
  benchmark::Shutdown();
  return 0;
}

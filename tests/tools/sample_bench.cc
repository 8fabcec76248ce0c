// A Google Benchmark binary "no one here wrote": two plain benchmarks, counted with the
// deferlab package's HeapCounters, used to test `deferlab run --binary` and compare.
#include <benchmark/benchmark.h>

#include <memory>
#include <vector>

#include "harness/heap_counters.h"
#include "harness/memory_manager.h"

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

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  deferlab::harness::install_memory_manager();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}

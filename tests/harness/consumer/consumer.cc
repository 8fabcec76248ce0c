// Built against the installed deferlab package by tests/harness/consumer_test.cmake.
// Without arguments: exits 0 when the hook is the program's operator new and counts
// exactly. With Google Benchmark flags: runs its benchmarks through the package's
// initialize / run_specified_benchmarks, as a user's benchmark main would, and
// tests/harness/memory_fields_test.py checks every row it writes.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "harness/alloc_hook.h"
#include "harness/benchmark_main.h"
#include "harness/heap_counters.h"

namespace {

void BM_ThreeAllocations(benchmark::State& state) {
  deferlab::harness::HeapCounters heap(state);
  for (auto _ : state) {
    auto a = std::make_unique<long>(1);
    auto b = std::make_unique<std::string>(100, 'x');  // the string's buffer too
    benchmark::DoNotOptimize(a.get());
    benchmark::DoNotOptimize(b->data());
  }
  heap.report();
}
BENCHMARK(BM_ThreeAllocations);

void BM_NoAllocation(benchmark::State& state) {
  deferlab::harness::HeapCounters heap(state);
  long x = 0;
  for (auto _ : state) benchmark::DoNotOptimize(x += 3);
  heap.report();
}
BENCHMARK(BM_NoAllocation);

void BM_VectorGrowth(benchmark::State& state) {
  std::vector<long> v;
  deferlab::harness::HeapCounters heap(state);
  for (auto _ : state) {
    v.push_back(1);
    benchmark::DoNotOptimize(v.data());
  }
  heap.report();
}
BENCHMARK(BM_VectorGrowth);

int check_hook() {
  if (!deferlab::alloc::is_installed()) {
    std::puts("the deferlab hook is not this program's operator new");
    return 1;
  }
  const deferlab::alloc::Counts before = deferlab::alloc::thread_counts();
  auto a = std::make_unique<long>(1);
  auto b = std::make_unique<long>(2);
  const deferlab::alloc::Counts delta = deferlab::alloc::thread_counts() - before;
  if (delta.allocs != 2 || delta.bytes_allocated != 2 * sizeof(long)) {
    std::printf("expected 2 allocations of %zu bytes, counted %llu of %llu\n", 2 * sizeof(long),
                static_cast<unsigned long long>(delta.allocs),
                static_cast<unsigned long long>(delta.bytes_allocated));
    return 1;
  }
  std::puts("consumer: hook installed, counts exact");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 1) return check_hook();
  deferlab::harness::initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  deferlab::harness::run_specified_benchmarks();
  benchmark::Shutdown();
  return 0;
}

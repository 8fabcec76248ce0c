// hook_overhead/*: what the allocation hook adds to one allocation, measured in the same
// run as the cases. `malloc_free` is the allocation the hooked operator new performs
// underneath; `new_delete` goes through the hook. The two differ only by the counting.
//
// These are benchmarks of the lab itself, not cases: they are not in the manifest.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <new>

#include "harness/heap_counters.h"

namespace {

constexpr std::size_t kBytes = 32;

void hook_overhead_malloc_free(benchmark::State& state) {
  deferlab::harness::HeapCounters heap(state);
  for (auto _ : state) {
    void* p = std::malloc(kBytes);
    benchmark::DoNotOptimize(p);
    std::free(p);
  }
  heap.report();
}

void hook_overhead_new_delete(benchmark::State& state) {
  deferlab::harness::HeapCounters heap(state);
  for (auto _ : state) {
    // Direct calls: a new-expression paired with delete may be elided by the compiler.
    void* p = ::operator new(kBytes);
    benchmark::DoNotOptimize(p);
    ::operator delete(p, kBytes);
  }
  heap.report();
}

}  // namespace

BENCHMARK(hook_overhead_malloc_free)->Name("hook_overhead/malloc_free/32");
BENCHMARK(hook_overhead_new_delete)->Name("hook_overhead/new_delete/32");

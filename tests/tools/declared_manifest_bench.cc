// A user's Google Benchmark binary that declares a manifest through
// deferlab::benchmark_support (harness/benchmark_manifest.h): two families with their hot
// functions, BM_Reserve the baseline. Tests `deferlab run --binary` on it
// (run_command_test.cc) and is the README's example.
#include <benchmark/benchmark.h>

#include <vector>

#include "harness/benchmark_main.h"
#include "harness/benchmark_manifest.h"
#include "harness/heap_counters.h"

// The hot functions: exported (ENABLE_EXPORTS) and kept out of line, so the manifest names
// them and the disassembly shows their own code.
[[gnu::noinline]] int push_back_n(int n) {
  std::vector<int> v;
  for (int i = 0; i < n; ++i) v.push_back(i);
  return static_cast<int>(v.size());
}

[[gnu::noinline]] int reserve_then_push_n(int n) {
  std::vector<int> v;
  v.reserve(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) v.push_back(i);
  return static_cast<int>(v.size());
}

static void BM_PushBack(benchmark::State& state) {
  deferlab::harness::HeapCounters heap(state);
  for (auto _ : state) benchmark::DoNotOptimize(push_back_n(static_cast<int>(state.range(0))));
  heap.report();
}
BENCHMARK(BM_PushBack)->Arg(16)->Arg(64);

static void BM_Reserve(benchmark::State& state) {
  deferlab::harness::HeapCounters heap(state);
  for (auto _ : state) {
    benchmark::DoNotOptimize(reserve_then_push_n(static_cast<int>(state.range(0))));
  }
  heap.report();
}
BENCHMARK(BM_Reserve)->Arg(16)->Arg(64);

int main(int argc, char** argv) {
  deferlab::harness::declare_manifest(
      {.title = "push_back against reserve",
       .baseline = "BM_Reserve",
       .families = {{"BM_PushBack", &push_back_n, "grows the vector by doubling"},
                    {"BM_Reserve", &reserve_then_push_n, "one allocation of the final size"}}});
  deferlab::harness::initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  deferlab::harness::run_specified_benchmarks();
  benchmark::Shutdown();
  return 0;
}

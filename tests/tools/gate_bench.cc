// A Google Benchmark binary without deferlab for the profile gate test: built twice, the
// second time with EXTRA_NOPS=1, so the two builds differ by exactly one instruction per
// iteration of BM_Loop's timed loop and by nothing in BM_Same.
#include <benchmark/benchmark.h>
#include <valgrind/valgrind.h>

#include <chrono>
#include <cstdlib>
#include <thread>

#ifndef EXTRA_NOPS
#define EXTRA_NOPS 0
#endif

namespace {

// For the profile pass's timeout and interrupt tests: with GATE_BENCH_SLOW_UNDER_VALGRIND
// set, a run under valgrind first waits 3 s, so the pass surely runs past a timeout of 1 s
// and is still running when interrupted, however fast the machine; the timed run, not
// under valgrind, is not slowed.
[[maybe_unused]] const bool kSlowUnderValgrind = [] {
  if (RUNNING_ON_VALGRIND && std::getenv("GATE_BENCH_SLOW_UNDER_VALGRIND") != nullptr) {
    std::this_thread::sleep_for(std::chrono::seconds(3));
  }
  return true;
}();

void BM_Loop(benchmark::State& state) {
  int x = 0;
  for (auto _ : state) {
    // Inside asm volatile, so the compiler keeps the nop in the loop.
    if constexpr (EXTRA_NOPS > 0) asm volatile(".rept %c0\n\tnop\n\t.endr" ::"i"(EXTRA_NOPS));
    benchmark::DoNotOptimize(++x);
  }
}

void BM_Same(benchmark::State& state) {
  int x = 0;
  for (auto _ : state) benchmark::DoNotOptimize(x += 3);
}

}  // namespace

BENCHMARK(BM_Loop);
BENCHMARK(BM_Same);

BENCHMARK_MAIN();

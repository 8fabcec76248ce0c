// A Google Benchmark binary without deferlab for the profile gate test: built twice, the
// second time with EXTRA_NOPS=1, so the two builds differ by exactly one instruction per
// iteration of BM_Loop's timed loop and by nothing in BM_Same.
#include <benchmark/benchmark.h>

#ifndef EXTRA_NOPS
#define EXTRA_NOPS 0
#endif

namespace {

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

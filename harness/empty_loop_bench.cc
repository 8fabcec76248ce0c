// The profile's calibration: a Google Benchmark binary whose one benchmark is an empty
// timed loop, so callgrind counts what Google Benchmark's loop and its calls cost
// (iai's calibration, for net figures). It links nothing of deferlab.
#include <benchmark/benchmark.h>

static void empty_loop(benchmark::State& state) {
  // An empty asm statement emits no instruction, but the compiler must keep it, so the
  // loop runs its iterations instead of being folded away.
  for (auto _ : state) asm volatile("");
}
BENCHMARK(empty_loop)->Name("calibration/empty_loop");

BENCHMARK_MAIN();

// A Google Benchmark binary that dies in its second benchmark, for the test that a crash
// gives exit code 2 and keeps what was written before it.
#include <benchmark/benchmark.h>

#include <cstdlib>

static void first_survives(benchmark::State& state) {
  int x = 0;
  for (auto _ : state) benchmark::DoNotOptimize(x += 1);
}
BENCHMARK(first_survives);

static void second_crashes(benchmark::State& state) {
  // abort, not a segfault: AddressSanitizer turns a SIGSEGV into an ordinary exit.
  for (auto _ : state) std::abort();
}
BENCHMARK(second_crashes);

static void third_never_runs(benchmark::State& state) {
  for (auto _ : state) {
  }
}
BENCHMARK(third_never_runs);

BENCHMARK_MAIN();

// A Google Benchmark binary that links nothing of deferlab, for the profile tests: loops
// whose bodies differ by exactly K instructions, with one new/delete per iteration and a
// setup outside the loop whose size is the benchmark's argument; and three rows the
// profile cannot measure exactly (threads, a paused timer, a fixed iteration count).
#include <benchmark/benchmark.h>

#include <vector>

namespace {

// K nop instructions the compiler keeps and cannot move out of the loop.
template <int K>
inline void nops() {
  if constexpr (K > 0) asm volatile(".rept %c0\n\tnop\n\t.endr" ::"i"(K));
}

template <int K>
void BM_Nops(benchmark::State& state) {
  std::vector<char> setup(static_cast<std::size_t>(state.range(0)), 1);  // before the loop
  benchmark::DoNotOptimize(setup.data());
  for (auto _ : state) {
    nops<K>();
    int* p = new int(K);
    benchmark::DoNotOptimize(p);  // escapes, so the allocation cannot be elided
    delete p;
  }
}

void BM_Threaded(benchmark::State& state) {
  for (auto _ : state) nops<4>();
}

void BM_Paused(benchmark::State& state) {
  for (auto _ : state) {
    state.PauseTiming();
    nops<4>();
    state.ResumeTiming();
  }
}

void BM_Fixed(benchmark::State& state) {
  for (auto _ : state) nops<4>();
}

}  // namespace

BENCHMARK_TEMPLATE(BM_Nops, 0)->Arg(0)->Arg(1 << 20);
BENCHMARK_TEMPLATE(BM_Nops, 16)->Arg(1 << 20);
BENCHMARK_TEMPLATE(BM_Nops, 64)->Arg(1 << 20);
BENCHMARK(BM_Threaded)->Threads(2);
BENCHMARK(BM_Paused);
BENCHMARK(BM_Fixed)->Iterations(50);

BENCHMARK_MAIN();

// A Google Benchmark binary that misbehaves on request, for the tests of `deferlab run`'s
// fault handling; --benchmark_filter picks the behaviour:
//   finishes          an ordinary benchmark
//   skips_with_error  reports an error with SkipWithError
//   hangs             never finishes, and leaves a grandchild in its process group
//   two\nlines        a name with a newline in it
// With DEFERLAB_TEST_PID_FILE set, every process it starts appends its pid to that file, so
// a test can check that nothing is left running.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <thread>

namespace {

void record_pid(pid_t pid) {
  if (const char* file = std::getenv("DEFERLAB_TEST_PID_FILE")) {
    std::ofstream(file, std::ios::app) << pid << "\n";
  }
}

void finishes(benchmark::State& state) {
  int x = 0;
  for (auto _ : state) benchmark::DoNotOptimize(x += 1);
}

void skips_with_error(benchmark::State& state) {
  state.SkipWithError("the fixture refuses to run");
  for (auto _ : state) {
  }
}

[[noreturn]] void sleep_forever() {
  for (;;) std::this_thread::sleep_for(std::chrono::hours(1));
}

void hangs(benchmark::State& state) {
  // A grandchild in the same process group: it must go when the group is killed.
  const pid_t grandchild = ::fork();
  if (grandchild == 0) sleep_forever();
  record_pid(grandchild);
  for (auto _ : state) sleep_forever();
}

}  // namespace

int main(int argc, char** argv) {
  record_pid(::getpid());
  benchmark::RegisterBenchmark("finishes", finishes);
  benchmark::RegisterBenchmark("skips_with_error", skips_with_error);
  benchmark::RegisterBenchmark("hangs", hangs);
  benchmark::RegisterBenchmark("two\nlines", finishes);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}

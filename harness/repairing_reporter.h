// A reporter decorator that gives every Run the MemoryManager fields of its own repetition.
//
// Google Benchmark 1.7.1 stores in each Run a pointer to the back of a per-benchmark
// std::vector<MemoryManager::Result> that reallocates on the next repetition's push_back
// (upstream issue 1939, fixed in 1.9.2), so reporters read earlier repetitions'
// max_bytes_used, total_allocated_bytes and net_heap_growth from freed memory.
// RepairingReporter points each Run at the copy deferlab's MemoryManager kept of it:
//
//   deferlab::harness::RepairingReporter display(*benchmark::CreateDefaultDisplayReporter(),
//                                                deferlab::harness::install_memory_manager());
//   benchmark::RunSpecifiedBenchmarks(&display);
//
// benchmark_main.h's run_specified_benchmarks() does this for the display and file
// reporters; use this class directly only with reporters of your own.
#pragma once

#include <benchmark/benchmark.h>

#include <vector>

#include "harness/memory_manager.h"

namespace deferlab::harness {

// The runs of one benchmark as Google Benchmark 1.7.1 reports them, right after its last
// repetition, with each iteration Run's memory_result pointing at its own Record in
// `manager`, or null (the four fields are then left out) when it cannot be told which
// Record is its own. Pure: the same runs and manager give the same answer, so the display
// and the file reporter, which receive the same runs in turn, agree.
//
// Why the answer is right: the last Run's Stop is the most recent one (the library reports
// a benchmark right after its last repetition). Between the Stops of repetitions k and k+1
// of one benchmark, the buffer holding repetition k's Result is still that benchmark's
// (the next push_back comes after every other benchmark's Stop in between), so no other
// Stop can write at its address: repetition k's Record is the newest at that address
// before repetition k+1's. An errored repetition carries no pointer, which hides the order
// of the ones before it: their fields are dropped. Each pick is checked against the
// allocs_per_iter the library computed when the Run was made.
std::vector<benchmark::BenchmarkReporter::Run> repair_memory_results(
    const std::vector<benchmark::BenchmarkReporter::Run>& runs, const MemoryManager& manager);

class RepairingReporter final : public benchmark::BenchmarkReporter {
 public:
  // Neither is owned; both must outlive this reporter. Starts with `inner`'s streams.
  RepairingReporter(benchmark::BenchmarkReporter& inner, const MemoryManager& manager);

  bool ReportContext(const Context& context) override;
  void ReportRuns(const std::vector<Run>& runs) override;
  void Finalize() override;

 private:
  // SetOutputStream and SetErrorStream are not virtual: Google Benchmark sets the file
  // reporter's streams on this object, so they are passed on before every call.
  void pass_streams();

  benchmark::BenchmarkReporter& inner_;
  const MemoryManager& manager_;
};

}  // namespace deferlab::harness

// A Google Benchmark MemoryManager built on the allocation hook.
//
// Registered by a benchmark main before RunSpecifiedBenchmarks, it fills bench.json's
// allocs_per_iter, max_bytes_used, total_allocated_bytes and net_heap_growth:
//
//   int main(int argc, char** argv) {
//     benchmark::Initialize(&argc, argv);
//     deferlab::harness::install_memory_manager();
//     benchmark::RunSpecifiedBenchmarks();
//   }
//
// Google Benchmark 1.7.1 opens this window around a separate run of up to 16 iterations
// that includes the library's own bookkeeping allocations, so its per-iteration figure is
// not exact; HeapCounters (heap_counters.h) measures the timed loop itself.
#pragma once

#include <benchmark/benchmark.h>

#include "harness/alloc_hook.h"

namespace deferlab::harness {

class MemoryManager final : public benchmark::MemoryManager {
 public:
  void Start() override;
  void Stop(Result& result) override;
  // 1.7.1 still declares the pointer form pure virtual.
  void Stop(Result* result) override { Stop(*result); }

 private:
  alloc::Counts start_;
};

// Registers one process-wide MemoryManager with Google Benchmark.
void install_memory_manager();

}  // namespace deferlab::harness

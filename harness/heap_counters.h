// Exact per-iteration heap counters over a benchmark's timed loop.
//
// Snapshot the calling thread's allocation counts right before the loop and report the
// difference as Google Benchmark user counters averaged per iteration:
//
//   static void BM_Push(benchmark::State& state) {
//     deferlab::harness::HeapCounters heap(state);
//     for (auto _ : state) v.push_back(1);
//     heap.report();  // heap_allocs, heap_bytes, heap_frees per iteration
//   }
//
// Only the benchmark's own thread is counted, so the counts are exact and deterministic
// for single-threaded benchmarks: nothing else runs on that thread during the loop.
//
// In the MemoryManager's memory run (memory_manager.h) the same window also becomes that
// repetition's allocs_per_iter, max_bytes_used, total_allocated_bytes and net_heap_growth,
// so those fields count the loop alone, as heap_allocs does (docs/figures.md).
#pragma once

#include <benchmark/benchmark.h>

#include "harness/alloc_hook.h"

namespace deferlab::harness {

class HeapCounters {
 public:
  explicit HeapCounters(benchmark::State& state);
  ~HeapCounters();
  HeapCounters(const HeapCounters&) = delete;
  HeapCounters& operator=(const HeapCounters&) = delete;

  // Call after the timed loop. Adds heap_allocs, heap_bytes and heap_frees, each averaged
  // per iteration.
  void report();

  // What the loop did so far, in total (not per iteration).
  alloc::Counts delta() const { return alloc::thread_counts() - start_; }

 private:
  void close_memory_window() noexcept;

  benchmark::State& state_;
  // True in the MemoryManager's memory run: a peak window of our own is open, so that
  // max_bytes_used is the loop's peak and not the library's bookkeeping before it.
  bool in_memory_run_ = false;
  alloc::Counts start_;
};

}  // namespace deferlab::harness

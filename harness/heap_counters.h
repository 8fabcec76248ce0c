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
#pragma once

#include <benchmark/benchmark.h>

#include "harness/alloc_hook.h"

namespace deferlab::harness {

class HeapCounters {
 public:
  explicit HeapCounters(benchmark::State& state) : state_(state), start_(alloc::thread_counts()) {}

  // Call after the timed loop. Adds heap_allocs, heap_bytes and heap_frees, each averaged
  // per iteration.
  void report();

  // What the loop did so far, in total (not per iteration).
  alloc::Counts delta() const { return alloc::thread_counts() - start_; }

 private:
  benchmark::State& state_;
  alloc::Counts start_;
};

}  // namespace deferlab::harness

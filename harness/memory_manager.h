// A Google Benchmark MemoryManager built on the allocation hook.
//
// It fills bench.json's allocs_per_iter, max_bytes_used, total_allocated_bytes and
// net_heap_growth (docs/figures.md defines each). Install it through
// benchmark_main.h, which also repairs what Google Benchmark 1.7.1 reports:
//
//   int main(int argc, char** argv) {
//     deferlab::harness::initialize(&argc, argv);  // installs this MemoryManager
//     deferlab::harness::run_specified_benchmarks();
//     benchmark::Shutdown();
//   }
//
// Two faults of Google Benchmark 1.7.1 shape this class:
// - Its memory window is a separate run of min(16, iterations) iterations that also
//   counts the library's own bookkeeping (7 allocations in the lab). When the benchmark
//   uses HeapCounters, that run's HeapCounters window over the timed loop is taken
//   instead, so allocs_per_iter equals heap_allocs exactly for a non-amortized loop.
// - Each reported Run points into a vector of Results that reallocates on the next
//   repetition (upstream issue 1939, fixed in 1.9.2): reporters read earlier repetitions'
//   fields from freed memory. Every Stop is therefore kept here as a Record, and
//   RepairingReporter (repairing_reporter.h) points each Run back at its own Record.
#pragma once

#include <benchmark/benchmark.h>

#include <cstdint>
#include <deque>
#include <map>
#include <vector>

#include "harness/alloc_hook.h"

namespace deferlab::harness {

class MemoryManager final : public benchmark::MemoryManager {
 public:
  // Where a Result's fields were measured.
  enum class Source {
    kHeapCounters,   // HeapCounters' window over the timed loop of the memory run: exact
    kLibraryWindow,  // Google Benchmark's whole window, bookkeeping included
  };

  // One Stop: the address Google Benchmark passed, the order of the call, and a copy of
  // what was written there (which outlives the library's own storage). Always built with
  // every member given: Result's default constructor needs a symbol 1.7.1 does not export.
  struct Record {
    const Result* address;
    std::uint64_t sequence;  // 0, 1, 2, ... in the order of the Stop calls
    Result values;
    Source source;
  };

  void Start() override;
  void Stop(Result& result) override;
  // 1.7.1 still declares the pointer form pure virtual, and calls it.
  void Stop(Result* result) override { Stop(*result); }

  // The record of the most recent Stop; null before the first.
  const Record* latest() const;
  // The newest record written at `address` whose sequence is below `before`; null if none.
  const Record* newest_at(const Result* address, std::uint64_t before) const;

 private:
  alloc::Counts start_;
  // A deque keeps every Record's address stable while it grows: repaired Runs point here.
  std::deque<Record> records_;
  std::map<const Result*, std::vector<std::size_t>> by_address_;  // ascending sequences
};

// Registers the one process-wide MemoryManager with Google Benchmark (once; later calls
// return the same instance).
MemoryManager& install_memory_manager();

// The installed MemoryManager, or null when install_memory_manager() was never called.
const MemoryManager* installed_memory_manager();

namespace detail {

// What a HeapCounters saw over the timed loop of the memory run (see heap_counters.h).
struct HeapWindow {
  alloc::Counts delta;  // over the loop; peak_live_bytes is the level reached
  std::int64_t start_live_bytes = 0;
  std::int64_t iterations = 0;      // State::iterations() after the loop
  std::int64_t max_iterations = 0;  // what the memory run asked for
};

// True between MemoryManager::Start and Stop, on the thread running the memory run.
bool is_memory_run_open() noexcept;
// Called by HeapCounters::report() in the memory run; the first call of a run is kept.
void publish_heap_window(const HeapWindow& window) noexcept;

}  // namespace detail
}  // namespace deferlab::harness

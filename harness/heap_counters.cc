// HeapCounters: the thread's allocation counts over a benchmark's timed loop.
#include "harness/heap_counters.h"

#include "harness/memory_manager.h"

namespace deferlab::harness {

HeapCounters::HeapCounters(benchmark::State& state) : state_(state) {
  // Outside the memory run no window is opened here: tracking live bytes costs two
  // malloc_usable_size calls per allocation and would weigh on the timed loop.
  if (detail::is_memory_run_open()) {
    alloc::begin_window();  // restarts this thread's peak at its current level
    in_memory_run_ = true;
  }
  start_ = alloc::thread_counts();
}

HeapCounters::~HeapCounters() {
  close_memory_window();
}

void HeapCounters::close_memory_window() noexcept {
  if (!in_memory_run_) return;
  alloc::end_window();
  in_memory_run_ = false;
}

void HeapCounters::report() {
  const alloc::Counts d = delta();
  if (in_memory_run_) {
    detail::publish_heap_window({d, start_.live_bytes,
                                 static_cast<std::int64_t>(state_.iterations()),
                                 static_cast<std::int64_t>(state_.max_iterations)});
    close_memory_window();
  }
  using benchmark::Counter;
  state_.counters["heap_allocs"] = Counter(static_cast<double>(d.allocs), Counter::kAvgIterations);
  state_.counters["heap_bytes"] =
      Counter(static_cast<double>(d.bytes_allocated), Counter::kAvgIterations);
  state_.counters["heap_frees"] = Counter(static_cast<double>(d.frees), Counter::kAvgIterations);
}

}  // namespace deferlab::harness

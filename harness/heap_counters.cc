#include "harness/heap_counters.h"

namespace deferlab::harness {

void HeapCounters::report() {
  const alloc::Counts d = delta();
  using benchmark::Counter;
  state_.counters["heap_allocs"] = Counter(static_cast<double>(d.allocs), Counter::kAvgIterations);
  state_.counters["heap_bytes"] =
      Counter(static_cast<double>(d.bytes_allocated), Counter::kAvgIterations);
  state_.counters["heap_frees"] = Counter(static_cast<double>(d.frees), Counter::kAvgIterations);
}

}  // namespace deferlab::harness

#include "harness/memory_manager.h"

namespace deferlab::harness {

void MemoryManager::Start() {
  alloc::begin_window();
  start_ = alloc::process_counts();
}

void MemoryManager::Stop(Result& result) {
  const alloc::Counts delta = alloc::process_counts() - start_;
  alloc::end_window();
  result.num_allocs = static_cast<std::int64_t>(delta.allocs);
  result.total_allocated_bytes = static_cast<std::int64_t>(delta.bytes_allocated);
  result.net_heap_growth = delta.live_bytes;
  // The peak above the level the window started at; never negative.
  const std::int64_t peak = delta.peak_live_bytes - start_.live_bytes;
  result.max_bytes_used = peak > 0 ? peak : 0;
}

void install_memory_manager() {
  static MemoryManager manager;
  benchmark::RegisterMemoryManager(&manager);
}

}  // namespace deferlab::harness

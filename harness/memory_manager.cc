// The allocation hook's MemoryManager: its window, and a copy of every Result it wrote.
#include "harness/memory_manager.h"

#include <algorithm>
#include <atomic>

namespace deferlab::harness {
namespace {

// The memory run of one repetition, between Start and Stop. Google Benchmark runs it on
// the thread that calls Start and Stop, one benchmark at a time, so one slot suffices.
struct MemoryRun {
  std::atomic<bool> open{false};
  bool published = false;
  detail::HeapWindow window;
};

MemoryRun& memory_run() {
  static MemoryRun run;
  return run;
}

MemoryManager* g_installed = nullptr;

}  // namespace

namespace detail {

bool is_memory_run_open() noexcept {
  return memory_run().open.load(std::memory_order_relaxed);
}

void publish_heap_window(const HeapWindow& window) noexcept {
  MemoryRun& run = memory_run();
  if (!run.open.load(std::memory_order_relaxed) || run.published) return;
  run.window = window;
  run.published = true;
}

}  // namespace detail

void MemoryManager::Start() {
  MemoryRun& run = memory_run();
  run.published = false;
  run.open.store(true, std::memory_order_relaxed);
  alloc::begin_window();
  start_ = alloc::process_counts();
}

void MemoryManager::Stop(Result& result) {
  const alloc::Counts delta = alloc::process_counts() - start_;
  alloc::end_window();
  MemoryRun& run = memory_run();
  run.open.store(false, std::memory_order_relaxed);

  Source source = Source::kLibraryWindow;
  // The HeapCounters window is exact only when it covers as many iterations as Google
  // Benchmark divides by (min(16, iterations)); KeepRunningBatch may overshoot.
  const detail::HeapWindow& w = run.window;
  if (run.published && w.iterations == w.max_iterations && w.iterations > 0) {
    source = Source::kHeapCounters;
    result.num_allocs = static_cast<std::int64_t>(w.delta.allocs);
    result.total_allocated_bytes = static_cast<std::int64_t>(w.delta.bytes_allocated);
    result.net_heap_growth = w.delta.live_bytes;
    result.max_bytes_used = std::max<std::int64_t>(w.delta.peak_live_bytes - w.start_live_bytes, 0);
  } else {
    result.num_allocs = static_cast<std::int64_t>(delta.allocs);
    result.total_allocated_bytes = static_cast<std::int64_t>(delta.bytes_allocated);
    result.net_heap_growth = delta.live_bytes;
    // The peak above the level the window started at; never negative.
    result.max_bytes_used = std::max<std::int64_t>(delta.peak_live_bytes - start_.live_bytes, 0);
  }
  run.published = false;
  // Built from `result`, never default-constructed: Result() reads
  // MemoryManager::TombstoneValue, which libbenchmark 1.7.1 does not export.
  records_.push_back(Record{&result, records_.size(), result, source});
  by_address_[&result].push_back(records_.back().sequence);
}

const MemoryManager::Record* MemoryManager::latest() const {
  return records_.empty() ? nullptr : &records_.back();
}

const MemoryManager::Record* MemoryManager::newest_at(const Result* address,
                                                      std::uint64_t before) const {
  const auto it = by_address_.find(address);
  if (it == by_address_.end()) return nullptr;
  const std::vector<std::size_t>& sequences = it->second;
  const auto above = std::lower_bound(sequences.begin(), sequences.end(), before);
  if (above == sequences.begin()) return nullptr;
  return &records_[*std::prev(above)];
}

MemoryManager& install_memory_manager() {
  static MemoryManager manager;
  if (g_installed == nullptr) {
    benchmark::RegisterMemoryManager(&manager);
    g_installed = &manager;
  }
  return manager;
}

const MemoryManager* installed_memory_manager() {
  return g_installed;
}

}  // namespace deferlab::harness

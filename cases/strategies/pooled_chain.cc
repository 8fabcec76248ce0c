// The shared side of the record pool: a mutex-protected list, chunk allocation and the
// per-thread hand-back at thread exit.
#include "cases/strategies/pooled_chain.h"

#include <atomic>
#include <mutex>

namespace deferlab {
namespace detail {

constinit thread_local LocalPool tl_pool{nullptr, 0};

namespace {

struct Chunk {
  Chunk* next;
  PoolRecord records[kPoolChunkRecords];
};

struct SharedPool {
  std::mutex mutex;
  PoolRecord* head = nullptr;
  std::uint64_t count = 0;
  // Every chunk ever allocated. Records live as long as the process (as Go's pool does);
  // keeping the chunks reachable from a global also tells leak checkers they are not lost.
  Chunk* chunks = nullptr;
  std::atomic<std::uint64_t> chunk_count{0};
  std::atomic<std::uint64_t> refills{0};
  std::atomic<std::uint64_t> spills{0};
};
constinit SharedPool g_shared;

// Gives the thread's cached records back to the shared list when the thread exits.
// Registered on a thread's first refill, which is the first time its cache holds anything.
struct LocalPoolReturner {
  ~LocalPoolReturner() {
    PoolRecord* head = tl_pool.head;
    if (head == nullptr) return;
    PoolRecord* tail = head;
    while (tail->next != nullptr) tail = tail->next;
    std::lock_guard lock(g_shared.mutex);
    tail->next = g_shared.head;
    g_shared.head = head;
    g_shared.count += tl_pool.count;
    tl_pool = {nullptr, 0};
  }
};
thread_local LocalPoolReturner tl_returner;

}  // namespace

PoolRecord* refill_and_take() {
  (void)&tl_returner;  // registers the hand-back at thread exit
  g_shared.refills.fetch_add(1, std::memory_order_relaxed);
  {
    // Take up to half a cache from the shared list.
    std::lock_guard lock(g_shared.mutex);
    while (g_shared.head != nullptr && tl_pool.count < kLocalPoolCapacity / 2) {
      PoolRecord* record = g_shared.head;
      g_shared.head = record->next;
      --g_shared.count;
      record->next = tl_pool.head;
      tl_pool.head = record;
      ++tl_pool.count;
    }
  }
  if (tl_pool.head == nullptr) {
    // Both lists are empty: one allocation brings kPoolChunkRecords records.
    Chunk* chunk = new Chunk;
    for (PoolRecord& record : chunk->records) {
      record.next = tl_pool.head;
      tl_pool.head = &record;
      ++tl_pool.count;
    }
    std::lock_guard lock(g_shared.mutex);
    chunk->next = g_shared.chunks;
    g_shared.chunks = chunk;
    g_shared.chunk_count.fetch_add(1, std::memory_order_relaxed);
  }
  return take_record();
}

void spill_and_give(PoolRecord* record) noexcept {
  // Requires: tl_pool.count == kLocalPoolCapacity.
  g_shared.spills.fetch_add(1, std::memory_order_relaxed);
  PoolRecord* first = tl_pool.head;
  PoolRecord* last = first;
  for (std::uint32_t i = 1; i < kLocalPoolCapacity / 2; ++i) last = last->next;
  tl_pool.head = last->next;
  tl_pool.count -= kLocalPoolCapacity / 2;
  {
    std::lock_guard lock(g_shared.mutex);
    last->next = g_shared.head;
    g_shared.head = first;
    g_shared.count += kLocalPoolCapacity / 2;
  }
  give_record(record);
}

}  // namespace detail

PoolStats pool_stats() {
  PoolStats stats{};
  stats.local_records = detail::tl_pool.count;
  {
    std::lock_guard lock(detail::g_shared.mutex);
    stats.shared_records = detail::g_shared.count;
  }
  stats.chunks = detail::g_shared.chunk_count.load(std::memory_order_relaxed);
  stats.refills = detail::g_shared.refills.load(std::memory_order_relaxed);
  stats.spills = detail::g_shared.spills.load(std::memory_order_relaxed);
  return stats;
}

}  // namespace deferlab

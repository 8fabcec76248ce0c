// pooled_chain: intrusive defer records taken from a per-thread free list, the callable
// stored inline in the record, run LIFO at scope exit and given back to the list.
//
// This is Go's deferpool (runtime/panic.go): each P keeps a bounded local cache of _defer
// records; an empty cache refills half of its capacity from a shared list under a lock,
// and a full one spills half of itself back. New records are allocated, a chunk at a time,
// only when the shared list is empty too, so in steady state a defer costs a pointer pop
// and push plus one indirect call, and no allocation.
//
//   deferlab::PooledChain defers;
//   for (int i = 0; i < n; ++i) defers.defer([&log, i] { log.push_back(i); });
//   // leaving the scope runs the actions for n-1, ..., 0 and recycles the records
//
// A callable larger than kPooledInlineBytes is a compile-time error (see defer()), not a
// hidden allocation: the caller decides whether to capture a pointer instead.
#pragma once

#include <cstddef>
#include <cstdint>
#include <new>
#include <string_view>
#include <type_traits>
#include <utility>

#include "cases/strategy.h"

namespace deferlab {

// 48 bytes of inline storage make a record exactly one 64-byte cache line.
inline constexpr std::size_t kPooledInlineBytes = 48;

namespace detail {

struct PoolRecord {
  PoolRecord* next;
  // Runs (run == true) and destroys, or only destroys, the callable in `storage`.
  void (*op)(PoolRecord* record, bool run) noexcept;
  alignas(std::max_align_t) unsigned char storage[kPooledInlineBytes];
};
static_assert(sizeof(PoolRecord) == 64);

// This thread's cache. constinit and trivially destructible, so the inline fast paths
// below read it as a plain thread-local with no initialisation guard.
struct LocalPool {
  PoolRecord* head;
  std::uint32_t count;
};
extern constinit thread_local LocalPool tl_pool;

// Most records a thread caches before it spills half to the shared list (Go: 32 per P).
inline constexpr std::uint32_t kLocalPoolCapacity = 32;

// Slow paths, out of line: refill from the shared list (allocating a chunk when it is
// empty too), and spill half of a full cache to it.
PoolRecord* refill_and_take();
void spill_and_give(PoolRecord* record) noexcept;

inline PoolRecord* take_record() {
  PoolRecord* record = tl_pool.head;
  if (record == nullptr) return refill_and_take();
  tl_pool.head = record->next;
  --tl_pool.count;
  return record;
}

inline void give_record(PoolRecord* record) noexcept {
  if (tl_pool.count == kLocalPoolCapacity) return spill_and_give(record);
  record->next = tl_pool.head;
  tl_pool.head = record;
  ++tl_pool.count;
}

template <class Fn>
void run_inline_callable(PoolRecord* record, bool run) noexcept {
  Fn* fn = std::launder(reinterpret_cast<Fn*>(record->storage));
  if (run) (*fn)();
  fn->~Fn();
}

}  // namespace detail

class PooledChain {
 public:
  PooledChain() = default;
  PooledChain(const PooledChain&) = delete;
  PooledChain& operator=(const PooledChain&) = delete;
  ~PooledChain() { run_all(); }

  template <class F>
  void defer(F&& action) {
    using Fn = std::decay_t<F>;
    static_assert(sizeof(Fn) <= kPooledInlineBytes,
                  "pooled_chain: this callable does not fit the 48-byte inline slot of a "
                  "pooled defer record; capture a pointer to the data (or use heap_defer)");
    static_assert(alignof(Fn) <= alignof(std::max_align_t),
                  "pooled_chain: over-aligned callables are not supported");
    detail::PoolRecord* record = detail::take_record();
    try {
      ::new (static_cast<void*>(record->storage)) Fn(std::forward<F>(action));
    } catch (...) {
      detail::give_record(record);
      throw;
    }
    record->op = &detail::run_inline_callable<Fn>;
    record->next = head_;
    head_ = record;
  }

  // Runs every pending action, newest first, and recycles the records.
  void run_all() noexcept {
    while (detail::PoolRecord* record = head_) {
      head_ = record->next;
      record->op(record, true);
      detail::give_record(record);
    }
  }

  // Drops every pending action without running it (the commit of a commit/rollback).
  void cancel_all() noexcept {
    while (detail::PoolRecord* record = head_) {
      head_ = record->next;
      record->op(record, false);
      detail::give_record(record);
    }
  }

 private:
  detail::PoolRecord* head_ = nullptr;
};

// Pool bookkeeping, for tests and reports.
struct PoolStats {
  std::uint32_t local_records;   // in the calling thread's cache
  std::uint64_t shared_records;  // in the shared list
  std::uint64_t chunks;          // chunk allocations so far (each kPoolChunkRecords records)
  std::uint64_t refills;         // local caches refilled from the shared list or a new chunk
  std::uint64_t spills;          // half-caches moved to the shared list
};
inline constexpr std::uint32_t kPoolChunkRecords = 16;
PoolStats pool_stats();

struct PooledChainStrategy {
  static constexpr std::string_view kName = "pooled_chain";
  static constexpr int kRank = 20;
  static constexpr std::string_view kSummary =
      "intrusive records from a per-thread free list that spills to a shared list (Go's "
      "deferpool), callable stored inline";
  static constexpr std::string_view kHeader = "cases/strategies/pooled_chain.h";
  static constexpr bool kAvailable = true;
  static constexpr StrategyKind kKind = StrategyKind::kChain;
  using Chain = PooledChain;
  static constexpr std::string_view kDismissal =
      "cancel_all() recycles the records without running them";
  static constexpr std::string_view kCallableStorage =
      "the callable is stored in the record's 48-byte inline slot";
};

}  // namespace deferlab

// The one file that replaces the global operator new / delete (see alloc_hook.h).
//
// Every form forwards to malloc / posix_memalign / free and updates the calling thread's
// slot. A slot is written only by the thread that owns it, so updates are relaxed
// load + store pairs (no locked instruction on the allocation path); other threads read
// the same atomics when they sum.
#include "harness/alloc_hook.h"

#include <malloc.h>  // for malloc_usable_size

#include <atomic>
#include <cstdlib>
#include <new>

namespace deferlab::alloc {
namespace {

struct alignas(64) Slot {
  constexpr explicit Slot(bool is_shared = false) : shared(is_shared) {}

  std::atomic<std::uint64_t> allocs{0};
  std::atomic<std::uint64_t> frees{0};
  std::atomic<std::uint64_t> bytes_allocated{0};
  std::atomic<std::int64_t> live_bytes{0};
  std::atomic<std::int64_t> peak_live_bytes{0};
  std::atomic<std::uint64_t> epoch{0};  // the peak window peak_live_bytes belongs to
  std::atomic<bool> in_use{false};      // owned by a live thread
  const bool shared;                    // the overflow slot, updated with atomic read-modify-writes
};

constinit Slot g_slots[kMaxThreadSlots];
constinit Slot g_overflow{/*is_shared=*/true};
// Peak windows are numbered from 1 so that a never-touched slot (epoch 0) is stale.
constinit std::atomic<std::uint64_t> g_epoch{1};
constinit std::atomic<int> g_open_windows{0};

constinit thread_local Slot* tl_slot = nullptr;
constinit thread_local bool tl_exited = false;

// Releases the thread's slot at thread exit. Only touched on the slow path (first use in a
// thread), so the allocation path reads a plain TLS pointer with no guard.
struct SlotOwner {
  ~SlotOwner() {
    if (tl_slot != nullptr && tl_slot != &g_overflow) tl_slot->in_use.store(false);
    // Allocations made by destructors that run after this one go to the overflow slot.
    tl_slot = &g_overflow;
    tl_exited = true;
  }
};
thread_local SlotOwner tl_owner;

Slot* claim_slot() noexcept {
  if (tl_exited) return tl_slot;
  for (Slot& slot : g_slots) {
    bool expected = false;
    if (!slot.in_use.load(std::memory_order_relaxed) &&
        slot.in_use.compare_exchange_strong(expected, true)) {
      tl_slot = &slot;
      break;
    }
  }
  if (tl_slot == nullptr) tl_slot = &g_overflow;
  // Touching tl_owner registers its destructor; glibc allocates that record with calloc,
  // not operator new, so this cannot recurse.
  (void)&tl_owner;
  return tl_slot;
}

inline Slot& this_slot() noexcept {
  Slot* slot = tl_slot;
  return slot != nullptr ? *slot : *claim_slot();
}

// Owner-only update: the slot belongs to this thread, so no locked instruction is needed.
template <class T>
inline void bump(std::atomic<T>& counter, T delta) noexcept {
  counter.store(counter.load(std::memory_order_relaxed) + delta, std::memory_order_relaxed);
}

inline void track_live(Slot& slot, std::int64_t delta) noexcept {
  const std::int64_t before = slot.live_bytes.load(std::memory_order_relaxed);
  const std::int64_t after = before + delta;
  if (slot.shared) {
    slot.live_bytes.fetch_add(delta, std::memory_order_relaxed);
  } else {
    slot.live_bytes.store(after, std::memory_order_relaxed);
  }
  const std::uint64_t epoch = g_epoch.load(std::memory_order_relaxed);
  if (slot.epoch.load(std::memory_order_relaxed) != epoch) {
    // First event of this thread in a new window: the window began at `before`.
    slot.epoch.store(epoch, std::memory_order_relaxed);
    slot.peak_live_bytes.store(before, std::memory_order_relaxed);
  }
  // For the shared overflow slot this max is approximate (documented in the header).
  if (after > slot.peak_live_bytes.load(std::memory_order_relaxed)) {
    slot.peak_live_bytes.store(after, std::memory_order_relaxed);
  }
}

// Live bytes cost two malloc_usable_size calls per allocation, about as much as the rest
// of the hook together, so they are tracked only while a window is open (MemoryManager
// opens one around Google Benchmark's separate memory run, not around the timed loop).
inline bool is_window_open() noexcept {
  return g_open_windows.load(std::memory_order_relaxed) != 0;
}

inline void count_alloc(void* p, std::size_t size) noexcept {
  Slot& slot = this_slot();
  if (slot.shared) [[unlikely]] {
    slot.allocs.fetch_add(1, std::memory_order_relaxed);
    slot.bytes_allocated.fetch_add(size, std::memory_order_relaxed);
  } else {
    bump<std::uint64_t>(slot.allocs, 1);
    bump<std::uint64_t>(slot.bytes_allocated, size);
  }
  if (is_window_open()) [[unlikely]] {
    track_live(slot, static_cast<std::int64_t>(malloc_usable_size(p)));
  }
}

inline void count_free(void* p) noexcept {
  Slot& slot = this_slot();
  if (slot.shared) [[unlikely]] {
    slot.frees.fetch_add(1, std::memory_order_relaxed);
  } else {
    bump<std::uint64_t>(slot.frees, 1);
  }
  if (is_window_open()) [[unlikely]] {
    track_live(slot, -static_cast<std::int64_t>(malloc_usable_size(p)));
  }
}

// operator new's contract: never null; on failure call the new-handler until it succeeds
// or there is none, then throw std::bad_alloc.
void* allocate(std::size_t size) {
  const std::size_t block = size == 0 ? 1 : size;  // each new(0) returns a distinct pointer
  for (;;) {
    if (void* p = std::malloc(block)) {
      count_alloc(p, size);
      return p;
    }
    std::new_handler handler = std::get_new_handler();
    if (handler == nullptr) throw std::bad_alloc();
    handler();
  }
}

void* allocate_aligned(std::size_t size, std::align_val_t align) {
  const std::size_t block = size == 0 ? 1 : size;
  std::size_t alignment = static_cast<std::size_t>(align);
  if (alignment < sizeof(void*)) alignment = sizeof(void*);  // posix_memalign's minimum
  for (;;) {
    void* p = nullptr;
    if (posix_memalign(&p, alignment, block) == 0) {
      count_alloc(p, size);
      return p;
    }
    std::new_handler handler = std::get_new_handler();
    if (handler == nullptr) throw std::bad_alloc();
    handler();
  }
}

void* allocate_nothrow(std::size_t size) noexcept {
  try {
    return allocate(size);
  } catch (...) {
    return nullptr;
  }
}

void* allocate_aligned_nothrow(std::size_t size, std::align_val_t align) noexcept {
  try {
    return allocate_aligned(size, align);
  } catch (...) {
    return nullptr;
  }
}

void deallocate(void* p) noexcept {
  if (p == nullptr) return;
  count_free(p);
  std::free(p);
}

Counts read(const Slot& slot, std::uint64_t epoch) noexcept {
  Counts c;
  c.allocs = slot.allocs.load(std::memory_order_relaxed);
  c.frees = slot.frees.load(std::memory_order_relaxed);
  c.bytes_allocated = slot.bytes_allocated.load(std::memory_order_relaxed);
  c.live_bytes = slot.live_bytes.load(std::memory_order_relaxed);
  // A slot with no event since the window began peaked at its current level.
  c.peak_live_bytes = slot.epoch.load(std::memory_order_relaxed) == epoch
                          ? slot.peak_live_bytes.load(std::memory_order_relaxed)
                          : c.live_bytes;
  return c;
}

void accumulate(Counts& sum, const Counts& c) noexcept {
  sum.allocs += c.allocs;
  sum.frees += c.frees;
  sum.bytes_allocated += c.bytes_allocated;
  sum.live_bytes += c.live_bytes;
  sum.peak_live_bytes += c.peak_live_bytes;
}

}  // namespace

Counts operator-(const Counts& later, const Counts& earlier) noexcept {
  Counts d;
  d.allocs = later.allocs - earlier.allocs;
  d.frees = later.frees - earlier.frees;
  d.bytes_allocated = later.bytes_allocated - earlier.bytes_allocated;
  d.live_bytes = later.live_bytes - earlier.live_bytes;
  d.peak_live_bytes = later.peak_live_bytes;
  return d;
}

Counts thread_counts() noexcept {
  // Claims the slot now, so that a later snapshot of this thread reads the same slot.
  return read(this_slot(), g_epoch.load(std::memory_order_relaxed));
}

Counts process_counts() noexcept {
  const std::uint64_t epoch = g_epoch.load(std::memory_order_relaxed);
  Counts sum;
  for (const Slot& slot : g_slots) accumulate(sum, read(slot, epoch));
  accumulate(sum, read(g_overflow, epoch));
  return sum;
}

void begin_window() noexcept {
  g_epoch.fetch_add(1, std::memory_order_relaxed);
  g_open_windows.fetch_add(1, std::memory_order_relaxed);
}

void end_window() noexcept {
  g_open_windows.fetch_sub(1, std::memory_order_relaxed);
}

bool is_installed() noexcept {
  const Counts before = thread_counts();
  // A direct call, not a new-expression: the compiler may not elide it.
  void* p = ::operator new(1, std::nothrow);
  ::operator delete(p);
  return (thread_counts() - before).allocs == 1;
}

}  // namespace deferlab::alloc

// The replaced forms ////////////////////////////////////////////////////////////////////

using deferlab::alloc::allocate;
using deferlab::alloc::allocate_aligned;
using deferlab::alloc::allocate_aligned_nothrow;
using deferlab::alloc::allocate_nothrow;
using deferlab::alloc::deallocate;

void* operator new(std::size_t size) {
  return allocate(size);
}
void* operator new[](std::size_t size) {
  return allocate(size);
}
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
  return allocate_nothrow(size);
}
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept {
  return allocate_nothrow(size);
}
void* operator new(std::size_t size, std::align_val_t align) {
  return allocate_aligned(size, align);
}
void* operator new[](std::size_t size, std::align_val_t align) {
  return allocate_aligned(size, align);
}
void* operator new(std::size_t size, std::align_val_t align, const std::nothrow_t&) noexcept {
  return allocate_aligned_nothrow(size, align);
}
void* operator new[](std::size_t size, std::align_val_t align, const std::nothrow_t&) noexcept {
  return allocate_aligned_nothrow(size, align);
}

void operator delete(void* p) noexcept {
  deallocate(p);
}
void operator delete[](void* p) noexcept {
  deallocate(p);
}
void operator delete(void* p, const std::nothrow_t&) noexcept {
  deallocate(p);
}
void operator delete[](void* p, const std::nothrow_t&) noexcept {
  deallocate(p);
}
void operator delete(void* p, std::size_t) noexcept {
  deallocate(p);
}
void operator delete[](void* p, std::size_t) noexcept {
  deallocate(p);
}
void operator delete(void* p, std::align_val_t) noexcept {
  deallocate(p);
}
void operator delete[](void* p, std::align_val_t) noexcept {
  deallocate(p);
}
void operator delete(void* p, std::size_t, std::align_val_t) noexcept {
  deallocate(p);
}
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept {
  deallocate(p);
}
void operator delete(void* p, std::align_val_t, const std::nothrow_t&) noexcept {
  deallocate(p);
}
void operator delete[](void* p, std::align_val_t, const std::nothrow_t&) noexcept {
  deallocate(p);
}

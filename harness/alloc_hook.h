// deferlab allocation hook: exact counts of every global operator new / delete.
//
// Linking the `deferlab::alloc_hook` library into a program replaces every global
// `operator new` and `operator delete` form (plain, array, nothrow, aligned, sized and
// their combinations) with versions that forward to malloc/free and count. Counters are
// kept per thread, written only by their own thread, and summed on demand; reading them
// never allocates.
//
//   const deferlab::alloc::Counts before = deferlab::alloc::thread_counts();
//   auto p = std::make_unique<int>(7);
//   const deferlab::alloc::Counts delta = deferlab::alloc::thread_counts() - before;
//   // delta.allocs == 1, delta.bytes_allocated == sizeof(int)
//
// Limits: only operator new/delete are counted, not direct malloc calls (so neither the
// C library's own allocations nor `__cxa_allocate_exception`'s). Per-thread counts are
// exact while at most kMaxThreadSlots threads are alive at once; further threads share one
// overflow slot (process totals stay exact).
#pragma once

#include <cstddef>
#include <cstdint>

namespace deferlab::alloc {

// Per-thread slots; a slot is reused after its thread exits (its counts stay in it, so
// process totals never lose an exited thread's work).
inline constexpr std::size_t kMaxThreadSlots = 256;

struct Counts {
  std::uint64_t allocs = 0;           // successful operator new calls
  std::uint64_t frees = 0;            // operator delete calls on a non-null pointer
  std::uint64_t bytes_allocated = 0;  // sum of the sizes asked of operator new
  // Heap bytes held, counted only while a window is open (see begin_window): the
  // malloc_usable_size of every block obtained minus that of every block returned. Usable
  // sizes are what malloc reserved (without its own header) and are known at delete even
  // when the caller passes no size.
  std::int64_t live_bytes = 0;
  // Highest live_bytes reached since the last begin_window(), for this thread (or the sum
  // of the per-thread peaks for process_counts(): exact when one thread allocates, an upper
  // bound of the process peak otherwise).
  std::int64_t peak_live_bytes = 0;
};

// Difference of two snapshots: allocs, frees, bytes and live bytes subtract; the peak is
// taken from `later` (it is not additive).
Counts operator-(const Counts& later, const Counts& earlier) noexcept;

// The calling thread's counts. Cheap: no lock, no allocation.
Counts thread_counts() noexcept;

// The sum over every thread that ever allocated, alive or exited.
Counts process_counts() noexcept;

// Opens a window in which live and peak bytes are tracked, for every thread, and starts a
// new peak: each thread's peak_live_bytes restarts from its live_bytes of the moment.
// Outside windows the hook counts allocations, frees and requested bytes only: tracking
// live bytes costs two malloc_usable_size calls per allocation, as much again as the
// rest of the hook, and would weigh on the timed loops of allocating strategies.
void begin_window() noexcept;
void end_window() noexcept;

// True when this program's operator new is the hook (the linker may have picked another
// definition, e.g. when the hook library was not linked whole). Allocates once to check.
bool is_installed() noexcept;

}  // namespace deferlab::alloc

// Tests harness/alloc_hook.cc: exact counts for every replaced operator form, per thread
// and summed, and the live/peak window.
#include "harness/alloc_hook.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <cstdint>
#include <limits>
#include <mutex>
#include <new>
#include <thread>
#include <vector>

// GCC says it builds with AddressSanitizer by __SANITIZE_ADDRESS__, clang (the sanitizer
// build's compiler) by __has_feature.
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define DEFERLAB_TEST_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(DEFERLAB_TEST_ASAN)
// The failure tests ask for impossible sizes; AddressSanitizer must let malloc return
// null for them instead of stopping the program.
extern "C" const char* __asan_default_options() {
  return "allocator_may_return_null=1";
}
#endif

namespace deferlab::alloc {
namespace {

// The compiler may elide a new-expression paired with its delete; opaque keeps it.
template <class T>
T opaque(T value) {
  asm volatile("" : "+r"(value));
  return value;
}

// A reusable-once rendezvous for `parties` threads. (std::barrier's atomic waits spin
// forever under qemu-user, where the AArch64 build of these tests runs.)
class Rendezvous {
 public:
  explicit Rendezvous(int parties) : waiting_(parties) {}
  void arrive_and_wait() {
    std::unique_lock lock(mutex_);
    if (--waiting_ == 0) {
      all_here_.notify_all();
      return;
    }
    all_here_.wait(lock, [this] { return waiting_ == 0; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable all_here_;
  int waiting_;
};

struct alignas(64) Aligned64 {
  unsigned char bytes[64];
};

TEST(AllocHookTest, IsInstalled) {
  EXPECT_TRUE(is_installed());
}

// Each form once: count, requested bytes and the matching delete.
TEST(AllocHookTest, CountsEveryOperatorForm) {
  const Counts before = thread_counts();
  {
    void* p = ::operator new(24);  // plain
    ::operator delete(p);
    p = ::operator new[](40);  // array
    ::operator delete[](p);
    p = ::operator new(8, std::nothrow);  // nothrow
    ::operator delete(p, std::nothrow);
    p = ::operator new[](16, std::nothrow);  // nothrow array
    ::operator delete[](p, std::nothrow);
    p = ::operator new (100, std::align_val_t{64});  // aligned
    EXPECT_EQ(reinterpret_cast<std::uintptr_t>(p) % 64, 0u);
    ::operator delete (p, std::align_val_t{64});
    p = ::operator new[](200, std::align_val_t{128});  // aligned array
    EXPECT_EQ(reinterpret_cast<std::uintptr_t>(p) % 128, 0u);
    ::operator delete[](p, std::align_val_t{128});
    p = ::operator new (32, std::align_val_t{32}, std::nothrow);  // aligned nothrow
    ::operator delete (p, std::align_val_t{32}, std::nothrow);
    p = ::operator new[](48, std::align_val_t{32}, std::nothrow);  // aligned nothrow array
    ::operator delete[](p, std::align_val_t{32}, std::nothrow);
    p = ::operator new(56);  // sized delete
    ::operator delete(p, 56);
    p = ::operator new[](72);  // sized array delete
    ::operator delete[](p, 72);
    p = ::operator new (80, std::align_val_t{64});  // sized aligned delete
    ::operator delete (p, 80, std::align_val_t{64});
    p = ::operator new[](96, std::align_val_t{64});  // sized aligned array delete
    ::operator delete[](p, 96, std::align_val_t{64});
  }
  const Counts d = thread_counts() - before;
  EXPECT_EQ(d.allocs, 12u);
  EXPECT_EQ(d.frees, 12u);
  EXPECT_EQ(d.bytes_allocated, 24u + 40 + 8 + 16 + 100 + 200 + 32 + 48 + 56 + 72 + 80 + 96);
}

TEST(AllocHookTest, CountsNewExpressions) {
  const Counts before = thread_counts();
  auto* one = opaque(new std::uint64_t(7));
  auto* many = opaque(new std::uint32_t[10]);
  auto* aligned = opaque(new Aligned64);
  delete one;
  delete[] many;
  delete aligned;
  const Counts d = thread_counts() - before;
  EXPECT_EQ(d.allocs, 3u);
  EXPECT_EQ(d.frees, 3u);
  // new T[] of a trivially destructible T asks for exactly n * sizeof(T).
  EXPECT_EQ(d.bytes_allocated, 8u + 40 + 64);
}

TEST(AllocHookTest, ZeroSizeIsOneAllocationOfZeroBytes) {
  const Counts before = thread_counts();
  void* a = ::operator new(0);
  void* b = ::operator new(0);
  EXPECT_NE(a, b);  // distinct pointers
  ::operator delete(a);
  ::operator delete(b);
  const Counts d = thread_counts() - before;
  EXPECT_EQ(d.allocs, 2u);
  EXPECT_EQ(d.bytes_allocated, 0u);
}

TEST(AllocHookTest, DeletingNullCountsNothing) {
  const Counts before = thread_counts();
  ::operator delete(nullptr);
  ::operator delete[](nullptr);
  ::operator delete (nullptr, std::align_val_t{64});
  EXPECT_EQ((thread_counts() - before).frees, 0u);
}

TEST(AllocHookTest, FailureThrowsAndCountsNothing) {
  const Counts before = thread_counts();
  const std::size_t huge = std::numeric_limits<std::size_t>::max() / 2;
  EXPECT_THROW((void)opaque(::operator new(huge)), std::bad_alloc);
  EXPECT_EQ(::operator new(huge, std::nothrow), nullptr);
  EXPECT_EQ(::operator new (huge, std::align_val_t{64}, std::nothrow), nullptr);
  EXPECT_EQ((thread_counts() - before).allocs, 0u);
}

TEST(AllocHookTest, FailureCallsTheNewHandler) {
  struct HandlerCalled {};
  static int calls = 0;
  calls = 0;
  std::new_handler previous = std::set_new_handler([] {
    ++calls;
    throw HandlerCalled{};
  });
  EXPECT_THROW((void)opaque(::operator new(std::numeric_limits<std::size_t>::max() / 2)),
               HandlerCalled);
  std::set_new_handler(previous);
  EXPECT_EQ(calls, 1);
}

TEST(AllocHookTest, ThreadCountsAreTheCallingThreadsOnly) {
  Rendezvous go(2);
  // Creating the std::thread allocates its state here, so the snapshot comes after.
  std::thread other([&go] {
    go.arrive_and_wait();
    for (int i = 0; i < 10; ++i) delete opaque(new int(i));
  });
  const Counts before = thread_counts();
  go.arrive_and_wait();
  other.join();
  EXPECT_EQ((thread_counts() - before).allocs, 0u);
}

// Two threads allocating at once: each sees its own count exactly; the sum sees both.
TEST(AllocHookTest, ProcessCountsSumConcurrentThreads) {
  constexpr int kThreads = 4;
  constexpr int kPerThread = 1000;
  Rendezvous start(kThreads);
  std::vector<std::uint64_t> per_thread(kThreads);
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  const Counts before = process_counts();
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      start.arrive_and_wait();
      const Counts mine = thread_counts();
      for (int i = 0; i < kPerThread; ++i) ::operator delete(opaque(::operator new(16)));
      per_thread[t] = (thread_counts() - mine).allocs;
    });
  }
  for (std::thread& t : threads) t.join();
  for (std::uint64_t n : per_thread) EXPECT_EQ(n, static_cast<std::uint64_t>(kPerThread));
  const Counts d = process_counts() - before;
  // std::thread allocates its state once per thread in the parent.
  EXPECT_EQ(d.allocs, static_cast<std::uint64_t>(kThreads * kPerThread + kThreads));
  EXPECT_EQ(d.allocs, d.frees);
}

// More threads over time than there are slots: slots are reused and no count is lost.
TEST(AllocHookTest, SlotsAreReusedAfterThreadsExit) {
  const int kThreads = static_cast<int>(kMaxThreadSlots) + 50;
  const Counts before = process_counts();
  for (int t = 0; t < kThreads; ++t) {
    std::thread([] { ::operator delete(opaque(::operator new(8))); }).join();
  }
  const Counts d = process_counts() - before;
  EXPECT_EQ(d.allocs, static_cast<std::uint64_t>(2 * kThreads));  // one in each + std::thread's
  EXPECT_EQ(d.frees, d.allocs);
}

// More threads alive at once than there are slots: the rest share the overflow slot,
// whose updates are atomic, and the process total stays exact.
TEST(AllocHookTest, OverflowSlotKeepsProcessTotalsExact) {
  const int kThreads = static_cast<int>(kMaxThreadSlots) + 20;
  constexpr int kPerThread = 50;
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  Rendezvous all_alive(kThreads + 1);
  Rendezvous done(kThreads + 1);
  const Counts before = process_counts();
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      all_alive.arrive_and_wait();
      for (int i = 0; i < kPerThread; ++i) ::operator delete(opaque(::operator new(8)));
      done.arrive_and_wait();
    });
  }
  all_alive.arrive_and_wait();
  done.arrive_and_wait();
  const Counts d = process_counts() - before;
  EXPECT_EQ(d.allocs, static_cast<std::uint64_t>(kThreads * kPerThread + kThreads));
  for (std::thread& t : threads) t.join();
}

TEST(AllocHookTest, WindowTracksLiveAndPeakBytes) {
  begin_window();
  const Counts start = thread_counts();
  void* a = ::operator new(1000);
  void* b = ::operator new(3000);
  const Counts held = thread_counts() - start;
  ::operator delete(a);
  ::operator delete(b);
  const Counts after = thread_counts() - start;
  end_window();
  // Usable sizes are at least the requested sizes.
  EXPECT_GE(held.live_bytes, 4000);
  EXPECT_EQ(after.live_bytes, 0);
  EXPECT_EQ(after.peak_live_bytes - start.live_bytes, held.live_bytes);
}

TEST(AllocHookTest, NoLiveTrackingOutsideWindows) {
  const Counts start = thread_counts();
  void* a = ::operator new(1000);
  const Counts held = thread_counts() - start;
  ::operator delete(a);
  EXPECT_EQ(held.allocs, 1u);
  EXPECT_EQ(held.live_bytes, 0);
}

}  // namespace
}  // namespace deferlab::alloc

// Tests cases/strategies/pooled_chain.{h,cc}: record reuse, the spill of half a full cache
// to the shared list, refills from it, the hand-back at thread exit, and the callable's
// lifetime.
#include "cases/strategies/pooled_chain.h"

#include <gtest/gtest.h>

#include <memory>
#include <stdexcept>
#include <thread>
#include <vector>

#include "harness/alloc_hook.h"

namespace deferlab {
namespace {

void defer_n(int n, std::vector<int>& log) {
  PooledChain chain;
  for (int i = 0; i < n; ++i) chain.defer([&log, i] { log.push_back(i); });
}

TEST(PooledChainTest, RunsLifo) {
  std::vector<int> log;
  log.reserve(8);
  defer_n(5, log);
  EXPECT_EQ(log, (std::vector<int>{4, 3, 2, 1, 0}));
}

TEST(PooledChainTest, ReusesRecordsWithoutAllocating) {
  std::vector<int> log;
  log.reserve(64);
  defer_n(20, log);  // warm-up: may allocate chunks
  const PoolStats before = pool_stats();
  const alloc::Counts counts = alloc::thread_counts();
  log.clear();
  defer_n(20, log);
  // The records come back from the local cache: no chunk, no operator new.
  EXPECT_EQ(pool_stats().chunks, before.chunks);
  EXPECT_EQ((alloc::thread_counts() - counts).allocs, 0u);
}

TEST(PooledChainTest, SpillsHalfOfAFullCacheToTheSharedList) {
  std::vector<int> log;
  log.reserve(256);
  defer_n(100, log);  // warm-up
  const PoolStats before = pool_stats();
  log.clear();
  defer_n(100, log);
  const PoolStats after = pool_stats();
  // 100 records come back through a cache of 32: it fills and spills half several times.
  EXPECT_GT(after.spills, before.spills);
  EXPECT_LE(after.local_records, detail::kLocalPoolCapacity);
  EXPECT_GE(after.shared_records, detail::kLocalPoolCapacity / 2);
  // Taking 100 again refills from the shared list: no new chunk.
  EXPECT_GT(after.refills, before.refills);
  EXPECT_EQ(after.chunks, before.chunks);
}

TEST(PooledChainTest, ThreadExitHandsTheCacheBack) {
  std::uint32_t cached = 0;
  const std::uint64_t shared_before = pool_stats().shared_records;
  std::thread([&cached] {
    std::vector<int> log;
    log.reserve(8);
    defer_n(8, log);
    cached = pool_stats().local_records;
  }).join();
  EXPECT_GT(cached, 0u);
  EXPECT_EQ(pool_stats().shared_records, shared_before + cached);
}

TEST(PooledChainTest, AnotherThreadReusesSpilledRecords) {
  std::thread([] {
    std::vector<int> log;
    log.reserve(256);
    defer_n(200, log);
  }).join();
  const std::uint64_t chunks = pool_stats().chunks;
  std::thread([] {
    std::vector<int> log;
    log.reserve(256);
    defer_n(100, log);
  }).join();
  // The second thread finds enough records on the shared list.
  EXPECT_EQ(pool_stats().chunks, chunks);
}

TEST(PooledChainTest, CancelDestroysTheCallableWithoutRunningIt) {
  auto token = std::make_shared<int>(0);
  bool ran = false;
  {
    PooledChain chain;
    chain.defer([token, &ran] { ran = true; });
    EXPECT_EQ(token.use_count(), 2);
    chain.cancel_all();
    // The copy held by the record is gone as soon as the chain is cancelled.
    EXPECT_EQ(token.use_count(), 1);
  }
  EXPECT_FALSE(ran);
}

TEST(PooledChainTest, RunDestroysTheCallableOnce) {
  auto token = std::make_shared<int>(0);
  int runs = 0;
  {
    PooledChain chain;
    chain.defer([token, &runs] { ++runs; });
  }
  EXPECT_EQ(runs, 1);
  EXPECT_EQ(token.use_count(), 1);
}

struct ThrowingCopy {
  ThrowingCopy() = default;
  ThrowingCopy(const ThrowingCopy&) { throw std::runtime_error("copy"); }
  void operator()() const {}
};

TEST(PooledChainTest, ACallableThatFailsToCopyIsNotRegistered) {
  const ThrowingCopy callable;
  std::vector<int> log;
  log.reserve(4);
  defer_n(4, log);  // the cache holds records now
  const PoolStats before = pool_stats();
  PooledChain chain;
  EXPECT_THROW(chain.defer(callable), std::runtime_error);
  // The record went back to the cache.
  EXPECT_EQ(pool_stats().local_records, before.local_records);
}

}  // namespace
}  // namespace deferlab

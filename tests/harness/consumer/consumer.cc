// Built against the installed deferlab package by tests/harness/consumer_test.cmake.
// Exits 0 when the hook is the program's operator new and counts exactly.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <memory>

#include "harness/alloc_hook.h"
#include "harness/heap_counters.h"
#include "harness/memory_manager.h"

int main() {
  if (!deferlab::alloc::is_installed()) {
    std::puts("the deferlab hook is not this program's operator new");
    return 1;
  }
  const deferlab::alloc::Counts before = deferlab::alloc::thread_counts();
  auto a = std::make_unique<long>(1);
  auto b = std::make_unique<long>(2);
  const deferlab::alloc::Counts delta = deferlab::alloc::thread_counts() - before;
  if (delta.allocs != 2 || delta.bytes_allocated != 2 * sizeof(long)) {
    std::printf("expected 2 allocations of %zu bytes, counted %llu of %llu\n", 2 * sizeof(long),
                static_cast<unsigned long long>(delta.allocs),
                static_cast<unsigned long long>(delta.bytes_allocated));
    return 1;
  }
  deferlab::harness::install_memory_manager();
  std::puts("consumer: hook installed, counts exact");
  return 0;
}

// Compiled by a CTest that expects it NOT to compile: a callable larger than the pooled
// record's 48-byte inline slot must be a readable compile-time error, never a silent
// allocation. The test checks the static_assert's message.
#include <array>

#include "cases/strategies/pooled_chain.h"

void defer_a_large_callable() {
  std::array<char, 64> big{};
  deferlab::PooledChain chain;
  chain.defer([big] { (void)big; });
}

// The resource every case acquires and releases, and the record that proves it.
//
// Cleanup work must be observable, or the optimizer deletes it and the assembly shows a
// folded constant instead of the strategy. Every release writes the released id into a
// log in memory the hot function only reaches through a reference, so the stores, and
// their order, stay in the code:
//
//   Ledger ledger;
//   if (acquire(ledger, 0)) release(ledger, 0);  // ledger.log[0] == 0, released == 1
#pragma once

#include <cstdint>
#include <vector>

namespace deferlab::cases {

struct Ledger {
  // Power of two: the release index wraps with a mask in long benchmark runs.
  static constexpr std::uint32_t kLogCapacity = 4096;

  std::uint64_t acquired = 0;
  std::uint64_t released = 0;
  std::uint64_t committed = 0;      // resources handed over instead of released
  std::uint32_t log[kLogCapacity];  // released ids, in release order

  // The ids released so far, oldest first (only meaningful before the log wraps).
  std::vector<std::uint32_t> released_ids() const {
    return std::vector<std::uint32_t>(log, log + (released < kLogCapacity ? released : 0));
  }
};

// Acquires resource `id`; fails (returns false, acquires nothing) when id == fail_at.
[[gnu::always_inline]] inline bool acquire(Ledger& ledger, std::uint32_t id,
                                           std::int32_t fail_at = -1) {
  if (static_cast<std::int32_t>(id) == fail_at) return false;
  ++ledger.acquired;
  return true;
}

[[gnu::always_inline]] inline void release(Ledger& ledger, std::uint32_t id) {
  ledger.log[ledger.released & (Ledger::kLogCapacity - 1)] = id;
  ++ledger.released;
}

// Hands an acquired resource over for good (the commit path of a commit/rollback scope).
[[gnu::always_inline]] inline void commit(Ledger& ledger, std::uint32_t count = 1) {
  ledger.committed += count;
}

// What the exception scenarios throw.
struct Failure {
  int step;
};

// Thrown from one out-of-line place, so every hot function shows a plain call to it.
[[noreturn]] void throw_failure(int step);

}  // namespace deferlab::cases

// Helpers that write K cleanups out at compile time, shared by the scenarios whose count
// is part of the code (fixed_defers/K, exception_path/K) rather than a runtime value.
//
//   nest_guards<S, 0, 4>(ledger, innermost);
//
// expands, after inlining, to four nested scopes, each acquiring resource I and holding a
// guard of strategy S (cases/strategy.h) that releases I, with `innermost()` called in the
// deepest one: the same code as writing the four guards one after the other in the body.
#pragma once

#include <cstdint>
#include <type_traits>
#include <utility>

#include "cases/ledger.h"
#include "cases/strategy.h"

namespace deferlab::cases {

template <std::uint32_t I>
using Index = std::integral_constant<std::uint32_t, I>;

template <class S, std::uint32_t I, std::uint32_t K, class Innermost>
[[gnu::always_inline]] inline void nest_guards(Ledger& ledger, Innermost& innermost) {
  if constexpr (I < K) {
    acquire(ledger, I);
    S::with_guard([&ledger]() DEFERLAB_INLINE_LAMBDA { return [&ledger] { release(ledger, I); }; },
                  [&](auto&)
                      DEFERLAB_INLINE_LAMBDA { nest_guards<S, I + 1, K>(ledger, innermost); });
  } else {
    innermost();
  }
}

// Acquires 0..K-1 and defers each release on `chain` (HeapDeferChain or PooledChain).
template <class Chain, std::uint32_t... I>
[[gnu::always_inline]] inline void defer_each(Chain& chain, Ledger& ledger,
                                              std::integer_sequence<std::uint32_t, I...>) {
  ((acquire(ledger, I), chain.defer([&ledger] { release(ledger, I); })), ...);
}

template <std::uint32_t... I>
[[gnu::always_inline]] inline void acquire_each(Ledger& ledger,
                                                std::integer_sequence<std::uint32_t, I...>) {
  (acquire(ledger, I), ...);
}

// Releases K-1, ..., 0 (the comma fold runs left to right).
template <std::uint32_t... I>
[[gnu::always_inline]] inline void release_each_reversed(
    Ledger& ledger, std::integer_sequence<std::uint32_t, I...>) {
  (release(ledger, static_cast<std::uint32_t>(sizeof...(I) - 1 - I)), ...);
}

}  // namespace deferlab::cases

// fixed_defers/K: K cleanups written out in one function, K in {1, 4, 8, 9}.
//
// Go 1.14 open-codes up to 8 defers per function (a bitmask byte says which ran) and
// falls back to heap records past that; K = 9 crosses the limit. In C++ a guard per
// cleanup is the direct form; the guards here are written out at compile time by
// nest_guards (written_out.h), K nested scopes in one function after inlining.
#include "cases/case_registry.h"
#include "cases/strategies.h"
#include "cases/written_out.h"

namespace deferlab::cases {
namespace hot {

template <std::uint32_t K>
using Ids = std::make_integer_sequence<std::uint32_t, K>;

DEFERLAB_SOURCE(fixed_defers)
template <class S, std::uint32_t K>
DEFERLAB_NOIPA void fixed_defers(Ledger& ledger) {
  if constexpr (S::kKind == StrategyKind::kChain) {
    typename S::Chain defers;
    defer_each(defers, ledger, Ids<K>{});
  } else if constexpr (S::kKind == StrategyKind::kGuard) {
    auto innermost = [] {};
    nest_guards<S, 0, K>(ledger, innermost);
  } else {
    acquire_each(ledger, Ids<K>{});
    release_each_reversed(ledger, Ids<K>{});
  }
}

}  // namespace hot

namespace {

constexpr ScenarioInfo kScenario{
    "fixed_defers", 20,
    "K cleanups written out in one function (Go open-codes at most 8 defers; K = 9 crosses "
    "that limit)",
    "4"};
constexpr std::uint32_t kK[] = {1, 4, 8, 9};

template <class S>
const char* notes() {
  switch (S::kKind) {
    case StrategyKind::kChain:
      return "K records pushed one after the other; LIFO at return";
    case StrategyKind::kGuard:
      return "K guards in nested scopes of one function";
    case StrategyKind::kManual:
      break;
  }
  return "the K releases written out at the exit in reverse; nothing fails, so no jump is "
         "needed";
}

const bool registered = [] {
  for_each_strategy(kScenario, []<class S>() {
    // One hot function per K, in kK order.
    add_per_count<S, /*kThrows=*/false, &hot::fixed_defers<S, 1>, &hot::fixed_defers<S, 4>,
                  &hot::fixed_defers<S, 8>, &hot::fixed_defers<S, 9>>(
        kScenario, kK, hot::fixed_defers_source, Fidelity::kFaithful, notes<S>());
  });
  return true;
}();

}  // namespace
}  // namespace deferlab::cases

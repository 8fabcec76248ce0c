// loop_defer/N: N cleanups registered in a loop inside one call, run LIFO when the call
// returns, N in {1, 8, 16, 64, 1024} (16: the Go cases' table row, cases/go).
//
// The pathology of a Go `defer` inside a loop: every iteration pushes a record, and the
// records pile up until the function returns (open-coded defers never apply in loops).
// Chains express it directly. A guard declared in a loop body would run at the end of
// each iteration instead, so the guard strategies write the closest form with the same
// observable result: one guard, declared before the loop, that releases whatever the
// loop acquired in reverse order.
#include "cases/case_registry.h"
#include "cases/strategies.h"

namespace deferlab::cases {
namespace {

// The scenario's code, which the hot function below only calls. It is written in an
// anonymous namespace so that the lambdas and local classes in it have internal linkage,
// as they had when each cell was a plain function; in a function template instantiation
// they would be COMDAT, and GCC inlines and allocates registers around their out-of-line
// parts (std::function's invoker and manager, BOOST_SCOPE_EXIT's body) differently then
// (docs/adding-a-case.md, "Machine code since the generic scenarios").
template <class S>
[[gnu::always_inline]] inline void loop_defer_body(Ledger& ledger, int n) {
  if constexpr (S::kKind == StrategyKind::kChain) {
    typename S::Chain defers;
    for (int i = 0; i < n; ++i) {
      const auto id = static_cast<std::uint32_t>(i);
      acquire(ledger, id);
      defers.defer([&ledger, id] { release(ledger, id); });
    }
  } else if constexpr (S::kKind == StrategyKind::kGuard) {
    std::uint32_t acquired = 0;
    S::with_guard(
        [&]() DEFERLAB_INLINE_LAMBDA {
          return [&ledger, &acquired] {
            while (acquired > 0) release(ledger, --acquired);
          };
        },
        [&](auto&) DEFERLAB_INLINE_LAMBDA {
          for (int i = 0; i < n; ++i) {
            acquire(ledger, acquired);
            ++acquired;
          }
        });
  } else {
    std::uint32_t acquired = 0;
    for (int i = 0; i < n; ++i) {
      if (!acquire(ledger, acquired)) goto unwind;
      ++acquired;
    }
  unwind:
    while (acquired > 0) release(ledger, --acquired);
  }
}

}  // namespace

namespace hot {

DEFERLAB_SOURCE(loop_defer)
template <class S>
DEFERLAB_NOIPA void loop_defer(Ledger& ledger, int n) {
  loop_defer_body<S>(ledger, n);
}

}  // namespace hot

namespace {

constexpr ScenarioInfo kScenario{
    "loop_defer", 10,
    "N cleanups registered in a loop inside one call, run LIFO when the call returns (a Go "
    "defer inside a loop)",
    "64", "N cleanups registered in the loop"};
constexpr int kN[] = {1, 8, 16, 64, 1024};

template <class S>
std::pair<Fidelity, const char*> fidelity_and_notes() {
  switch (S::kKind) {
    case StrategyKind::kChain:
      return {Fidelity::kFaithful,
              "one record pushed per iteration; all N run LIFO when the call returns"};
    case StrategyKind::kGuard:
      return {Fidelity::kClosestForm,
              "closest form: one guard declared before the loop releases the N acquired "
              "resources in reverse when the call returns (a guard declared in the loop body "
              "would run at the end of every iteration instead)"};
    case StrategyKind::kManual:
      break;
  }
  return {Fidelity::kFaithful,
          "the loop counts what it acquired; one label after the loop releases it in reverse"};
}

const bool registered = [] {
  for_each_strategy(kScenario, []<class S>() {
    const auto [fidelity, notes] = fidelity_and_notes<S>();
    for (int index = 0; index < static_cast<int>(std::size(kN)); ++index) {
      const int n = kN[index];
      CaseHeader header{kScenario,  StrategyInfo::of<S>(),  std::to_string(n), index,
                        {{"N", n}}, hot::loop_defer_source, fidelity,          notes};
      add_case(make_case<&hot::loop_defer<S>>(std::move(header),
                                              lifo_outcome(static_cast<std::uint32_t>(n)), n));
    }
  });
  return true;
}();

}  // namespace
}  // namespace deferlab::cases

// What a strategy header provides, so that every scenario is written once for all of them.
//
// A strategy is a traits struct (cases/strategies/*.h) with its name, table rank, summary
// and header, whether this build has it, and one of three kinds of mechanism:
//
//   kChain   `using Chain = ...;` a scope object with defer(action) and cancel_all()
//   kGuard   `with_guard(make, body)`: runs body(guard) with the action `make()` returns
//            deferred to the end of the guard's scope; optionally `dismiss(guard)` to
//            cancel it. The guard is built from make()'s result in place, as a guard
//            declared in the function would be, with no move of the action in between.
//   kManual  no mechanism: each scenario writes the cleanup out by hand (goto_cleanup)
//
// A scenario (cases/scenarios/*.cc) is a function template over the strategy with one
// branch per kind; its registration instantiates it for every strategy of LabStrategies
// (cases/strategies.h), so each (scenario, strategy) hot function is a real, named,
// separately compiled symbol: `deferlab::cases::hot::loop_defer<deferlab::ScopeGuardStrategy>`.
//
//   struct MyGuardStrategy {
//     static constexpr std::string_view kName = "my_guard";
//     static constexpr int kRank = 35;                   // table order
//     static constexpr std::string_view kSummary = "...";
//     static constexpr std::string_view kHeader = "cases/strategies/my_guard.h";
//     static constexpr bool kAvailable = true;           // false: kMissing says why
//     static constexpr StrategyKind kKind = StrategyKind::kGuard;
//     template <class Make, class Body>
//     [[gnu::always_inline]] static decltype(auto) with_guard(Make&& make, Body&& body) {
//       MyGuard guard{make()};
//       return body(guard);
//     }
//   };
#pragma once

#include <string_view>

// Inlines a lambda into its only caller, so that a scenario written as nested lambdas
// compiles to the same code as the scopes written one after the other.
#define DEFERLAB_INLINE_LAMBDA __attribute__((always_inline))

namespace deferlab {

enum class StrategyKind { kChain, kGuard, kManual };

template <class... Strategies>
struct StrategyList {};

// A guard strategy that can cancel a guard declares `dismiss(guard)` and says how in
// `kDismissal`; one without (gsl::finally, BOOST_SCOPE_EXIT) gets the closest form, an
// action that tests a flag.
template <class S>
concept CanDismiss = requires {
  S::kDismissal;
};

// Optional facts a strategy may state for the notes of the manifest.
template <class S>
concept SaysWhereTheCallableLives = requires {
  S::kCallableStorage;
};
}  // namespace deferlab

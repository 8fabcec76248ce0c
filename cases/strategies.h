// The lab's strategies: adding one is its header in cases/strategies/ and its line in
// LabStrategies below; every scenario then has a hot function and cases for it.
//
// The third-party rows exist where their Debian package is installed (tools/lab installs
// them); a strategy this build lacks becomes an omitted cell of every scenario, with the
// reason its header gives, instead of a silent hole in the tables.
#pragma once

#include <string>

#include "cases/case_registry.h"
#include "cases/strategies/absl_cleanup.h"
#include "cases/strategies/boost_scope_exit.h"
#include "cases/strategies/cleanup_attribute.h"
#include "cases/strategies/goto_cleanup.h"
#include "cases/strategies/gsl_finally.h"
#include "cases/strategies/heap_defer.h"
#include "cases/strategies/move_only_function_guard.h"
#include "cases/strategies/pooled_chain.h"
#include "cases/strategies/scope_guard.h"
#include "cases/strategies/std_function_guard.h"
#include "cases/strategy.h"

namespace deferlab::cases {

// One line per strategy (the order is irrelevant: tables follow each kRank).
using LabStrategies = StrategyList<HeapDeferStrategy,         //
                                   PooledChainStrategy,       //
                                   ScopeGuardStrategy,        //
                                   CleanupAttributeStrategy,  //
                                   GotoCleanupStrategy,       //
                                   AbslCleanupStrategy,       //
                                   GslFinallyStrategy,        //
                                   BoostScopeExitStrategy,    //
                                   StdFunctionGuardStrategy,  //
                                   MoveOnlyFunctionGuardStrategy>;

// Calls `add.template operator()<S>()` for each strategy S of the lab this build has, and
// records an omitted cell of `scenario` for each it lacks:
//
//   for_each_strategy(kScenario, []<class S>() { add_case(...hot::loop_defer<S>...); });
template <class Add>
void for_each_strategy(const ScenarioInfo& scenario, Add&& add) {
  [&]<class... S>(StrategyList<S...>) {
    (
        [&] {
          if constexpr (S::kAvailable) {
            add.template operator()<S>();
          } else {
            add_omitted({std::string(scenario.name), std::string(S::kName), S::kMissing});
          }
        }(),
        ...);
  }(LabStrategies{});
}

}  // namespace deferlab::cases

// boost_scope_exit: BOOST_SCOPE_EXIT from Boost.ScopeExit (libboost-dev), a macro that
// declares a local guard object whose destructor runs the block, with the captured
// variables listed explicitly.
//
//   BOOST_SCOPE_EXIT(&f) { std::fclose(f); } BOOST_SCOPE_EXIT_END
//
// Like gsl::finally it has no dismissal; commit/rollback cells check a captured flag.
// Inside templates the _TPL form is required.
#pragma once

#include <string_view>

#include "cases/strategy.h"

#if __has_include(<boost/scope_exit.hpp>)
#include <boost/scope_exit.hpp>
#define DEFERLAB_HAVE_BOOST_SCOPE_EXIT 1
#endif

namespace deferlab {

struct BoostScopeExitStrategy {
  static constexpr std::string_view kName = "boost_scope_exit";
  static constexpr int kRank = 70;
  static constexpr std::string_view kSummary =
      "BOOST_SCOPE_EXIT (libboost-dev): a macro-declared local guard, captures listed";
  static constexpr std::string_view kHeader = "cases/strategies/boost_scope_exit.h";
  static constexpr StrategyKind kKind = StrategyKind::kGuard;
#if DEFERLAB_HAVE_BOOST_SCOPE_EXIT
  static constexpr bool kAvailable = true;
  // The macro declares the guard object itself; it copies `action` into its capture
  // struct (the _TPL form, as this is a template). No dismiss().
  template <class Make, class Body>
  [[gnu::always_inline]] static decltype(auto) with_guard(Make&& make, Body&& body) {
    auto action = make();
    BOOST_SCOPE_EXIT_TPL(action) {
      action();
    }
    BOOST_SCOPE_EXIT_END
    return body(action);
  }
  static constexpr std::string_view kCallableStorage =
      "BOOST_SCOPE_EXIT copies the callable into its capture struct";
#else
  static constexpr bool kAvailable = false;
  static constexpr const char* kMissing = "boost/scope_exit.hpp not found (Debian: libboost-dev)";
#endif
};

}  // namespace deferlab

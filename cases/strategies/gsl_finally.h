// gsl_finally: the C++ Core Guidelines' gsl::finally (libmsgsl-dev, Microsoft GSL 4),
// which returns a gsl::final_action templated on its callable.
//
//   auto close_file = gsl::finally([f] { std::fclose(f); });
//
// final_action has no dismiss() in GSL 4, so the commit/rollback cells use the idiom the
// guidelines suggest instead: the action checks a flag the scope sets on success.
#pragma once

#include <string_view>
#include <utility>

#include "cases/strategy.h"

#if __has_include(<gsl/util>)
#include <gsl/util>
#define DEFERLAB_HAVE_GSL_FINALLY 1
#endif

namespace deferlab {

struct GslFinallyStrategy {
  static constexpr std::string_view kName = "gsl_finally";
  static constexpr int kRank = 60;
  static constexpr std::string_view kSummary =
      "gsl::finally (libmsgsl-dev): final_action templated on the callable, no dismiss";
  static constexpr std::string_view kHeader = "cases/strategies/gsl_finally.h";
  static constexpr StrategyKind kKind = StrategyKind::kGuard;
#if DEFERLAB_HAVE_GSL_FINALLY
  static constexpr bool kAvailable = true;
  // No dismiss(): final_action has none in GSL 4.
  template <class Make, class Body>
  [[gnu::always_inline]] static decltype(auto) with_guard(Make&& make, Body&& body) {
    auto guard = gsl::finally(make());
    return body(guard);
  }
#else
  static constexpr bool kAvailable = false;
  static constexpr const char* kMissing = "gsl/util not found (Debian: libmsgsl-dev)";
#endif
};

}  // namespace deferlab

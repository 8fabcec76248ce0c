// gsl_finally: the C++ Core Guidelines' gsl::finally (libmsgsl-dev, Microsoft GSL 4),
// which returns a gsl::final_action templated on its callable.
//
//   auto close_file = gsl::finally([f] { std::fclose(f); });
//
// final_action has no dismiss() in GSL 4, so the commit/rollback cells use the idiom the
// guidelines suggest instead: the action checks a flag the scope sets on success.
#pragma once

#include <string_view>

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
};

}  // namespace deferlab

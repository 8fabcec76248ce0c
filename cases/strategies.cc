#include "cases/strategies.h"

#include <string>

#include "cases/case_registry.h"

namespace deferlab::cases {

void omit_unavailable(std::string_view scenario) {
  auto omit = [&](std::string_view strategy, const char* reason) {
    add_omitted({std::string(scenario), std::string(strategy), reason});
  };
#if !DEFERLAB_HAVE_ABSL_CLEANUP
  omit(AbslCleanupStrategy::kName, "absl/cleanup/cleanup.h not found (Debian: libabsl-dev)");
#endif
#if !DEFERLAB_HAVE_GSL_FINALLY
  omit(GslFinallyStrategy::kName, "gsl/util not found (Debian: libmsgsl-dev)");
#endif
#if !DEFERLAB_HAVE_BOOST_SCOPE_EXIT
  omit(BoostScopeExitStrategy::kName, "boost/scope_exit.hpp not found (Debian: libboost-dev)");
#endif
#if !DEFERLAB_HAVE_MOVE_ONLY_FUNCTION
  omit(MoveOnlyFunctionGuardStrategy::kName,
       "std::move_only_function is not available with this compiler and standard library");
#endif
  (void)omit;
}

}  // namespace deferlab::cases

// Every strategy header, and which optional ones this build has.
//
// The third-party rows exist where their Debian package is installed (tools/lab installs
// them); omit_unavailable() records the missing ones in the manifest, with the reason,
// instead of leaving a silent hole in the tables.
#pragma once

#include <string_view>

#include "cases/strategies/absl_cleanup.h"
#include "cases/strategies/boost_scope_exit.h"
#include "cases/strategies/goto_cleanup.h"
#include "cases/strategies/gsl_finally.h"
#include "cases/strategies/heap_defer.h"
#include "cases/strategies/move_only_function_guard.h"
#include "cases/strategies/pooled_chain.h"
#include "cases/strategies/scope_guard.h"
#include "cases/strategies/std_function_guard.h"

namespace deferlab::cases {

// Adds an omitted cell of `scenario` for each optional strategy this build lacks.
void omit_unavailable(std::string_view scenario);

}  // namespace deferlab::cases

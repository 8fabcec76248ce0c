// The gates' side of compare_runs (compare.h), internal to reports/: a time gate that
// cannot trip is an Error; every gate judges every BASE row into Comparison::gate_runs,
// failures and each row's failed_gates.
#pragma once

#include "reports/compare.h"

namespace deferlab::reports {

// Throws Error when a time gate cannot trip with the rows' repetitions.
void require_time_gates_can_trip(const Comparison& c);

// Applies every gate to every BASE benchmark, present in HEAD or not.
void apply_gates(Comparison& c);

}  // namespace deferlab::reports

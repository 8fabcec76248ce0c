// The profile's execution counts joined to disassembly: the heat column of the listings
// in the reports, and the per-benchmark counts deferlab run writes into disasm.json
// (each function's "profiles": executions per iteration of every instruction, and how many
// times each loop's header ran per iteration).
//
//   const auto [heated, note] = with_heat(function, row);   // for a listing
//   render_function_markdown(heated, {.heat_note = note});
//   add_profiles_to_disasm(disasm_document, profile);       // before writing disasm.json
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <utility>

#include "disasm/annotate.h"
#include "reports/profile_figures.h"
#include "reports/report_model.h"

namespace deferlab::reports {

// `f` with the heat of `row`'s benchmark (executions per iteration of each instruction,
// from the row's profile), and what the column counts; `f` as it is and "" when the
// profile has no counts for it.
std::pair<disasm::AnnotatedFunction, std::string> with_heat(const disasm::AnnotatedFunction& f,
                                                            const StrategyRow& row);

// Adds "profiles" to every function of a deferlab.disasm/1 document that a benchmark of
// `profile` ran among its hot functions: per benchmark, "executions_per_iteration" (one
// number per instruction, in the order of "instructions"; 0 for one that never ran) and
// "loops" with "header_executions_per_iteration" (the trips per iteration of the
// benchmark; a loop tested at its header counts one more than its body runs).
// Requires: `document` is a deferlab.disasm/1 document deferlab wrote.
void add_profiles_to_disasm(nlohmann::json& document, const ProfileData& profile);

}  // namespace deferlab::reports

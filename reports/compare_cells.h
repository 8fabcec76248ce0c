// The cells and lines of a Comparison that every format shows the same way (defined in
// compare_renderer.cc). Internal to reports/.
#pragma once

#include <string>

#include "reports/compare.h"

namespace deferlab::reports::compare_cells {

// The change figure (figures.h time_ratio): "+2.7% [+1.0%, +4.1%]", "-" without one.
std::string change_text(const CompareRow& r);
// The level of the rows' intervals, for the column header: "90%", "90-95%".
std::string change_level(const Comparison& c);
// "change [90% CI]".
std::string change_header(const Comparison& c);
// The footer line: what the change column is, at which level, and what asked for it.
std::string definition_text(const Comparison& c);
// "geomean of the change estimates: +1.2%" (requires c.geomean_ratio).
std::string geomean_text(const Comparison& c);
// The U test's p-value, "0.0040"; "-" without a test.
std::string p_text(const CompareRow& r);
// "8 -> 9 (+1)"; a side without a value shows why ("invalid", "errored", "-").
std::string counts_text(const CounterChange& c);
// Whether any row has profile figures.
bool any_profile(const Comparison& c);
// "465 -> 466 (+1)", "465", "-".
std::string profile_text(const ProfileChange& k);
// "97% same; alloc calls +0, in loops +0, instructions +2"; "" without a code change.
std::string code_text(const CompareRow& r);

}  // namespace deferlab::reports::compare_cells

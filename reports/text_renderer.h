// The console summary `deferlab run` prints: a table per scenario and parameter with each
// strategy's median time, ratio to the baseline with its confidence interval, exact heap
// allocations and bytes per iteration, and coefficient of variation, noisy cells marked.
#pragma once

#include <string>

#include "reports/report_model.h"

namespace deferlab::reports {

struct TextStyle {
  bool color = false;  // ANSI colours (the caller honours NO_COLOR and non-terminals)
};

std::string render_text(const RunReport& report, const TextStyle& style);

}  // namespace deferlab::reports

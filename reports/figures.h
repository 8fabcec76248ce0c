// The figures deferlab reports and gates on, each defined once: every renderer, the run
// report, compare's table, footer, JSON and gate messages call these and nothing else.
// docs/figures.md states the same definitions for readers.
//
//   const stats::Ratio change = time_ratio(head_ns, base_ns, 0.95);
//   table_cell = format_ratio_interval(change) + " " + confidence_label(change.confidence);
#pragma once

#include <cstddef>
#include <span>
#include <string>

#include "harness/statistics.h"

namespace deferlab::reports {

// Every count read from a bench.json (iterations, the exact heap counters per iteration,
// the MemoryManager fields) is at most 2^40; above it the value is not a measurement.
inline constexpr double kMaxCount = 1099511627776.0;

// The level the run report asks of its intervals ("vs baseline"); compare asks 1 - alpha.
inline constexpr double kRunConfidence = 0.95;

// THE time ratio, used for "vs baseline" in run reports and "change" in compare: the
// Hodges-Lehmann estimate of the ratio of the typical time of `a` to that of `b` (the
// median of all pairwise ratios a_i / b_j), with the narrowest distribution-free interval
// whose coverage is at least `confidence`, or the widest there is when the sample sizes
// allow none; `.confidence` is the exact coverage achieved (discrete: 96.0 % with 9 vs 9,
// 90 % with 3 vs 3, when 95 % is asked).
// Requires: both non-empty, every value finite and > 0 (bench_results validates this).
stats::Ratio time_ratio(std::span<const double> a_ns, std::span<const double> b_ns,
                        double confidence);

// The achieved level of an interval as shown: "90%" (rounded down to a whole percent), or
// "no interval" when there is none (one sample a side).
std::string confidence_label(double achieved);
// The level of a set of intervals: "90%" when they agree, "90-95%" when they do not; ""
// when the set is empty.
std::string confidence_label(std::span<const double> achieved);

// One line each, for footers: what the table's figure is.
std::string change_definition();                                  // compare's "change"
std::string vs_baseline_definition(const std::string& baseline);  // the run report's ratio
// allocs/iter and bytes/iter: the lab's (and any binary that links deferlab's hook) are
// exact operator-new counts; other binaries' come from their own counters, when they
// have any (`own_counters`: the report's manifest was derived, not declared).
std::string allocations_definition(bool own_counters);

// Amortized counters: a per-iteration value that depends on the iteration count (a
// vector growing across iterations: 8.34 bytes/iter at one count, 14.50 at another).
// Rule: a counter is amortized when any of its per-iteration values is not an integer, or
// when its values differ between repetitions. A loop doing the same work every iteration
// makes a whole number of allocations of whole bytes, the same in every repetition.
bool is_amortized(std::span<const double> per_iteration);

// Amortized counters are gated with this factor: geometric growth (std::vector doubles)
// puts the per-iteration cost of unchanged code anywhere within a factor 2, depending on
// where the iteration count falls between two reallocations.
inline constexpr double kAmortizedFactor = 2.0;

// "a factor 2 (HEAD <= 2 x BASE + threshold)", for messages.
std::string amortized_tolerance_text();

// The largest HEAD value a counter gate with `threshold` lets pass: base + threshold, or
// kAmortizedFactor * base + threshold for an amortized counter.
double counter_gate_limit(double base, double threshold, bool amortized);

// The smallest two-sided p-value stats::mann_whitney_u can give for samples of sizes m
// and n without ties: 2 / C(m + n, m) in its exact range (either size at most 8), and the
// normal approximation at U = m n otherwise. A time gate at alpha can trip only if this is
// below alpha: with 3 vs 3 it is 0.1.
double min_two_sided_p(std::size_t m, std::size_t n);

// The smallest r with min_two_sided_p(r, r) < alpha.
std::size_t repetitions_needed(double alpha);

}  // namespace deferlab::reports

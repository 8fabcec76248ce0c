// The one definition of each figure: time ratio, interval level, amortization, gate limits.
#include "reports/figures.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace deferlab::reports {

stats::Ratio time_ratio(std::span<const double> a_ns, std::span<const double> b_ns,
                        double confidence) {
  return stats::ratio_interval(a_ns, b_ns, confidence);
}

std::string confidence_label(double achieved) {
  if (!(achieved > 0)) return "no interval";
  // 0.9 is stored as 0.8999...: the epsilon keeps it from printing as 89 %.
  return fmt::format("{}%", static_cast<int>(std::floor(achieved * 100 + 1e-9)));
}

std::string confidence_label(std::span<const double> achieved) {
  if (achieved.empty()) return "";
  const auto [low, high] = std::minmax_element(achieved.begin(), achieved.end());
  const std::string lo = confidence_label(*low);
  const std::string hi = confidence_label(*high);
  if (lo == hi) return lo;
  if (!(*low > 0)) return "at most " + hi;
  return lo.substr(0, lo.size() - 1) + "-" + hi;
}

std::string change_definition() {
  return "change: Hodges-Lehmann estimate of head/base time - 1 (the median of all pairwise "
         "ratios), with its distribution-free interval at the level shown; p: two-sided "
         "Mann-Whitney U test";
}

std::string vs_baseline_definition(const std::string& baseline) {
  return "vs " + baseline + ": Hodges-Lehmann estimate of time / " + baseline +
         "'s time (the median of all pairwise ratios), with its distribution-free interval "
         "at the level shown";
}

std::string allocations_definition(bool own_counters) {
  return own_counters ? "allocs and bytes per iteration of the timed loop come from the "
                        "binary's own counters (deferlab's hook, Go's -benchmem); - where it "
                        "reports none"
                      : "allocs and bytes are exact operator-new counts per iteration of the "
                        "timed loop";
}

bool is_amortized(std::span<const double> per_iteration) {
  for (double v : per_iteration) {
    if (v != std::floor(v) || v != per_iteration.front()) return true;
  }
  return false;
}

std::string amortized_tolerance_text() {
  return fmt::format("a factor {:g}: HEAD <= {:g} x BASE + threshold", kAmortizedFactor,
                     kAmortizedFactor);
}

double counter_gate_limit(double base, double threshold, bool amortized) {
  return (amortized ? kAmortizedFactor * base : base) + threshold;
}

double min_two_sided_p(std::size_t m, std::size_t n) {
  if (m == 0 || n == 0) return 1;
  if (m <= 8 || n <= 8) return std::min(1.0, 2 * stats::mann_whitney_sf(m, n, m * n));
  // Both above 8: stats::mann_whitney_u uses the normal approximation with continuity
  // correction; U = m n is its most extreme value.
  const double md = static_cast<double>(m);
  const double nd = static_cast<double>(n);
  const double z = (md * nd / 2 - 0.5) / std::sqrt(md * nd * (md + nd + 1) / 12);
  return std::min(1.0, std::erfc(z / std::sqrt(2.0)));
}

std::size_t repetitions_needed(double alpha) {
  std::size_t r = 1;
  while (r < 1000 && !(min_two_sided_p(r, r) < alpha)) ++r;
  return r;
}

}  // namespace deferlab::reports

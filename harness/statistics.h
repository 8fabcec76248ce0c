// Summaries of repeated timings and the distribution-free tests reports use to compare
// them: no normality is assumed, since benchmark times on a shared machine are skewed.
//
//   const stats::Summary s = stats::summarize(times);        // median, MAD, CV, ...
//   const stats::MannWhitney t = stats::mann_whitney_u(base, head);
//   if (t.p_value < 0.05) ...                                // a significant change
//   const stats::Ratio r = stats::ratio_interval(head, base); // head/base with a CI
#pragma once

#include <cstddef>
#include <span>
#include <vector>

namespace deferlab::stats {

struct Summary {
  std::size_t n = 0;
  double median = 0;
  double mean = 0;
  double min = 0;
  double max = 0;
  double stddev = 0;  // sample standard deviation (n - 1); 0 when n < 2
  double mad = 0;     // median absolute deviation from the median (unscaled)
  double cv = 0;      // stddev / mean; 0 when the mean is 0
};

// Requires: !samples.empty().
Summary summarize(std::span<const double> samples);

double median(std::span<const double> samples);

// Linear interpolation between closest ranks (type 7, numpy's default), q in [0, 1].
// Requires: !samples.empty().
double quantile(std::span<const double> samples, double q);

// Geometric mean of positive values; 0 when empty.
double geomean(std::span<const double> values);

struct MannWhitney {
  double u = 0;        // U statistic of the first sample (scipy's `statistic`)
  double p_value = 1;  // two-sided
  bool exact = false;  // exact null distribution, or the normal approximation
};

// Two-sided Mann-Whitney U test, computed as scipy.stats.mannwhitneyu(x, y) does by
// default: the exact distribution when either sample has at most 8 values and there are
// no ties, otherwise the normal approximation with tie and continuity corrections.
// Requires: both samples non-empty.
MannWhitney mann_whitney_u(std::span<const double> x, std::span<const double> y);

// P(U >= u) under the null hypothesis, for samples of sizes m and n (no ties).
double mann_whitney_sf(std::size_t m, std::size_t n, std::size_t u);

struct Ratio {
  double estimate = 1;  // Hodges-Lehmann estimate of a / b
  double low = 1;       // confidence interval bounds
  double high = 1;
  double confidence = 0;  // what the interval achieves; below the request for tiny samples
};

// The ratio of the typical value of `a` to that of `b`, with a distribution-free interval:
// the Hodges-Lehmann shift of the logarithms and the interval the Mann-Whitney distribution
// gives it (Bauer 1972), turned back into a ratio. With 3 values per side no interval
// reaches 95 %; the widest one (90 %) is returned and `confidence` says so.
// Requires: both non-empty, all values positive.
Ratio ratio_interval(std::span<const double> a, std::span<const double> b,
                     double confidence = 0.95);

}  // namespace deferlab::stats

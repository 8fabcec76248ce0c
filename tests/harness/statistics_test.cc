// Tests harness/statistics.cc: summaries on data whose answers follow from the
// definitions, the Mann-Whitney p-values against scipy.stats.mannwhitneyu computed live
// (Debian's python3-scipy) to 1e-6, and the ratio interval's coverage arithmetic.
#include "harness/statistics.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

namespace deferlab::stats {
namespace {

TEST(StatisticsTest, SummaryOfAKnownSample) {
  const std::vector<double> v = {4, 1, 100, 3, 2};
  const Summary s = summarize(v);
  EXPECT_EQ(s.n, 5u);
  EXPECT_EQ(s.median, 3);
  EXPECT_EQ(s.min, 1);
  EXPECT_EQ(s.max, 100);
  EXPECT_EQ(s.mean, 22);
  EXPECT_EQ(s.mad, 1);  // deviations 1, 2, 97, 0, 1
  // Sample variance: (18^2 + 21^2 + 78^2 + 19^2 + 20^2) / 4 = 7610 / 4.
  EXPECT_DOUBLE_EQ(s.stddev, std::sqrt(7610.0 / 4));
  EXPECT_DOUBLE_EQ(s.cv, s.stddev / 22);
}

TEST(StatisticsTest, QuantilesInterpolateBetweenRanks) {
  const std::vector<double> v = {10, 20, 30, 40};
  EXPECT_EQ(quantile(v, 0), 10);
  EXPECT_EQ(quantile(v, 1), 40);
  EXPECT_EQ(quantile(v, 0.5), 25);
  EXPECT_EQ(quantile(v, 0.25), 17.5);  // position 0.75 between 10 and 20
}

TEST(StatisticsTest, OneValueHasNoSpread) {
  const std::vector<double> v = {7};
  const Summary s = summarize(v);
  EXPECT_EQ(s.median, 7);
  EXPECT_EQ(s.stddev, 0);
  EXPECT_EQ(s.cv, 0);
}

TEST(StatisticsTest, GeomeanOfPowersOfTwo) {
  const std::vector<double> v = {1, 4, 16};
  EXPECT_DOUBLE_EQ(geomean(v), 4);
}

TEST(StatisticsTest, ExactTailOfTheSmallestSamples) {
  // Sizes 3 and 3: 20 equally likely arrangements, one of them with U = 9.
  EXPECT_DOUBLE_EQ(mann_whitney_sf(3, 3, 9), 1.0 / 20);
  EXPECT_DOUBLE_EQ(mann_whitney_sf(3, 3, 0), 1.0);
  // Sizes 5 and 5: 252 arrangements; U >= 23 in 4 of them (U = 25, 24, 23, 23).
  EXPECT_DOUBLE_EQ(mann_whitney_sf(5, 5, 23), 4.0 / 252);
}

struct Pair {
  std::vector<double> x;
  std::vector<double> y;
};

std::string as_python_list(const std::vector<double>& v) {
  std::ostringstream out;
  out.precision(17);
  out << "[";
  for (std::size_t i = 0; i < v.size(); ++i) out << (i ? "," : "") << v[i];
  out << "]";
  return out.str();
}

// scipy's (statistic, pvalue) for each pair, or an empty vector when scipy is missing.
std::vector<std::pair<double, double>> scipy_mannwhitneyu(const std::vector<Pair>& pairs) {
  std::string script = "import scipy.stats as s\n";
  for (const Pair& p : pairs) {
    script += "r = s.mannwhitneyu(" + as_python_list(p.x) + ", " + as_python_list(p.y) +
              ")\nprint(repr(float(r.statistic)), repr(float(r.pvalue)))\n";
  }
  const std::string command = "/usr/bin/python3 -c '" + script + "' 2>&1";
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), pclose);
  std::vector<std::pair<double, double>> results;
  if (!pipe) return results;
  double statistic = 0;
  double p_value = 0;
  while (std::fscanf(pipe.get(), "%lf %lf", &statistic, &p_value) == 2) {
    results.emplace_back(statistic, p_value);
  }
  return results;
}

TEST(StatisticsTest, MannWhitneyMatchesScipy) {
  const std::vector<Pair> pairs = {
      // small, no ties: exact distribution
      {{1.1, 2.2, 3.3}, {4.4, 5.5, 6.6}},
      {{10.5, 11.2, 9.8, 10.9, 11.7}, {10.1, 12.3, 11.9, 12.8, 12.0}},
      {{5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0}, {1.0, 2.5, 3.5, 13.0, 14.0, 15.0}},
      {{1.0, 2.0, 3.0, 4.0, 5.0}, {1.5, 2.5, 3.5, 4.5, 5.5}},
      // small with ties: normal approximation with tie correction
      {{1.0, 2.0, 2.0, 3.0}, {2.0, 3.0, 4.0, 4.0, 5.0}},
      // large: normal approximation
      {{12.1, 13.4, 11.8, 12.9, 14.2, 13.1, 12.5, 13.8, 12.2, 13.0, 12.7},
       {13.5, 14.1, 13.9, 14.8, 15.2, 13.2, 14.4, 15.0, 14.6, 13.7}},
      // identical samples: no difference at all
      {{3.0, 3.0, 3.0, 3.0, 3.0, 3.0, 3.0, 3.0, 3.0},
       {3.0, 3.0, 3.0, 3.0, 3.0, 3.0, 3.0, 3.0, 3.0}},
      // benchmark-like medians over 9 repetitions each
      {{101.2, 99.8, 100.4, 100.9, 102.3, 99.5, 100.1, 101.7, 100.6},
       {104.9, 103.8, 105.2, 104.1, 106.0, 103.5, 104.4, 105.7, 104.8}},
  };
  const auto expected = scipy_mannwhitneyu(pairs);
  ASSERT_EQ(expected.size(), pairs.size())
      << "scipy is required (Debian: python3-scipy; tools/lab installs it)";
  for (std::size_t i = 0; i < pairs.size(); ++i) {
    SCOPED_TRACE(i);
    const MannWhitney mine = mann_whitney_u(pairs[i].x, pairs[i].y);
    EXPECT_NEAR(mine.u, expected[i].first, 1e-9);
    EXPECT_NEAR(mine.p_value, expected[i].second, 1e-6);
  }
}

TEST(StatisticsTest, RatioOfAScaledSampleIsTheScale) {
  const std::vector<double> b = {1.0, 1.1, 1.2, 1.3, 1.4};
  std::vector<double> a;
  for (double v : b) a.push_back(3 * v);
  const Ratio r = ratio_interval(a, b);
  // The log differences are symmetric around log 3.
  EXPECT_NEAR(r.estimate, 3, 1e-12);
  EXPECT_LE(r.low, 3);
  EXPECT_GE(r.high, 3);
  // Sizes 5 and 5: the largest tail within 2.5 % is P(U <= 2) = 4/252.
  EXPECT_DOUBLE_EQ(r.confidence, 1 - 2 * 4.0 / 252);
}

TEST(StatisticsTest, ThreeAgainstThreeGivesTheWidestInterval) {
  const std::vector<double> a = {2.0, 2.2, 2.4};
  const std::vector<double> b = {1.0, 1.1, 1.2};
  const Ratio r = ratio_interval(a, b);
  // No interval reaches 95 % with 20 arrangements; the full range covers 1 - 2/20.
  EXPECT_DOUBLE_EQ(r.confidence, 0.9);
  EXPECT_DOUBLE_EQ(r.low, 2.0 / 1.2);
  EXPECT_DOUBLE_EQ(r.high, 2.4 / 1.0);
}

TEST(StatisticsTest, LargeSamplesUseTheNormalApproximation) {
  std::vector<double> a;
  std::vector<double> b;
  for (int i = 0; i < 60; ++i) {
    b.push_back(100 + i);
    a.push_back(2 * (100 + i));
  }
  const Ratio r = ratio_interval(a, b);
  EXPECT_EQ(r.confidence, 0.95);
  EXPECT_LT(r.low, r.estimate);
  EXPECT_GT(r.high, r.estimate);
  EXPECT_NEAR(r.estimate, 2, 0.02);
}

}  // namespace
}  // namespace deferlab::stats

// Tests reports/figures.cc, the one definition of each figure: the time ratio and the level
// its interval achieves, the labels every renderer prints, amortization and the gate
// limits, and the smallest p-value a time gate can reach.
#include "reports/figures.h"

#include <gtest/gtest.h>

#include <vector>

namespace deferlab::reports {
namespace {

TEST(FiguresTest, TheTimeRatioIsTheHodgesLehmannEstimateAtTheLevelAchieved) {
  const std::vector<double> base = {100, 101, 99};
  const std::vector<double> head = {200, 202, 198};
  const stats::Ratio r = time_ratio(head, base, 0.95);
  // The median of the nine pairwise ratios head_i / base_j.
  EXPECT_NEAR(r.estimate, 2.0, 1e-12);
  // 3 vs 3 cannot reach 95 %: the widest interval, at 1 - 2/20.
  EXPECT_DOUBLE_EQ(r.confidence, 0.9);
  EXPECT_EQ(confidence_label(r.confidence), "90%");
  EXPECT_LE(r.low, r.estimate);
  EXPECT_GE(r.high, r.estimate);
}

TEST(FiguresTest, LevelLabels) {
  EXPECT_EQ(confidence_label(0.9), "90%");
  EXPECT_EQ(confidence_label(0.9609), "96%");
  EXPECT_EQ(confidence_label(0.0), "no interval");
  EXPECT_EQ(confidence_label(std::vector<double>{0.9, 0.9}), "90%");
  EXPECT_EQ(confidence_label(std::vector<double>{0.9609, 0.9}), "90-96%");
  EXPECT_EQ(confidence_label(std::vector<double>{}), "");
}

TEST(FiguresTest, AmortizedMeansFractionalOrVarying) {
  EXPECT_FALSE(is_amortized(std::vector<double>{2, 2, 2}));
  EXPECT_FALSE(is_amortized(std::vector<double>{0}));
  EXPECT_TRUE(is_amortized(std::vector<double>{8.34}));
  EXPECT_TRUE(is_amortized(std::vector<double>{1, 2}));
}

TEST(FiguresTest, GateLimits) {
  EXPECT_EQ(counter_gate_limit(40, 0, false), 40);
  EXPECT_EQ(counter_gate_limit(40, 8, false), 48);
  // 8.34 -> 14.50 bytes/iter of unchanged vector growth passes bytes:+0.
  EXPECT_GT(counter_gate_limit(8.34, 0, true), 14.50);
}

TEST(FiguresTest, TheSmallestPValueSaysWhetherATimeGateCanTrip) {
  EXPECT_DOUBLE_EQ(min_two_sided_p(3, 3), 0.1);  // 2 / C(6, 3)
  EXPECT_DOUBLE_EQ(min_two_sided_p(4, 4), 2.0 / 70);
  EXPECT_DOUBLE_EQ(min_two_sided_p(1, 1), 1.0);
  EXPECT_LT(min_two_sided_p(9, 9), 1e-3);  // normal approximation range
  EXPECT_EQ(repetitions_needed(0.05), 4u);
  EXPECT_EQ(repetitions_needed(0.01), 5u);
}

}  // namespace
}  // namespace deferlab::reports

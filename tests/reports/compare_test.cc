// Tests reports/compare.cc on Google Benchmark documents built here: identical samples show
// no change, a clear slowdown is significant and trips a time gate, an allocation increase
// trips allocs:+0 exactly, and gate syntax errors are bad input.
#include "reports/compare.h"

#include <gtest/gtest.h>

#include "harness/error.h"

namespace deferlab::reports {
namespace {

// One benchmark with per-repetition times and a heap_allocs counter.
nlohmann::json run_entry(const std::string& name, double time, double allocs, int index) {
  return {{"name", name},          {"run_name", name},          {"run_type", "iteration"},
          {"repetitions", 9},      {"repetition_index", index}, {"iterations", 1000},
          {"real_time", time},     {"cpu_time", time},          {"time_unit", "ns"},
          {"heap_allocs", allocs}, {"heap_bytes", allocs * 40}};
}

CompareInput input(
    const std::vector<std::tuple<std::string, std::vector<double>, double>>& benchmarks) {
  nlohmann::json doc = {{"context", nlohmann::json::object()},
                        {"benchmarks", nlohmann::json::array()}};
  for (const auto& [name, times, allocs] : benchmarks) {
    for (std::size_t i = 0; i < times.size(); ++i) {
      doc["benchmarks"].push_back(run_entry(name, times[i], allocs, static_cast<int>(i)));
    }
  }
  return {"memory", parse_bench_json(doc, "memory"), std::nullopt};
}

const std::vector<double> kBase = {100, 101, 99, 100.5, 100.2, 99.8, 100.1, 100.7, 99.6};

TEST(CompareTest, IdenticalRunsShowNoChange) {
  const Comparison c = compare_runs(input({{"a", kBase, 1}}), input({{"a", kBase, 1}}), 0.05, {});
  ASSERT_EQ(c.rows.size(), 1u);
  EXPECT_EQ(c.rows[0].verdict, "no significant change");
  EXPECT_DOUBLE_EQ(*c.geomean_ratio, 1.0);
  EXPECT_TRUE(c.failures.empty());
}

TEST(CompareTest, AClearSlowdownIsSignificantAndTripsTheTimeGate) {
  std::vector<double> slower;
  for (double t : kBase) slower.push_back(t * 1.10);
  const Comparison c = compare_runs(input({{"a", kBase, 1}}), input({{"a", slower, 1}}), 0.05,
                                    {parse_gate("time:+5%")});
  EXPECT_EQ(c.rows[0].verdict, "slower");
  EXPECT_LT(c.rows[0].test->p_value, 0.05);
  EXPECT_NEAR(c.rows[0].change->estimate, 1.10, 0.01);
  ASSERT_EQ(c.failures.size(), 1u);
  EXPECT_NE(c.failures[0].find("a: "), std::string::npos);
  // A 20 % gate is not tripped by a 10 % slowdown.
  EXPECT_TRUE(compare_runs(input({{"a", kBase, 1}}), input({{"a", slower, 1}}), 0.05,
                           {parse_gate("time:+20%")})
                  .failures.empty());
}

TEST(CompareTest, AnAllocationIncreaseTripsAllocsPlusZero) {
  const Comparison c = compare_runs(input({{"keep", kBase, 0}, {"grow", kBase, 1}}),
                                    input({{"keep", kBase, 0}, {"grow", kBase, 2}}), 0.05,
                                    {parse_gate("allocs:+0")});
  ASSERT_EQ(c.failures.size(), 1u);
  EXPECT_EQ(c.failures[0].rfind("grow: heap_allocs per iteration 1 -> 2", 0), 0u) << c.failures[0];
  EXPECT_EQ(c.rows[1].failed_gates, std::vector<std::string>{"allocs:+0"});
}

TEST(CompareTest, FewRepetitionsAreWarnedAbout) {
  const std::vector<double> three = {100, 101, 99};
  const Comparison c = compare_runs(input({{"a", three, 0}}), input({{"a", three, 0}}), 0.05, {});
  ASSERT_FALSE(c.warnings.empty());
  EXPECT_NE(c.warnings[0].find("only 3 repetitions"), std::string::npos);
}

TEST(CompareTest, BenchmarksOnOneSideAreListed) {
  const Comparison c = compare_runs(input({{"a", kBase, 0}, {"gone", kBase, 0}}),
                                    input({{"a", kBase, 0}, {"new", kBase, 0}}), 0.05, {});
  EXPECT_EQ(c.only_in_base, std::vector<std::string>{"gone"});
  EXPECT_EQ(c.only_in_head, std::vector<std::string>{"new"});
}

TEST(CompareTest, GateSyntax) {
  EXPECT_EQ(parse_gate("time:+5%").threshold, 0.05);
  EXPECT_EQ(parse_gate("allocs:+0").kind, Gate::Kind::kAllocs);
  EXPECT_EQ(parse_gate("bytes:64").threshold, 64);
  for (const char* bad : {"time:5", "speed:+5%", "allocs:-1", "allocs:", "time:+x%", "nothing"}) {
    EXPECT_THROW(parse_gate(bad), Error) << bad;
  }
}

}  // namespace
}  // namespace deferlab::reports

// Tests reports/compare.cc on Google Benchmark documents built here: identical samples show
// no change, a clear slowdown is significant and trips a time gate, an allocation increase
// trips allocs:+0 exactly, and gate syntax errors are bad input.
#include "reports/compare.h"

#include <gtest/gtest.h>

#include "common/error.h"
#include "reports/format.h"

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
  for (const char* bad :
       {"time:5", "speed:+5%", "allocs:-1", "allocs:", "time:+x%", "nothing", "time:+inf%",
        "time:+nan%", "allocs:inf", "allocs:1e308", "time:+20000%"}) {
    EXPECT_THROW(parse_gate(bad), Error) << bad;
  }
}

// With 3 against 3 repetitions the smallest U-test p is 0.1: a time gate at 0.05 could
// never trip, so asking for one is bad usage, not a pass.
TEST(CompareTest, ATimeGateThatCannotTripIsAnError) {
  const std::vector<double> three = {100, 101, 99};
  const std::vector<double> slower = {300, 303, 297};
  try {
    compare_runs(input({{"a", three, 0}}), input({{"a", slower, 0}}), 0.05,
                 {parse_gate("time:+5%")});
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("smallest two-sided U-test p-value is 0.1"),
              std::string::npos)
        << e.what();
    EXPECT_NE(e.hint().find("at least 4 repetitions"), std::string::npos) << e.hint();
  }
  // Four a side can: 2 / C(8, 4) < 0.05.
  const std::vector<double> four = {100, 101, 99, 100.5};
  const std::vector<double> four_slower = {300, 303, 297, 301};
  EXPECT_EQ(compare_runs(input({{"a", four, 0}}), input({{"a", four_slower, 0}}), 0.05,
                         {parse_gate("time:+5%")})
                .failures.size(),
            1u);
}

// A gate judges every BASE benchmark: one it cannot find in HEAD fails it.
TEST(CompareTest, ARowMissingInHeadFailsEveryGate) {
  const Comparison c =
      compare_runs(input({{"a", kBase, 1}, {"gone", kBase, 1}}), input({{"a", kBase, 1}}), 0.05,
                   {parse_gate("allocs:+0"), parse_gate("time:+5%")});
  EXPECT_EQ(c.failures,
            (std::vector<std::string>{"gone: allocs:+0 cannot be checked: missing in HEAD",
                                      "gone: time:+5% cannot be checked: missing in HEAD"}));
  ASSERT_EQ(c.gate_runs.size(), 2u);
  EXPECT_EQ(c.gate_runs[0].rows, 2u);
  EXPECT_EQ(c.gate_runs[0].checked, 1u);
  EXPECT_EQ(c.gate_runs[0].unverifiable, 1u);
}

// The time gate's figure is the table's: the Hodges-Lehmann change estimate.
TEST(CompareTest, TheTimeGateJudgesTheChangeEstimate) {
  std::vector<double> slower;
  for (double t : kBase) slower.push_back(t * 1.377);
  const Comparison c = compare_runs(input({{"a", kBase, 1}}), input({{"a", slower, 1}}), 0.05,
                                    {parse_gate("time:+5%")});
  ASSERT_EQ(c.failures.size(), 1u);
  const std::string estimate = format_signed_percent(c.rows[0].change->estimate - 1);
  EXPECT_EQ(c.failures[0].rfind("a: " + estimate + " [", 0), 0u) << c.failures[0];
  EXPECT_DOUBLE_EQ(*c.geomean_ratio, c.rows[0].change->estimate);
}

}  // namespace
}  // namespace deferlab::reports

// Tests reports/bench_results.cc's checks of every row (docs/figures.md): impossible times
// and counts make a benchmark invalid with the JSON path, bad counters and MemoryManager
// fields are left out with the reason, structural faults are file errors, and nothing
// invalid is kept as a number.
#include "reports/bench_results.h"

#include <gtest/gtest.h>

#include <functional>

#include "common/error.h"

namespace deferlab::reports {
namespace {

using Json = nlohmann::json;

// Repetition `index` of benchmark "a": 1000 iterations, one 40-byte allocation each, and
// the MemoryManager fields deferlab's manager writes for it (16-iteration memory run).
Json entry(int index) {
  return {{"name", "a"},
          {"run_name", "a"},
          {"run_type", "iteration"},
          {"repetitions", 3},
          {"repetition_index", index},
          {"threads", 1},
          {"iterations", 1000},
          {"real_time", 100.0 + index},
          {"cpu_time", 99.0 + index},
          {"time_unit", "ns"},
          {"heap_allocs", 1.0},
          {"heap_bytes", 40.0},
          {"heap_frees", 1.0},
          {"allocs_per_iter", 1.0},
          {"max_bytes_used", 48},
          {"total_allocated_bytes", 640},
          {"net_heap_growth", 0}};
}

Json document(const std::vector<Json>& entries) {
  return {{"context", Json::object()}, {"benchmarks", entries}};
}

// The document of three good repetitions with `change` applied to repetition 1.
BenchmarkResult parse_with(const std::function<void(Json&)>& change) {
  std::vector<Json> entries = {entry(0), entry(1), entry(2)};
  change(entries[1]);
  const BenchResults results = parse_bench_json(document(entries), "test");
  EXPECT_EQ(results.benchmarks.size(), 1u);
  return results.benchmarks.at(0);
}

TEST(BenchResultsTest, AGoodDocumentKeepsEveryFigure) {
  const BenchmarkResult b = parse_with([](Json&) {});
  EXPECT_TRUE(b.is_valid());
  EXPECT_EQ(b.real_ns, (std::vector<double>{100, 101, 102}));
  EXPECT_EQ(b.counter_median("heap_allocs"), 1.0);
  EXPECT_FALSE(b.is_amortized("heap_bytes"));
  EXPECT_TRUE(b.memory_invalid.empty()) << b.memory_invalid;
  ASSERT_EQ(b.memory.size(), 3u);
  EXPECT_EQ(b.memory[2].total_allocated_bytes, 640.0);
}

TEST(BenchResultsTest, ImpossibleTimesAndCountsMakeTheBenchmarkInvalid) {
  const std::vector<std::pair<std::function<void(Json&)>, std::string>> cases = {
      {[](Json& e) { e["real_time"] = 0; }, "benchmarks[1].real_time is 0; a time must be"},
      {[](Json& e) { e["cpu_time"] = -3.5; }, "benchmarks[1].cpu_time is -3.5"},
      {[](Json& e) { e["real_time"] = nullptr; }, "benchmarks[1].real_time is null"},
      {[](Json& e) { e["real_time"] = "100"; }, "benchmarks[1].real_time is a string"},
      {[](Json& e) { e["time_unit"] = "ks"; }, "benchmarks[1].time_unit 'ks' is not"},
      {[](Json& e) { e["iterations"] = 0; }, "benchmarks[1].iterations is 0, outside [1,"},
      {[](Json& e) { e["iterations"] = 2199023255552.0; },
       "benchmarks[1].iterations is 2.19902e+12"},
      {[](Json& e) { e["iterations"] = 10.5; }, "benchmarks[1].iterations is 10.5, not a whole"},
      {[](Json& e) { e.erase("iterations"); }, "benchmarks[1].iterations is missing"},
      {[](Json& e) { e["threads"] = -1; }, "benchmarks[1].threads is -1"},
      {[](Json& e) { e["error_occurred"] = "yes"; }, "benchmarks[1].error_occurred is a string"},
  };
  for (const auto& [change, reason] : cases) {
    const BenchmarkResult b = parse_with(change);
    SCOPED_TRACE(reason);
    ASSERT_FALSE(b.is_valid());
    EXPECT_EQ(b.invalid.front().rfind(reason, 0), 0u) << b.invalid.front();
    // Nothing of an invalid benchmark is kept as a number.
    EXPECT_TRUE(b.real_ns.empty());
    EXPECT_FALSE(b.counter_median("heap_allocs").has_value());
  }
}

TEST(BenchResultsTest, ABadCounterIsLeftOutWithTheReason) {
  const std::vector<std::pair<std::function<void(Json&)>, std::string>> cases = {
      {[](Json& e) { e["heap_allocs"] = nullptr; }, "benchmarks[1].heap_allocs is null"},
      {[](Json& e) { e["heap_allocs"] = "1"; }, "benchmarks[1].heap_allocs is a string"},
      {[](Json& e) { e["heap_allocs"] = -1.0; }, "benchmarks[1].heap_allocs is -1, outside"},
      {[](Json& e) { e["heap_allocs"] = 1e13; }, "benchmarks[1].heap_allocs is 1e+13, outside"},
      {[](Json& e) { e.erase("heap_allocs"); }, "heap_allocs is in 2 of 3 repetitions"},
  };
  for (const auto& [change, reason] : cases) {
    const BenchmarkResult b = parse_with(change);
    SCOPED_TRACE(reason);
    EXPECT_TRUE(b.is_valid());  // the times are fine
    ASSERT_TRUE(b.invalid_counters.contains("heap_allocs"));
    EXPECT_EQ(b.invalid_counters.at("heap_allocs").rfind(reason, 0), 0u)
        << b.invalid_counters.at("heap_allocs");
    EXPECT_FALSE(b.counter_median("heap_allocs").has_value());
    EXPECT_EQ(b.counter_median("heap_bytes"), 40.0);  // the other counters stay
  }
}

TEST(BenchResultsTest, MemoryManagerFieldsThatContradictTheExactCountersAreNotUsed) {
  const std::vector<std::pair<std::function<void(Json&)>, std::string>> cases = {
      // What Google Benchmark 1.7.1 wrote from freed memory: "size/mov" read as an int64.
      {[](Json& e) { e["max_bytes_used"] = 8534159869223790963ULL; },
       "benchmarks[1].max_bytes_used is 8.53416e+18, outside"},
      // Its own bookkeeping in the window: 7 allocations over 16 iterations.
      {[](Json& e) { e["allocs_per_iter"] = 1.4375; },
       "repetition 1: allocs_per_iter 1.4375 contradicts the exact heap_allocs 1"},
      {[](Json& e) { e["total_allocated_bytes"] = 880; },
       "repetition 1: total_allocated_bytes 880 contradicts the exact heap_bytes 40 x 16"},
      {[](Json& e) { e["net_heap_growth"] = 4096; },
       "repetition 1: net_heap_growth 4096 exceeds max_bytes_used 48"},
      {[](Json& e) { e["total_allocated_bytes"] = -1; },
       "benchmarks[1].total_allocated_bytes is -1"},
      {[](Json& e) { e["allocs_per_iter"] = "x"; }, "benchmarks[1].allocs_per_iter is a string"},
      {[](Json& e) { e.erase("allocs_per_iter"); }, "benchmarks[1] has max_bytes_used without"},
  };
  for (const auto& [change, reason] : cases) {
    const BenchmarkResult b = parse_with(change);
    SCOPED_TRACE(reason);
    EXPECT_TRUE(b.is_valid());
    EXPECT_TRUE(b.memory.empty());
    EXPECT_EQ(b.memory_invalid.rfind(reason, 0), 0u) << b.memory_invalid;
  }
}

TEST(BenchResultsTest, AmortizedCountersAreDetectedAndNotHeldToTheMemoryRun) {
  // A vector growing across iterations: per-iteration values that are not whole numbers,
  // and a 16-iteration memory run that sees a different share of the reallocations.
  const BenchmarkResult b = parse_with([](Json&) {});
  const BenchmarkResult grown = [] {
    std::vector<Json> entries;
    for (int i = 0; i < 3; ++i) {
      Json e = entry(i);
      e["heap_allocs"] = 0.0007;
      e["heap_bytes"] = 14.5;
      e["allocs_per_iter"] = 0.3125;
      e["total_allocated_bytes"] = 248;
      e["max_bytes_used"] = 200;
      e["net_heap_growth"] = 136;
      entries.push_back(e);
    }
    return parse_bench_json(document(entries), "test").benchmarks.at(0);
  }();
  EXPECT_FALSE(b.is_amortized("heap_allocs"));
  EXPECT_TRUE(grown.is_amortized("heap_allocs"));
  EXPECT_TRUE(grown.is_amortized("heap_bytes"));
  EXPECT_TRUE(grown.memory_invalid.empty()) << grown.memory_invalid;
  EXPECT_EQ(grown.memory.size(), 3u);
  // Whole numbers that differ between repetitions are amortized too.
  const BenchmarkResult varying = parse_with([](Json& e) { e["heap_bytes"] = 48.0; });
  EXPECT_TRUE(varying.is_amortized("heap_bytes"));
}

TEST(BenchResultsTest, ErroredRepetitionsAreCountedNotMeasured) {
  const BenchmarkResult b = parse_with([](Json& e) {
    e = {{"name", "a"},
         {"run_name", "a"},
         {"run_type", "iteration"},
         {"error_occurred", true},
         {"error_message", "no luck"}};
  });
  EXPECT_TRUE(b.is_valid());
  EXPECT_TRUE(b.error);
  EXPECT_EQ(b.errored_repetitions, 1u);
  EXPECT_EQ(b.repetitions_seen, 3u);
  EXPECT_EQ(b.error_message, "no luck");
  EXPECT_EQ(b.real_ns.size(), 2u);
}

TEST(BenchResultsTest, AZeroMedianAggregateIsInvalid) {
  const Json aggregate = {{"name", "a_median"},      {"run_name", "a"},
                          {"run_type", "aggregate"}, {"aggregate_name", "median"},
                          {"iterations", 3},         {"real_time", 0},
                          {"cpu_time", 0},           {"time_unit", "ns"}};
  const BenchResults r = parse_bench_json(document({aggregate}), "test");
  ASSERT_EQ(r.benchmarks.size(), 1u);
  EXPECT_TRUE(r.benchmarks[0].aggregates_only);
  EXPECT_FALSE(r.benchmarks[0].is_valid());
}

// What decides which benchmark a value belongs to must be right, or nothing can be read.
TEST(BenchResultsTest, StructuralFaultsAreFileErrors) {
  const std::vector<Json> documents = {
      Json::array(),
      Json{{"benchmarks", Json::object()}},
      document({Json(5)}),
      document({Json{{"name", 7}}}),
      document({Json{{"name", "a"}, {"run_name", nullptr}}}),
      document({Json{{"name", "a"}, {"run_type", "sometimes"}}}),
  };
  for (const Json& d : documents) {
    EXPECT_THROW(parse_bench_json(d, "test"), Error) << d.dump();
  }
}

TEST(BenchResultsTest, OrderBenchmarksPutsShuffledRowsInRegistrationOrder) {
  auto row = [](const std::string& run_name, int repetition) {
    return Json{{"name", run_name}, {"run_name", run_name}, {"repetition_index", repetition}};
  };
  Json document = {{"context", Json::object()},
                   {"benchmarks",
                    {row("b/8", 0), row("a/1", 0), row("zz", 0), row("b/8", 1), row("a/1", 1),
                     Json{{"name", "no run_name"}}}}};
  order_benchmarks(document, {"a/1", "b/8", "c"});
  std::vector<std::string> got;
  for (const Json& e : document["benchmarks"]) {
    got.push_back(e["name"].get<std::string>() + "#" +
                  (e.contains("repetition_index") ? e["repetition_index"].dump() : "-"));
  }
  // Listed names first in listing order, each name's entries as they came; the rest last,
  // as they came.
  EXPECT_EQ(
      got, (std::vector<std::string>{"a/1#0", "a/1#1", "b/8#0", "b/8#1", "zz#0", "no run_name#-"}));
  Json not_bench = Json::array();
  order_benchmarks(not_bench, {"a"});  // not a document: left alone, no throw
  EXPECT_EQ(not_bench, Json::array());
}

}  // namespace
}  // namespace deferlab::reports

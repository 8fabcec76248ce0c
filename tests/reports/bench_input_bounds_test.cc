// Tests the file-level bounds of reports/bench_results.cc: a name Google Benchmark 1.7.1
// wrote with raw control bytes still reads (it made the whole run "not a JSON file"), a
// 100,000-level context is refused before it is built, wrong-typed fields make their
// benchmark invalid with their path, and a file cannot hold more repetitions than the statistics
// can pair.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include <unistd.h>

#include "common/error.h"
#include "reports/bench_results.h"

namespace deferlab::reports {
namespace {

std::string row(const std::string& name, int repetition) {
  return R"({"name": ")" + name + R"(", "run_name": ")" + name +
         R"(", "run_type": "iteration", "iterations": 10, "real_time": 5.0, "cpu_time": 5.0,)" +
         R"( "time_unit": "ns", "repetition_index": )" + std::to_string(repetition) + "}";
}

// Writes `text` to a file and loads it; the message of the Error, or "" when it loads.
std::string load_error(const std::string& text, BenchResults* results = nullptr) {
  // One file per process: ctest runs this suite's tests in parallel processes, and a shared
  // name let one test read what another had just written.
  const std::filesystem::path path =
      std::filesystem::temp_directory_path() /
      ("deferlab_bench_input_bounds_test." + std::to_string(::getpid()) + ".json");
  std::ofstream(path, std::ios::binary) << text;
  std::string message;
  try {
    BenchResults loaded = load_bench_file(path);
    if (results != nullptr) *results = std::move(loaded);
  } catch (const Error& e) {
    message = e.what();
  }
  std::filesystem::remove(path);
  return message;
}

TEST(BenchInputBoundsTest, RawControlBytesInANameAreRead) {
  BenchResults results;
  EXPECT_EQ(load_error("{\"benchmarks\": [" + row("bm/\x1b[31mred\n", 0) + "]}", &results), "");
  ASSERT_EQ(results.benchmarks.size(), 1u);
  EXPECT_EQ(results.benchmarks[0].name, "bm/\x1b[31mred\n");
}

TEST(BenchInputBoundsTest, DeepContextIsRefusedBeforeItIsBuilt) {
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  EXPECT_EQ(load_error("{\"context\": {\"x\": " + deep + "}, \"benchmarks\": []}")
                .rfind("JSON nested deeper than 256 levels", 0),
            0u);
}

// A wrong type inside one entry makes that benchmark invalid, with the path (docs/figures.md):
// the rest of the file still reads, and nothing of the entry is used as a number.
TEST(BenchInputBoundsTest, WrongTypesMakeTheBenchmarkInvalidAndNameTheirPath) {
  std::string text = "{\"benchmarks\": [" + row("a", 0) + ", " + row("b", 0) + "]}";
  text.insert(text.find("}, {"), ", \"error_occurred\": \"yes\"");
  BenchResults results;
  ASSERT_EQ(load_error(text, &results), "");
  ASSERT_EQ(results.benchmarks.size(), 2u);
  ASSERT_EQ(results.benchmarks[0].invalid.size(), 1u);
  EXPECT_EQ(results.benchmarks[0].invalid[0],
            "benchmarks[0].error_occurred is a string, not a boolean");
  EXPECT_TRUE(results.benchmarks[0].real_ns.empty());
  EXPECT_TRUE(results.benchmarks[1].invalid.empty());

  std::string huge = "{\"benchmarks\": [" + row("a", 0) + "]}";
  huge.replace(huge.find("\"iterations\": 10"), 16, "\"iterations\": 1e300");
  ASSERT_EQ(load_error(huge, &results), "");
  ASSERT_EQ(results.benchmarks.size(), 1u);
  ASSERT_EQ(results.benchmarks[0].invalid.size(), 1u);
  EXPECT_EQ(
      results.benchmarks[0].invalid[0].rfind("benchmarks[0].iterations is 1e+300, outside", 0), 0u)
      << results.benchmarks[0].invalid[0];
  EXPECT_TRUE(results.benchmarks[0].iterations.empty());
}

TEST(BenchInputBoundsTest, RepetitionsAreBounded) {
  std::string rows;
  for (std::size_t k = 0; k < kMaxRepetitions; ++k) rows += (k ? ", " : "") + row("a", k);
  EXPECT_EQ(load_error("{\"benchmarks\": [" + rows + "]}"), "");
  rows += ", " + row("a", kMaxRepetitions);
  EXPECT_EQ(load_error("{\"benchmarks\": [" + rows + "]}"),
            "not a valid Google Benchmark JSON file: 1001 repetitions of a, over the 1000 "
            "deferlab reads");
}

}  // namespace
}  // namespace deferlab::reports

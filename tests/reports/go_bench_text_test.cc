// Tests reports/go_bench_text.cc: go test -bench text in, Google Benchmark JSON out, read
// back through parse_bench_json; malformed text is an Error naming the line.
#include "reports/go_bench_text.h"

#include <gtest/gtest.h>

#include <string>

#include "common/error.h"
#include "reports/bench_results.h"

namespace deferlab::reports {
namespace {

// Real output of the lab's Go cases (-test.count=2), with a log line between results.
constexpr const char* kLabOutput =
    "goos: linux\n"
    "goarch: amd64\n"
    "pkg: deferlab/godefer\n"
    "cpu: AMD EPYC\n"
    "BenchmarkDeferlab/loop_defer/go_defer/16         \t     100\t       564.9 ns/op\t       "
    "384.0 B/iter\t        16.00 allocs/iter\t     384 B/op\t      16 allocs/op\n"
    "BenchmarkDeferlab/loop_defer/go_manual/16        \t     100\t        13.12 ns/op\t         "
    "0 B/iter\t         0 allocs/iter\t       0 B/op\t       0 allocs/op\n"
    "--- BENCH: BenchmarkDeferlab/loop_defer/go_defer/16\n"
    "    deferlab_test.go:1: a log line\n"
    "BenchmarkDeferlab/loop_defer/go_defer/16         \t     200\t       550.0 ns/op\t       "
    "384.0 B/iter\t        16.00 allocs/iter\t     384 B/op\t      16 allocs/op\n"
    "BenchmarkDeferlab/loop_defer/go_manual/16        \t     200\t        13.50 ns/op\t         "
    "0 B/iter\t         0 allocs/iter\t       0 B/op\t       0 allocs/op\n"
    "PASS\n";

TEST(GoBenchTextTest, LabOutputBecomesRowsWithExactCounts) {
  const nlohmann::json doc = go_bench_text_to_json(kLabOutput, "lab.txt", {"BenchmarkDeferlab/"});
  EXPECT_EQ(doc["context"]["go_goarch"], "amd64");
  EXPECT_EQ(doc["context"]["go_pkg"], "deferlab/godefer");
  const BenchResults results = parse_bench_json(doc, "lab.txt");
  ASSERT_EQ(results.benchmarks.size(), 2u);
  const BenchmarkResult* d = results.find("loop_defer/go_defer/16");
  ASSERT_NE(d, nullptr);
  EXPECT_TRUE(d->is_valid());
  EXPECT_EQ(d->real_ns, (std::vector<double>{564.9, 550.0}));  // one per -test.count
  EXPECT_EQ(d->iterations, (std::vector<std::int64_t>{100, 200}));
  EXPECT_EQ(d->counter_median("heap_allocs"), 16);  // the exact allocs/iter
  EXPECT_EQ(d->counter_median("heap_bytes"), 384);
  EXPECT_EQ(d->language, "go");
  EXPECT_NE(d->allocs_source.find("MemStats"), std::string::npos);
  EXPECT_EQ(results.find("loop_defer/go_manual/16")->counter_median("heap_allocs"), 0);
  // Every entry says where it comes from.
  for (const nlohmann::json& e : doc["benchmarks"]) {
    EXPECT_EQ(e["language"], "go");
    EXPECT_EQ(e["goarch"], "amd64");
  }
}

// Plain benchstat-style output: the -N suffix is GOMAXPROCS, and only Go's integer
// allocs/op exists, which stands in for heap_allocs and says it is rounded.
TEST(GoBenchTextTest, PlainOutputUsesGosRoundedFigures) {
  const std::string text =
      "BenchmarkParse-8   \t 1000000\t      1043 ns/op\t     320 B/op\t       3 allocs/op\n"
      "BenchmarkParse-8   \t 1000000\t      1051 ns/op\t     320 B/op\t       3 allocs/op\n"
      "ok  \texample.com/p\t2.1s\n";
  const nlohmann::json doc = go_bench_text_to_json(text, "plain.txt", {});
  ASSERT_EQ(doc["benchmarks"].size(), 2u);
  EXPECT_EQ(doc["benchmarks"][0]["name"], "BenchmarkParse");
  EXPECT_EQ(doc["benchmarks"][0]["go_procs"], 8);
  const BenchResults results = parse_bench_json(doc, "plain.txt");
  const BenchmarkResult* b = results.find("BenchmarkParse");
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->counter_median("heap_allocs"), 3);
  EXPECT_EQ(b->counter_median("heap_bytes"), 320);
  EXPECT_NE(b->allocs_source.find("rounded down"), std::string::npos);
}

TEST(GoBenchTextTest, AFailedBenchmarkIsAnErroredRow) {
  const std::string text =
      "BenchmarkOk-2  \t 10\t 5.0 ns/op\n"
      "--- FAIL: BenchmarkParent\n"
      "    --- FAIL: BenchmarkParent/child-2\n"
      "        x_test.go:9: boom\n";
  const BenchResults results = parse_bench_json(go_bench_text_to_json(text, "f.txt", {}), "f.txt");
  const BenchmarkResult* child = results.find("BenchmarkParent/child");
  ASSERT_NE(child, nullptr);
  EXPECT_TRUE(child->error);
  EXPECT_NE(child->error_message.find("line 3"), std::string::npos);
  EXPECT_FALSE(results.find("BenchmarkOk")->error);
}

// Lines that are not results are skipped as benchstat skips them: a name alone (printed
// before a benchmark's log), "Benchmarking", config-like lines after the first result.
TEST(GoBenchTextTest, NonResultLinesAreSkipped) {
  const std::string text =
      "BenchmarkSlow\n"
      "Benchmarking is fun 3 ns/op\n"
      "BenchmarkSlow-4 \t 3\t 12 ns/op\n"
      "note: not a config line after results\n";
  const nlohmann::json doc = go_bench_text_to_json(text, "s.txt", {});
  ASSERT_EQ(doc["benchmarks"].size(), 1u);
  EXPECT_FALSE(doc["context"].contains("go_note"));
}

TEST(GoBenchTextTest, DetectsTextAgainstJson) {
  EXPECT_TRUE(looks_like_go_bench_text(kLabOutput));
  EXPECT_TRUE(looks_like_go_bench_text("PASS\nBenchmarkX 1 2 ns/op\n"));
  EXPECT_FALSE(looks_like_go_bench_text("  {\"benchmarks\": []}"));
  EXPECT_FALSE(looks_like_go_bench_text("hello\nworld\n"));
}

// Each malformed result line is one Error naming its line; no partial document.
TEST(GoBenchTextTest, MalformedResultLinesAreErrors) {
  struct Bad {
    const char* text;
    const char* says;
  };
  const Bad cases[] = {
      {"BenchmarkX 10 5.0\n", "a value without its unit"},
      {"BenchmarkX 10 five ns/op\n", "'five' is not a number"},
      {"BenchmarkX 10 nan ns/op\n", "'nan' is not a number"},
      {"BenchmarkX 10 inf ns/op\n", "'inf' is not a number"},
      {"BenchmarkX 10 -3 ns/op\n", "is negative"},
      {"BenchmarkX 0 3 ns/op\n", "outside [1, 2^40]"},
      {"BenchmarkX 99999999999999 3 ns/op\n", "outside [1, 2^40]"},
      {"BenchmarkX 10 3 ns/op 4 ns/op\n", "appears twice"},
      {"goos: linux\n\nBenchmarkX 10 1e999 ns/op\n", "line 3"},
  };
  for (const Bad& bad : cases) {
    try {
      go_bench_text_to_json(bad.text, "bad.txt", {});
      ADD_FAILURE() << "accepted: " << bad.text;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(bad.says), std::string::npos)
          << e.what() << " for " << bad.text;
      EXPECT_EQ(e.subject(), "bad.txt");
    }
  }
}

// A result line without ns/op has no time: the row is invalid, not a zero.
TEST(GoBenchTextTest, ALineWithoutNsPerOpIsAnInvalidRow) {
  const BenchResults results =
      parse_bench_json(go_bench_text_to_json("BenchmarkX 10 4 allocs/op\n", "t.txt", {}), "t.txt");
  ASSERT_EQ(results.benchmarks.size(), 1u);
  EXPECT_FALSE(results.benchmarks[0].is_valid());
  EXPECT_NE(results.benchmarks[0].invalid.front().find("real_time is missing"), std::string::npos);
}

TEST(GoBenchTextTest, OversizedInputIsRefused) {
  const std::string line(kMaxGoLineBytes + 1, 'x');
  EXPECT_THROW(go_bench_text_to_json("BenchmarkX 1 1 ns/op\n" + line + "\n", "big.txt", {}), Error);
}

}  // namespace
}  // namespace deferlab::reports

// Tests the lab's Go cases (cases/go) as deferlab runs them: every case of the Go
// manifest runs, and its allocations per iteration are exactly the expected ones
// (docs/go-defer.md explains each from the assembly).
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <tuple>

#include "harness/go_runner.h"
#include "harness/run_driver.h"
#include "reports/bench_results.h"
#include "reports/go_bench_text.h"

namespace deferlab {
namespace {

struct Expected {
  double allocs;
  double bytes;
};

// Steady-state heap allocations and bytes (by size class) per call. Everything not listed
// allocates nothing.
Expected expected(const std::string& scenario, const std::string& strategy, int n) {
  if (scenario == "loop_defer") {
    // defer f(args) and defer func(){...}() in a loop: one 24-byte closure per iteration
    // holding the ledger pointer and the id (the record comes from the runtime's pool).
    if (strategy == "go_defer" || strategy == "go_defer_closure") return {1.0 * n, 24.0 * n};
    // ... plus the loop variable the closures share, moved to the heap once (8 bytes).
    if (strategy == "go_defer_loopvar") return {n + 1.0, 24.0 * n + 8};
  }
  return {0, 0};
}

class GoCasesTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    manifest_ =
        new nlohmann::json(harness::read_case_manifest(DEFERLAB_GO_BINARY, "-deferlab.cases"));
    harness::GoRunOptions options;
    options.binary = DEFERLAB_GO_BINARY;
    options.bench = "^BenchmarkDeferlab$";
    options.count = 2;
    options.extra_args = {"-test.benchtime=100x", "-test.cpu=1"};  // counts, not times
    options.timeout_seconds = 120;
    const harness::BenchmarkRun run = harness::run_go_benchmarks(options, nullptr);
    ASSERT_TRUE(run.status.succeeded()) << run.status.describe();
    std::string text;
    for (const std::string& line : run.console) text += line + "\n";
    results_ = new reports::BenchResults(reports::parse_bench_json(
        reports::go_bench_text_to_json(text, "go test output", {"BenchmarkDeferlab/"}),
        "go test output"));
  }
  static void TearDownTestSuite() {
    delete manifest_;
    delete results_;
  }
  static nlohmann::json* manifest_;
  static reports::BenchResults* results_;
};

nlohmann::json* GoCasesTest::manifest_ = nullptr;
reports::BenchResults* GoCasesTest::results_ = nullptr;

TEST_F(GoCasesTest, EveryCaseAllocatesExactlyAsExpected) {
  ASSERT_NE(results_, nullptr);
  const nlohmann::json& cases = manifest_->at("cases");
  ASSERT_EQ(cases.size(), 59u);  // 7 x 5 loop_defer, 2 x 4 fixed, 2 x 6 error, 2 x 2 exception
  for (const nlohmann::json& c : cases) {
    const std::string name = c.at("benchmark");
    const reports::BenchmarkResult* b = results_->find(name);
    ASSERT_NE(b, nullptr) << name;
    ASSERT_TRUE(b->is_valid()) << name;
    EXPECT_EQ(b->real_ns.size(), 2u) << name;  // -test.count=2
    const nlohmann::json& p = c.at("parameters");
    const int n = p.contains("N") ? p.at("N").get<int>() : 0;
    const Expected want = expected(c.at("scenario"), c.at("strategy"), n);
    EXPECT_EQ(b->counter_median("heap_allocs"), want.allocs) << name;
    EXPECT_EQ(b->counter_median("heap_bytes"), want.bytes) << name;
    // Whole numbers in every repetition: Go's rounded allocs/op agrees with them.
    EXPECT_FALSE(b->is_amortized("heap_allocs")) << name;
    EXPECT_EQ(b->counter_median("go_allocs_per_op"), want.allocs) << name;
  }
}

TEST_F(GoCasesTest, TheManifestDescribesGoRows) {
  EXPECT_EQ(manifest_->at("schema"), "deferlab.cases/1");
  for (const nlohmann::json& c : manifest_->at("cases")) {
    EXPECT_EQ(c.at("language"), "go");
    const std::string symbol = c.at("hot_symbol").at("mangled");
    EXPECT_EQ(symbol.rfind("deferlab/godefer.", 0), 0u) << symbol;
    EXPECT_EQ(c.at("source").at("file").get<std::string>().rfind("cases/go/", 0), 0u);
  }
}

}  // namespace
}  // namespace deferlab

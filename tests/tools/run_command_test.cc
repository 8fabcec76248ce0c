// Tests tools/run_command.cc through the deferlab binary: the lab's own run, a foreign
// Google Benchmark binary, and every way a run can go wrong (exit code 2, one error line,
// nothing half-written).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "reports/bench_results.h"
#include "tests/tools/cli_test_support.h"

namespace deferlab::tools::testing {
namespace {

namespace fs = std::filesystem;

TEST(RunCommandTest, LabRunCountsAllocationsExactly) {
  const fs::path out = fresh_directory("lab-run");
  const CliResult r = run_deferlab({"run", "--filter", "loop_defer/.*/64$", "--repetitions", "2",
                                    "--min-time", "0.002", "--out", out.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err_text();
  ASSERT_TRUE(fs::exists(out / "cases.json"));
  const reports::BenchResults bench = reports::load_bench_file(out / "bench.json");
  auto allocs = [&](const std::string& strategy) {
    const reports::BenchmarkResult* b = bench.find("loop_defer/" + strategy + "/64");
    EXPECT_NE(b, nullptr) << strategy;
    return b ? b->counter_median("heap_allocs").value_or(-1) : -1;
  };
  // One record per deferred action; the others allocate nothing in steady state.
  EXPECT_EQ(allocs("heap_defer"), 64);
  EXPECT_EQ(allocs("pooled_chain"), 0);
  EXPECT_EQ(allocs("scope_guard"), 0);
  EXPECT_EQ(allocs("goto_cleanup"), 0);
  // The context says where the numbers come from.
  EXPECT_TRUE(bench.context.contains("deferlab_cxx_flags"));
  EXPECT_TRUE(bench.context.contains("deferlab_kernel"));
  EXPECT_EQ(bench.context.value("deferlab_repetitions", 0), 2);
  // The table names the group and the baseline.
  EXPECT_NE(r.out_text().find("loop_defer/64"), std::string::npos) << r.out_text();
  EXPECT_NE(r.out_text().find("baseline"), std::string::npos);
  // No temporary is left behind.
  for (const auto& entry : fs::directory_iterator(out)) {
    EXPECT_EQ(entry.path().filename().string().find(".tmp"), std::string::npos) << entry.path();
    EXPECT_NE(entry.path().filename(), ".bench.raw.json");
  }
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

TEST(RunCommandTest, ForeignBinaryRunsWithoutAManifest) {
  const fs::path out = fresh_directory("foreign-run");
  const CliResult r = run_deferlab({"run", "--binary", SAMPLE_BENCH, "--repetitions", "2",
                                    "--min-time", "0.002", "--out", out.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err_text();
  EXPECT_FALSE(fs::exists(out / "cases.json"));
  const reports::BenchResults bench = reports::load_bench_file(out / "bench.json");
  ASSERT_NE(bench.find("BM_TwoAllocations"), nullptr);
  EXPECT_EQ(bench.find("BM_TwoAllocations")->counter_median("heap_allocs"), 2);
  EXPECT_EQ(bench.find("BM_NoAllocation")->counter_median("heap_allocs"), 0);
  EXPECT_NE(r.out_text().find("BM_TwoAllocations"), std::string::npos);

  // The reports are the binary's own: in registration order (interleaving shuffles the
  // file the binary writes), named after it, with no lab wording, chart or commit.
  const std::string review = read_text(out / "review.md");
  const std::string html = read_text(out / "index.html");
  const std::size_t two = review.find("`BM_TwoAllocations`");
  const std::size_t none = review.find("`BM_NoAllocation`");
  const std::size_t growth = review.find("`BM_VectorGrowth`");
  ASSERT_NE(two, std::string::npos) << review;
  ASSERT_NE(none, std::string::npos) << review;
  ASSERT_NE(growth, std::string::npos) << review;
  EXPECT_LT(two, none);
  EXPECT_LT(none, growth);
  EXPECT_NE(review.find("## deferlab: sample_bench"), std::string::npos) << review;
  EXPECT_NE(review.find(std::string("binary `") + SAMPLE_BENCH), std::string::npos) << review;
  for (const std::string& text : {review, html, r.out_text()}) {
    for (const char* lab : {"deferred cleanup", "goto_cleanup", "loop_defer", "commit "}) {
      EXPECT_EQ(text.find(lab), std::string::npos) << lab;
    }
  }
  std::vector<std::string> names;
  for (const reports::BenchmarkResult& b : bench.benchmarks) names.push_back(b.name);
  EXPECT_EQ(names,
            (std::vector<std::string>{"BM_TwoAllocations", "BM_NoAllocation", "BM_VectorGrowth"}));
}

// A user's binary that declares its manifest (harness/benchmark_manifest.h) gets the lab's
// treatment: its baseline gives the ratios, its hot functions are disassembled onto their
// rows and diffed against the baseline's, its notes are on its rows, and the reports name
// the binary, not the lab.
TEST(RunCommandTest, DeclaredManifestGivesAUserBinaryTheLabsTreatment) {
  const fs::path out = fresh_directory("declared-run");
  const CliResult r =
      run_deferlab({"run", "--binary", DECLARED_MANIFEST_BENCH, "--repetitions", "2", "--min-time",
                    "0.002", "--no-profile", "--out", out.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err_text();
  const nlohmann::json cases = nlohmann::json::parse(read_text(out / "cases.json"));
  EXPECT_EQ(cases["baseline_strategy"], "BM_Reserve");
  EXPECT_EQ(cases["declared_by"], "deferlab::benchmark_support");
  std::map<std::string, std::string> hot;  // benchmark -> mangled hot symbol
  for (const nlohmann::json& c : cases["cases"]) hot[c["benchmark"]] = c["hot_symbol"]["mangled"];
  // The declared functions, named by the binary itself (exported, found with dladdr).
  EXPECT_EQ(hot["BM_PushBack/16"], "_Z11push_back_ni");
  EXPECT_EQ(hot["BM_Reserve/64"], "_Z19reserve_then_push_ni");

  const nlohmann::json disasm = nlohmann::json::parse(read_text(out / "disasm.json"));
  std::set<std::string> disassembled;
  for (const auto& [arch, document] : disasm["architectures"].items()) {
    for (const nlohmann::json& f : document["functions"]) disassembled.insert(f["symbol"]);
  }
  EXPECT_TRUE(disassembled.contains("_Z11push_back_ni")) << disasm.dump(1).substr(0, 2000);
  EXPECT_TRUE(disassembled.contains("_Z19reserve_then_push_ni"));

  const nlohmann::json report = nlohmann::json::parse(read_text(out / "report.json"));
  EXPECT_EQ(report["baseline_strategy"], "BM_Reserve");
  int rows = 0;
  for (const nlohmann::json& scenario : report["scenarios"]) {
    for (const nlohmann::json& group : scenario["groups"]) {
      for (const nlohmann::json& row : group["rows"]) {
        ++rows;
        SCOPED_TRACE(row["benchmark"].get<std::string>());
        const bool baseline = row["strategy"] == "BM_Reserve";
        EXPECT_EQ(row["is_baseline"], baseline);
        EXPECT_EQ(row["hot_symbol"]["mangled"], hot[row["benchmark"]]);
        EXPECT_FALSE(row["hot_path"].empty());  // its disassembly summary, per architecture
        if (!baseline) {
          EXPECT_FALSE(row["ratio_to_baseline"].is_null());
        }
        EXPECT_EQ(row["notes"],
                  baseline ? "one allocation of the final size" : "grows the vector by doubling");
      }
    }
  }
  EXPECT_EQ(rows, 4);

  // The binary's own title and identity; no lab wording or commit.
  const std::string review = read_text(out / "review.md");
  EXPECT_NE(review.find("push_back against reserve"), std::string::npos) << review;
  EXPECT_NE(review.find(std::string("binary `") + DECLARED_MANIFEST_BENCH), std::string::npos);
  for (const std::string& text : {review, read_text(out / "index.html"), r.out_text()}) {
    for (const char* lab : {"deferred cleanup", "goto_cleanup", "loop_defer", "commit "}) {
      EXPECT_EQ(text.find(lab), std::string::npos) << lab;
    }
  }
}

TEST(RunCommandTest, DefaultRunDirectoryAndLatestLink) {
  const fs::path cwd = fresh_directory("latest");
  const CliResult r = run_deferlab({"run", "--binary", SAMPLE_BENCH, "--filter", "NoAllocation",
                                    "--repetitions", "1", "--min-time", "0.001"},
                                   cwd);
  ASSERT_EQ(r.exit_code, 0) << r.err_text();
  ASSERT_TRUE(fs::is_symlink(cwd / "out" / "latest"));
  EXPECT_TRUE(fs::exists(cwd / "out" / "latest" / "bench.json"));
}

TEST(RunCommandTest, MissingBinaryIsABadInput) {
  const CliResult r = run_deferlab({"run", "--binary", "/nonexistent/bench"});
  EXPECT_EQ(r.exit_code, 2);
  expect_one_error_line(r, "benchmark binary not found (/nonexistent/bench)");
}

TEST(RunCommandTest, NonExecutableBinaryIsABadInput) {
  const fs::path dir = fresh_directory("not-exec");
  std::ofstream(dir / "bench") << "not a program\n";
  const CliResult r = run_deferlab({"run", "--binary", (dir / "bench").string()});
  EXPECT_EQ(r.exit_code, 2);
  expect_one_error_line(r, "not executable");
}

TEST(RunCommandTest, AFilterThatSelectsNothingIsABadInput) {
  const CliResult r = run_deferlab({"run", "--binary", SAMPLE_BENCH, "--filter", "no_such_thing"});
  EXPECT_EQ(r.exit_code, 2);
  expect_one_error_line(r, "no benchmark matches --filter 'no_such_thing'");
}

TEST(RunCommandTest, ACrashKeepsWhatWasWritten) {
  const fs::path out = fresh_directory("crash");
  // In order (no interleaving), so the first benchmark finishes before the second dies.
  const CliResult r =
      run_deferlab({"run", "--binary", CRASHING_BENCH, "--repetitions", "1", "--min-time", "0.001",
                    "--no-interleave", "--out", out.string()});
  EXPECT_EQ(r.exit_code, 2);
  expect_one_error_line(r, "was killed by signal 6");
  // Never a bench.json from a crashed run; the console record of the first benchmark stays.
  EXPECT_FALSE(fs::exists(out / "bench.json"));
  std::ifstream console(out / "console.partial.txt");
  const std::string text((std::istreambuf_iterator<char>(console)), {});
  EXPECT_NE(text.find("first_survives"), std::string::npos) << text;
  // What it measured is a valid Google Benchmark document with the complete result only.
  const reports::BenchResults partial = reports::parse_bench_json(
      reports::load_json_file(out / "bench.partial.json"), "bench.partial.json");
  ASSERT_EQ(partial.benchmarks.size(), 1u);
  EXPECT_EQ(partial.benchmarks[0].name, "first_survives");
}

#if DEFERLAB_HAVE_GO

// The lab's Go cases join the C++ tables: exact allocations, the ratio to go_manual and
// the defer mechanism per row, in every output.
TEST(RunCommandTest, GoRowsJoinTheLabTables) {
  const fs::path out = fresh_directory("go-rows");
  const CliResult r = run_deferlab({"run", "--filter", "fixed_defers/.*/(8|9)$", "--repetitions",
                                    "2", "--min-time", "0.002", "--out", out.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err_text();
  const reports::BenchResults bench = reports::load_bench_file(out / "bench.json");
  for (const char* name : {"fixed_defers/go_defer/8", "fixed_defers/go_defer/9",
                           "fixed_defers/go_manual/9", "fixed_defers/heap_defer/9"}) {
    const reports::BenchmarkResult* b = bench.find(name);
    ASSERT_NE(b, nullptr) << name;
    EXPECT_EQ(b->real_ns.size(), 2u) << name;
  }
  // Open-coded or on the stack, no written-out Go defer allocates; the C++ model does.
  EXPECT_EQ(bench.find("fixed_defers/go_defer/8")->counter_median("heap_allocs"), 0);
  EXPECT_EQ(bench.find("fixed_defers/go_defer/9")->counter_median("heap_allocs"), 0);
  EXPECT_EQ(bench.find("fixed_defers/heap_defer/9")->counter_median("heap_allocs"), 9);
  EXPECT_EQ(bench.find("fixed_defers/go_defer/9")->language, "go");
  EXPECT_TRUE(bench.context.contains("deferlab_go_version"));
  // The mechanism per row, from both architectures' disassembly.
  const nlohmann::json report = reports::load_json_file(out / "report.json");
  std::map<std::string, nlohmann::json> rows;
  for (const auto& scenario : report.at("scenarios"))
    for (const auto& group : scenario.at("groups"))
      for (const auto& row : group.at("rows")) rows[row.at("benchmark")] = row;
  for (const char* arch : {"x86-64", "aarch64"}) {
    EXPECT_EQ(rows.at("fixed_defers/go_defer/8")["hot_path"][arch]["go_defer"], "open-coded");
    EXPECT_EQ(rows.at("fixed_defers/go_defer/9")["hot_path"][arch]["go_defer"], "stack record");
    EXPECT_EQ(rows.at("fixed_defers/go_manual/9")["hot_path"][arch]["go_defer"], "none");
  }
  // The Go rows' own floor comes from the Go manifest's baseline, through cases.json.
  EXPECT_EQ(report["language_baselines"]["go"], "go_manual");
  EXPECT_EQ(reports::load_json_file(out / "cases.json")["language_baselines"]["go"], "go_manual");
  EXPECT_TRUE(rows.at("fixed_defers/go_defer/9")["ratio_to_language_baseline"].is_object());
  EXPECT_TRUE(rows.at("fixed_defers/go_defer/9")["ratio_to_baseline"].is_object());
  // Console, review.md and index.html show the Go columns beside the C++ rows.
  for (const std::string& text :
       {r.out_text(), read_text(out / "review.md"), read_text(out / "index.html")}) {
    EXPECT_NE(text.find("vs go_manual"), std::string::npos);
    EXPECT_NE(text.find("stack record"), std::string::npos);
    EXPECT_NE(text.find("open-coded"), std::string::npos);
    EXPECT_NE(text.find("heap_defer"), std::string::npos);
  }
}

// Any go test -c binary runs with --binary: Go's -test.bench filter, Go's names.
TEST(RunCommandTest, GoTestBinaryRunsWithBinary) {
  const fs::path out = fresh_directory("go-binary");
  const CliResult r =
      run_deferlab({"run", "--binary", DEFERLAB_GO_BINARY, "--filter",
                    "BenchmarkDeferlab/loop_defer/go_defer_loopvar/8$", "--repetitions", "2",
                    "--min-time", "0.002", "--out", out.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err_text();
  EXPECT_FALSE(fs::exists(out / "cases.json"));
  const reports::BenchResults bench = reports::load_bench_file(out / "bench.json");
  ASSERT_EQ(bench.benchmarks.size(), 1u);
  const reports::BenchmarkResult& b = bench.benchmarks[0];
  EXPECT_EQ(b.name, "BenchmarkDeferlab/loop_defer/go_defer_loopvar/8");
  EXPECT_EQ(b.counter_median("heap_allocs"), 9);  // the binary's exact allocs/iter
  EXPECT_NE(r.out_text().find("go_defer_loopvar/8"), std::string::npos);
  const CliResult none = run_deferlab({"run", "--binary", DEFERLAB_GO_BINARY, "--filter",
                                       "BenchmarkNoSuchThing", "--out", out.string()});
  EXPECT_EQ(none.exit_code, 2);
  expect_one_error_line(none, "printed no benchmark result");
}

// A Go binary past --timeout: its process group is killed, exit 2 with one line, and what
// it printed is kept (console.partial.txt) beside a valid bench.partial.json.
TEST(RunCommandTest, AGoRunPastItsTimeoutKeepsWhatItPrinted) {
  const fs::path out = fresh_directory("go-timeout");
  const CliResult r = run_deferlab({"run", "--binary", DEFERLAB_GO_BINARY, "--min-time", "5",
                                    "--timeout", "1", "--out", out.string()});
  EXPECT_EQ(r.exit_code, 2);
  expect_one_error_line(r, "did not finish within 1 s (--timeout)");
  EXPECT_FALSE(fs::exists(out / "bench.json"));
  EXPECT_NE(read_text(out / "console.partial.txt").find("goos:"), std::string::npos);
  const reports::BenchResults partial = reports::parse_bench_json(
      reports::load_json_file(out / "bench.partial.json"), "bench.partial.json");
  for (const reports::BenchmarkResult& b : partial.benchmarks) EXPECT_TRUE(b.is_valid()) << b.name;
}

// --no-go leaves the Go rows out.
TEST(RunCommandTest, NoGoLeavesTheGoRowsOut) {
  const fs::path out = fresh_directory("no-go");
  const CliResult r =
      run_deferlab({"run", "--no-go", "--filter", "fixed_defers/.*/1$", "--repetitions", "1",
                    "--min-time", "0.001", "--out", out.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err_text();
  const reports::BenchResults bench = reports::load_bench_file(out / "bench.json");
  EXPECT_NE(bench.find("fixed_defers/goto_cleanup/1"), nullptr);
  EXPECT_EQ(bench.find("fixed_defers/go_defer/1"), nullptr);
}
#endif

TEST(RunCommandTest, BadOptionsAreUsageErrors) {
  const CliResult zero = run_deferlab({"run", "--repetitions", "0"});
  EXPECT_EQ(zero.exit_code, 2);
  expect_one_error_line(zero, "--repetitions");
  const CliResult unknown = run_deferlab({"frobnicate"});
  EXPECT_EQ(unknown.exit_code, 2);
  expect_one_error_line(unknown, "frobnicate");
}

TEST(RunCommandTest, HelpExplainsTheOptions) {
  const CliResult r = run_deferlab({"run", "--help"});
  EXPECT_EQ(r.exit_code, 0);
  for (const char* option : {"--quick", "--filter", "--repetitions", "--binary", "--out"}) {
    EXPECT_NE(r.out_text().find(option), std::string::npos) << option;
  }
}

}  // namespace
}  // namespace deferlab::tools::testing

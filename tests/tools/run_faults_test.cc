// Tests tools/run_command.cc, harness/subprocess.cc and tools/signals.cc through the
// deferlab binary with a hostile benchmark binary: SIGINT and SIGTERM mid-run, a binary
// that hangs (--timeout), SkipWithError rows, binaries that are not Google Benchmark
// binaries, `--binary NAME` without a slash, a crash before the first result, and a name
// with a newline. Every stopped run keeps a valid bench.partial.json, leaves no process
// behind and leaves out/latest alone.
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "reports/bench_results.h"
#include "tests/tools/cli_test_support.h"

namespace deferlab::tools::testing {
namespace {

namespace fs = std::filesystem;

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The pids the hostile binary recorded (itself, each time it ran, and its grandchild).
std::vector<pid_t> recorded_pids(const fs::path& file) {
  std::vector<pid_t> pids;
  std::ifstream in(file);
  for (pid_t pid; in >> pid;) pids.push_back(pid);
  return pids;
}

// A process still running: it exists and is not a zombie (a zombie has ended; its new
// parent, pid 1 here, reaps it in its own time).
bool is_running(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text;
  if (!std::getline(stat, text)) return false;
  const std::size_t paren = text.rfind(')');
  return paren != std::string::npos && paren + 2 < text.size() && text[paren + 2] != 'Z' &&
         text[paren + 2] != 'X';
}

// A SIGKILLed process closes its files before it becomes a zombie: give it a moment.
bool stops_running(pid_t pid) {
  for (int waited = 0; waited < 200 && is_running(pid); ++waited) ::usleep(10'000);
  return !is_running(pid);
}

void expect_nothing_left_running(const fs::path& pid_file) {
  const std::vector<pid_t> pids = recorded_pids(pid_file);
  // The binary listed its benchmarks once and ran once; the run left a grandchild.
  EXPECT_GE(pids.size(), 3u) << "the fixture did not record its processes";
  for (pid_t pid : pids) EXPECT_TRUE(stops_running(pid)) << "process " << pid << " left running";
}

// bench.partial.json is a Google Benchmark document holding exactly the complete results.
void expect_valid_partial(const fs::path& dir, const std::vector<std::string>& names) {
  ASSERT_TRUE(fs::exists(dir / "bench.partial.json")) << dir;
  const nlohmann::json doc = reports::load_json_file(dir / "bench.partial.json");
  const reports::BenchResults partial = reports::parse_bench_json(doc, "bench.partial.json");
  ASSERT_EQ(partial.benchmarks.size(), names.size()) << doc.dump(1);
  for (std::size_t i = 0; i < names.size(); ++i) {
    EXPECT_EQ(partial.benchmarks[i].name, names[i]);
    EXPECT_EQ(partial.benchmarks[i].real_ns.size(), 1u);
  }
  EXPECT_TRUE(doc["context"].contains("deferlab_partial"));
  EXPECT_FALSE(fs::exists(dir / "bench.json"));
  EXPECT_TRUE(temporaries_in(dir).empty());
}

// The run directory a default (no --out) run made next to out/previous.
fs::path new_run_directory(const fs::path& out) {
  for (const auto& entry : fs::directory_iterator(out)) {
    const std::string name = entry.path().filename().string();
    if (name != "previous" && name != "latest") return entry.path();
  }
  return {};
}

class RunSignalTest : public ::testing::TestWithParam<int> {};

TEST_P(RunSignalTest, StopsTheBenchmarkKeepsWhatItMeasuredAndLeavesLatest) {
  const int signal = GetParam();
  const fs::path cwd = fresh_directory("signal-" + std::to_string(signal));
  fs::create_directories(cwd / "out" / "previous");
  fs::create_directory_symlink("previous", cwd / "out" / "latest");
  CliOptions options;
  options.cwd = cwd;
  options.env = {"DEFERLAB_TEST_PID_FILE=" + (cwd / "pids").string()};
  bool sent = false;
  // Once `finishes` has reported, the binary is inside `hangs`; once `hangs` has recorded
  // its grandchild (the third pid: listing, run, grandchild), signal deferlab.
  options.on_stderr = [&](int pid, std::string_view line) {
    if (sent || line.find("(1/2") == std::string_view::npos) return;
    for (int waited = 0; waited < 1000 && recorded_pids(cwd / "pids").size() < 3; ++waited) {
      ::usleep(10'000);
    }
    sent = ::kill(pid, signal) == 0;
  };
  const CliResult r = run_deferlab({"run", "--binary", HOSTILE_BENCH, "--filter", "finishes|hangs",
                                    "--no-interleave", "--repetitions", "1", "--min-time", "0.001"},
                                   options);
  ASSERT_TRUE(sent) << r.err_text();
  // Ended by the same signal: 130 for SIGINT, 143 for SIGTERM.
  EXPECT_EQ(r.exit_code, 128 + signal) << r.err_text();
  expect_one_error_line(r, std::string("interrupted by ") +
                               (signal == SIGINT ? "SIGINT" : "SIGTERM") +
                               " after 1 of 2 expected results");
  EXPECT_EQ(fs::read_symlink(cwd / "out" / "latest"), "previous");
  const fs::path dir = new_run_directory(cwd / "out");
  ASSERT_FALSE(dir.empty());
  expect_valid_partial(dir, {"finishes"});
  expect_nothing_left_running(cwd / "pids");
}

INSTANTIATE_TEST_SUITE_P(SigintAndSigterm, RunSignalTest, ::testing::Values(SIGINT, SIGTERM),
                         [](const auto& info) {
                           return info.param == SIGINT ? "SIGINT" : "SIGTERM";
                         });

TEST(RunFaultsTest, TimeoutStopsAHangingBinary) {
  const fs::path dir = fresh_directory("timeout");
  CliOptions options;
  options.env = {"DEFERLAB_TEST_PID_FILE=" + (dir / "pids").string()};
  const CliResult r = run_deferlab({"run", "--binary", HOSTILE_BENCH, "--filter", "finishes|hangs",
                                    "--no-interleave", "--repetitions", "1", "--min-time", "0.001",
                                    "--timeout", "1", "--out", (dir / "run").string()},
                                   options);
  EXPECT_EQ(r.exit_code, 2);
  expect_one_error_line(r, "did not finish within 1 s (--timeout) after 1 of 2 expected results");
  // The timeout is stated at the start.
  EXPECT_NE(r.err_text().find("(timeout 1 s; --timeout to change)"), std::string::npos)
      << r.err_text();
  expect_valid_partial(dir / "run", {"finishes"});
  expect_nothing_left_running(dir / "pids");
}

TEST(RunFaultsTest, TheDefaultTimeoutIsStatedAtTheStart) {
  const fs::path dir = fresh_directory("default-timeout");
  const CliResult r =
      run_deferlab({"run", "--binary", HOSTILE_BENCH, "--filter", "finishes", "--repetitions", "1",
                    "--min-time", "0.001", "--out", dir.string()});
  EXPECT_EQ(r.exit_code, 0) << r.err_text();
  // 120 s floor + 20 x 1 benchmark x 1 repetition x 0.001 s, rounded up.
  EXPECT_NE(r.err_text().find("(timeout 121 s; --timeout to change)"), std::string::npos)
      << r.err_text();
}

TEST(RunFaultsTest, SkipWithErrorRowsFailTheRunAndShowInEveryReport) {
  const fs::path dir = fresh_directory("skip-with-error");
  const CliResult r =
      run_deferlab({"run", "--binary", HOSTILE_BENCH, "--filter", "finishes|skips_with_error",
                    "--repetitions", "2", "--min-time", "0.001", "--out", dir.string()});
  // Exit 1: the run is complete and written, but a benchmark failed.
  EXPECT_EQ(r.exit_code, 1) << r.err_text();
  EXPECT_NE(
      r.err_text().find("deferlab: benchmark failed: skips_with_error: the fixture refuses to run"),
      std::string::npos)
      << r.err_text();
  EXPECT_TRUE(fs::exists(dir / "bench.json"));
  for (const char* file : {"review.md", "index.html", "report.json"}) {
    const std::string text = read_text(dir / file);
    EXPECT_NE(text.find("skips_with_error"), std::string::npos) << file;
    EXPECT_NE(text.find("the fixture refuses to run"), std::string::npos) << file;
  }
  EXPECT_NE(r.out_text().find("skips_with_error"), std::string::npos);
}

TEST(RunFaultsTest, ABinaryThatListsNothingIsNotAGoogleBenchmarkBinary) {
  const CliResult r = run_deferlab({"run", "--binary", "/bin/true"});
  EXPECT_EQ(r.exit_code, 2);
  expect_one_error_line(r, "the binary lists no benchmarks");
  EXPECT_NE(r.err.back().find("is it a Google Benchmark binary?"), std::string::npos);
}

TEST(RunFaultsTest, ABinaryThatWritesNoJsonIsToldSo) {
  const fs::path dir = fresh_directory("no-json");
  // Answers --benchmark_list_tests like a Google Benchmark binary, then ignores --benchmark_out.
  const fs::path script = dir / "fake_bench";
  std::ofstream(script) << "#!/bin/sh\n"
                           "case \"$1\" in --benchmark_list_tests*) echo BM_fake;; esac\n"
                           "exit 0\n";
  fs::permissions(script, fs::perms::owner_all);
  const CliResult r =
      run_deferlab({"run", "--binary", script.string(), "--out", (dir / "run").string()});
  EXPECT_EQ(r.exit_code, 2);
  expect_one_error_line(r, "wrote no JSON results");
  EXPECT_NE(r.err.back().find("is it a Google Benchmark binary?"), std::string::npos);
  EXPECT_TRUE(temporaries_in(dir).empty());
}

TEST(RunFaultsTest, BinaryWithoutASlashIsTheFileInTheCurrentDirectory) {
  // `--binary true` once validated ./true and ran /usr/bin/true from PATH.
  const fs::path cwd = fresh_directory("binary-in-cwd");
  fs::copy_file(SAMPLE_BENCH, cwd / "true");
  const CliResult r = run_deferlab({"run", "--binary", "true", "--filter", "NoAllocation",
                                    "--repetitions", "1", "--min-time", "0.001", "--out", "run"},
                                   cwd);
  ASSERT_EQ(r.exit_code, 0) << r.err_text();
  const reports::BenchResults bench = reports::load_bench_file(cwd / "run" / "bench.json");
  EXPECT_NE(bench.find("BM_NoAllocation"), nullptr);
  EXPECT_EQ(bench.context.value("deferlab_binary", ""), (cwd / "true").string());
}

TEST(RunFaultsTest, ACrashBeforeTheFirstResultLeavesAValidPartial) {
  const fs::path dir = fresh_directory("crash-first");
  const CliResult r =
      run_deferlab({"run", "--binary", CRASHING_BENCH, "--filter", "second", "--repetitions", "1",
                    "--min-time", "0.001", "--out", dir.string()});
  EXPECT_EQ(r.exit_code, 2);
  expect_one_error_line(r, "after 0 of 1 expected results");
  expect_valid_partial(dir, {});
}

TEST(RunFaultsTest, ANameWithANewlineIsOneBenchmark) {
  const fs::path dir = fresh_directory("newline-name");
  const CliResult r =
      run_deferlab({"run", "--binary", HOSTILE_BENCH, "--filter", "two", "--repetitions", "2",
                    "--min-time", "0.001", "--out", dir.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err_text();
  // Results are counted from the JSON: 1 benchmark x 2 repetitions, not 2 x 2.
  EXPECT_NE(r.err_text().find("deferlab: 2 results in"), std::string::npos) << r.err_text();
  const reports::BenchResults bench = reports::load_bench_file(dir / "bench.json");
  ASSERT_EQ(bench.benchmarks.size(), 1u);
  EXPECT_EQ(bench.benchmarks[0].name, "two\nlines");
}

}  // namespace
}  // namespace deferlab::tools::testing

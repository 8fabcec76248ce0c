// Tests tools/check_command.cc (and disasm/alloc_reach.cc through it) on
// tests/tools/alloc_reach_fixture.cc: allocations found through callees with their path,
// libstdc++ growth functions known as allocators, --alloc / --allow / --depth, and the
// profile deciding hot from cold (--counts, --strict); and on tests/tools/unlikely_fixture.cc,
// the static rule for cold paths (disasm/control_flow.h).
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "harness/subprocess.h"
#include "tests/tools/cli_test_support.h"

namespace deferlab::tools::testing {
namespace {

namespace fs = std::filesystem;

const std::string kFixture = ALLOC_REACH_FIXTURE;

CliResult check(std::vector<std::string> extra) {
  std::vector<std::string> args = {"check", kFixture};
  args.insert(args.end(), extra.begin(), extra.end());
  return run_deferlab(args);
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// callgrind instruction counts of the fixture run with n = 100, once per process.
const fs::path& fixture_counts() {
  static const fs::path path = [] {
    const fs::path out = fresh_directory("counts") / "callgrind.out";
    ProcessOptions options;
    options.timeout_seconds = 120;
    const ExitStatus status = run_process(
        {"valgrind", "--tool=callgrind", "--dump-instr=yes", "--callgrind-out-file=" + out.string(),
         kFixture, "100"},
        [](std::string_view) {}, [](std::string_view) {}, options);
    EXPECT_TRUE(status.succeeded()) << status.describe();
    return out;
  }();
  return path;
}

TEST(CheckReachTest, LoopCallingAnAllocatorFailsWithThePath) {
  // make_node is not inlined: the loop's call reaches operator new one call away.
  const CliResult r = check({"-s", "loop_make_node", "--no-alloc-in-loop"});
  EXPECT_EQ(r.exit_code, 1);
  ASSERT_EQ(r.err.size(), 1u) << r.err_text();
  EXPECT_TRUE(contains(r.err[0], "check failed: loop_make_node(int) calls make_node(int) at 0x"))
      << r.err[0];
  EXPECT_TRUE(contains(r.err[0], "inside loop 0 (header 0x")) << r.err[0];
  EXPECT_TRUE(contains(r.err[0],
                       ": make_node(int) \u2192 operator new(unsigned long); 0 alloc "
                       "calls, 0 in loops, 1 calls reach one"))
      << r.err[0];
  // --no-alloc too: the function allocates, through its callee.
  EXPECT_EQ(check({"-s", "loop_make_node", "--no-alloc"}).exit_code, 1);
}

TEST(CheckReachTest, DepthLimitIsReportedAsNotSeenInto) {
  // With --depth 1 only direct allocator calls count; make_node's body is one call too deep,
  // and the check says so instead of claiming the loop is clean.
  const CliResult r = check({"-s", "loop_make_node", "--no-alloc-in-loop", "--depth", "1"});
  EXPECT_EQ(r.exit_code, 0) << r.err_text();
  ASSERT_EQ(r.out.size(), 1u) << r.out_text();
  EXPECT_TRUE(contains(r.out[0], "ok: loop_make_node(int): no allocation reachable inside a loop"))
      << r.out[0];
  EXPECT_TRUE(contains(r.out[0],
                       "1 call in loops not seen into (make_node(int) (more than 1 "
                       "calls deep))"))
      << r.out[0];
}

TEST(CheckReachTest, AllocAndAllowTakeDemangledNamesAndGlobs) {
  // --alloc 'make_node(int)': the call itself is an allocation, even at depth 1.
  const CliResult alloc = check(
      {"-s", "loop_make_node", "--no-alloc-in-loop", "--depth", "1", "--alloc", "make_node(int)"});
  EXPECT_EQ(alloc.exit_code, 1);
  ASSERT_EQ(alloc.err.size(), 1u) << alloc.err_text();
  EXPECT_TRUE(contains(alloc.err[0], "calls make_node(int) at 0x")) << alloc.err[0];
  EXPECT_TRUE(contains(alloc.err[0], ": make_node(int); 1 alloc calls, 1 in loops"))
      << alloc.err[0];
  // --allow 'make_*': the call is neither counted nor searched.
  const CliResult allow =
      check({"-s", "loop_make_node", "--no-alloc-in-loop", "--allow", "make_*"});
  EXPECT_EQ(allow.exit_code, 0) << allow.err_text();
}

TEST(CheckReachTest, NamesMatchingNothingAreBadInput) {
  for (const char* option : {"--alloc", "--allow"}) {
    const CliResult r = check({"-s", "loop_make_node", "--no-alloc-in-loop", option, "nosuchfn"});
    EXPECT_EQ(r.exit_code, 2) << option;
    expect_one_error_line(r, std::string(option) + " 'nosuchfn' matches no function or PLT stub");
  }
}

TEST(CheckReachTest, OsVectorGrowthFails) {
  // At -Os push_back calls _M_realloc_insert out of line: a known allocator.
  const CliResult r = check({"-s", "os_vector_growth", "--no-alloc-in-loop"});
  EXPECT_EQ(r.exit_code, 1);
  ASSERT_EQ(r.err.size(), 1u) << r.err_text();
  EXPECT_TRUE(contains(r.err[0],
                       ": void std::vector<int, std::allocator<int> "
                       ">::_M_realloc_insert<int const&>("))
      << r.err[0];
}

TEST(CheckReachTest, StringAppendThroughAPltStubFails) {
  // Only _M_append's PLT stub is in the binary; its body is in libstdc++.
  const CliResult r = check({"-s", "os_string_append", "--no-alloc-in-loop"});
  EXPECT_EQ(r.exit_code, 1);
  ASSERT_EQ(r.err.size(), 1u) << r.err_text();
  EXPECT_TRUE(contains(r.err[0],
                       "calls std::__cxx11::basic_string<char, std::char_traits<char>, "
                       "std::allocator<char> >::_M_append(char const*, unsigned "
                       "long)@plt at 0x"))
      << r.err[0];
}

TEST(CheckReachTest, ElidedMakeUniquePasses) {
  // GCC removed the new/delete pair: nothing allocates, anywhere.
  const CliResult r = check({"-s", "unique_elided", "--no-alloc"});
  EXPECT_EQ(r.exit_code, 0) << r.err_text();
  EXPECT_EQ(r.out_text(),
            "ok: unique_elided(int): no allocation reachable (15 instructions, 1 "
            "loops)\n");
}

TEST(CheckReachTest, ReserveThenPushIsColdByProfile) {
  // Statically the growth path is in the loop: the check fails without a profile.
  EXPECT_EQ(check({"-s", "reserve_then_push(int)", "--no-alloc-in-loop"}).exit_code, 1);
  // With the counts of a run it never executed: reported cold, and the check passes...
  const std::string counts = fixture_counts().string();
  const CliResult cold =
      check({"-s", "reserve_then_push(int)", "--no-alloc-in-loop", "--counts", counts});
  EXPECT_EQ(cold.exit_code, 0) << cold.err_text();
  ASSERT_EQ(cold.out.size(), 2u) << cold.out_text();
  EXPECT_TRUE(contains(cold.out[0],
                       "cold: reserve_then_push(int): operator new(unsigned "
                       "long)@plt at 0x"))
      << cold.out[0];
  EXPECT_TRUE(contains(cold.out[0], "(0 executions)")) << cold.out[0];
  EXPECT_TRUE(contains(cold.out[1], "ok: reserve_then_push(int)")) << cold.out[1];
  // ...unless --strict.
  EXPECT_EQ(
      check({"-s", "reserve_then_push(int)", "--no-alloc-in-loop", "--counts", counts, "--strict"})
          .exit_code,
      1);
}

TEST(CheckReachTest, AllocationThatRanFailsWithItsCount) {
  const CliResult r =
      check({"-s", "loop_make_node", "--no-alloc-in-loop", "--counts", fixture_counts().string()});
  EXPECT_EQ(r.exit_code, 1);
  ASSERT_EQ(r.err.size(), 1u) << r.err_text();
  EXPECT_TRUE(contains(r.err[0], ", ran 100 times: make_node(int) \u2192 operator new"))
      << r.err[0];
}

TEST(CheckReachTest, MarkdownIsATableForAPullRequest) {
  const CliResult r = check({"-s", "*(int)", "--no-alloc-in-loop", "-f", "md"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err.size(), 4u) << r.err_text();  // one line per failing function, as in text
  ASSERT_EQ(r.out.size(), 8u) << r.out_text();  // header, rule, six functions
  EXPECT_EQ(r.out[0],
            "| function | verdict | call | path to the allocator | cold calls | not seen "
            "into |");
  EXPECT_EQ(r.out[2], "| `make_node(int)` | ok |  |  | 0 | 0 |");
  EXPECT_TRUE(contains(r.out[3], "| `loop_make_node(int)` | **fails** | `make_node(int) at 0x"))
      << r.out[3];
  EXPECT_TRUE(contains(r.out[3], "| `make_node(int) \u2192 operator new(unsigned long)` | 0 | 0 |"))
      << r.out[3];
  EXPECT_EQ(r.out[5], "| `unique_elided(int)` | ok |  |  | 0 | 0 |");
}

CliResult check_unlikely(std::vector<std::string> extra) {
  std::vector<std::string> args = {"check", UNLIKELY_FIXTURE};
  args.insert(args.end(), extra.begin(), extra.end());
  return run_deferlab(args);
}

TEST(CheckColdTest, AllocationBehindAnUnlikelyBranchIsColdWithoutAProfile) {
  // __builtin_expect(c, 0): GCC puts the call after the loop's ret and jumps back; the
  // call is reported apart as cold code and the check passes...
  const CliResult r = check_unlikely({"-s", "unlikely_alloc", "--no-alloc-in-loop"});
  EXPECT_EQ(r.exit_code, 0) << r.err_text();
  ASSERT_EQ(r.out.size(), 2u) << r.out_text();
  EXPECT_TRUE(contains(r.out[0], "cold: unlikely_alloc(int const*, int): make_node(int) at 0x"))
      << r.out[0];
  EXPECT_TRUE(contains(r.out[0], "(cold code)")) << r.out[0];
  EXPECT_TRUE(contains(r.out[1], "ok: unlikely_alloc(int const*, int)")) << r.out[1];
  // ...unless --strict.
  EXPECT_EQ(check_unlikely({"-s", "unlikely_alloc", "--no-alloc-in-loop", "--strict"}).exit_code,
            1);
}

TEST(CheckColdTest, AllocationBehindALikelyBranchFails) {
  // The same code told likely: the call is on the loop's path, not cold.
  const CliResult r = check_unlikely({"-s", "likely_alloc", "--no-alloc-in-loop"});
  EXPECT_EQ(r.exit_code, 1);
  ASSERT_EQ(r.err.size(), 1u) << r.err_text();
  EXPECT_TRUE(
      contains(r.err[0], "check failed: likely_alloc(int const*, int) calls make_node(int)"))
      << r.err[0];
}

TEST(CheckColdTest, APathEndingInAbortIsCold) {
  // No __builtin_expect: the block is entered by a forward branch and ends in abort().
  const CliResult r = check_unlikely({"-s", "sum_or_abort", "--no-alloc"});
  EXPECT_EQ(r.exit_code, 0) << r.err_text();
  ASSERT_EQ(r.out.size(), 2u) << r.out_text();
  EXPECT_TRUE(contains(r.out[0], "cold: sum_or_abort(int const*, int): make_node(int) at 0x"))
      << r.out[0];
  EXPECT_EQ(check_unlikely({"-s", "sum_or_abort", "--no-alloc", "--strict"}).exit_code, 1);
}

}  // namespace
}  // namespace deferlab::tools::testing

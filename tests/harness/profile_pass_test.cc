// Tests harness/profile_pass.cc end to end under valgrind: exact per-iteration figures on
// a Google Benchmark binary that links nothing of deferlab (K nops differ by exactly K
// instructions, one allocation per iteration, setup outside the loop adds nothing,
// unmeasurable rows labelled), and on the lab: identical figures from run to run and
// across minimum times, the equalities and orderings the lab's cases claim, and the
// allocations the hook cannot see.
#include "harness/profile_pass.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "harness/run_driver.h"
#include "harness/subprocess.h"
#include "tests/skip.h"

namespace deferlab::harness {
namespace {

namespace fs = std::filesystem;

bool can_profile() {
  return DEFERLAB_SANITIZED_BUILD == 0 && std::system("valgrind --version > /dev/null 2>&1") == 0;
}

// A scratch directory for callgrind's files.
class Scratch {
 public:
  Scratch() {
    std::string pattern = (fs::temp_directory_path() / "profile-test-XXXXXX").string();
    if (::mkdtemp(pattern.data()) != nullptr) path_ = pattern;
  }
  ~Scratch() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

Profile profile(const std::string& binary, const std::string& filter, double min_time) {
  Scratch scratch;
  ProfileOptions options;
  options.binary = binary;
  options.filter = filter;
  options.calibration_binary = EMPTY_LOOP_BENCH;
  options.work_directory = scratch.path();
  options.setup.min_time = min_time;
  return profile_benchmarks(options);
}

std::map<std::string, BenchmarkProfile> by_name(const Profile& p) {
  std::map<std::string, BenchmarkProfile> rows;
  for (const BenchmarkProfile& row : p.benchmarks) rows[row.name] = row;
  return rows;
}

double instructions(const BenchmarkProfile& row) {
  EXPECT_TRUE(row.per_iteration) << row.name;
  return row.per_iteration ? row.per_iteration->events[kIr] : -1;
}

std::string why(const BenchmarkProfile& row) {
  std::string text = row.name + ":";
  for (const std::string& r : row.reasons) text += " " + r;
  return text;
}

class ForeignBinaryProfile : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (can_profile()) rows_ = new auto(by_name(profile(PROFILE_FIXTURE_BENCH, "", 0.01)));
  }
  static void TearDownTestSuite() {
    delete rows_;
    rows_ = nullptr;
  }
  void SetUp() override {
    if (!can_profile()) DEFERLAB_SKIP() << "needs valgrind and a build without sanitizers";
    ASSERT_NE(rows_, nullptr);
  }
  static const BenchmarkProfile& row(const std::string& name) { return rows_->at(name); }
  static std::map<std::string, BenchmarkProfile>* rows_;
};
std::map<std::string, BenchmarkProfile>* ForeignBinaryProfile::rows_ = nullptr;

TEST_F(ForeignBinaryProfile, KNopsCostExactlyKInstructionsPerIteration) {
  const BenchmarkProfile& k0 = row("BM_Nops<0>/1048576");
  const BenchmarkProfile& k16 = row("BM_Nops<16>/1048576");
  const BenchmarkProfile& k64 = row("BM_Nops<64>/1048576");
  for (const BenchmarkProfile* r : {&k0, &k16, &k64}) EXPECT_TRUE(r->exact) << why(*r);
  EXPECT_EQ(instructions(k16) - instructions(k0), 16);
  EXPECT_EQ(instructions(k64) - instructions(k0), 64);
}

TEST_F(ForeignBinaryProfile, CountsOneAllocationPerIterationWithoutTheHook) {
  for (const char* name : {"BM_Nops<0>/0", "BM_Nops<0>/1048576", "BM_Nops<64>/1048576"}) {
    const BenchmarkProfile& r = row(name);
    EXPECT_EQ(r.allocations_total, 1) << name;
    EXPECT_EQ(r.allocations_per_iteration, (std::map<std::string, double>{{"_Znwm", 1}})) << name;
  }
}

TEST_F(ForeignBinaryProfile, SetupBeforeTheLoopAddsNothing) {
  // The same function with no setup and with 1 MiB of it (its argument).
  const BenchmarkProfile& none = row("BM_Nops<0>/0");
  const BenchmarkProfile& mib = row("BM_Nops<0>/1048576");
  ASSERT_TRUE(none.exact && mib.exact) << why(none) << why(mib);
  EXPECT_EQ(instructions(none), instructions(mib));
  EXPECT_EQ(none.per_call->events[kIr], mib.per_call->events[kIr]);
}

TEST_F(ForeignBinaryProfile, HotFunctionsShowTheNopsRunOncePerIteration) {
  const BenchmarkProfile& k64 = row("BM_Nops<64>/1048576");
  const HotFunction* hot = nullptr;
  for (const HotFunction& h : k64.hot_functions) {
    if (h.demangled == "void (anonymous namespace)::BM_Nops<64>(benchmark::State&)") hot = &h;
  }
  ASSERT_NE(hot, nullptr) << "the benchmark function is not among the hot functions";
  int nops_once = 0, other = 0;
  for (const HotInstruction& i : hot->instructions) {
    (i.per_iteration == 1 ? nops_once : other) += 1;
  }
  // The loop body runs once per iteration: at least the 64 nops, each exactly once.
  EXPECT_GE(nops_once, 64);
  EXPECT_EQ(hot->function.object, PROFILE_FIXTURE_BENCH);
}

TEST_F(ForeignBinaryProfile, LabelsRowsThatCannotBeExact) {
  for (const char* name : {"BM_Threaded/threads:2", "BM_Paused", "BM_Fixed/iterations:50"}) {
    const BenchmarkProfile& r = row(name);
    EXPECT_FALSE(r.exact) << name;
    EXPECT_FALSE(r.per_iteration) << name;
    EXPECT_FALSE(r.reasons.empty()) << name;
  }
}

// The lab: fixed_defers/*/4, loop_defer/*/64 and two exception_path rows, profiled twice
// with the same minimum time and once with another.
constexpr const char* kLabFilter =
    "fixed_defers/.*/4$|loop_defer/.*/64$|exception_path/(heap_defer|goto_cleanup)/1$";

class LabProfile : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!can_profile()) return;
    first_ = new auto(by_name(profile(LAB_BINARY, kLabFilter, 0.01)));
    again_ = new auto(by_name(profile(LAB_BINARY, kLabFilter, 0.01)));
    longer_ = new auto(by_name(profile(LAB_BINARY, kLabFilter, 0.03)));
  }
  static void TearDownTestSuite() {
    delete first_;
    delete again_;
    delete longer_;
  }
  void SetUp() override {
    if (!can_profile()) DEFERLAB_SKIP() << "needs valgrind and a build without sanitizers";
  }
  static double ir(const std::string& name) { return instructions(first_->at(name)); }
  static std::map<std::string, BenchmarkProfile>* first_;
  static std::map<std::string, BenchmarkProfile>* again_;
  static std::map<std::string, BenchmarkProfile>* longer_;
};
std::map<std::string, BenchmarkProfile>* LabProfile::first_ = nullptr;
std::map<std::string, BenchmarkProfile>* LabProfile::again_ = nullptr;
std::map<std::string, BenchmarkProfile>* LabProfile::longer_ = nullptr;

TEST_F(LabProfile, EveryRowIsExactAndTheSameFromRunToRunAndAcrossMinimumTimes) {
  // Every row the filter lists (two per strategy and two more), whatever the strategies.
  ASSERT_EQ(first_->size(), list_benchmarks(LAB_BINARY, kLabFilter).size());
  ASSERT_GE(first_->size(), 20u);
  for (const auto& [name, row] : *first_) {
    EXPECT_TRUE(row.exact) << why(row);
    for (const auto* other : {again_, longer_}) {
      const BenchmarkProfile& o = other->at(name);
      EXPECT_TRUE(o.exact) << why(o);
      EXPECT_EQ(instructions(o), instructions(row)) << name;
      EXPECT_EQ(o.allocations_per_iteration, row.allocations_per_iteration) << name;
    }
  }
}

TEST_F(LabProfile, TemplatedGuardsCostWhatGotoCleanupCosts) {
  const double floor = ir("fixed_defers/goto_cleanup/4");
  for (const char* guard : {"scope_guard", "absl_cleanup", "gsl_finally", "boost_scope_exit"}) {
    EXPECT_EQ(ir(std::string("fixed_defers/") + guard + "/4"), floor) << guard;
  }
}

// The hook's per-iteration counts (heap_allocs) from a native run of the same rows.
std::map<std::string, double> hook_allocations() {
  std::string json;
  run_process({LAB_BINARY, std::string("--benchmark_filter=") + kLabFilter,
               "--benchmark_min_time=0.001", "--benchmark_format=json"},
              [&](std::string_view line) { (json += line) += '\n'; }, {});
  std::map<std::string, double> out;
  const nlohmann::json doc = nlohmann::json::parse(json);
  for (const nlohmann::json& b : doc.at("benchmarks")) {
    out[b["name"].get<std::string>()] = b["heap_allocs"].get<double>();
  }
  return out;
}

TEST_F(LabProfile, HeapRecordsCostMoreThanPoolsWhichCostMoreThanGoto) {
  EXPECT_GT(ir("loop_defer/heap_defer/64"), ir("loop_defer/pooled_chain/64"));
  EXPECT_GT(ir("loop_defer/pooled_chain/64"), ir("loop_defer/goto_cleanup/64"));
  const BenchmarkProfile& heap = first_->at("loop_defer/heap_defer/64");
  EXPECT_EQ(heap.allocations_per_iteration.at("_Znwm"), 64);
  EXPECT_EQ(heap.allocations_total, hook_allocations().at("loop_defer/heap_defer/64"));
}

TEST_F(LabProfile, ExceptionsAllocateWhereTheHookCannotSee) {
  const std::map<std::string, double> hook = hook_allocations();
  for (const char* name : {"exception_path/heap_defer/1", "exception_path/goto_cleanup/1"}) {
    const BenchmarkProfile& row = first_->at(name);
    const double thrown = row.allocations_per_iteration.at("__cxa_allocate_exception");
    EXPECT_EQ(thrown, 1) << name;  // one throw per iteration
    // The hook counts operator new only; the profile counts the exception as well.
    EXPECT_EQ(*row.allocations_total - thrown, hook.at(name)) << name;
  }
}

}  // namespace
}  // namespace deferlab::harness

// Tests every strategy through the same suite (cases/scenarios/ and cases/strategies/): LIFO
// order, each cleanup exactly once on normal return, early exit and exception, cancel,
// exact allocations per call, and two threads at once.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <tuple>
#include <vector>

#include "cases/case_registry.h"
#include "cases/strategies.h"
#include "harness/alloc_hook.h"
#include "tests/skip.h"

namespace deferlab::cases {
namespace {

const Case* find_case(std::string_view scenario, std::string_view strategy,
                      std::string_view param) {
  for (const Case* c : all_cases()) {
    if (c->header.scenario.name == scenario && c->header.strategy.name == strategy &&
        c->header.param == param) {
      return c;
    }
  }
  return nullptr;
}

std::vector<const Case*> cases_of(std::string_view strategy) {
  std::vector<const Case*> found;
  for (const Case* c : all_cases()) {
    if (c->header.strategy.name == strategy) found.push_back(c);
  }
  return found;
}

std::string omitted_reason(std::string_view strategy) {
  for (const OmittedCell& cell : omitted_cells()) {
    if (cell.strategy == strategy) return cell.reason;
  }
  return "";
}

// Operator-new calls made by one call of `c` on `ledger`, exceptions caught.
std::uint64_t allocations_of_one_call(const Case& c, Ledger& ledger) {
  const alloc::Counts before = alloc::thread_counts();
  try {
    c.call(ledger);
  } catch (const Failure&) {
  }
  return (alloc::thread_counts() - before).allocs;
}

// Steady-state operator-new calls per call, for the cells where a strategy allocates.
// Everything not listed allocates nothing.
std::uint64_t expected_allocations(std::string_view strategy, std::string_view scenario,
                                   std::string_view param) {
  using Key = std::tuple<std::string_view, std::string_view, std::string_view>;
  static const std::map<Key, std::uint64_t> kAllocating = {
      // heap_defer: one record per action ...
      {{"heap_defer", "loop_defer", "1"}, 1},
      {{"heap_defer", "loop_defer", "8"}, 8},
      {{"heap_defer", "loop_defer", "16"}, 16},
      {{"heap_defer", "loop_defer", "64"}, 64},
      {{"heap_defer", "loop_defer", "1024"}, 1024},
      {{"heap_defer", "fixed_defers", "1"}, 1},
      {{"heap_defer", "fixed_defers", "4"}, 4},
      {{"heap_defer", "fixed_defers", "8"}, 8},
      {{"heap_defer", "fixed_defers", "9"}, 9},
      {{"heap_defer", "error_path", "none"}, 4},
      {{"heap_defer", "error_path", "2"}, 2},  // the records made before step 2 failed
      {{"heap_defer", "error_path", "3"}, 3},
      {{"heap_defer", "error_path", "commit"}, 4},
      {{"heap_defer", "error_path", "rollback_2"}, 2},
      {{"heap_defer", "exception_path", "1"}, 1},
      {{"heap_defer", "exception_path", "4"}, 4},
      // ... plus one when the callable does not fit std::function's 16-byte buffer or is
      // not trivially copyable.
      {{"heap_defer", "capture_size", "8"}, 1},
      {{"heap_defer", "capture_size", "16"}, 1},
      {{"heap_defer", "capture_size", "24"}, 2},
      {{"heap_defer", "capture_size", "32"}, 2},
      {{"heap_defer", "capture_size", "shared_ptr"}, 2},
      {{"heap_defer", "capture_size", "string"}, 2},
      // std::function in a guard: the callable alone, when it does not fit.
      {{"std_function_guard", "capture_size", "24"}, 1},
      {{"std_function_guard", "capture_size", "32"}, 1},
      {{"std_function_guard", "capture_size", "shared_ptr"}, 1},
      {{"std_function_guard", "capture_size", "string"}, 1},
      // std::move_only_function keeps nothrow-movable callables up to 24 bytes inline.
      {{"move_only_function_guard", "capture_size", "32"}, 1},
      {{"move_only_function_guard", "capture_size", "string"}, 1},
  };
  const auto it = kAllocating.find(Key{strategy, scenario, param});
  return it == kAllocating.end() ? 0 : it->second;
}

template <class Strategy>
class StrategyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (cases_of(Strategy::kName).empty()) {
      DEFERLAB_SKIP() << Strategy::kName << " is not built: " << omitted_reason(Strategy::kName);
    }
  }

  // The case, or a test failure (gtest reports the exception) when it is not registered.
  static const Case& get(std::string_view scenario, std::string_view param) {
    const Case* c = find_case(scenario, Strategy::kName, param);
    if (c == nullptr) {
      throw std::runtime_error("no case " + std::string(scenario) + "/" +
                               std::string(Strategy::kName) + "/" + std::string(param));
    }
    return *c;
  }
};

// Every strategy of the lab (cases/strategies.h), as GoogleTest's type list.
template <class List>
struct TypesOf;
template <class... S>
struct TypesOf<StrategyList<S...>> {
  using type = ::testing::Types<S...>;
};
using Strategies = TypesOf<LabStrategies>::type;

struct StrategyName {
  template <class Strategy>
  static std::string GetName(int) {
    return std::string(Strategy::kName);
  }
};
TYPED_TEST_SUITE(StrategyTest, Strategies, StrategyName);

TYPED_TEST(StrategyTest, EveryScenarioIsImplementedOrOmittedWithAReason) {
  std::vector<std::string_view> scenarios;
  for (const Case* c : all_cases()) {
    if (std::find(scenarios.begin(), scenarios.end(), c->header.scenario.name) == scenarios.end())
      scenarios.push_back(c->header.scenario.name);
  }
  // The lab's five at least: a scenario cannot vanish unnoticed.
  EXPECT_GE(scenarios.size(), 5u);
  for (std::string_view scenario : scenarios) {
    bool implemented = false;
    for (const Case* c : cases_of(TypeParam::kName)) {
      implemented = implemented || c->header.scenario.name == scenario;
    }
    bool omitted = false;
    for (const OmittedCell& cell : omitted_cells()) {
      omitted = omitted || (cell.scenario == scenario && cell.strategy == TypeParam::kName &&
                            !cell.reason.empty());
    }
    EXPECT_TRUE(implemented || omitted) << scenario;
  }
}

// Every case's single call leaves exactly its expected ledger: which ids were released,
// in which order, how many acquired and committed, the result and whether it threw.
TYPED_TEST(StrategyTest, EveryCaseLeavesItsExpectedOutcome) {
  for (const Case* c : cases_of(TypeParam::kName)) {
    EXPECT_EQ(run_once(*c), c->expected) << c->benchmark_name();
  }
}

TYPED_TEST(StrategyTest, LoopDeferReleasesInReverseOrder) {
  const Outcome outcome = run_once(this->get("loop_defer", "8"));
  // Cleanups run LIFO: the last registered first.
  EXPECT_EQ(outcome.released, (std::vector<std::uint32_t>{7, 6, 5, 4, 3, 2, 1, 0}));
}

TYPED_TEST(StrategyTest, EarlyExitReleasesOnlyWhatWasAcquired) {
  const Outcome at_2 = run_once(this->get("error_path", "2"));
  // Step 2 failed: 1 and 0 are released, once each, and nothing else.
  EXPECT_EQ(at_2.released, (std::vector<std::uint32_t>{1, 0}));
  EXPECT_EQ(at_2.result, -1);
  const Outcome at_0 = run_once(this->get("error_path", "0"));
  // Nothing was acquired, so nothing is released.
  EXPECT_TRUE(at_0.released.empty());
}

TYPED_TEST(StrategyTest, ExceptionReleasesEverythingOnce) {
  const Outcome outcome = run_once(this->get("exception_path", "4"));
  EXPECT_TRUE(outcome.threw);
  // The unwinder runs each cleanup exactly once, newest first.
  EXPECT_EQ(outcome.released, (std::vector<std::uint32_t>{3, 2, 1, 0}));
}

TYPED_TEST(StrategyTest, CommitCancelsTheCleanups) {
  const Outcome committed = run_once(this->get("error_path", "commit"));
  // Cancelled cleanups never run; the four resources are handed over.
  EXPECT_TRUE(committed.released.empty());
  EXPECT_EQ(committed.committed, 4u);
  const Outcome rolled_back = run_once(this->get("error_path", "rollback_2"));
  // A failure before the commit still rolls back.
  EXPECT_EQ(rolled_back.released, (std::vector<std::uint32_t>{1, 0}));
  EXPECT_EQ(rolled_back.committed, 0u);
}

// Exact allocations per call in steady state: the first call may fill a pool, the second
// must not allocate more than the strategy inherently does.
TYPED_TEST(StrategyTest, AllocatesExactlyWhatTheStrategyImplies) {
  Ledger ledger;
  for (const Case* c : cases_of(TypeParam::kName)) {
    (void)allocations_of_one_call(*c, ledger);  // warm-up
    const std::uint64_t expected =
        expected_allocations(TypeParam::kName, c->header.scenario.name, c->header.param);
    EXPECT_EQ(allocations_of_one_call(*c, ledger), expected) << c->benchmark_name();
  }
}

// Two threads running the same case at once, each on its own ledger, both correct.
TYPED_TEST(StrategyTest, TwoThreadsAtOnce) {
  const Case& c = this->get("loop_defer", "64");
  constexpr int kCalls = 500;
  auto work = [&c](Ledger* ledger) {
    for (int i = 0; i < kCalls; ++i) c.call(*ledger);
  };
  auto a = std::make_unique<Ledger>();
  auto b = std::make_unique<Ledger>();
  std::thread first(work, a.get());
  std::thread second(work, b.get());
  first.join();
  second.join();
  for (const Ledger* ledger : {a.get(), b.get()}) {
    EXPECT_EQ(ledger->acquired, 64u * kCalls);
    EXPECT_EQ(ledger->released, 64u * kCalls);
    // The last call's releases, in order, at the end of the wrapping log.
    const std::uint64_t end = ledger->released;
    for (std::uint32_t k = 0; k < 64; ++k) {
      EXPECT_EQ(ledger->log[(end - 64 + k) % Ledger::kLogCapacity], 63 - k);
    }
  }
}

}  // namespace
}  // namespace deferlab::cases

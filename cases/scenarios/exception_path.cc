// exception_path/K: K cleanups registered, then a throw (K in {1, 4}); the cleanups run
// while the exception unwinds the frame, and the caller catches it.
//
// The exception object itself comes from __cxa_allocate_exception, which uses malloc and
// so is not in the operator-new counts; what the counts show is the strategy's own cost.
// Manual cleanup has no exception path in C; goto_cleanup writes the closest C++ form, a
// catch-all that releases in reverse and rethrows.
#include "cases/case_registry.h"
#include "cases/strategies.h"
#include "cases/written_out.h"

namespace deferlab::cases {
namespace hot {

template <std::uint32_t K>
using Ids = std::make_integer_sequence<std::uint32_t, K>;

DEFERLAB_SOURCE(exception_path)
template <class S, std::uint32_t K>
DEFERLAB_NOIPA void exception_path(Ledger& ledger) {
  if constexpr (S::kKind == StrategyKind::kChain) {
    typename S::Chain defers;
    defer_each(defers, ledger, Ids<K>{});
    throw_failure(K);
  } else if constexpr (S::kKind == StrategyKind::kGuard) {
    auto innermost = [] { throw_failure(K); };
    nest_guards<S, 0, K>(ledger, innermost);
  } else {
    acquire_each(ledger, Ids<K>{});
    try {
      throw_failure(K);
    } catch (...) {
      release_each_reversed(ledger, Ids<K>{});
      throw;
    }
  }
}

}  // namespace hot

namespace {

constexpr ScenarioInfo kScenario{
    "exception_path", 40,
    "a throw after K cleanups are registered (K in {1, 4}); they run during unwinding", "4"};
constexpr std::uint32_t kK[] = {1, 4};

template <class S>
std::pair<Fidelity, const char*> fidelity_and_notes() {
  switch (S::kKind) {
    case StrategyKind::kChain:
      return {Fidelity::kFaithful, "the chain's destructor runs the records during unwinding"};
    case StrategyKind::kGuard:
      return {Fidelity::kFaithful, "the unwinder runs the cleanups; the benchmark loop catches"};
    case StrategyKind::kManual:
      break;
  }
  return {Fidelity::kClosestForm,
          "closest form: C-style cleanup has no exception path; a catch-all releases in "
          "reverse and rethrows"};
}

const bool registered = [] {
  for_each_strategy(kScenario, []<class S>() {
    const auto [fidelity, notes] = fidelity_and_notes<S>();
    // One hot function per K, in kK order.
    add_per_count<S, /*kThrows=*/true, &hot::exception_path<S, 1>, &hot::exception_path<S, 4>>(
        kScenario, kK, hot::exception_path_source, fidelity, notes);
  });
  return true;
}();

}  // namespace
}  // namespace deferlab::cases

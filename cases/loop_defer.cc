// loop_defer/N: N cleanups registered in a loop inside one call, run LIFO when the call
// returns, N in {1, 8, 16, 64, 1024} (16: the Go cases' table row, cases/go).
//
// The pathology of a Go `defer` inside a loop: every iteration pushes a record, and the
// records pile up until the function returns (open-coded defers never apply in loops).
// Chains express it directly. A guard declared in a loop body would run at the end of
// each iteration instead, so the guard strategies write the closest form with the same
// observable result: one guard, declared before the loop, that releases whatever the
// loop acquired in reverse order.
#include "cases/case_registry.h"
#include "cases/strategies.h"

namespace deferlab::cases {
namespace hot {

DEFERLAB_SOURCE(loop_defer_heap_defer)
DEFERLAB_NOIPA void loop_defer_heap_defer(Ledger& ledger, int n) {
  HeapDeferChain defers;
  for (int i = 0; i < n; ++i) {
    const auto id = static_cast<std::uint32_t>(i);
    acquire(ledger, id);
    defers.defer([&ledger, id] { release(ledger, id); });
  }
}

DEFERLAB_SOURCE(loop_defer_pooled_chain)
DEFERLAB_NOIPA void loop_defer_pooled_chain(Ledger& ledger, int n) {
  PooledChain defers;
  for (int i = 0; i < n; ++i) {
    const auto id = static_cast<std::uint32_t>(i);
    acquire(ledger, id);
    defers.defer([&ledger, id] { release(ledger, id); });
  }
}

DEFERLAB_SOURCE(loop_defer_scope_guard)
DEFERLAB_NOIPA void loop_defer_scope_guard(Ledger& ledger, int n) {
  std::uint32_t acquired = 0;
  ScopeGuard unwind{[&ledger, &acquired] {
    while (acquired > 0) release(ledger, --acquired);
  }};
  for (int i = 0; i < n; ++i) {
    acquire(ledger, acquired);
    ++acquired;
  }
}

DEFERLAB_SOURCE(loop_defer_goto_cleanup)
DEFERLAB_NOIPA void loop_defer_goto_cleanup(Ledger& ledger, int n) {
  std::uint32_t acquired = 0;
  for (int i = 0; i < n; ++i) {
    if (!acquire(ledger, acquired)) goto unwind;
    ++acquired;
  }
unwind:
  while (acquired > 0) release(ledger, --acquired);
}

#if DEFERLAB_HAVE_ABSL_CLEANUP
DEFERLAB_SOURCE(loop_defer_absl_cleanup)
DEFERLAB_NOIPA void loop_defer_absl_cleanup(Ledger& ledger, int n) {
  std::uint32_t acquired = 0;
  absl::Cleanup unwind = [&ledger, &acquired] {
    while (acquired > 0) release(ledger, --acquired);
  };
  for (int i = 0; i < n; ++i) {
    acquire(ledger, acquired);
    ++acquired;
  }
}
#endif

#if DEFERLAB_HAVE_GSL_FINALLY
DEFERLAB_SOURCE(loop_defer_gsl_finally)
DEFERLAB_NOIPA void loop_defer_gsl_finally(Ledger& ledger, int n) {
  std::uint32_t acquired = 0;
  auto unwind = gsl::finally([&ledger, &acquired] {
    while (acquired > 0) release(ledger, --acquired);
  });
  for (int i = 0; i < n; ++i) {
    acquire(ledger, acquired);
    ++acquired;
  }
}
#endif

#if DEFERLAB_HAVE_BOOST_SCOPE_EXIT
DEFERLAB_SOURCE(loop_defer_boost_scope_exit)
DEFERLAB_NOIPA void loop_defer_boost_scope_exit(Ledger& ledger, int n) {
  std::uint32_t acquired = 0;
  BOOST_SCOPE_EXIT(&ledger, &acquired) {
    while (acquired > 0) release(ledger, --acquired);
  }
  BOOST_SCOPE_EXIT_END
  for (int i = 0; i < n; ++i) {
    acquire(ledger, acquired);
    ++acquired;
  }
}
#endif

DEFERLAB_SOURCE(loop_defer_std_function_guard)
DEFERLAB_NOIPA void loop_defer_std_function_guard(Ledger& ledger, int n) {
  std::uint32_t acquired = 0;
  FunctionGuard unwind{[&ledger, &acquired] {
    while (acquired > 0) release(ledger, --acquired);
  }};
  for (int i = 0; i < n; ++i) {
    acquire(ledger, acquired);
    ++acquired;
  }
}

#if DEFERLAB_HAVE_MOVE_ONLY_FUNCTION
DEFERLAB_SOURCE(loop_defer_move_only_function_guard)
DEFERLAB_NOIPA void loop_defer_move_only_function_guard(Ledger& ledger, int n) {
  std::uint32_t acquired = 0;
  MoveOnlyFunctionGuard unwind{[&ledger, &acquired] {
    while (acquired > 0) release(ledger, --acquired);
  }};
  for (int i = 0; i < n; ++i) {
    acquire(ledger, acquired);
    ++acquired;
  }
}
#endif

}  // namespace hot

namespace {

constexpr ScenarioInfo kScenario{
    "loop_defer", 10,
    "N cleanups registered in a loop inside one call, run LIFO when the call returns (a Go "
    "defer inside a loop)"};
constexpr int kN[] = {1, 8, 16, 64, 1024};

constexpr const char* kChainNote =
    "one record pushed per iteration; all N run LIFO when the call returns";
constexpr const char* kGuardNote =
    "closest form: one guard declared before the loop releases the N acquired resources in "
    "reverse when the call returns (a guard declared in the loop body would run at the end "
    "of every iteration instead)";

template <class Strategy, auto Fn>
void add(SourceLine source, Fidelity fidelity, const char* notes) {
  for (int index = 0; index < static_cast<int>(std::size(kN)); ++index) {
    const int n = kN[index];
    CaseHeader header{kScenario,         StrategyInfo::of<Strategy>(),
                      std::to_string(n), index,
                      {{"N", n}},        source,
                      fidelity,          notes};
    add_case(make_case<Fn>(std::move(header), lifo_outcome(static_cast<std::uint32_t>(n)), n));
  }
}

const bool registered = [] {
  add<HeapDeferStrategy, &hot::loop_defer_heap_defer>(hot::loop_defer_heap_defer_source,
                                                      Fidelity::kFaithful, kChainNote);
  add<PooledChainStrategy, &hot::loop_defer_pooled_chain>(hot::loop_defer_pooled_chain_source,
                                                          Fidelity::kFaithful, kChainNote);
  add<ScopeGuardStrategy, &hot::loop_defer_scope_guard>(hot::loop_defer_scope_guard_source,
                                                        Fidelity::kClosestForm, kGuardNote);
  add<GotoCleanupStrategy, &hot::loop_defer_goto_cleanup>(
      hot::loop_defer_goto_cleanup_source, Fidelity::kFaithful,
      "the loop counts what it acquired; one label after the loop releases it in reverse");
#if DEFERLAB_HAVE_ABSL_CLEANUP
  add<AbslCleanupStrategy, &hot::loop_defer_absl_cleanup>(hot::loop_defer_absl_cleanup_source,
                                                          Fidelity::kClosestForm, kGuardNote);
#endif
#if DEFERLAB_HAVE_GSL_FINALLY
  add<GslFinallyStrategy, &hot::loop_defer_gsl_finally>(hot::loop_defer_gsl_finally_source,
                                                        Fidelity::kClosestForm, kGuardNote);
#endif
#if DEFERLAB_HAVE_BOOST_SCOPE_EXIT
  add<BoostScopeExitStrategy, &hot::loop_defer_boost_scope_exit>(
      hot::loop_defer_boost_scope_exit_source, Fidelity::kClosestForm, kGuardNote);
#endif
  add<StdFunctionGuardStrategy, &hot::loop_defer_std_function_guard>(
      hot::loop_defer_std_function_guard_source, Fidelity::kClosestForm, kGuardNote);
#if DEFERLAB_HAVE_MOVE_ONLY_FUNCTION
  add<MoveOnlyFunctionGuardStrategy, &hot::loop_defer_move_only_function_guard>(
      hot::loop_defer_move_only_function_guard_source, Fidelity::kClosestForm, kGuardNote);
#endif
  omit_unavailable(kScenario.name);
  return true;
}();

}  // namespace
}  // namespace deferlab::cases

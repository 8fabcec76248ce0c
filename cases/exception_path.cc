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

DEFERLAB_SOURCE(exception_path_heap_defer)
template <std::uint32_t K>
DEFERLAB_NOIPA void exception_path_heap_defer(Ledger& ledger) {
  HeapDeferChain defers;
  defer_each(defers, ledger, Ids<K>{});
  throw_failure(K);
}

DEFERLAB_SOURCE(exception_path_pooled_chain)
template <std::uint32_t K>
DEFERLAB_NOIPA void exception_path_pooled_chain(Ledger& ledger) {
  PooledChain defers;
  defer_each(defers, ledger, Ids<K>{});
  throw_failure(K);
}

DEFERLAB_SOURCE(exception_path_scope_guard)
template <std::uint32_t K>
DEFERLAB_NOIPA void exception_path_scope_guard(Ledger& ledger) {
  auto make_guard = [](Ledger& l, auto id) {
    return ScopeGuard{[&l] { release(l, decltype(id)::value); }};
  };
  auto innermost = [] { throw_failure(K); };
  nest_guards<0, K>(ledger, make_guard, innermost);
}

DEFERLAB_SOURCE(exception_path_goto_cleanup)
template <std::uint32_t K>
DEFERLAB_NOIPA void exception_path_goto_cleanup(Ledger& ledger) {
  acquire_each(ledger, Ids<K>{});
  try {
    throw_failure(K);
  } catch (...) {
    release_each_reversed(ledger, Ids<K>{});
    throw;
  }
}

#if DEFERLAB_HAVE_ABSL_CLEANUP
DEFERLAB_SOURCE(exception_path_absl_cleanup)
template <std::uint32_t K>
DEFERLAB_NOIPA void exception_path_absl_cleanup(Ledger& ledger) {
  auto make_guard = [](Ledger& l, auto id) {
    return absl::Cleanup{[&l] { release(l, decltype(id)::value); }};
  };
  auto innermost = [] { throw_failure(K); };
  nest_guards<0, K>(ledger, make_guard, innermost);
}
#endif

#if DEFERLAB_HAVE_GSL_FINALLY
DEFERLAB_SOURCE(exception_path_gsl_finally)
template <std::uint32_t K>
DEFERLAB_NOIPA void exception_path_gsl_finally(Ledger& ledger) {
  auto make_guard = [](Ledger& l, auto id) {
    return gsl::finally([&l] { release(l, decltype(id)::value); });
  };
  auto innermost = [] { throw_failure(K); };
  nest_guards<0, K>(ledger, make_guard, innermost);
}
#endif

#if DEFERLAB_HAVE_BOOST_SCOPE_EXIT
template <std::uint32_t I, std::uint32_t K>
[[gnu::always_inline]] inline void nest_boost_scope_exits_then_throw(Ledger& ledger) {
  if constexpr (I < K) {
    acquire(ledger, I);
    BOOST_SCOPE_EXIT_TPL(&ledger) {
      release(ledger, I);
    }
    BOOST_SCOPE_EXIT_END
    nest_boost_scope_exits_then_throw<I + 1, K>(ledger);
  } else {
    throw_failure(K);
  }
}

DEFERLAB_SOURCE(exception_path_boost_scope_exit)
template <std::uint32_t K>
DEFERLAB_NOIPA void exception_path_boost_scope_exit(Ledger& ledger) {
  nest_boost_scope_exits_then_throw<0, K>(ledger);
}
#endif

DEFERLAB_SOURCE(exception_path_std_function_guard)
template <std::uint32_t K>
DEFERLAB_NOIPA void exception_path_std_function_guard(Ledger& ledger) {
  auto make_guard = [](Ledger& l, auto id) {
    return FunctionGuard{[&l] { release(l, decltype(id)::value); }};
  };
  auto innermost = [] { throw_failure(K); };
  nest_guards<0, K>(ledger, make_guard, innermost);
}

#if DEFERLAB_HAVE_MOVE_ONLY_FUNCTION
DEFERLAB_SOURCE(exception_path_move_only_function_guard)
template <std::uint32_t K>
DEFERLAB_NOIPA void exception_path_move_only_function_guard(Ledger& ledger) {
  auto make_guard = [](Ledger& l, auto id) {
    return MoveOnlyFunctionGuard{[&l] { release(l, decltype(id)::value); }};
  };
  auto innermost = [] { throw_failure(K); };
  nest_guards<0, K>(ledger, make_guard, innermost);
}
#endif

}  // namespace hot

namespace {

constexpr ScenarioInfo kScenario{
    "exception_path", 40,
    "a throw after K cleanups are registered (K in {1, 4}); they run during unwinding"};
constexpr std::uint32_t kK[] = {1, 4};

template <class Strategy, auto... Fns>  // one hot function per K, in kK order
void add(SourceLine source, Fidelity fidelity, const char* notes) {
  add_per_count<Strategy, /*kThrows=*/true, Fns...>(kScenario, kK, source, fidelity, notes);
}

#define DEFERLAB_EACH_K(fn) &hot::fn<1>, &hot::fn<4>

constexpr const char* kNote = "the unwinder runs the cleanups; the benchmark loop catches";

const bool registered = [] {
  add<HeapDeferStrategy, DEFERLAB_EACH_K(exception_path_heap_defer)>(
      hot::exception_path_heap_defer_source, Fidelity::kFaithful,
      "the chain's destructor runs the records during unwinding");
  add<PooledChainStrategy, DEFERLAB_EACH_K(exception_path_pooled_chain)>(
      hot::exception_path_pooled_chain_source, Fidelity::kFaithful,
      "the chain's destructor runs the records during unwinding");
  add<ScopeGuardStrategy, DEFERLAB_EACH_K(exception_path_scope_guard)>(
      hot::exception_path_scope_guard_source, Fidelity::kFaithful, kNote);
  add<GotoCleanupStrategy, DEFERLAB_EACH_K(exception_path_goto_cleanup)>(
      hot::exception_path_goto_cleanup_source, Fidelity::kClosestForm,
      "closest form: C-style cleanup has no exception path; a catch-all releases in reverse "
      "and rethrows");
#if DEFERLAB_HAVE_ABSL_CLEANUP
  add<AbslCleanupStrategy, DEFERLAB_EACH_K(exception_path_absl_cleanup)>(
      hot::exception_path_absl_cleanup_source, Fidelity::kFaithful, kNote);
#endif
#if DEFERLAB_HAVE_GSL_FINALLY
  add<GslFinallyStrategy, DEFERLAB_EACH_K(exception_path_gsl_finally)>(
      hot::exception_path_gsl_finally_source, Fidelity::kFaithful, kNote);
#endif
#if DEFERLAB_HAVE_BOOST_SCOPE_EXIT
  add<BoostScopeExitStrategy, DEFERLAB_EACH_K(exception_path_boost_scope_exit)>(
      hot::exception_path_boost_scope_exit_source, Fidelity::kFaithful, kNote);
#endif
  add<StdFunctionGuardStrategy, DEFERLAB_EACH_K(exception_path_std_function_guard)>(
      hot::exception_path_std_function_guard_source, Fidelity::kFaithful, kNote);
#if DEFERLAB_HAVE_MOVE_ONLY_FUNCTION
  add<MoveOnlyFunctionGuardStrategy, DEFERLAB_EACH_K(exception_path_move_only_function_guard)>(
      hot::exception_path_move_only_function_guard_source, Fidelity::kFaithful, kNote);
#endif
  omit_unavailable(kScenario.name);
  return true;
}();

#undef DEFERLAB_EACH_K

}  // namespace
}  // namespace deferlab::cases

// fixed_defers/K: K cleanups written out in one function, K in {1, 4, 8, 9}.
//
// Go 1.14 open-codes up to 8 defers per function (a bitmask byte says which ran) and
// falls back to heap records past that; K = 9 crosses the limit. In C++ a guard per
// cleanup is the direct form; the guards here are written out at compile time by
// nest_guards (written_out.h), K nested scopes in one function after inlining.
#include "cases/case_registry.h"
#include "cases/strategies.h"
#include "cases/written_out.h"

namespace deferlab::cases {
namespace hot {

template <std::uint32_t K>
using Ids = std::make_integer_sequence<std::uint32_t, K>;

DEFERLAB_SOURCE(fixed_defers_heap_defer)
template <std::uint32_t K>
DEFERLAB_NOIPA void fixed_defers_heap_defer(Ledger& ledger) {
  HeapDeferChain defers;
  defer_each(defers, ledger, Ids<K>{});
}

DEFERLAB_SOURCE(fixed_defers_pooled_chain)
template <std::uint32_t K>
DEFERLAB_NOIPA void fixed_defers_pooled_chain(Ledger& ledger) {
  PooledChain defers;
  defer_each(defers, ledger, Ids<K>{});
}

DEFERLAB_SOURCE(fixed_defers_scope_guard)
template <std::uint32_t K>
DEFERLAB_NOIPA void fixed_defers_scope_guard(Ledger& ledger) {
  auto make_guard = [](Ledger& l, auto id) {
    return ScopeGuard{[&l] { release(l, decltype(id)::value); }};
  };
  auto innermost = [] {};
  nest_guards<0, K>(ledger, make_guard, innermost);
}

DEFERLAB_SOURCE(fixed_defers_goto_cleanup)
template <std::uint32_t K>
DEFERLAB_NOIPA void fixed_defers_goto_cleanup(Ledger& ledger) {
  acquire_each(ledger, Ids<K>{});
  release_each_reversed(ledger, Ids<K>{});
}

#if DEFERLAB_HAVE_ABSL_CLEANUP
DEFERLAB_SOURCE(fixed_defers_absl_cleanup)
template <std::uint32_t K>
DEFERLAB_NOIPA void fixed_defers_absl_cleanup(Ledger& ledger) {
  auto make_guard = [](Ledger& l, auto id) {
    return absl::Cleanup{[&l] { release(l, decltype(id)::value); }};
  };
  auto innermost = [] {};
  nest_guards<0, K>(ledger, make_guard, innermost);
}
#endif

#if DEFERLAB_HAVE_GSL_FINALLY
DEFERLAB_SOURCE(fixed_defers_gsl_finally)
template <std::uint32_t K>
DEFERLAB_NOIPA void fixed_defers_gsl_finally(Ledger& ledger) {
  auto make_guard = [](Ledger& l, auto id) {
    return gsl::finally([&l] { release(l, decltype(id)::value); });
  };
  auto innermost = [] {};
  nest_guards<0, K>(ledger, make_guard, innermost);
}
#endif

#if DEFERLAB_HAVE_BOOST_SCOPE_EXIT
// BOOST_SCOPE_EXIT declares a local object, so it cannot come out of a factory; this is
// nest_guards written with the macro (the _TPL form, as it is inside a template).
template <std::uint32_t I, std::uint32_t K>
[[gnu::always_inline]] inline void nest_boost_scope_exits(Ledger& ledger) {
  if constexpr (I < K) {
    acquire(ledger, I);
    BOOST_SCOPE_EXIT_TPL(&ledger) {
      release(ledger, I);
    }
    BOOST_SCOPE_EXIT_END
    nest_boost_scope_exits<I + 1, K>(ledger);
  }
}

DEFERLAB_SOURCE(fixed_defers_boost_scope_exit)
template <std::uint32_t K>
DEFERLAB_NOIPA void fixed_defers_boost_scope_exit(Ledger& ledger) {
  nest_boost_scope_exits<0, K>(ledger);
}
#endif

DEFERLAB_SOURCE(fixed_defers_std_function_guard)
template <std::uint32_t K>
DEFERLAB_NOIPA void fixed_defers_std_function_guard(Ledger& ledger) {
  auto make_guard = [](Ledger& l, auto id) {
    return FunctionGuard{[&l] { release(l, decltype(id)::value); }};
  };
  auto innermost = [] {};
  nest_guards<0, K>(ledger, make_guard, innermost);
}

#if DEFERLAB_HAVE_MOVE_ONLY_FUNCTION
DEFERLAB_SOURCE(fixed_defers_move_only_function_guard)
template <std::uint32_t K>
DEFERLAB_NOIPA void fixed_defers_move_only_function_guard(Ledger& ledger) {
  auto make_guard = [](Ledger& l, auto id) {
    return MoveOnlyFunctionGuard{[&l] { release(l, decltype(id)::value); }};
  };
  auto innermost = [] {};
  nest_guards<0, K>(ledger, make_guard, innermost);
}
#endif

}  // namespace hot

namespace {

constexpr ScenarioInfo kScenario{
    "fixed_defers", 20,
    "K cleanups written out in one function (Go open-codes at most 8 defers; K = 9 crosses "
    "that limit)"};
constexpr std::uint32_t kK[] = {1, 4, 8, 9};

template <class Strategy, auto... Fns>  // one hot function per K, in kK order
void add(SourceLine source, Fidelity fidelity, const char* notes) {
  add_per_count<Strategy, /*kThrows=*/false, Fns...>(kScenario, kK, source, fidelity, notes);
}

// The four instantiations of one strategy's hot function template, in kK order.
#define DEFERLAB_EACH_K(fn) &hot::fn<1>, &hot::fn<4>, &hot::fn<8>, &hot::fn<9>

constexpr const char* kChainNote = "K records pushed one after the other; LIFO at return";
constexpr const char* kGuardNote = "K guards in nested scopes of one function";

const bool registered = [] {
  add<HeapDeferStrategy, DEFERLAB_EACH_K(fixed_defers_heap_defer)>(
      hot::fixed_defers_heap_defer_source, Fidelity::kFaithful, kChainNote);
  add<PooledChainStrategy, DEFERLAB_EACH_K(fixed_defers_pooled_chain)>(
      hot::fixed_defers_pooled_chain_source, Fidelity::kFaithful, kChainNote);
  add<ScopeGuardStrategy, DEFERLAB_EACH_K(fixed_defers_scope_guard)>(
      hot::fixed_defers_scope_guard_source, Fidelity::kFaithful, kGuardNote);
  add<GotoCleanupStrategy, DEFERLAB_EACH_K(fixed_defers_goto_cleanup)>(
      hot::fixed_defers_goto_cleanup_source, Fidelity::kFaithful,
      "the K releases written out at the exit in reverse; nothing fails, so no jump is needed");
#if DEFERLAB_HAVE_ABSL_CLEANUP
  add<AbslCleanupStrategy, DEFERLAB_EACH_K(fixed_defers_absl_cleanup)>(
      hot::fixed_defers_absl_cleanup_source, Fidelity::kFaithful, kGuardNote);
#endif
#if DEFERLAB_HAVE_GSL_FINALLY
  add<GslFinallyStrategy, DEFERLAB_EACH_K(fixed_defers_gsl_finally)>(
      hot::fixed_defers_gsl_finally_source, Fidelity::kFaithful, kGuardNote);
#endif
#if DEFERLAB_HAVE_BOOST_SCOPE_EXIT
  add<BoostScopeExitStrategy, DEFERLAB_EACH_K(fixed_defers_boost_scope_exit)>(
      hot::fixed_defers_boost_scope_exit_source, Fidelity::kFaithful, kGuardNote);
#endif
  add<StdFunctionGuardStrategy, DEFERLAB_EACH_K(fixed_defers_std_function_guard)>(
      hot::fixed_defers_std_function_guard_source, Fidelity::kFaithful, kGuardNote);
#if DEFERLAB_HAVE_MOVE_ONLY_FUNCTION
  add<MoveOnlyFunctionGuardStrategy, DEFERLAB_EACH_K(fixed_defers_move_only_function_guard)>(
      hot::fixed_defers_move_only_function_guard_source, Fidelity::kFaithful, kGuardNote);
#endif
  omit_unavailable(kScenario.name);
  return true;
}();

#undef DEFERLAB_EACH_K

}  // namespace
}  // namespace deferlab::cases

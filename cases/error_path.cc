// error_path/j: four acquisitions, the one at step j failing (j in {none, 0, 2, 3});
// whatever was acquired before the failure is released in reverse, and on success all
// four are released when the function returns.
//
// commit/rollback variant (params `commit` and `rollback_2`): on success the cleanups are
// cancelled and the four resources handed over; a failure at step 2 rolls back 1 and 0.
// This is where a strategy's cancel operation shows: release() on a guard, Cancel() on
// absl::Cleanup, cancel_all() on a chain; gsl::finally and BOOST_SCOPE_EXIT have none, so
// their actions test a flag the scope sets when it commits.
#include "cases/case_registry.h"
#include "cases/strategies.h"

namespace deferlab::cases {
namespace hot {

// Chains //////////////////////////////////////////////////////////////////////////////

DEFERLAB_SOURCE(error_path_heap_defer)
DEFERLAB_NOIPA int error_path_heap_defer(Ledger& ledger, int fail_at) {
  HeapDeferChain defers;
  if (!acquire(ledger, 0, fail_at)) return -1;
  defers.defer([&ledger] { release(ledger, 0); });
  if (!acquire(ledger, 1, fail_at)) return -1;
  defers.defer([&ledger] { release(ledger, 1); });
  if (!acquire(ledger, 2, fail_at)) return -1;
  defers.defer([&ledger] { release(ledger, 2); });
  if (!acquire(ledger, 3, fail_at)) return -1;
  defers.defer([&ledger] { release(ledger, 3); });
  return 0;
}

DEFERLAB_SOURCE(commit_path_heap_defer)
DEFERLAB_NOIPA int commit_path_heap_defer(Ledger& ledger, int fail_at) {
  HeapDeferChain rollback;
  if (!acquire(ledger, 0, fail_at)) return -1;
  rollback.defer([&ledger] { release(ledger, 0); });
  if (!acquire(ledger, 1, fail_at)) return -1;
  rollback.defer([&ledger] { release(ledger, 1); });
  if (!acquire(ledger, 2, fail_at)) return -1;
  rollback.defer([&ledger] { release(ledger, 2); });
  if (!acquire(ledger, 3, fail_at)) return -1;
  rollback.defer([&ledger] { release(ledger, 3); });
  rollback.cancel_all();
  commit(ledger, 4);
  return 0;
}

DEFERLAB_SOURCE(error_path_pooled_chain)
DEFERLAB_NOIPA int error_path_pooled_chain(Ledger& ledger, int fail_at) {
  PooledChain defers;
  if (!acquire(ledger, 0, fail_at)) return -1;
  defers.defer([&ledger] { release(ledger, 0); });
  if (!acquire(ledger, 1, fail_at)) return -1;
  defers.defer([&ledger] { release(ledger, 1); });
  if (!acquire(ledger, 2, fail_at)) return -1;
  defers.defer([&ledger] { release(ledger, 2); });
  if (!acquire(ledger, 3, fail_at)) return -1;
  defers.defer([&ledger] { release(ledger, 3); });
  return 0;
}

DEFERLAB_SOURCE(commit_path_pooled_chain)
DEFERLAB_NOIPA int commit_path_pooled_chain(Ledger& ledger, int fail_at) {
  PooledChain rollback;
  if (!acquire(ledger, 0, fail_at)) return -1;
  rollback.defer([&ledger] { release(ledger, 0); });
  if (!acquire(ledger, 1, fail_at)) return -1;
  rollback.defer([&ledger] { release(ledger, 1); });
  if (!acquire(ledger, 2, fail_at)) return -1;
  rollback.defer([&ledger] { release(ledger, 2); });
  if (!acquire(ledger, 3, fail_at)) return -1;
  rollback.defer([&ledger] { release(ledger, 3); });
  rollback.cancel_all();
  commit(ledger, 4);
  return 0;
}

// Manual cleanup //////////////////////////////////////////////////////////////////////

DEFERLAB_SOURCE(error_path_goto_cleanup)
DEFERLAB_NOIPA int error_path_goto_cleanup(Ledger& ledger, int fail_at) {
  int result = -1;
  if (!acquire(ledger, 0, fail_at)) goto out;
  if (!acquire(ledger, 1, fail_at)) goto release_0;
  if (!acquire(ledger, 2, fail_at)) goto release_1;
  if (!acquire(ledger, 3, fail_at)) goto release_2;
  result = 0;
  release(ledger, 3);
release_2:
  release(ledger, 2);
release_1:
  release(ledger, 1);
release_0:
  release(ledger, 0);
out:
  return result;
}

DEFERLAB_SOURCE(commit_path_goto_cleanup)
DEFERLAB_NOIPA int commit_path_goto_cleanup(Ledger& ledger, int fail_at) {
  if (!acquire(ledger, 0, fail_at)) goto out;
  if (!acquire(ledger, 1, fail_at)) goto release_0;
  if (!acquire(ledger, 2, fail_at)) goto release_1;
  if (!acquire(ledger, 3, fail_at)) goto release_2;
  commit(ledger, 4);
  return 0;
release_2:
  release(ledger, 2);
release_1:
  release(ledger, 1);
release_0:
  release(ledger, 0);
out:
  return -1;
}

// Guards //////////////////////////////////////////////////////////////////////////////

DEFERLAB_SOURCE(error_path_scope_guard)
DEFERLAB_NOIPA int error_path_scope_guard(Ledger& ledger, int fail_at) {
  if (!acquire(ledger, 0, fail_at)) return -1;
  ScopeGuard release_0{[&ledger] { release(ledger, 0); }};
  if (!acquire(ledger, 1, fail_at)) return -1;
  ScopeGuard release_1{[&ledger] { release(ledger, 1); }};
  if (!acquire(ledger, 2, fail_at)) return -1;
  ScopeGuard release_2{[&ledger] { release(ledger, 2); }};
  if (!acquire(ledger, 3, fail_at)) return -1;
  ScopeGuard release_3{[&ledger] { release(ledger, 3); }};
  return 0;
}

DEFERLAB_SOURCE(commit_path_scope_guard)
DEFERLAB_NOIPA int commit_path_scope_guard(Ledger& ledger, int fail_at) {
  if (!acquire(ledger, 0, fail_at)) return -1;
  ScopeGuard release_0{[&ledger] { release(ledger, 0); }};
  if (!acquire(ledger, 1, fail_at)) return -1;
  ScopeGuard release_1{[&ledger] { release(ledger, 1); }};
  if (!acquire(ledger, 2, fail_at)) return -1;
  ScopeGuard release_2{[&ledger] { release(ledger, 2); }};
  if (!acquire(ledger, 3, fail_at)) return -1;
  ScopeGuard release_3{[&ledger] { release(ledger, 3); }};
  release_3.release();
  release_2.release();
  release_1.release();
  release_0.release();
  commit(ledger, 4);
  return 0;
}

#if DEFERLAB_HAVE_ABSL_CLEANUP
DEFERLAB_SOURCE(error_path_absl_cleanup)
DEFERLAB_NOIPA int error_path_absl_cleanup(Ledger& ledger, int fail_at) {
  if (!acquire(ledger, 0, fail_at)) return -1;
  absl::Cleanup release_0 = [&ledger] { release(ledger, 0); };
  if (!acquire(ledger, 1, fail_at)) return -1;
  absl::Cleanup release_1 = [&ledger] { release(ledger, 1); };
  if (!acquire(ledger, 2, fail_at)) return -1;
  absl::Cleanup release_2 = [&ledger] { release(ledger, 2); };
  if (!acquire(ledger, 3, fail_at)) return -1;
  absl::Cleanup release_3 = [&ledger] { release(ledger, 3); };
  return 0;
}

DEFERLAB_SOURCE(commit_path_absl_cleanup)
DEFERLAB_NOIPA int commit_path_absl_cleanup(Ledger& ledger, int fail_at) {
  if (!acquire(ledger, 0, fail_at)) return -1;
  absl::Cleanup release_0 = [&ledger] { release(ledger, 0); };
  if (!acquire(ledger, 1, fail_at)) return -1;
  absl::Cleanup release_1 = [&ledger] { release(ledger, 1); };
  if (!acquire(ledger, 2, fail_at)) return -1;
  absl::Cleanup release_2 = [&ledger] { release(ledger, 2); };
  if (!acquire(ledger, 3, fail_at)) return -1;
  absl::Cleanup release_3 = [&ledger] { release(ledger, 3); };
  std::move(release_3).Cancel();
  std::move(release_2).Cancel();
  std::move(release_1).Cancel();
  std::move(release_0).Cancel();
  commit(ledger, 4);
  return 0;
}
#endif

#if DEFERLAB_HAVE_GSL_FINALLY
DEFERLAB_SOURCE(error_path_gsl_finally)
DEFERLAB_NOIPA int error_path_gsl_finally(Ledger& ledger, int fail_at) {
  if (!acquire(ledger, 0, fail_at)) return -1;
  auto release_0 = gsl::finally([&ledger] { release(ledger, 0); });
  if (!acquire(ledger, 1, fail_at)) return -1;
  auto release_1 = gsl::finally([&ledger] { release(ledger, 1); });
  if (!acquire(ledger, 2, fail_at)) return -1;
  auto release_2 = gsl::finally([&ledger] { release(ledger, 2); });
  if (!acquire(ledger, 3, fail_at)) return -1;
  auto release_3 = gsl::finally([&ledger] { release(ledger, 3); });
  return 0;
}

DEFERLAB_SOURCE(commit_path_gsl_finally)
DEFERLAB_NOIPA int commit_path_gsl_finally(Ledger& ledger, int fail_at) {
  bool committed = false;
  if (!acquire(ledger, 0, fail_at)) return -1;
  auto release_0 = gsl::finally([&] {
    if (!committed) release(ledger, 0);
  });
  if (!acquire(ledger, 1, fail_at)) return -1;
  auto release_1 = gsl::finally([&] {
    if (!committed) release(ledger, 1);
  });
  if (!acquire(ledger, 2, fail_at)) return -1;
  auto release_2 = gsl::finally([&] {
    if (!committed) release(ledger, 2);
  });
  if (!acquire(ledger, 3, fail_at)) return -1;
  auto release_3 = gsl::finally([&] {
    if (!committed) release(ledger, 3);
  });
  committed = true;
  commit(ledger, 4);
  return 0;
}
#endif

#if DEFERLAB_HAVE_BOOST_SCOPE_EXIT
DEFERLAB_SOURCE(error_path_boost_scope_exit)
DEFERLAB_NOIPA int error_path_boost_scope_exit(Ledger& ledger, int fail_at) {
  if (!acquire(ledger, 0, fail_at)) return -1;
  BOOST_SCOPE_EXIT(&ledger) {
    release(ledger, 0);
  }
  BOOST_SCOPE_EXIT_END
  if (!acquire(ledger, 1, fail_at)) return -1;
  BOOST_SCOPE_EXIT(&ledger) {
    release(ledger, 1);
  }
  BOOST_SCOPE_EXIT_END
  if (!acquire(ledger, 2, fail_at)) return -1;
  BOOST_SCOPE_EXIT(&ledger) {
    release(ledger, 2);
  }
  BOOST_SCOPE_EXIT_END
  if (!acquire(ledger, 3, fail_at)) return -1;
  BOOST_SCOPE_EXIT(&ledger) {
    release(ledger, 3);
  }
  BOOST_SCOPE_EXIT_END
  return 0;
}

DEFERLAB_SOURCE(commit_path_boost_scope_exit)
DEFERLAB_NOIPA int commit_path_boost_scope_exit(Ledger& ledger, int fail_at) {
  bool committed = false;
  if (!acquire(ledger, 0, fail_at)) return -1;
  BOOST_SCOPE_EXIT(&ledger, &committed) {
    if (!committed) release(ledger, 0);
  }
  BOOST_SCOPE_EXIT_END
  if (!acquire(ledger, 1, fail_at)) return -1;
  BOOST_SCOPE_EXIT(&ledger, &committed) {
    if (!committed) release(ledger, 1);
  }
  BOOST_SCOPE_EXIT_END
  if (!acquire(ledger, 2, fail_at)) return -1;
  BOOST_SCOPE_EXIT(&ledger, &committed) {
    if (!committed) release(ledger, 2);
  }
  BOOST_SCOPE_EXIT_END
  if (!acquire(ledger, 3, fail_at)) return -1;
  BOOST_SCOPE_EXIT(&ledger, &committed) {
    if (!committed) release(ledger, 3);
  }
  BOOST_SCOPE_EXIT_END
  committed = true;
  commit(ledger, 4);
  return 0;
}
#endif

DEFERLAB_SOURCE(error_path_std_function_guard)
DEFERLAB_NOIPA int error_path_std_function_guard(Ledger& ledger, int fail_at) {
  if (!acquire(ledger, 0, fail_at)) return -1;
  FunctionGuard release_0{[&ledger] { release(ledger, 0); }};
  if (!acquire(ledger, 1, fail_at)) return -1;
  FunctionGuard release_1{[&ledger] { release(ledger, 1); }};
  if (!acquire(ledger, 2, fail_at)) return -1;
  FunctionGuard release_2{[&ledger] { release(ledger, 2); }};
  if (!acquire(ledger, 3, fail_at)) return -1;
  FunctionGuard release_3{[&ledger] { release(ledger, 3); }};
  return 0;
}

DEFERLAB_SOURCE(commit_path_std_function_guard)
DEFERLAB_NOIPA int commit_path_std_function_guard(Ledger& ledger, int fail_at) {
  if (!acquire(ledger, 0, fail_at)) return -1;
  FunctionGuard release_0{[&ledger] { release(ledger, 0); }};
  if (!acquire(ledger, 1, fail_at)) return -1;
  FunctionGuard release_1{[&ledger] { release(ledger, 1); }};
  if (!acquire(ledger, 2, fail_at)) return -1;
  FunctionGuard release_2{[&ledger] { release(ledger, 2); }};
  if (!acquire(ledger, 3, fail_at)) return -1;
  FunctionGuard release_3{[&ledger] { release(ledger, 3); }};
  release_3.release();
  release_2.release();
  release_1.release();
  release_0.release();
  commit(ledger, 4);
  return 0;
}

#if DEFERLAB_HAVE_MOVE_ONLY_FUNCTION
DEFERLAB_SOURCE(error_path_move_only_function_guard)
DEFERLAB_NOIPA int error_path_move_only_function_guard(Ledger& ledger, int fail_at) {
  if (!acquire(ledger, 0, fail_at)) return -1;
  MoveOnlyFunctionGuard release_0{[&ledger] { release(ledger, 0); }};
  if (!acquire(ledger, 1, fail_at)) return -1;
  MoveOnlyFunctionGuard release_1{[&ledger] { release(ledger, 1); }};
  if (!acquire(ledger, 2, fail_at)) return -1;
  MoveOnlyFunctionGuard release_2{[&ledger] { release(ledger, 2); }};
  if (!acquire(ledger, 3, fail_at)) return -1;
  MoveOnlyFunctionGuard release_3{[&ledger] { release(ledger, 3); }};
  return 0;
}

DEFERLAB_SOURCE(commit_path_move_only_function_guard)
DEFERLAB_NOIPA int commit_path_move_only_function_guard(Ledger& ledger, int fail_at) {
  if (!acquire(ledger, 0, fail_at)) return -1;
  MoveOnlyFunctionGuard release_0{[&ledger] { release(ledger, 0); }};
  if (!acquire(ledger, 1, fail_at)) return -1;
  MoveOnlyFunctionGuard release_1{[&ledger] { release(ledger, 1); }};
  if (!acquire(ledger, 2, fail_at)) return -1;
  MoveOnlyFunctionGuard release_2{[&ledger] { release(ledger, 2); }};
  if (!acquire(ledger, 3, fail_at)) return -1;
  MoveOnlyFunctionGuard release_3{[&ledger] { release(ledger, 3); }};
  release_3.release();
  release_2.release();
  release_1.release();
  release_0.release();
  commit(ledger, 4);
  return 0;
}
#endif

}  // namespace hot

namespace {

constexpr ScenarioInfo kScenario{
    "error_path", 30,
    "four acquisitions failing at step j (none, 0, 2, 3), and a commit/rollback variant that "
    "cancels the cleanups on success"};

struct Param {
  const char* name;
  int fail_at;  // -1: every acquisition succeeds
  bool commit_variant;
};
constexpr Param kParams[] = {{"none", -1, false}, {"0", 0, false},      {"2", 2, false},
                             {"3", 3, false},     {"commit", -1, true}, {"rollback_2", 2, true}};

Outcome expected_outcome(const Param& p) {
  if (p.fail_at < 0) {
    if (!p.commit_variant) return lifo_outcome(4);
    Outcome committed;
    committed.acquired = 4;
    committed.committed = 4;
    return committed;
  }
  Outcome failed = lifo_outcome(static_cast<std::uint32_t>(p.fail_at));
  failed.result = -1;
  return failed;
}

template <class Strategy, auto ErrorFn, auto CommitFn>
void add(SourceLine error_source, SourceLine commit_source, Fidelity commit_fidelity,
         const char* notes, const char* commit_notes) {
  for (int index = 0; index < 6; ++index) {
    const Param& p = kParams[index];
    nlohmann::json parameters = {
        {"fail_at", p.fail_at < 0 ? nlohmann::json(nullptr) : nlohmann::json(p.fail_at)},
        {"variant", p.commit_variant ? "commit_rollback" : "cleanup"}};
    CaseHeader header{kScenario,
                      StrategyInfo::of<Strategy>(),
                      p.name,
                      index,
                      std::move(parameters),
                      p.commit_variant ? commit_source : error_source,
                      p.commit_variant ? commit_fidelity : Fidelity::kFaithful,
                      p.commit_variant ? commit_notes : notes};
    if (p.commit_variant) {
      add_case(make_case<CommitFn>(std::move(header), expected_outcome(p), p.fail_at));
    } else {
      add_case(make_case<ErrorFn>(std::move(header), expected_outcome(p), p.fail_at));
    }
  }
}

constexpr const char* kGuardNote = "one guard per acquisition; an early return unwinds the rest";
constexpr const char* kChainNote = "one record per acquisition; an early return runs the chain";
constexpr const char* kFlagNote =
    "closest form: no dismissal in this API, so each action tests a `committed` flag set on "
    "success";

#define DEFERLAB_CELL(Strategy, name)                                                         \
  add<Strategy, &hot::error_path_##name, &hot::commit_path_##name>(                           \
      hot::error_path_##name##_source, hot::commit_path_##name##_source, Fidelity::kFaithful, \
      kGuardNote, "release() on each guard on success")

const bool registered = [] {
  add<HeapDeferStrategy, &hot::error_path_heap_defer, &hot::commit_path_heap_defer>(
      hot::error_path_heap_defer_source, hot::commit_path_heap_defer_source, Fidelity::kFaithful,
      kChainNote, "cancel_all() on success deletes the records without running them");
  add<PooledChainStrategy, &hot::error_path_pooled_chain, &hot::commit_path_pooled_chain>(
      hot::error_path_pooled_chain_source, hot::commit_path_pooled_chain_source,
      Fidelity::kFaithful, kChainNote,
      "cancel_all() on success recycles the records without running them");
  DEFERLAB_CELL(ScopeGuardStrategy, scope_guard);
  add<GotoCleanupStrategy, &hot::error_path_goto_cleanup, &hot::commit_path_goto_cleanup>(
      hot::error_path_goto_cleanup_source, hot::commit_path_goto_cleanup_source,
      Fidelity::kFaithful, "labels in reverse order; a failure jumps past what it never acquired",
      "success returns before the rollback labels");
#if DEFERLAB_HAVE_ABSL_CLEANUP
  add<AbslCleanupStrategy, &hot::error_path_absl_cleanup, &hot::commit_path_absl_cleanup>(
      hot::error_path_absl_cleanup_source, hot::commit_path_absl_cleanup_source,
      Fidelity::kFaithful, kGuardNote, "std::move(cleanup).Cancel() on success");
#endif
#if DEFERLAB_HAVE_GSL_FINALLY
  add<GslFinallyStrategy, &hot::error_path_gsl_finally, &hot::commit_path_gsl_finally>(
      hot::error_path_gsl_finally_source, hot::commit_path_gsl_finally_source,
      Fidelity::kClosestForm, kGuardNote, kFlagNote);
#endif
#if DEFERLAB_HAVE_BOOST_SCOPE_EXIT
  add<BoostScopeExitStrategy, &hot::error_path_boost_scope_exit,
      &hot::commit_path_boost_scope_exit>(hot::error_path_boost_scope_exit_source,
                                          hot::commit_path_boost_scope_exit_source,
                                          Fidelity::kClosestForm, kGuardNote, kFlagNote);
#endif
  DEFERLAB_CELL(StdFunctionGuardStrategy, std_function_guard);
#if DEFERLAB_HAVE_MOVE_ONLY_FUNCTION
  DEFERLAB_CELL(MoveOnlyFunctionGuardStrategy, move_only_function_guard);
#endif
  omit_unavailable(kScenario.name);
  return true;
}();

#undef DEFERLAB_CELL

}  // namespace
}  // namespace deferlab::cases

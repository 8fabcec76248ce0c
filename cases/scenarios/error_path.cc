// error_path/j: four acquisitions, the one at step j failing (j in {none, 0, 2, 3});
// whatever was acquired before the failure is released in reverse, and on success all
// four are released when the function returns.
//
// commit/rollback variant (params `commit` and `rollback_2`): on success the cleanups are
// cancelled and the four resources handed over; a failure at step 2 rolls back 1 and 0.
// This is where a strategy's cancel operation shows: release() on a guard, Cancel() on
// absl::Cleanup, cancel_all() on a chain; gsl::finally and BOOST_SCOPE_EXIT have none, so
// their actions test a flag the scope sets when it commits.
#include <string>

#include "cases/case_registry.h"
#include "cases/strategies.h"
#include "cases/written_out.h"

namespace deferlab::cases {
namespace hot {

constexpr std::uint32_t kSteps = 4;

// Steps I..3 of the guard form: acquire I (return -1 when it fails), then hold a guard
// running the action `action_of(Index<I>{})` returns around the remaining steps. The last one
// returns `innermost(dismiss)`, where dismiss() cancels the guards, newest first.
template <class S, std::uint32_t I, class ActionOf, class Innermost, class Dismiss>
[[gnu::always_inline]] inline int guard_steps(Ledger& ledger, int fail_at, ActionOf& action_of,
                                              Innermost& innermost, Dismiss& dismiss_before) {
  if constexpr (I == kSteps) {
    return innermost(dismiss_before);
  } else {
    if (!acquire(ledger, I, fail_at)) return -1;
    return S::with_guard([&]() DEFERLAB_INLINE_LAMBDA { return action_of(Index<I>{}); },
                         [&](auto& guard) DEFERLAB_INLINE_LAMBDA {
                           auto dismiss = [&]() DEFERLAB_INLINE_LAMBDA {
                             if constexpr (CanDismiss<S>) S::dismiss(guard);
                             dismiss_before();
                           };
                           return guard_steps<S, I + 1>(ledger, fail_at, action_of, innermost,
                                                        dismiss);
                         });
  }
}

}  // namespace hot

namespace {

using hot::guard_steps;

// The scenario's code, which the hot functions below only call: in an anonymous namespace
// so that its lambdas have internal linkage, as they had when each cell was a plain
// function (see loop_defer.cc).
template <class S>
[[gnu::always_inline]] inline int error_path_body(Ledger& ledger, int fail_at) {
  if constexpr (S::kKind == StrategyKind::kChain) {
    typename S::Chain defers;
    if (!acquire(ledger, 0, fail_at)) return -1;
    defers.defer([&ledger] { release(ledger, 0); });
    if (!acquire(ledger, 1, fail_at)) return -1;
    defers.defer([&ledger] { release(ledger, 1); });
    if (!acquire(ledger, 2, fail_at)) return -1;
    defers.defer([&ledger] { release(ledger, 2); });
    if (!acquire(ledger, 3, fail_at)) return -1;
    defers.defer([&ledger] { release(ledger, 3); });
    return 0;
  } else if constexpr (S::kKind == StrategyKind::kGuard) {
    auto action_of = [&ledger](auto id) DEFERLAB_INLINE_LAMBDA {
      return [&ledger] { release(ledger, decltype(id)::value); };
    };
    auto innermost = [](auto&) DEFERLAB_INLINE_LAMBDA { return 0; };
    auto nothing = [] {};
    return guard_steps<S, 0>(ledger, fail_at, action_of, innermost, nothing);
  } else {
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
}

template <class S>
[[gnu::always_inline]] inline int commit_path_body(Ledger& ledger, int fail_at) {
  if constexpr (S::kKind == StrategyKind::kChain) {
    typename S::Chain rollback;
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
  } else if constexpr (S::kKind == StrategyKind::kGuard && CanDismiss<S>) {
    auto action_of = [&ledger](auto id) DEFERLAB_INLINE_LAMBDA {
      return [&ledger] { release(ledger, decltype(id)::value); };
    };
    auto innermost = [&ledger](auto& dismiss) DEFERLAB_INLINE_LAMBDA {
      dismiss();
      commit(ledger, 4);
      return 0;
    };
    auto nothing = [] {};
    return guard_steps<S, 0>(ledger, fail_at, action_of, innermost, nothing);
  } else if constexpr (S::kKind == StrategyKind::kGuard) {
    // No dismissal: each action tests a flag set on success.
    bool committed = false;
    auto action_of = [&](auto id) DEFERLAB_INLINE_LAMBDA {
      return [&] {
        if (!committed) release(ledger, decltype(id)::value);
      };
    };
    auto innermost = [&](auto&) DEFERLAB_INLINE_LAMBDA {
      committed = true;
      commit(ledger, 4);
      return 0;
    };
    auto nothing = [] {};
    return guard_steps<S, 0>(ledger, fail_at, action_of, innermost, nothing);
  } else {
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
}

}  // namespace

namespace hot {

DEFERLAB_SOURCE(error_path)
template <class S>
DEFERLAB_NOIPA int error_path(Ledger& ledger, int fail_at) {
  return error_path_body<S>(ledger, fail_at);
}

DEFERLAB_SOURCE(commit_path)
template <class S>
DEFERLAB_NOIPA int commit_path(Ledger& ledger, int fail_at) {
  return commit_path_body<S>(ledger, fail_at);
}

}  // namespace hot

namespace {

constexpr ScenarioInfo kScenario{
    "error_path", 30,
    "four acquisitions failing at step j (none, 0, 2, 3), and a commit/rollback variant that "
    "cancels the cleanups on success",
    "none"};

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

struct CellText {
  Fidelity fidelity;
  std::string notes;
};

template <class S>
CellText error_text() {
  switch (S::kKind) {
    case StrategyKind::kChain:
      return {Fidelity::kFaithful, "one record per acquisition; an early return runs the chain"};
    case StrategyKind::kGuard:
      return {Fidelity::kFaithful, "one guard per acquisition; an early return unwinds the rest"};
    case StrategyKind::kManual:
      break;
  }
  return {Fidelity::kFaithful,
          "labels in reverse order; a failure jumps past what it never acquired"};
}

template <class S>
CellText commit_text() {
  if constexpr (S::kKind == StrategyKind::kManual) {
    return {Fidelity::kFaithful, "success returns before the rollback labels"};
  } else if constexpr (CanDismiss<S>) {
    return {Fidelity::kFaithful, "on success, " + std::string(S::kDismissal)};
  } else {
    return {Fidelity::kClosestForm,
            "closest form: no dismissal in this API, so each action tests a `committed` flag "
            "set on success"};
  }
}

const bool registered = [] {
  for_each_strategy(kScenario, []<class S>() {
    for (int index = 0; index < static_cast<int>(std::size(kParams)); ++index) {
      const Param& p = kParams[index];
      nlohmann::json parameters = {
          {"fail_at", p.fail_at < 0 ? nlohmann::json(nullptr) : nlohmann::json(p.fail_at)},
          {"variant", p.commit_variant ? "commit_rollback" : "cleanup"}};
      CellText text = p.commit_variant ? commit_text<S>() : error_text<S>();
      CaseHeader header{kScenario,
                        StrategyInfo::of<S>(),
                        p.name,
                        index,
                        std::move(parameters),
                        p.commit_variant ? hot::commit_path_source : hot::error_path_source,
                        text.fidelity,
                        std::move(text.notes)};
      if (p.commit_variant) {
        add_case(
            make_case<&hot::commit_path<S>>(std::move(header), expected_outcome(p), p.fail_at));
      } else {
        add_case(make_case<&hot::error_path<S>>(std::move(header), expected_outcome(p), p.fail_at));
      }
    }
  });
  return true;
}();

}  // namespace
}  // namespace deferlab::cases

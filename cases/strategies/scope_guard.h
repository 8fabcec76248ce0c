// scope_guard: a guard templated on its callable; the callable runs when the guard leaves
// scope unless release() was called first.
//
// The callable is a member of the guard's type, so after inlining there is no record, no
// indirection and no allocation: the same code as writing the cleanup by hand (Go 1.14's
// open-coded defers reach the same place for up to 8 defers outside loops).
//
//   deferlab::ScopeGuard close_file{[&] { std::fclose(f); }};
//   if (!write_all(f)) return false;  // fclose runs here ...
//   close_file.release();             // ... but not after a hand-over
//
// Expected evidence: 0 allocations; the hot path of goto_cleanup.
#pragma once

#include <string_view>
#include <type_traits>
#include <utility>

#include "cases/strategy.h"

namespace deferlab {

template <class F>
class [[nodiscard]] ScopeGuard {
  static_assert(std::is_invocable_v<F&>, "A scope guard's callable must take no arguments.");
  static_assert(std::is_same_v<std::invoke_result_t<F&>, void>,
                "Callbacks that return values are not supported.");

 public:
  explicit ScopeGuard(F action) noexcept(std::is_nothrow_move_constructible_v<F>)
      : action_(std::move(action)) {}
  ScopeGuard(ScopeGuard&& other) noexcept(std::is_nothrow_move_constructible_v<F>)
      : action_(std::move(other.action_)), active_(std::exchange(other.active_, false)) {}
  ScopeGuard(const ScopeGuard&) = delete;
  ScopeGuard& operator=(const ScopeGuard&) = delete;
  ScopeGuard& operator=(ScopeGuard&&) = delete;
  ~ScopeGuard() {
    if (active_) action_();
  }

  // The action will not run (ownership was handed over, or the operation committed).
  void release() noexcept { active_ = false; }

 private:
  F action_;
  bool active_ = true;
};

template <class F>
ScopeGuard(F) -> ScopeGuard<F>;

struct ScopeGuardStrategy {
  static constexpr std::string_view kName = "scope_guard";
  static constexpr int kRank = 30;
  static constexpr std::string_view kSummary =
      "a guard templated on the callable, run in its destructor, with release()";
  static constexpr std::string_view kHeader = "cases/strategies/scope_guard.h";
  static constexpr bool kAvailable = true;
  static constexpr StrategyKind kKind = StrategyKind::kGuard;

  template <class Make, class Body>
  [[gnu::always_inline]] static decltype(auto) with_guard(Make&& make, Body&& body) {
    ScopeGuard guard{make()};
    return body(guard);
  }
  template <class G>
  [[gnu::always_inline]] static void dismiss(G& guard) noexcept {
    guard.release();
  }
  static constexpr std::string_view kDismissal = "release() on each guard";
};

}  // namespace deferlab

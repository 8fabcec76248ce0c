// std_function_guard: a scope guard that holds its action in a std::function<void()>,
// the counter-example of a type-erased guard.
//
//   deferlab::FunctionGuard close_file{[f] { std::fclose(f); }};
//
// Type erasure hides the callable behind an indirect call the optimizer cannot see
// through, and a callable that is not trivially copyable or is larger than 16 bytes
// (libstdc++) is moved to the heap: one allocation per guard.
#pragma once

#include <functional>
#include <string_view>
#include <utility>

#include "cases/strategy.h"

namespace deferlab {

class [[nodiscard]] FunctionGuard {
 public:
  template <class F>
  explicit FunctionGuard(F&& action) : action_(std::forward<F>(action)) {}
  FunctionGuard(const FunctionGuard&) = delete;
  FunctionGuard& operator=(const FunctionGuard&) = delete;
  ~FunctionGuard() {
    if (action_) action_();
  }

  void release() noexcept { action_ = nullptr; }

 private:
  std::function<void()> action_;
};

struct StdFunctionGuardStrategy {
  static constexpr std::string_view kName = "std_function_guard";
  static constexpr int kRank = 80;
  static constexpr std::string_view kSummary =
      "a guard holding a std::function<void()> (type-erased counter-example)";
  static constexpr std::string_view kHeader = "cases/strategies/std_function_guard.h";
  static constexpr bool kAvailable = true;
  static constexpr StrategyKind kKind = StrategyKind::kGuard;

  // Not always_inline, unlike the other guards' with_guard: GCC orders its early inliner by
  // a call graph that leaves out every call from an always_inline function to one that is
  // not, so the function wrapper's constructor would reach the inliner only after the hot
  // function, and the call through its invoker, known only once it is inlined, would stay
  // a call. As an ordinary inline function called once, with_guard still ends up inside
  // the hot function (docs/adding-a-case.md, "Machine code since the generic scenarios").
  template <class Make, class Body>
  static decltype(auto) with_guard(Make&& make, Body&& body) {
    FunctionGuard guard{make()};
    return body(guard);
  }
  [[gnu::always_inline]] static void dismiss(FunctionGuard& guard) noexcept { guard.release(); }
  static constexpr std::string_view kDismissal = "release() on each guard";
};

}  // namespace deferlab

// move_only_function_guard: a scope guard that holds its action in a C++23
// std::move_only_function<void()>, where the standard library has it (libstdc++ 12 does,
// in C++23 mode).
//
//   deferlab::MoveOnlyFunctionGuard close_file{[f] { std::fclose(f); }};
//
// Still type-erased, but move-only: libstdc++ 12 keeps a callable inline when it is at
// most 24 bytes and nothrow-movable (a shared_ptr capture qualifies, unlike in
// std::function, which also demands trivially copyable and at most 16 bytes).
#pragma once

#include <functional>
#include <string_view>
#include <utility>

#include "cases/strategy.h"

#if defined(__cpp_lib_move_only_function)
#define DEFERLAB_HAVE_MOVE_ONLY_FUNCTION 1
#endif

namespace deferlab {

#if DEFERLAB_HAVE_MOVE_ONLY_FUNCTION
class [[nodiscard]] MoveOnlyFunctionGuard {
 public:
  template <class F>
  explicit MoveOnlyFunctionGuard(F&& action) : action_(std::forward<F>(action)) {}
  MoveOnlyFunctionGuard(const MoveOnlyFunctionGuard&) = delete;
  MoveOnlyFunctionGuard& operator=(const MoveOnlyFunctionGuard&) = delete;
  ~MoveOnlyFunctionGuard() {
    if (action_) action_();
  }

  void release() noexcept { action_ = nullptr; }

 private:
  std::move_only_function<void()> action_;
};
#endif

struct MoveOnlyFunctionGuardStrategy {
  static constexpr std::string_view kName = "move_only_function_guard";
  static constexpr int kRank = 90;
  static constexpr std::string_view kSummary =
      "a guard holding a C++23 std::move_only_function<void()> (type-erased)";
  static constexpr std::string_view kHeader = "cases/strategies/move_only_function_guard.h";
  static constexpr StrategyKind kKind = StrategyKind::kGuard;
#if DEFERLAB_HAVE_MOVE_ONLY_FUNCTION
  static constexpr bool kAvailable = true;
  // Not always_inline, unlike the other guards' with_guard: GCC orders its early inliner by
  // a call graph that leaves out every call from an always_inline function to one that is
  // not, so the function wrapper's constructor would reach the inliner only after the hot
  // function, and the call through its invoker, known only once it is inlined, would stay
  // a call. As an ordinary inline function called once, with_guard still ends up inside
  // the hot function (docs/adding-a-case.md, "Machine code since the generic scenarios").
  template <class Make, class Body>
  static decltype(auto) with_guard(Make&& make, Body&& body) {
    MoveOnlyFunctionGuard guard{make()};
    return body(guard);
  }
  [[gnu::always_inline]] static void dismiss(MoveOnlyFunctionGuard& guard) noexcept {
    guard.release();
  }
  static constexpr std::string_view kDismissal = "release() on each guard";
#else
  static constexpr bool kAvailable = false;
  static constexpr const char* kMissing =
      "std::move_only_function is not available with this compiler and standard library";
#endif
};

}  // namespace deferlab

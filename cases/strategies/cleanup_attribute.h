// cleanup_attribute: the compiler's own scope-exit hook, __attribute__((cleanup(fn))) (GCC
// and Clang), which calls fn(&variable) when the variable goes out of scope, on every exit
// and during unwinding. It is how C defers without C++: systemd's _cleanup_free_, GLib's
// g_autoptr, the Linux kernel's __free() and guard() (include/linux/cleanup.h).
//
//   char* line __attribute__((cleanup(free_charp))) = read_line(f);
//   if (!line) return -1;  // free_charp(&line) runs here ...
//   return parse(line);    // ... and here
//
// The attribute takes the name of one plain function, not a template, so the variable is
// a C-style slot: a function pointer, the callable's address and an active flag, which
// dismiss() clears (as the kernel's no_free_ptr() hands a pointer over). The slot is
// initialised in view of the optimiser, which turns the pointer call into the callable's
// code. Expected: no allocation, and the hot path of goto_cleanup.
#pragma once

#include <string_view>
#include <utility>

#include "cases/strategy.h"

namespace deferlab {

struct CleanupSlot {
  void (*run)(void* action);
  void* action;
  bool active;
};

// What the attribute calls at scope exit, with the slot's address. Both functions are
// always_inline: the call through `run` becomes a direct call only once the slot's
// initialisation is in view, too late for the ordinary inliner.
[[gnu::always_inline]] inline void run_cleanup_slot(CleanupSlot* slot) {
  if (slot->active) slot->run(slot->action);
}

template <class F>
[[gnu::always_inline]] inline void invoke_cleanup_action(void* action) {
  (*static_cast<F*>(action))();
}

struct CleanupAttributeStrategy {
  static constexpr std::string_view kName = "cleanup_attribute";
  static constexpr int kRank = 35;
  static constexpr std::string_view kSummary =
      "__attribute__((cleanup)) on a C-style slot (C's defer: the kernel's guard(), "
      "systemd's _cleanup_)";
  static constexpr std::string_view kHeader = "cases/strategies/cleanup_attribute.h";
  static constexpr bool kAvailable = true;
  static constexpr StrategyKind kKind = StrategyKind::kGuard;

  template <class Make, class Body>
  [[gnu::always_inline]] static decltype(auto) with_guard(Make&& make, Body&& body) {
    auto action = make();
    // The name must be unqualified: the attribute takes an identifier.
    CleanupSlot slot __attribute__((cleanup(run_cleanup_slot))) = {
        &invoke_cleanup_action<decltype(action)>, &action, true};
    return body(slot);
  }
  [[gnu::always_inline]] static void dismiss(CleanupSlot& slot) noexcept { slot.active = false; }
  static constexpr std::string_view kDismissal = "the slot's active flag cleared";
};

}  // namespace deferlab

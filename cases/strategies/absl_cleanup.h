// absl_cleanup: abseil's absl::Cleanup (libabsl-dev), a guard templated on its callable.
//
//   absl::Cleanup close_file = [f] { std::fclose(f); };
//   if (!write_all(f)) return false;  // fclose runs here ...
//   std::move(close_file).Cancel();   // ... but not after a hand-over
//
// The third-party counterpart of scope_guard: expected to compile to the same code.
#pragma once

#include <string_view>
#include <utility>

#include "cases/strategy.h"

#if __has_include(<absl/cleanup/cleanup.h>)
#include <absl/cleanup/cleanup.h>
#define DEFERLAB_HAVE_ABSL_CLEANUP 1
#endif

namespace deferlab {

struct AbslCleanupStrategy {
  static constexpr std::string_view kName = "absl_cleanup";
  static constexpr int kRank = 50;
  static constexpr std::string_view kSummary =
      "absl::Cleanup (libabsl-dev): a guard templated on the callable, with Cancel()";
  static constexpr std::string_view kHeader = "cases/strategies/absl_cleanup.h";
  static constexpr StrategyKind kKind = StrategyKind::kGuard;
#if DEFERLAB_HAVE_ABSL_CLEANUP
  static constexpr bool kAvailable = true;
  template <class Make, class Body>
  [[gnu::always_inline]] static decltype(auto) with_guard(Make&& make, Body&& body) {
    absl::Cleanup guard = make();
    return body(guard);
  }
  template <class G>
  [[gnu::always_inline]] static void dismiss(G& guard) noexcept {
    std::move(guard).Cancel();
  }
  static constexpr std::string_view kDismissal = "std::move(cleanup).Cancel()";
#else
  static constexpr bool kAvailable = false;
  static constexpr const char* kMissing = "absl/cleanup/cleanup.h not found (Debian: libabsl-dev)";
#endif
};

}  // namespace deferlab

// goto_cleanup: labelled unwinding in reverse order of acquisition, Linux-kernel style.
//
// There is no mechanism to include: the pattern is the code itself. Each acquisition that
// can fail jumps to the label that releases everything acquired before it; the labels are
// laid out in reverse order so control falls through the remaining releases.
//
//   if (!acquire(a)) goto out;
//   if (!acquire(b)) goto release_a;
//   use(a, b);
//   release(b);
//   release_a:
//   release(a);
//   out:
//   return;
//
// It is the floor every other strategy is measured against: no allocation, no indirect
// call, the cleanup inlined where it runs. C code has no exceptions; the lab's
// exception_path cells write the closest form, a catch-all that unwinds and rethrows.
#pragma once

#include <string_view>

#include "cases/strategy.h"

namespace deferlab {

struct GotoCleanupStrategy {
  static constexpr std::string_view kName = "goto_cleanup";
  static constexpr int kRank = 40;
  static constexpr std::string_view kSummary =
      "labelled reverse-order unwinding written by hand (the baseline)";
  static constexpr std::string_view kHeader = "cases/strategies/goto_cleanup.h";
  static constexpr bool kAvailable = true;
  // Every scenario writes this strategy's cleanup by hand.
  static constexpr StrategyKind kKind = StrategyKind::kManual;
  // The strategy every ratio of the lab's reports is taken against.
  static constexpr bool kBaseline = true;
};

}  // namespace deferlab

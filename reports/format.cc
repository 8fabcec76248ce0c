// The number formats of format.h.
#include "reports/format.h"

#include <fmt/format.h>

#include <cmath>
#include <cstdio>

namespace deferlab::reports {

std::string format_significant(double value) {
  const double magnitude = std::fabs(value);
  if (magnitude >= 100 || magnitude == 0) return fmt::format("{:.0f}", value);
  if (magnitude >= 10) return fmt::format("{:.1f}", value);
  if (magnitude >= 1) return fmt::format("{:.2f}", value);
  return fmt::format("{:.3g}", value);
}

std::string format_time(double ns) {
  if (ns < 1e3) return format_significant(ns) + " ns";
  if (ns < 1e6) return format_significant(ns / 1e3) + " us";
  if (ns < 1e9) return format_significant(ns / 1e6) + " ms";
  return format_significant(ns / 1e9) + " s";
}

std::string format_ratio(double ratio) {
  return format_significant(ratio) + "x";
}

std::string format_ratio_interval(const stats::Ratio& r) {
  return fmt::format("{} [{}, {}]", format_ratio(r.estimate), format_significant(r.low),
                     format_significant(r.high));
}

std::string format_count(const std::optional<double>& value) {
  if (!value) return "-";
  if (*value == std::floor(*value) && std::fabs(*value) < 1e15)
    return fmt::format("{:.0f}", *value);
  return format_significant(*value);
}

std::string format_bytes(const std::optional<double>& value) {
  if (!value) return "-";
  const double v = *value;
  if (v < 1024) return format_count(v) + " B";
  if (v < 1024 * 1024) return format_significant(v / 1024) + " KiB";
  return format_significant(v / (1024 * 1024)) + " MiB";
}

std::string format_percent(double fraction) {
  return fmt::format("{:.1f}%", fraction * 100);
}

std::string format_signed_percent(double fraction) {
  return fmt::format("{:+.1f}%", fraction * 100);
}

std::string format_whole_percent(double percent) {
  return format_fixed(percent, 0) + "%";
}

// printf's rounding (the exact binary value, ties to even), which every output has used.
std::string format_fixed(double value, int digits) {
  char text[400];  // %.*f of the largest double has 309 integer digits
  std::snprintf(text, sizeof text, "%.*f", digits, value);
  return text;
}

}  // namespace deferlab::reports

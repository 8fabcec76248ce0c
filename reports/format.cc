#include "reports/format.h"

#include <cmath>
#include <cstdio>

namespace deferlab::reports {

std::string format_significant(double value) {
  char text[64];
  const double magnitude = std::fabs(value);
  if (magnitude >= 100 || magnitude == 0) {
    std::snprintf(text, sizeof text, "%.0f", value);
  } else if (magnitude >= 10) {
    std::snprintf(text, sizeof text, "%.1f", value);
  } else if (magnitude >= 1) {
    std::snprintf(text, sizeof text, "%.2f", value);
  } else {
    std::snprintf(text, sizeof text, "%.3g", value);
  }
  return text;
}

std::string format_time(double ns) {
  if (ns < 1e3) return format_significant(ns) + " ns";
  if (ns < 1e6) return format_significant(ns / 1e3) + " us";
  if (ns < 1e9) return format_significant(ns / 1e6) + " ms";
  return format_significant(ns / 1e9) + " s";
}

std::string format_ratio(double ratio) { return format_significant(ratio) + "x"; }

std::string format_ratio_interval(const stats::Ratio& r) {
  return format_ratio(r.estimate) + " [" + format_significant(r.low) + ", " +
         format_significant(r.high) + "]";
}

std::string format_count(const std::optional<double>& value) {
  if (!value) return "-";
  if (*value == std::floor(*value) && std::fabs(*value) < 1e15) {
    char text[32];
    std::snprintf(text, sizeof text, "%.0f", *value);
    return text;
  }
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
  char text[32];
  std::snprintf(text, sizeof text, "%.1f%%", fraction * 100);
  return text;
}

}  // namespace deferlab::reports

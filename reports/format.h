// Number formatting shared by every renderer: times with adaptive units, ratios with their
// interval, byte and count values, percentages, fixed decimals.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/text_escape.h"
#include "harness/statistics.h"

namespace deferlab::reports {

// 478 ns, 1.59 us, 12.3 ms, 1.20 s (three significant digits).
std::string format_time(double ns);

// 35.6x, 1.00x, 0.52x (three significant digits).
std::string format_ratio(double ratio);

// "35.6x [34.9, 36.1]"
std::string format_ratio_interval(const stats::Ratio& r);

// 64, 0.5, 1.19 (an integral value prints without decimals); "-" when absent.
std::string format_count(const std::optional<double>& value);

// 0 B, 40 B, 2.5 KiB, 1.2 MiB; "-" when absent.
std::string format_bytes(const std::optional<double>& value);

// 0.8%
std::string format_percent(double fraction);

// Three significant digits, no exponent for ordinary magnitudes.
std::string format_significant(double value);

// +2.7%, -0.4% (a change given as a fraction)
std::string format_signed_percent(double fraction);

// 97% (a value already in percent, rounded to a whole number: match percentages).
std::string format_whole_percent(double percent);

// `value` with exactly `digits` decimals, as printf's %.*f (SVG coordinates).
std::string format_fixed(double value, int digits);

// Escaping of names and other untrusted text (html_escape, markdown_text, markdown_code,
// markdown_fence, visible_text) lives in common/text_escape.h, shared with disasm's
// listings.

// Text for a Markdown table cell: the same as markdown_text.
inline std::string markdown_cell(std::string_view text) {
  return markdown_text(text);
}

}  // namespace deferlab::reports

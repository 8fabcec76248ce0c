// Tests the escaping of names in reports/text_renderer.cc, reports/markdown_renderer.cc and
// reports/compare_renderer.cc: a benchmark or strategy name with a newline, an ESC sequence,
// a pipe or backticks stays one table row, sends nothing to the terminal and keeps its code
// span (Google Benchmark names come from users' binaries, unescaped).
#include <gtest/gtest.h>

#include <algorithm>

#include "reports/compare.h"
#include "reports/renderer.h"
#include "reports/text_renderer.h"

namespace deferlab::reports {
namespace {

constexpr const char* kHostile = "evil\n| x | `y` |\x1b[2J\r\x1b]0;title\x07";

StrategyRow row_named(const std::string& name, bool baseline) {
  StrategyRow row;
  row.strategy = name;
  row.benchmark = "loop_defer/" + name + "/8";
  row.samples_ns = {10, 11, 12};
  row.time = stats::summarize(row.samples_ns);
  row.heap_allocs = 1;
  row.is_baseline = baseline;
  return row;
}

RunReport hostile_report() {
  RunReport report;
  report.baseline_strategy = "goto_cleanup";
  report.repetitions = 3;
  report.context = {{"deferlab_run_id", kHostile}, {"deferlab_cxx_flags", "-O2 `x`"}};
  CaseGroup group;
  group.scenario = "loop_defer";
  group.param = "8";
  group.rows = {row_named("goto_cleanup", true), row_named(kHostile, false)};
  group.rows[1].vs_baseline =
      stats::ratio_interval(group.rows[1].samples_ns, group.rows[0].samples_ns);
  std::string warning = "failed: ";
  warning.append(kHostile);
  group.rows[1].warnings.push_back(warning);
  report.groups.push_back(group);
  report.other.push_back(row_named(kHostile, false));
  report.other.back().failed = true;
  report.other.back().error = kHostile;
  return report;
}

std::size_t lines_starting_with(const std::string& text, const std::string& prefix) {
  std::size_t count = 0;
  for (std::size_t at = 0; at < text.size();) {
    std::size_t end = text.find('\n', at);
    if (end == std::string::npos) end = text.size();
    if (text.compare(at, prefix.size(), prefix) == 0) ++count;
    at = end + 1;
  }
  return count;
}

TEST(HostileNamesTest, TextShowsControlBytesAndKeepsOneLineARow) {
  const std::string text = render_text(hostile_report(), {});
  EXPECT_EQ(text.find('\x1b'), std::string::npos) << text;
  EXPECT_EQ(text.find('\r'), std::string::npos);
  EXPECT_EQ(text.find('\x07'), std::string::npos);
  EXPECT_NE(text.find("evil\\n| x | `y` |\\x1b[2J\\r\\x1b]0;title\\x07"), std::string::npos)
      << text;
  // The group table: a header, the baseline and the hostile row; the other table: a header
  // and the failed row. No line starts with the text after the newline.
  EXPECT_EQ(lines_starting_with(text, "| x |"), 0u);
  EXPECT_EQ(lines_starting_with(text, "  evil"), 1u) << text;
  EXPECT_EQ(lines_starting_with(text, "  loop_defer/evil"), 1u) << text;
}

TEST(HostileNamesTest, ColourCodesAreOnlyOurs) {
  const std::string text = render_text(hostile_report(), {.color = true});
  EXPECT_EQ(text.find("\x1b[2J"), std::string::npos);
  EXPECT_EQ(text.find("\x1b]0"), std::string::npos);
}

TEST(HostileNamesTest, MarkdownKeepsTheTableAndTheCodeSpan) {
  const std::string md = render_review_markdown(hostile_report());
  EXPECT_EQ(md.find('\x1b'), std::string::npos);
  // The name is one code span, delimited by more backticks than it holds, its | escaped.
  EXPECT_NE(md.find("| ``evil\\n\\| x \\| `y` \\|\\x1b[2J\\r\\x1b]0;title\\x07`` |"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("Run ``evil\\n| x | `y` |\\x1b[2J\\r\\x1b]0;title\\x07``"), std::string::npos)
      << md;
  // The group table: header, separator and two rows; nothing starts a row of its own.
  EXPECT_EQ(lines_starting_with(md, "| x"), 0u);
  EXPECT_EQ(lines_starting_with(md, "| `goto_cleanup`"), 1u) << md;
  EXPECT_EQ(lines_starting_with(md, "| ``evil"), 1u) << md;
}

TEST(HostileNamesTest, CompareTextAndMarkdownEscapeNames) {
  Comparison c;
  c.base_source = "base\x1b[2J";
  c.head_source = "head";
  CompareRow& row = c.rows.emplace_back();
  row.name = kHostile;
  row.verdict = "same";
  const std::string hostile = kHostile;
  c.only_in_head.push_back(hostile);
  const std::string text = render_comparison_text(c, true);
  EXPECT_EQ(text.find("\x1b[2J"), std::string::npos) << text;
  EXPECT_EQ(lines_starting_with(text, "| x"), 0u);
  const std::string md = render_comparison_markdown(c);
  EXPECT_EQ(md.find('\x1b'), std::string::npos);
  EXPECT_EQ(lines_starting_with(md, "| x"), 0u);
  EXPECT_NE(md.find("| ``evil\\n\\| x \\| `y`"), std::string::npos) << md;
}

}  // namespace
}  // namespace deferlab::reports

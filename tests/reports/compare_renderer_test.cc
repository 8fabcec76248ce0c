// Tests reports/compare_renderer.cc: one comparison, built here from Google Benchmark
// documents, in the four formats. Each shows every row with the same change figure (the
// JSON's estimate and interval, figures.h), the exact heap counts, the verdict, the gate
// that failed, and the benchmarks found on one side only; text keeps its columns and
// colours only on request, Markdown keeps its table, HTML is self-contained.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "reports/compare.h"
#include "reports/format.h"

namespace deferlab::reports {
namespace {

nlohmann::json document(const std::vector<std::tuple<std::string, double, double>>& rows) {
  nlohmann::json doc = {{"context", nlohmann::json::object()},
                        {"benchmarks", nlohmann::json::array()}};
  // Nine repetitions of each, spread by a fixed pattern (no randomness).
  const double spread[] = {1.0, 1.01, 0.99, 1.005, 1.002, 0.998, 1.001, 1.007, 0.996};
  for (const auto& [name, time, allocs] : rows) {
    for (int i = 0; i < 9; ++i) {
      doc["benchmarks"].push_back({{"name", name},
                                   {"run_name", name},
                                   {"run_type", "iteration"},
                                   {"repetitions", 9},
                                   {"repetition_index", i},
                                   {"iterations", 1000},
                                   {"real_time", time * spread[i]},
                                   {"cpu_time", time * spread[i]},
                                   {"time_unit", "ns"},
                                   {"heap_allocs", allocs},
                                   {"heap_bytes", allocs * 40}});
    }
  }
  return doc;
}

// BASE -> HEAD: "slow" doubles its time and allocates once more (the allocs:+0 gate
// trips on it), "same" does not change, one benchmark is only in each side.
Comparison comparison() {
  const CompareInput base{
      "base.json",
      parse_bench_json(document({{"slow", 100, 1}, {"same", 50, 0}, {"gone", 10, 0}}), "base"),
      std::nullopt};
  const CompareInput head{
      "head.json",
      parse_bench_json(document({{"slow", 200, 2}, {"same", 50, 0}, {"new", 10, 0}}), "head"),
      std::nullopt};
  return compare_runs(base, head, 0.05, {parse_gate("allocs:+0")});
}

// The change column as the JSON's figures say it should read.
std::string change_of(const nlohmann::json& row) {
  const nlohmann::json& c = row["change"];
  return format_signed_percent(c["estimate"].get<double>() - 1) + " [" +
         format_signed_percent(c["low"].get<double>() - 1) + ", " +
         format_signed_percent(c["high"].get<double>() - 1) + "]";
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

const std::string* line_starting(const std::vector<std::string>& lines, const std::string& start) {
  for (const std::string& line : lines) {
    if (line.rfind(start, 0) == 0) return &line;
  }
  return nullptr;
}

TEST(CompareRendererTest, JsonHoldsEveryFigure) {
  const Comparison c = comparison();
  const nlohmann::json doc = nlohmann::json::parse(render_comparison_json(c));
  EXPECT_EQ(doc["schema"], "deferlab.compare/1");
  ASSERT_EQ(doc["rows"].size(), 2u);
  const nlohmann::json& slow = doc["rows"][0];
  EXPECT_EQ(slow["name"], "slow");
  EXPECT_EQ(slow["verdict"], "slower");
  EXPECT_EQ(slow["heap_allocs"]["base"], 1.0);
  EXPECT_EQ(slow["heap_allocs"]["head"], 2.0);
  EXPECT_EQ(slow["heap_bytes"]["head"], 80.0);
  EXPECT_EQ(slow["failed_gates"], nlohmann::json::array({"allocs:+0"}));
  EXPECT_EQ(slow["change"]["estimate"], c.rows[0].change->estimate);
  EXPECT_EQ(doc["rows"][1]["verdict"], "no significant change");
  EXPECT_EQ(doc["rows"][1]["failed_gates"], nlohmann::json::array());
  EXPECT_EQ(doc["only_in_base"], nlohmann::json::array({"gone"}));
  EXPECT_EQ(doc["only_in_head"], nlohmann::json::array({"new"}));
  ASSERT_EQ(doc["gate_runs"].size(), 1u);
  EXPECT_EQ(doc["gate_runs"][0]["rows"], 3);  // every BASE benchmark, "gone" included
  EXPECT_EQ(doc["gate_runs"][0]["tripped"], 1);
  EXPECT_EQ(doc["gate_runs"][0]["unverifiable"], 1);  // "gone" is missing in HEAD
  EXPECT_EQ(doc["failures"].size(), c.failures.size());
}

TEST(CompareRendererTest, TextRowsCarryTheJsonFiguresInAlignedColumns) {
  const Comparison c = comparison();
  const nlohmann::json doc = nlohmann::json::parse(render_comparison_json(c));
  const std::string text = render_comparison_text(c, /*color=*/false);
  EXPECT_EQ(text.find('\033'), std::string::npos);  // no colour unless asked
  const std::vector<std::string> lines = lines_of(text);
  EXPECT_EQ(lines[0], "base: base.json");
  EXPECT_EQ(lines[1], "head: head.json");
  const std::string* header = line_starting(lines, "benchmark");
  const std::string* slow = line_starting(lines, "slow ");
  const std::string* same = line_starting(lines, "same ");
  ASSERT_TRUE(header && slow && same) << text;
  EXPECT_NE(slow->find(change_of(doc["rows"][0])), std::string::npos) << *slow;
  EXPECT_NE(same->find(change_of(doc["rows"][1])), std::string::npos) << *same;
  EXPECT_NE(slow->find("200 ns"), std::string::npos) << *slow;  // HEAD's median
  EXPECT_NE(slow->find("1 -> 2 (+1)"), std::string::npos) << *slow;
  EXPECT_NE(slow->find("40 -> 80 (+40)"), std::string::npos) << *slow;
  EXPECT_NE(same->find("0 -> 0"), std::string::npos) << *same;
  // The verdict column starts at the same place on every line.
  const std::size_t verdict = header->find("verdict");
  EXPECT_EQ(slow->substr(verdict, 6), "slower") << *slow;
  EXPECT_EQ(same->substr(verdict, 21), "no significant change") << *same;
  EXPECT_NE(line_starting(lines, "only in base: gone"), nullptr) << text;
  EXPECT_NE(line_starting(lines, "only in head: new"), nullptr) << text;
  const std::string coloured = render_comparison_text(c, /*color=*/true);
  EXPECT_NE(coloured.find("\033[31mslower"), std::string::npos);
}

TEST(CompareRendererTest, MarkdownKeepsOneTableRowPerBenchmark) {
  const Comparison c = comparison();
  const nlohmann::json doc = nlohmann::json::parse(render_comparison_json(c));
  const std::string md = render_comparison_markdown(c);
  const std::vector<std::string> lines = lines_of(md);
  std::vector<std::string> table;
  for (const std::string& line : lines) {
    if (line.rfind("|", 0) == 0) table.push_back(line);
  }
  // Header, delimiter, two rows, the geomean: each with the header's ten pipes.
  ASSERT_EQ(table.size(), 5u) << md;
  for (const std::string& row : table) {
    EXPECT_EQ(std::count(row.begin(), row.end(), '|'), 10) << row;
  }
  EXPECT_NE(table[2].find("`slow`"), std::string::npos) << table[2];
  EXPECT_NE(table[2].find(change_of(doc["rows"][0])), std::string::npos) << table[2];
  EXPECT_NE(table[2].find("**slower (gate)**"), std::string::npos) << table[2];
  EXPECT_NE(table[3].find("no significant change |"), std::string::npos) << table[3];
  EXPECT_NE(md.find("**Gates failed:**"), std::string::npos);
  for (const std::string& failure : c.failures) {
    EXPECT_NE(md.find("- " + markdown_cell(failure)), std::string::npos) << failure;
  }
  EXPECT_NE(md.find("only in base: `gone`"), std::string::npos) << md;
  EXPECT_NE(md.find("only in head: `new`"), std::string::npos) << md;
}

TEST(CompareRendererTest, HtmlIsOneSelfContainedPageWithEveryRow) {
  const Comparison c = comparison();
  const nlohmann::json doc = nlohmann::json::parse(render_comparison_json(c));
  const std::string html = render_comparison_html(c);
  EXPECT_EQ(html.rfind("<!doctype html>", 0), 0u);
  EXPECT_NE(html.find("</html>"), std::string::npos);
  EXPECT_EQ(html.find("http://"), std::string::npos);  // nothing to fetch
  EXPECT_EQ(html.find("https://"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  const std::regex row("<tr( class=\"gate\")?><td>(slow|same)</td>");
  EXPECT_EQ(std::distance(std::sregex_iterator(html.begin(), html.end(), row),
                          std::sregex_iterator()),
            2);
  EXPECT_NE(html.find("<tr class=\"gate\"><td>slow</td>"), std::string::npos);
  EXPECT_NE(html.find("<td>" + change_of(doc["rows"][0]) + "</td>"), std::string::npos);
  EXPECT_NE(html.find("<td class=\"slower\">slower</td>"), std::string::npos);
  EXPECT_NE(html.find("<td>1 -&gt; 2 (+1)</td>"), std::string::npos);
  for (const std::string& failure : c.failures) {
    EXPECT_NE(html.find("gate failed: " + html_escape(failure)), std::string::npos) << failure;
  }
  EXPECT_NE(html.find("only in base: <code>gone</code>"), std::string::npos);
  EXPECT_NE(html.find("only in head: <code>new</code>"), std::string::npos);
}

}  // namespace
}  // namespace deferlab::reports

// Tests reports/html_renderer.cc, reports/markdown_renderer.cc and reports/json_renderer.cc
// on a report built here: every name from a binary or file is escaped (C++ names are full
// of <, > and &, and a hostile one must stay text), the page has no URL to fetch, and the
// Markdown stays under GitHub's limit.
#include <gtest/gtest.h>

#include <limits>
#include <nlohmann/json.hpp>
#include <regex>

#include "reports/renderer.h"

namespace deferlab::reports {
namespace {

constexpr const char* kHostile =
    "<script>document.title='pwned'</script>\"'&<img src=x onerror=alert(1)>";

RunReport hostile_report() {
  RunReport report;
  report.baseline_strategy = "goto_cleanup";
  report.title = kHostile;
  report.charts = {{"loop_defer", kHostile}};
  report.repetitions = 5;
  report.context = {{"deferlab_run_id", kHostile}, {"deferlab_compiler", "g++ <12>"}};
  CaseGroup group;
  group.scenario = "loop_defer";
  group.scenario_summary = kHostile;
  group.param = "64";
  group.parameters = {{"N", 64}};
  for (const char* name : {"goto_cleanup", kHostile}) {
    StrategyRow row;
    row.strategy = name;
    row.benchmark = std::string("loop_defer/") + name + "/64";
    row.samples_ns = {10, 11, 12, 10.5, 11.5};
    row.time = stats::summarize(row.samples_ns);
    row.heap_allocs = 64;
    row.heap_bytes = 2560;
    row.is_baseline = std::string(name) == "goto_cleanup";
    row.notes = kHostile;
    row.fidelity = "closest_form";
    row.hot_symbol = std::string("_Z3fooIN5boostE") + name;
    row.warnings.push_back(kHostile);
    group.rows.push_back(row);
  }
  group.rows[1].vs_baseline =
      stats::ratio_interval(group.rows[1].samples_ns, group.rows[0].samples_ns);
  report.groups.push_back(group);
  // A disassembled function whose demangled name and operands carry the same text.
  disasm::AnnotatedFunction f;
  f.range.name = group.rows[1].hot_symbol;
  f.range.demangled = std::string("void f<") + kHostile + ">()";
  disasm::AnnotatedInstruction a;
  a.insn.mnemonic = "call";
  a.insn.operands = kHostile;
  a.call_target = kHostile;
  a.tags = disasm::kTagCall | disasm::kTagAlloc;
  f.instructions.push_back(a);
  f.source_text[{"/src/a.cc", 3}] = kHostile;
  report.architectures = {"x86-64"};
  report.functions["x86-64"][f.range.name] = f;
  return report;
}

TEST(HtmlRendererTest, HostileNamesStayText) {
  const std::string html = render_report_html(hostile_report());
  // The hostile markup never appears raw: not as an element, not as an attribute.
  EXPECT_EQ(html.find("<script>document.title"), std::string::npos);
  EXPECT_EQ(html.find("<img src=x"), std::string::npos);
  // It does appear, escaped, where the name is shown.
  EXPECT_NE(html.find("&lt;script&gt;document.title=&#39;pwned&#39;&lt;/script&gt;"),
            std::string::npos);
  // Exactly two script elements: the data and the code.
  const std::regex open_script("<script[ >]");
  EXPECT_EQ(std::distance(std::sregex_iterator(html.begin(), html.end(), open_script),
                          std::sregex_iterator()),
            2);
  // The embedded data cannot close its element early.
  const std::size_t data = html.find("id=\"deferlab-data\">");
  ASSERT_NE(data, std::string::npos);
  const std::size_t end = html.find("</script>", data);
  const std::string json = html.substr(data + 19, end - data - 19);
  EXPECT_EQ(json.find_first_of("<>&"), std::string::npos);
  EXPECT_FALSE(nlohmann::json::parse(json, nullptr, false).is_discarded());
}

// Regression: a baseline time of 0 made a ratio infinite, and the chart's loop over decades
// `for (d = l0; d <= l1; d += 1)` never ended (report -f html ran until bad_alloc).
TEST(HtmlRendererTest, NonFiniteFiguresEndAndAreNotDrawn) {
  RunReport report = hostile_report();
  const double inf = std::numeric_limits<double>::infinity();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  report.groups[0].rows[1].vs_baseline = stats::Ratio{inf, inf, inf, 0.95};
  CaseGroup extreme = report.groups[0];
  extreme.param = "1e400";  // an N of infinity
  extreme.rows[0].time.median = nan;
  extreme.rows[1].time.median = 1e308;
  extreme.rows[1].vs_baseline = stats::Ratio{1e-300, 1e-300, 1e300, 0.95};
  report.groups.push_back(extreme);
  const std::string html = render_report_html(report);
  // No coordinate in any chart is infinite or NaN (the tables are another matter: what they
  // show for an invalid time is the row's business).
  const std::regex non_finite("[-M L,=\"](inf|nan)\\b");
  std::size_t charts = 0;
  for (std::size_t at = html.find("<svg"); at != std::string::npos; at = html.find("<svg", at)) {
    const std::size_t end = html.find("</svg>", at);
    ASSERT_NE(end, std::string::npos);
    const std::string svg = html.substr(at, end - at);
    std::smatch found;
    EXPECT_FALSE(std::regex_search(svg, found, non_finite)) << found.str() << " in " << svg;
    // Bounded axes: at most 13 grid lines (and the zero line) per chart, whatever the range.
    std::size_t grid_lines = 0;
    for (std::size_t g = svg.find("class=\"grid"); g != std::string::npos;
         g = svg.find("class=\"grid", g + 1)) {
      ++grid_lines;
    }
    EXPECT_LE(grid_lines, 14u) << svg;
    ++charts;
    at = end;
  }
  // The time and allocation charts, and bars for the second group only: the first group's
  // one ratio is infinite, and a group with no drawable ratio gets no (empty) bar chart.
  EXPECT_EQ(charts, 3u);
}

TEST(HtmlRendererTest, NothingToFetch) {
  const std::string html = render_report_html(hostile_report());
  // No scheme a browser would fetch, in any attribute or stylesheet.
  for (const char* needle : {"http://", "https://", "src=\"//", "href=\"//", "url(", "@import"}) {
    EXPECT_EQ(html.find(needle), std::string::npos) << needle;
  }
}

TEST(HtmlRendererTest, HasTheParts) {
  RunReport report = hostile_report();
  // A chart needs two points of a series: the scenario at a second N.
  CaseGroup at_8 = report.groups[0];
  at_8.param = "8";
  report.groups.insert(report.groups.begin(), at_8);
  const std::string html = render_report_html(report);
  EXPECT_NE(html.find("<table class=\"cases\">"), std::string::npos);
  EXPECT_NE(html.find("<svg class=\"chart\""), std::string::npos);
  EXPECT_NE(html.find("<svg class=\"bars\""), std::string::npos);
  EXPECT_NE(html.find("class=\"asm-panel\""), std::string::npos);
  EXPECT_NE(html.find("class=\" allocates\""), std::string::npos);  // the allocating row stands out
}

// Markdown without its code: spans (`...`) and fenced blocks, where text is never markup.
std::string outside_code(const std::string& md) {
  std::string out;
  bool fenced = false;
  std::size_t start = 0;
  while (start < md.size()) {
    std::size_t end = md.find('\n', start);
    if (end == std::string::npos) end = md.size();
    const std::string line = md.substr(start, end - start);
    start = end + 1;
    if (line.rfind("```", 0) == 0) {
      fenced = !fenced;
      continue;
    }
    if (fenced) continue;
    bool in_span = false;
    for (char c : line) {
      if (c == '`') {
        in_span = !in_span;
      } else if (!in_span) {
        out += c;
      }
    }
    out += '\n';
  }
  return out;
}

TEST(MarkdownRendererTest, EscapesAndStaysUnderTheLimit) {
  const std::string md = render_review_markdown(hostile_report());
  EXPECT_LT(md.size(), kReviewLimit);
  // Outside code, where GitHub would read it as HTML, the markup is escaped.
  const std::string prose = outside_code(md);
  EXPECT_EQ(prose.find("<script>"), std::string::npos) << prose;
  EXPECT_EQ(prose.find("<img"), std::string::npos) << prose;
  EXPECT_NE(md.find("| strategy |"), std::string::npos);
}

TEST(MarkdownRendererTest, CutsSectionsToFitAndSaysSo) {
  RunReport report = hostile_report();
  // Many large listings: more than a comment can hold.
  const disasm::AnnotatedFunction f = report.functions["x86-64"].begin()->second;
  for (int k = 0; k < 400; ++k) {
    CaseGroup g = report.groups[0];
    g.param = std::to_string(k);
    for (StrategyRow& row : g.rows) row.hot_symbol += std::to_string(k);
    for (const StrategyRow& row : g.rows) {
      disasm::AnnotatedFunction copy = f;
      copy.range.name = row.hot_symbol;
      for (int i = 0; i < 40; ++i) copy.instructions.push_back(f.instructions[0]);
      report.functions["x86-64"][row.hot_symbol] = copy;
    }
    report.groups.push_back(g);
  }
  const std::string md = render_review_markdown(report);
  EXPECT_LE(md.size(), disasm::kDefaultMarkdownBudget);
  EXPECT_NE(md.find("sections were cut to stay under 65000 characters (the first: "),
            std::string::npos);
  EXPECT_NE(md.find("`deferlab report RUN_DIR -f md --max-chars N`"), std::string::npos);
  // A smaller budget is kept as well, and cuts more.
  const std::string small = render_review_markdown(report, 20000);
  EXPECT_LE(small.size(), 20000u);
  EXPECT_LT(small.size(), md.size());
}

// A binary without a manifest and thousands of benchmarks: the summary table alone is over
// the budget, so it is cut at a row, and says so.
TEST(MarkdownRendererTest, CutsASummaryOverTheBudgetAtARow) {
  RunReport report;
  report.derived_manifest = true;
  report.title = "deferlab: many";
  for (int k = 0; k < 3000; ++k) {
    StrategyRow row;
    row.benchmark = row.strategy = "BM_Family" + std::to_string(k) + "/1024";
    row.samples_ns = {100, 101, 102};
    row.time = stats::summarize(row.samples_ns);
    row.heap_allocs = 1;
    report.other.push_back(row);
  }
  const std::string md = render_review_markdown(report);
  EXPECT_LE(md.size(), disasm::kDefaultMarkdownBudget);
  EXPECT_NE(md.find("| BM_Family0/1024 | "), std::string::npos) << md.substr(0, 2000);
  EXPECT_EQ(md.find("BM_Family2999/"), std::string::npos);
  EXPECT_NE(md.find("\n> The summary above was cut after line "), std::string::npos);
}

// One interface, every document in every format: a run report, a comparison, a diff and a
// listing each come out of make_renderer(format), JSON as JSON, HTML as one escaped page.
TEST(RendererTest, EveryFormatRendersEveryDocument) {
  const RunReport report = hostile_report();
  const disasm::AnnotatedFunction& f = report.functions.at("x86-64").begin()->second;
  const disasm::FunctionDiff diff = disasm::diff_functions(f, f, report_diff_options("x86-64"));
  const DiffDocument diff_document{
      {&f, kHostile, "x86-64"}, {&f, "b.json", "x86-64"}, &diff, report_diff_options("x86-64")};
  const std::vector<disasm::AnnotatedFunction> functions = {f};
  const ListingDocument listing{
      R"({"path": "a.out", "arch": "x86-64"})", disasm::Syntax::kIntel, &functions, {}, nullptr,
      "deferlab disasm a.out -s NAME"};
  Comparison comparison;
  comparison.base_source = kHostile;
  comparison.head_source = "head";
  const std::map<std::string, std::string> files = {{"text", "summary.txt"},
                                                    {"json", "report.json"},
                                                    {"md", "review.md"},
                                                    {"html", "index.html"}};
  for (const auto& [format, file] : files) {
    const std::unique_ptr<Renderer> renderer = make_renderer(format, {});
    ASSERT_NE(renderer, nullptr) << format;
    EXPECT_EQ(renderer->file_name(), file);
    const std::vector<std::string> outputs = {
        renderer->render(report), renderer->render(comparison), renderer->render(diff_document),
        renderer->render(listing)};
    // The listing names its function in every format.
    EXPECT_NE(outputs[3].find("void f"), std::string::npos) << format << ": " << outputs[3];
    for (const std::string& out : outputs) {
      EXPECT_FALSE(out.empty()) << format;
      if (format == "json") {
        EXPECT_TRUE(nlohmann::json::accept(out)) << out;
      }
      if (format == "html") {
        EXPECT_EQ(out.rfind("<!doctype html>", 0), 0u) << out.substr(0, 200);
        EXPECT_EQ(out.find("<script>document.title"), std::string::npos) << out;
      }
    }
  }
  EXPECT_EQ(make_renderer("pdf", {}), nullptr);
}

TEST(JsonRendererTest, IsJsonWithTheSchema) {
  const nlohmann::json doc = nlohmann::json::parse(render_report_json(hostile_report()));
  EXPECT_EQ(doc["schema"], "deferlab.report/1");
  EXPECT_EQ(doc["scenarios"][0]["groups"][0]["rows"][1]["strategy"], kHostile);
}

}  // namespace
}  // namespace deferlab::reports

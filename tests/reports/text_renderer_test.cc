// Tests reports/text_renderer.cc, the console summary of `deferlab run`, on reports built
// here from Google Benchmark documents and a small manifest: a table per scenario and
// parameter with the model's figures in aligned columns, failed rows with their reason,
// the footnotes each mark needs, and colour only on request.
#include "reports/text_renderer.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "reports/format.h"
#include "reports/report_model.h"

namespace deferlab::reports {
namespace {

nlohmann::json entry(const std::string& name, int i, double time, double allocs) {
  return {{"name", name},          {"run_name", name},
          {"run_type", "iteration"}, {"repetitions", 3},
          {"repetition_index", i}, {"iterations", 1000},
          {"real_time", time},     {"cpu_time", time},
          {"time_unit", "ns"},     {"heap_allocs", allocs},
          {"heap_bytes", allocs * 40}, {"heap_frees", allocs}};
}

// loop/4: the baseline (10 ns, steady), a heap strategy (40 ns, 4 allocations, noisy),
// a closest-form guard, and one that errored; plus a benchmark the manifest does not know.
RunReport report() {
  nlohmann::json bench = {{"context", nlohmann::json::object()},
                          {"benchmarks", nlohmann::json::array()}};
  const double heap[] = {40, 48, 36};
  for (int i = 0; i < 3; ++i) {
    bench["benchmarks"].push_back(entry("loop/goto_cleanup/4", i, 10, 0));
    bench["benchmarks"].push_back(entry("loop/heap_defer/4", i, heap[i], 4));
    bench["benchmarks"].push_back(entry("loop/scope_guard/4", i, 20, 0));
    bench["benchmarks"].push_back(entry("BM_foreign", i, 1500, 1));
  }
  nlohmann::json failed = entry("loop/pooled_chain/4", 0, 5, 0);
  failed["error_occurred"] = true;
  failed["error_message"] = "pool exhausted";
  bench["benchmarks"].push_back(failed);
  const nlohmann::json manifest = {
      {"strategies",
       {{{"name", "goto_cleanup"}, {"rank", 0}},
        {{"name", "heap_defer"}, {"rank", 1}},
        {{"name", "pooled_chain"}, {"rank", 2}},
        {{"name", "scope_guard"}, {"rank", 3}}}},
      {"scenarios", {{{"name", "loop"}, {"summary", "a defer in a loop"}, {"params", {"4"}}}}},
      {"cases",
       {{{"scenario", "loop"}, {"param", "4"}, {"benchmark", "loop/goto_cleanup/4"},
         {"strategy", "goto_cleanup"}, {"parameters", {{"N", 4}}}},
        {{"scenario", "loop"}, {"param", "4"}, {"benchmark", "loop/heap_defer/4"},
         {"strategy", "heap_defer"}},
        {{"scenario", "loop"}, {"param", "4"}, {"benchmark", "loop/pooled_chain/4"},
         {"strategy", "pooled_chain"}},
        {{"scenario", "loop"}, {"param", "4"}, {"benchmark", "loop/scope_guard/4"},
         {"strategy", "scope_guard"}, {"fidelity", "closest_form"}}}}};
  return build_run_report(parse_bench_json(bench, "bench.json"), &manifest, "goto_cleanup");
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::size_t index_of(const std::vector<std::string>& lines, const std::string& start) {
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].rfind(start, 0) == 0) return i;
  }
  ADD_FAILURE() << "no line starts with '" << start << "'";
  return 0;
}

TEST(TextRendererTest, OneTablePerGroupWithTheModelsFigures) {
  const RunReport r = report();
  ASSERT_EQ(r.groups.size(), 1u);
  const std::string text = render_text(r, {});
  const std::vector<std::string> lines = lines_of(text);
  EXPECT_EQ(lines[0], "loop/4  (N = 4)");
  const std::size_t header = index_of(lines, "  strategy");
  EXPECT_EQ(header, 1u);
  // Rows in strategy rank order, right under the header.
  const std::size_t base = index_of(lines, "  goto_cleanup ");
  const std::size_t heap = index_of(lines, "  heap_defer ");
  const std::size_t pooled = index_of(lines, "  pooled_chain ");
  const std::size_t guard = index_of(lines, "  scope_guard * ");
  EXPECT_EQ(base, header + 1);
  EXPECT_EQ(heap, header + 2);
  EXPECT_EQ(pooled, header + 3);
  EXPECT_EQ(guard, header + 4);

  const StrategyRow& heap_row = r.groups[0].rows[1];
  ASSERT_EQ(heap_row.strategy, "heap_defer");
  ASSERT_TRUE(heap_row.vs_baseline.has_value());
  // The ratio cell is the model's figure, formatted once (format.h).
  EXPECT_NE(lines[heap].find(format_ratio_interval(*heap_row.vs_baseline)), std::string::npos)
      << lines[heap];
  EXPECT_NE(lines[heap].find(" 40.0 ns "), std::string::npos) << lines[heap];  // the median
  EXPECT_NE(lines[heap].find(" 4 "), std::string::npos) << lines[heap];        // allocs/iter
  EXPECT_NE(lines[heap].find(" 160 B "), std::string::npos) << lines[heap];    // bytes/iter
  EXPECT_NE(lines[heap].find(" !"), std::string::npos) << lines[heap];  // CV over 5 %
  EXPECT_NE(lines[base].find(" baseline "), std::string::npos) << lines[base];
  EXPECT_NE(lines[base].find(" 10.0 ns "), std::string::npos) << lines[base];
  EXPECT_EQ(lines[base].find(" !"), std::string::npos) << lines[base];  // steady: no mark
  // A failed row says so and why, in place of figures.
  EXPECT_NE(lines[pooled].find("failed"), std::string::npos) << lines[pooled];
  EXPECT_NE(lines[pooled].find("pool exhausted"), std::string::npos) << lines[pooled];
  // Right-aligned columns: every complete row ends where the header does.
  for (std::size_t i : {base, heap, guard}) {
    EXPECT_EQ(lines[i].size(), lines[header].size()) << lines[i];
  }
}

TEST(TextRendererTest, ForeignBenchmarksAndFootnotes) {
  const std::string text = render_text(report(), {});
  const std::vector<std::string> lines = lines_of(text);
  const std::size_t other = index_of(lines, "other benchmarks");
  EXPECT_EQ(lines[other + 1].rfind("  benchmark", 0), 0u) << lines[other + 1];
  EXPECT_EQ(lines[other + 2].rfind("  BM_foreign ", 0), 0u) << lines[other + 2];
  EXPECT_NE(lines[other + 2].find(" 1.50 us "), std::string::npos) << lines[other + 2];
  EXPECT_NE(lines[other + 2].find(" 40 B "), std::string::npos) << lines[other + 2];
  // Each mark in the tables has its footnote, after the tables.
  EXPECT_GT(index_of(lines, "median of 3 repetitions"), other);
  EXPECT_GT(index_of(lines, "* closest form"), other);
  EXPECT_GT(index_of(lines, "! coefficient of variation above 5.0%"), other);
}

TEST(TextRendererTest, ColourOnlyWhenAsked) {
  const std::string plain = render_text(report(), {.color = false});
  EXPECT_EQ(plain.find('\033'), std::string::npos);
  const std::string coloured = render_text(report(), {.color = true});
  EXPECT_NE(coloured.find("\033[1mloop/4\033[0m"), std::string::npos);  // the title
  EXPECT_NE(coloured.find("\033[33m4\033[0m"), std::string::npos);      // allocations
  EXPECT_NE(coloured.find("\033[31mfailed\033[0m"), std::string::npos);
  // Colour codes add no visible width: without them the text is the plain rendering.
  std::string stripped = coloured;
  for (const char* code : {"\033[1m", "\033[33m", "\033[31m", "\033[2m", "\033[0m"}) {
    for (std::size_t at; (at = stripped.find(code)) != std::string::npos;) {
      stripped.erase(at, std::string(code).size());
    }
  }
  EXPECT_EQ(stripped, plain);
}

}  // namespace
}  // namespace deferlab::reports

// Tests the salvage of an interrupted run (reports/bench_results.cc
// salvage_truncated_bench_json, which `deferlab run` uses to write bench.partial.json):
// Google Benchmark's output cut at every byte keeps exactly the benchmark entries that
// were complete before the cut, as a document parse_bench_json accepts; names holding
// braces, brackets and escaped quotes do not confuse the cut; and a run directory with
// only bench.partial.json says where the measurements are.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "common/error.h"
#include "reports/bench_results.h"
#include "reports/run_directory.h"

namespace deferlab::reports {
namespace {

namespace fs = std::filesystem;

// As Google Benchmark's JSON reporter writes it: the context, then one entry per result,
// with the names chosen to hold JSON's structural characters inside strings.
const std::vector<std::string> kNames = {"BM_plain/8", "BM_braces<{}>/1", "BM_quote\\\"]}/2"};

std::string benchmark_output() {
  std::string text =
      "{\n  \"context\": {\n    \"date\": \"2026-11-23\",\n    \"num_cpus\": 2,\n"
      "    \"caches\": [{\"type\": \"Data\", \"level\": 1}]\n  },\n  \"benchmarks\": [\n";
  for (std::size_t i = 0; i < kNames.size(); ++i) {
    text += std::string(i ? ",\n" : "") + "    {\n      \"name\": \"" + kNames[i] +
            "\",\n      \"run_name\": \"" + kNames[i] +
            "\",\n      \"run_type\": \"iteration\",\n      \"repetitions\": 1,\n"
            "      \"repetition_index\": 0,\n      \"iterations\": 100,\n"
            "      \"real_time\": " +
            std::to_string(10 + i) + ",\n      \"cpu_time\": " + std::to_string(10 + i) +
            ",\n      \"time_unit\": \"ns\",\n"
            "      \"heap_allocs\": " +
            std::to_string(i) + "\n    }";
  }
  return text + "\n  ]\n}\n";
}

TEST(SalvageTest, ACompleteDocumentIsKeptWhole) {
  const nlohmann::json whole = salvage_truncated_bench_json(benchmark_output());
  ASSERT_TRUE(whole.is_object());
  EXPECT_EQ(whole, nlohmann::json::parse(benchmark_output()));
}

TEST(SalvageTest, EveryCutKeepsExactlyTheCompleteEntries) {
  const std::string text = benchmark_output();
  // Where each entry's closing brace is: an entry is complete once its "}" was written.
  std::vector<std::size_t> entry_ends;
  for (std::size_t at = text.find("\n    }"); at != std::string::npos;
       at = text.find("\n    }", at + 1)) {
    entry_ends.push_back(at + 6);
  }
  ASSERT_EQ(entry_ends.size(), kNames.size());
  for (std::size_t cut = 0; cut < text.size(); ++cut) {
    const nlohmann::json salvaged = salvage_truncated_bench_json(text.substr(0, cut));
    const std::size_t complete = static_cast<std::size_t>(std::count_if(
        entry_ends.begin(), entry_ends.end(), [&](std::size_t e) { return e <= cut; }));
    if (complete == 0) {
      EXPECT_TRUE(salvaged.is_null()) << "cut at " << cut << ": " << salvaged.dump();
      continue;
    }
    ASSERT_TRUE(salvaged.is_object()) << "cut at " << cut;
    const BenchResults results = parse_bench_json(salvaged, "bench.partial.json");
    ASSERT_EQ(results.benchmarks.size(), complete) << "cut at " << cut;
    for (std::size_t i = 0; i < complete; ++i) {
      // The names are the JSON strings of kNames, unescaped.
      EXPECT_EQ(results.benchmarks[i].name,
                nlohmann::json::parse("\"" + kNames[i] + "\"").get<std::string>())
          << "cut at " << cut;
      EXPECT_EQ(results.benchmarks[i].real_ns, std::vector<double>{10.0 + i}) << "cut at " << cut;
    }
    EXPECT_EQ(salvaged["context"]["num_cpus"], 2) << "cut at " << cut;
  }
}

TEST(SalvageTest, NothingOrNotJsonSalvagesNothing) {
  EXPECT_TRUE(salvage_truncated_bench_json("").is_null());
  EXPECT_TRUE(salvage_truncated_bench_json("Segmentation fault\n").is_null());
  EXPECT_TRUE(salvage_truncated_bench_json(std::string(100000, '[')).is_null());  // too deep
}

TEST(SalvageTest, ARunDirectoryWithOnlyThePartialFileSaysWhereItIs) {
  const fs::path dir = fs::path(::testing::TempDir()) / "deferlab-salvage-run";
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string text = benchmark_output();
  std::ofstream(dir / "bench.partial.json")
      << salvage_truncated_bench_json(text.substr(0, text.size() / 2)).dump(2);
  try {
    (void)load_run_directory(dir, "goto_cleanup");
    ADD_FAILURE() << "a run directory without bench.json was read";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "no bench.json in the run directory");
    EXPECT_EQ(e.hint(), "this run crashed; bench.partial.json holds what it wrote");
  }
  // And what it holds is a Google Benchmark document deferlab reads.
  const BenchResults partial = load_bench_file(dir / "bench.partial.json");
  ASSERT_FALSE(partial.benchmarks.empty());
  EXPECT_EQ(partial.benchmarks[0].name, "BM_plain/8");
  fs::remove_all(dir);
}

}  // namespace
}  // namespace deferlab::reports

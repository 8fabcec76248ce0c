// Deriving scenario x strategy groups from Google Benchmark names (derived_manifest.h).
#include "reports/derived_manifest.h"

#include <algorithm>
#include <charconv>
#include <set>
#include <utility>
#include <vector>

namespace deferlab::reports {

namespace {

bool is_number(const std::string& text) {
  double value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  return ec == std::errc() && end == text.data() + text.size();
}

void add_once(std::vector<std::string>& list, const std::string& value) {
  if (std::find(list.begin(), list.end(), value) == list.end()) list.push_back(value);
}

}  // namespace

std::pair<std::string, std::string> split_benchmark_name(const std::string& name) {
  const std::size_t slash = name.find('/');
  if (slash == std::string::npos) return {name, ""};
  return {name.substr(0, slash), name.substr(slash + 1)};
}

nlohmann::json derive_manifest(const BenchResults& bench, const std::string& scenario,
                               const std::string& baseline) {
  std::vector<std::string> families;
  std::vector<std::string> params;
  nlohmann::json cases = nlohmann::json::array();
  for (const BenchmarkResult& b : bench.benchmarks) {
    const auto [family, param] = split_benchmark_name(b.name);
    add_once(families, family);
    add_once(params, param);
    cases.push_back(
        {{"benchmark", b.name}, {"scenario", scenario}, {"strategy", family}, {"param", param}});
  }
  nlohmann::json strategies = nlohmann::json::array();
  for (std::size_t i = 0; i < families.size(); ++i) {
    strategies.push_back({{"name", families[i]}, {"rank", i}});
  }
  nlohmann::json manifest = {
      {"schema", "deferlab.cases/1"},
      {"derived", true},
      {"baseline_strategy", baseline},
      {"strategies", strategies},
      {"scenarios", nlohmann::json::array({{{"name", scenario}, {"params", params}}})},
      {"cases", cases},
      {"omitted", nlohmann::json::array()}};
  const auto numeric = std::count_if(params.begin(), params.end(), is_number);
  if (numeric >= 2) {
    manifest["charts"] = nlohmann::json::array({{{"scenario", scenario}, {"x_label", "argument"}}});
  }
  return manifest;
}

}  // namespace deferlab::reports

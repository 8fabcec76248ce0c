// bench.json files as a whole: loading one, salvaging what a crashed run left, and
// putting its entries in registration order (bench_results.h).
#include <algorithm>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/error.h"
#include "common/json_reader.h"
#include "reports/bench_results.h"

namespace deferlab::reports {

void order_benchmarks(nlohmann::json& document, const std::vector<std::string>& order) {
  if (!document.is_object() || !document.contains("benchmarks") ||
      !document["benchmarks"].is_array()) {
    return;
  }
  std::unordered_map<std::string, std::size_t> rank;
  for (std::size_t i = 0; i < order.size(); ++i) rank.emplace(order[i], i);
  auto rank_of = [&](const nlohmann::json& entry) {
    const auto name = entry.find("run_name");
    if (name == entry.end() || !name->is_string()) return order.size();
    const auto it = rank.find(name->get<std::string>());
    return it == rank.end() ? order.size() : it->second;
  };
  auto& entries = document["benchmarks"];
  std::vector<nlohmann::json> sorted(std::make_move_iterator(entries.begin()),
                                     std::make_move_iterator(entries.end()));
  std::stable_sort(
      sorted.begin(), sorted.end(),
      [&](const nlohmann::json& a, const nlohmann::json& b) { return rank_of(a) < rank_of(b); });
  entries = nlohmann::json(std::move(sorted));
}

nlohmann::json salvage_truncated_bench_json(const std::string& raw) {
  std::string text;
  try {
    text = json::sanitize(raw, "benchmark output");
  } catch (const Error&) {
    return nullptr;  // nested too deep to be Google Benchmark's
  }
  nlohmann::json whole = nlohmann::json::parse(text, nullptr, false);
  if (!whole.is_discarded()) return whole;
  // Depth 1 is the document, 2 the "benchmarks" array, 3 one entry: remember where each
  // entry closes, and cut after the last one.
  int depth = 0;
  bool in_string = false;
  std::size_t last_entry_end = std::string::npos;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      ++depth;
    } else if (c == '}' || c == ']') {
      --depth;
      if (c == '}' && depth == 2) last_entry_end = i + 1;
    }
  }
  if (last_entry_end == std::string::npos) return nullptr;
  nlohmann::json cut =
      nlohmann::json::parse(text.substr(0, last_entry_end) + "\n  ]\n}\n", nullptr, false);
  if (cut.is_discarded() || !cut.is_object() || !cut.contains("benchmarks")) return nullptr;
  return cut;
}

nlohmann::json load_json_file(const std::filesystem::path& path) {
  return json::load_file(path);
}

BenchResults load_bench_file(const std::filesystem::path& path) {
  return parse_bench_json(load_json_file(path), path.string());
}

}  // namespace deferlab::reports

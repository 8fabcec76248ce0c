// Reads deferlab.profile/1 for the reports (see profile_figures.h).
#include "reports/profile_figures.h"

#include <charconv>
#include <cmath>

#include "common/json_reader.h"
#include "reports/bench_results.h"
#include "reports/figures.h"
#include "reports/format.h"

namespace deferlab::reports {
namespace {

// A per-iteration figure: a number within the bounds of any count, or absent (null).
std::optional<double> figure(const json::Node& parent, std::string_view key) {
  const auto node = parent.find(key);
  if (!node || node->is_null()) return std::nullopt;
  const double value = node->number();
  if (std::fabs(value) > kMaxCount) node->fail("expected a count of at most 2^40");
  return value;
}

std::string joined(const json::Node& list) {
  std::string text;
  for (const json::Node& item : list.elements()) text += (text.empty() ? "" : "; ") + item.string();
  return text;
}

ProfiledFunction read_function(const json::Node& h) {
  ProfiledFunction f;
  f.symbol = h["symbol"].string();
  f.demangled = h.string_or("demangled", f.symbol);
  f.object = h.string_or("object", "");
  f.instructions = figure(h, "instructions_per_iteration").value_or(0);
  f.share = h["share"].number();
  if (f.share < 0 || f.share > 1) h["share"].fail("expected a share in [0, 1]");
  for (const json::Node& i : h["instructions"].elements()) {
    f.executions[json::hex_address(i["address"])] = figure(i, "per_iteration").value_or(0);
  }
  return f;
}

ProfileFigures read_row(const json::Node& row, bool cache_simulation) {
  ProfileFigures f;
  // Only an exact row gives figures: a count that is not exact is not shown as one.
  if (!row["exact"].boolean()) {
    f.missing = joined(row["reasons"]);
    if (f.missing.empty()) f.missing = "not exact";
    f.cycles_missing = f.missing;
    return f;
  }
  const json::Node per = row["per_iteration"];
  if (per.is_null()) {
    f.missing = f.cycles_missing = "no per-iteration figures";
    return f;
  }
  f.instructions = figure(per, "instructions");
  if (!f.instructions) f.missing = "instructions were not counted";
  f.cycles = figure(per, "estimated_cycles");
  if (!f.cycles) {
    f.cycles_missing = cache_simulation ? "the cache events were not counted"
                                        : "no cache simulation (--no-cache-sim)";
  }
  const json::Node allocations = row["allocations_per_iteration"];
  if (!allocations.is_null()) {
    f.allocations = figure(allocations, "total");
    for (const auto& [fn, n] : allocations["by_function"].members()) {
      f.allocations_by_function[fn] = n.number();
    }
  }
  for (const json::Node& h : row["hot_functions"].elements()) {
    f.hot_functions.push_back(read_function(h));
  }
  return f;
}

}  // namespace

ProfileFigures ProfileData::figures_for(const std::string& benchmark) const {
  const auto it = benchmarks.find(benchmark);
  if (it != benchmarks.end()) return it->second;
  ProfileFigures f;
  f.missing = incomplete.empty() ? "not in " + source : "not profiled: " + incomplete;
  f.cycles_missing = f.missing;
  return f;
}

ProfileData read_profile_document(const nlohmann::json& document, const std::string& source_name) {
  const json::Source source{source_name, "regenerate it with deferlab run or deferlab profile"};
  const json::Node root(document, source);
  if (root.string_or("schema", "") != "deferlab.profile/1") {
    root.fail("expected \"schema\": \"deferlab.profile/1\"");
  }
  ProfileData data;
  data.source = source_name;
  data.binary = root["binary"].string();
  const json::Node tool = root["tool"];
  data.valgrind = tool["valgrind"].string();
  data.cache_simulation = tool["cache_simulation"].boolean();
  data.cycles_formula = root["cycles_formula"].string();
  data.wall_seconds = root["wall_seconds"].number();
  if (const auto incomplete = root.find("incomplete"); incomplete && !incomplete->is_null()) {
    data.incomplete = incomplete->string();
  }
  const json::Node calibration = root["calibration"];
  if (!calibration.is_null() && calibration["exact"].boolean() &&
      !calibration["per_iteration"].is_null()) {
    data.calibration_instructions = figure(calibration["per_iteration"], "instructions");
  }
  for (const json::Node& row : root["benchmarks"].elements()) {
    data.benchmarks[row["name"].string()] = read_row(row, data.cache_simulation);
  }
  return data;
}

ProfileData load_profile_file(const std::filesystem::path& path) {
  return read_profile_document(load_json_file(path), path.string());
}

std::string figure_with_ratio(const std::optional<double>& value,
                              const std::optional<double>& ratio, bool is_baseline) {
  if (!value) return "-";
  std::string text = format_count(value);
  if (ratio && !is_baseline) text += " (" + format_ratio(*ratio) + ")";
  return text;
}

std::string profile_missing_text(const ProfileFigures& f) {
  if (!f.missing.empty() && f.missing == f.cycles_missing) return f.missing;
  std::string text;
  if (!f.missing.empty()) text = "instructions and allocation calls: " + f.missing;
  if (!f.cycles_missing.empty())
    text += (text.empty() ? "" : "; ") + std::string("cycles: ") + f.cycles_missing;
  return text;
}

std::vector<std::string> profile_definitions(const ProfileData& profile,
                                             const std::string& baseline) {
  std::vector<std::string> lines;
  lines.push_back(
      "instr/iter: instructions executed per iteration of the timed loop, exact, "
      "counted by callgrind (" +
      profile.valgrind +
      "; calls of 100 and 10 iterations, "
      "by difference)" +
      (baseline.empty() ? "" : "; (x) = exact ratio to " + baseline + "'s"));
  lines.push_back("cycles/iter: estimated, " + profile.cycles_formula +
                  " (simulated caches, not this host's)");
  lines.push_back(
      "alloc calls/iter: calls to allocation functions (every operator new, malloc, calloc, "
      "realloc, aligned_alloc, posix_memalign, __cxa_allocate_exception, ...) counted by "
      "callgrind, beside allocs/iter from the operator-new hook");
  if (!profile.incomplete.empty()) {
    lines.push_back("profile incomplete: " + profile.incomplete +
                    "; the rows it did not reach show no profile figures");
  }
  return lines;
}

}  // namespace deferlab::reports

// deferlab.report/1: the run's whole report as data (docs/schemas/deferlab.report-1.schema.json).
#include <nlohmann/json.hpp>

#include "reports/renderer.h"

namespace deferlab::reports {
namespace {

using Json = nlohmann::ordered_json;

Json optional_number(const std::optional<double>& v) {
  return v ? Json(*v) : Json(nullptr);
}

Json summary_json(const disasm::Summary& s) {
  return {{"instructions", s.instructions},
          {"bytes", s.bytes},
          {"calls", s.calls},
          {"alloc_calls", s.alloc_calls},
          {"alloc_calls_in_loops", s.alloc_calls_in_loops},
          {"free_calls", s.free_calls},
          {"indirect_calls", s.indirect_calls},
          {"loops", s.loops},
          {"max_loop_depth", s.max_loop_depth},
          {"stack_frame_size", s.stack_frame_size},
          {"invalid", s.invalid}};
}

Json row_json(const StrategyRow& row) {
  Json time = {{"n", row.time.n},     {"median", row.time.median}, {"mean", row.time.mean},
               {"min", row.time.min}, {"max", row.time.max},       {"stddev", row.time.stddev},
               {"mad", row.time.mad}, {"cv", row.time.cv},         {"samples", row.samples_ns}};
  Json ratio = nullptr;
  if (row.vs_baseline) {
    ratio = {{"estimate", row.vs_baseline->estimate},
             {"low", row.vs_baseline->low},
             {"high", row.vs_baseline->high},
             {"confidence", row.vs_baseline->confidence}};
  }
  Json hot_path = Json::object();
  for (const auto& [arch, path] : row.hot_paths) {
    Json diff = nullptr;
    if (path.has_diff) {
      diff = {{"match_percent", path.match_percent},
              {"instructions_added", path.instructions_added},
              {"instructions_removed", path.instructions_removed},
              {"instructions_delta", path.delta.instructions},
              {"calls_delta", path.delta.calls},
              {"alloc_calls_delta", path.delta.alloc_calls},
              {"alloc_calls_in_loops_delta", path.delta.alloc_calls_in_loops}};
    }
    hot_path[arch] = {{"summary", summary_json(path.summary)}, {"diff_vs_baseline", diff}};
    if (!path.go_defer.empty()) hot_path[arch]["go_defer"] = path.go_defer;
  }
  Json out = {
      {"strategy", row.strategy},
      {"benchmark", row.benchmark},
      {"fidelity", row.fidelity},
      {"notes", row.notes},
      {"is_baseline", row.is_baseline},
      {"failed", row.failed},
      {"time_ns", time},
      {"ratio_to_baseline", ratio},
      {"language", row.language},
      {"heap",
       {{"allocs_per_iter", optional_number(row.heap_allocs)},
        {"bytes_per_iter", optional_number(row.heap_bytes)},
        {"frees_per_iter", optional_number(row.heap_frees)}}},
      {"hot_symbol", {{"mangled", row.hot_symbol}, {"demangled", row.hot_symbol_demangled}}},
      {"hot_path", hot_path},
      {"warnings", row.warnings}};
  if (row.language == "go") {
    out["ratio_to_go_manual"] = nullptr;
    if (row.vs_go_manual) {
      out["ratio_to_go_manual"] = {{"estimate", row.vs_go_manual->estimate},
                                   {"low", row.vs_go_manual->low},
                                   {"high", row.vs_go_manual->high},
                                   {"confidence", row.vs_go_manual->confidence}};
    }
  }
  if (row.failed) out["error"] = (row.invalid ? "invalid data: " : "") + row.error;
  return out;
}

}  // namespace

std::string render_report_json(const RunReport& report) {
  Json scenarios = Json::array();
  for (const CaseGroup& group : report.groups) {
    if (scenarios.empty() || scenarios.back()["name"] != group.scenario) {
      scenarios.push_back({{"name", group.scenario},
                           {"summary", group.scenario_summary},
                           {"groups", Json::array()}});
    }
    Json rows = Json::array();
    for (const StrategyRow& row : group.rows) rows.push_back(row_json(row));
    scenarios.back()["groups"].push_back({{"param", group.param},
                                          {"parameters", Json(group.parameters)},
                                          {"rows", rows},
                                          {"warnings", group.warnings}});
  }
  Json other = Json::array();
  for (const StrategyRow& row : report.other) other.push_back(row_json(row));
  Json binaries = Json::object();
  for (const auto& [arch, path] : report.binaries) binaries[arch] = path;
  const Json document = {{"schema", "deferlab.report/1"},
                         {"environment", Json(report.context)},
                         {"baseline_strategy", report.baseline_strategy},
                         {"repetitions", report.repetitions},
                         {"noisy_cv_threshold", kNoisyCv},
                         {"architectures", report.architectures},
                         {"binaries", binaries},
                         {"warnings", report.warnings},
                         {"scenarios", scenarios},
                         {"other", other}};
  return document.dump(2) + "\n";
}

}  // namespace deferlab::reports

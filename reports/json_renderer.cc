// deferlab.report/1: the run's whole report as data (docs/schemas/deferlab.report-1.schema.json).
#include <nlohmann/json.hpp>

#include "harness/profile_json.h"  // count_json: whole counts as integers
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

Json text_or_null(const std::string& text) {
  return text.empty() ? Json(nullptr) : Json(text);
}

// A count that is whole (an exact instruction or call count) as an integer.
Json optional_count(const std::optional<double>& v) {
  return v ? Json(harness::count_json(*v)) : Json(nullptr);
}

Json profile_json(const StrategyRow& row) {
  if (!row.profile) return nullptr;
  const ProfileFigures& p = *row.profile;
  Json by_function = Json::object();
  for (const auto& [fn, n] : p.allocations_by_function) by_function[fn] = harness::count_json(n);
  Json hot = Json::array();
  for (const ProfiledFunction& f : p.hot_functions) {
    hot.push_back({{"symbol", f.symbol},
                   {"demangled", f.demangled},
                   {"object", f.object},
                   {"instructions_per_iter", harness::count_json(f.instructions)},
                   {"share", f.share}});
  }
  return {{"instructions_per_iter", optional_count(p.instructions)},
          {"cycles_per_iter", optional_count(p.cycles)},
          {"alloc_calls_per_iter", optional_count(p.allocations)},
          {"alloc_calls_by_function", by_function},
          {"instructions_ratio_to_baseline", optional_number(p.instructions_vs_baseline)},
          {"cycles_ratio_to_baseline", optional_number(p.cycles_vs_baseline)},
          {"missing", text_or_null(p.missing)},
          {"cycles_missing", text_or_null(p.cycles_missing)},
          {"hot_functions", hot}};
}

Json row_json(const StrategyRow& row, bool has_language_baseline) {
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
      {"profile", profile_json(row)},
      {"hot_symbol", {{"mangled", row.hot_symbol}, {"demangled", row.hot_symbol_demangled}}},
      {"hot_path", hot_path},
      {"warnings", row.warnings}};
  // Rows of a language with its own baseline (RunReport::language_baselines).
  if (has_language_baseline) {
    out["ratio_to_language_baseline"] = nullptr;
    if (row.vs_language_baseline) {
      out["ratio_to_language_baseline"] = {{"estimate", row.vs_language_baseline->estimate},
                                           {"low", row.vs_language_baseline->low},
                                           {"high", row.vs_language_baseline->high},
                                           {"confidence", row.vs_language_baseline->confidence}};
    }
  }
  if (row.failed) out["error"] = (row.invalid ? "invalid data: " : "") + row.error;
  return out;
}

Json run_profile_json(const RunReport& report) {
  if (!report.profile) return nullptr;
  const ProfileData& p = *report.profile;
  return {{"source", p.source},
          {"valgrind", p.valgrind},
          {"cycles_formula", p.cycles_formula},
          {"wall_seconds", p.wall_seconds},
          {"incomplete", text_or_null(p.incomplete)},
          {"calibration_instructions_per_iter", optional_count(p.calibration_instructions)},
          {"definitions",
           profile_definitions(p, report.groups.empty() ? "" : report.baseline_strategy)}};
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
    for (const StrategyRow& row : group.rows)
      rows.push_back(row_json(row, !report.language_baseline(row.language).empty()));
    scenarios.back()["groups"].push_back({{"param", group.param},
                                          {"parameters", Json(group.parameters)},
                                          {"rows", rows},
                                          {"warnings", group.warnings}});
  }
  Json other = Json::array();
  for (const StrategyRow& row : report.other)
    other.push_back(row_json(row, !report.language_baseline(row.language).empty()));
  Json static_only = Json::object();
  for (const std::string& arch : report.architectures) {
    if (arch != "x86-64") static_only[arch] = kStaticOnlyNote;
  }
  Json binaries = Json::object();
  for (const auto& [arch, path] : report.binaries) binaries[arch] = path;
  Json document = {{"schema", "deferlab.report/1"},
                   {"environment", Json(report.context)},
                   {"baseline_strategy", report.baseline_strategy},
                   {"repetitions", report.repetitions},
                   {"noisy_cv_threshold", kNoisyCv},
                   {"architectures", report.architectures},
                   {"binaries", binaries},
                   {"warnings", report.warnings},
                   {"scenarios", scenarios},
                   {"other", other},
                   {"profile", run_profile_json(report)},
                   {"profile_absent", text_or_null(report.profile_absent)},
                   {"static_only_architectures", static_only}};
  if (!report.language_baselines.empty()) {
    document["language_baselines"] = Json(report.language_baselines);
  }
  return document.dump(2) + "\n";
}

}  // namespace deferlab::reports

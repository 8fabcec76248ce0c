// The profile pass's figures as reports use them: a deferlab.profile/1 document
// (profile.json in a run directory) read into, per benchmark, the exact instructions,
// estimated cycles and allocation calls per iteration of the timed loop, and the hot
// functions with their per-instruction counts. A figure the profile could not measure is
// missing with the reason, never a number: only rows the profile marks exact give figures.
//
//   const ProfileData profile = load_profile_file(dir / "profile.json");
//   attach_profile(report, profile);   // row.profile on every row, ratios to the baseline
//   if (row.profile && row.profile->instructions) ... *row.profile->instructions ...
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace deferlab::reports {

// A function that ran in a benchmark's timed loop, among those covering 95 % of its
// instructions (at most 8).
struct ProfiledFunction {
  std::string symbol;  // linkage name
  std::string demangled;
  std::string object;                          // the ELF file it lives in
  double instructions = 0;                     // per iteration
  double share = 0;                            // of the benchmark's instructions, 0..1
  std::map<std::uint64_t, double> executions;  // address -> executions per iteration
};

// One benchmark's figures, per iteration of its timed loop.
struct ProfileFigures {
  std::optional<double> instructions;  // exact; missing: see `missing`
  std::optional<double> cycles;        // estimated (the document's cycles_formula)
  std::optional<double> allocations;   // calls to allocation functions (malloc included)
  std::map<std::string, double> allocations_by_function;
  std::string missing;         // why instructions and allocations are missing; "" if measured
  std::string cycles_missing;  // why the cycles are missing; "" if measured
  std::vector<ProfiledFunction> hot_functions;
  // Exact ratios to the group's baseline row (attach_profile), when both sides have the
  // figure and the baseline's is not 0.
  std::optional<double> instructions_vs_baseline;
  std::optional<double> cycles_vs_baseline;
};

struct ProfileData {
  std::string source;  // the file read
  std::string binary;
  std::string valgrind;  // "valgrind-3.19.0"
  std::string cycles_formula;
  std::string incomplete;  // why the pass did not finish; "" when it did
  bool cache_simulation = true;
  double wall_seconds = 0;
  std::optional<double> calibration_instructions;  // the empty loop, per iteration
  std::map<std::string, ProfileFigures> benchmarks;

  // The figures of `benchmark`, or figures that say why there are none.
  ProfileFigures figures_for(const std::string& benchmark) const;
};

// Reads a deferlab.profile/1 document. Throws Error naming `source_name` and the JSON path
// when it is not one or a value is out of bounds.
ProfileData read_profile_document(const nlohmann::json& document, const std::string& source_name);

// load_json_file + read_profile_document.
ProfileData load_profile_file(const std::filesystem::path& path);

// Text the renderers share ////////////////////////////////////////////////////////////

// "18226 (39.2x)": a per-iteration figure and its exact ratio to the baseline's (three
// significant digits); the figure alone for the baseline row or without a ratio; "-" when
// it is missing.
std::string figure_with_ratio(const std::optional<double>& value,
                              const std::optional<double>& ratio, bool is_baseline);

// Why some of a row's profile figures are missing ("instructions: <why>; cycles: <why>"),
// "" when none is.
std::string profile_missing_text(const ProfileFigures& f);

// What the profile columns are, one sentence each: the instructions, the estimated cycles
// (with the formula), the allocation calls, and the ratios to `baseline` ("": no ratios).
std::vector<std::string> profile_definitions(const ProfileData& profile,
                                             const std::string& baseline);

}  // namespace deferlab::reports

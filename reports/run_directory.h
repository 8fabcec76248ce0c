// A run directory on disk: out/<run-id>/ with bench.json, cases.json, disasm.json, and
// the reports made from them (report.json, index.html, review.md).
//
//   const RunReport report = load_run_directory("out/latest", "");
//   write_reports("out/latest", report);
#pragma once

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "reports/renderer.h"
#include "reports/report_model.h"

namespace deferlab::reports {

// Reads bench.json (required) and, when present, cases.json and disasm.json. Throws Error
// naming the directory or file when something is missing or malformed.
RunReport load_run_directory(const std::filesystem::path& dir, const std::string& baseline);

// Why a run has no profile: what deferlab run recorded in the context
// ("deferlab_profile": "off: --no-profile", ...), else that profile.json is missing.
std::string profile_absent_reason(const nlohmann::json& context);

// report.json, index.html and review.md for `dir`, rendered (paths and contents), for a
// caller that writes them together with other files (write_files_atomically).
std::vector<std::pair<std::filesystem::path, std::string>> render_reports(
    const std::filesystem::path& dir, const RunReport& report, const RenderOptions& options = {});

// Writes report.json, index.html and review.md into `dir` as one set: all three are
// replaced or none is (harness/atomic_file.h, write_files_atomically). Returns their paths.
std::vector<std::filesystem::path> write_reports(const std::filesystem::path& dir,
                                                 const RunReport& report,
                                                 const RenderOptions& options = {});

}  // namespace deferlab::reports

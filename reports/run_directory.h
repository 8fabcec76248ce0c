// A run directory on disk: out/<run-id>/ with bench.json, cases.json, disasm.json, and
// the reports made from them (report.json, index.html, review.md).
//
//   const RunReport report = load_run_directory("out/latest", "goto_cleanup");
//   write_reports("out/latest", report);
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "reports/report_model.h"

namespace deferlab::reports {

// Reads bench.json (required) and, when present, cases.json and disasm.json. Throws Error
// naming the directory or file when something is missing or malformed.
RunReport load_run_directory(const std::filesystem::path& dir, const std::string& baseline);

// Writes report.json, index.html and review.md into `dir`, each atomically; returns
// their paths.
std::vector<std::filesystem::path> write_reports(const std::filesystem::path& dir,
                                                 const RunReport& report);

}  // namespace deferlab::reports

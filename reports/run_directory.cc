// Loading a run directory into a RunReport and writing its reports as one set (run_directory.h).
#include "reports/run_directory.h"

#include "common/error.h"
#include "harness/atomic_file.h"
#include "reports/bench_results.h"
#include "reports/renderer.h"

namespace deferlab::reports {

namespace fs = std::filesystem;

std::string profile_absent_reason(const nlohmann::json& context) {
  const auto it = context.find("deferlab_profile");
  if (it != context.end() && it->is_string() && it->get<std::string>() != "on") {
    return it->get<std::string>();
  }
  return "no profile.json in the run directory";
}

RunReport load_run_directory(const fs::path& dir, const std::string& baseline) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    throw Error("not a run directory", dir.string(), "pass a directory written by deferlab run");
  }
  if (!fs::exists(dir / "bench.json", ec)) {
    const bool partial = fs::exists(dir / "bench.partial.json", ec);
    throw Error("no bench.json in the run directory", dir.string(),
                partial ? "this run crashed; bench.partial.json holds what it wrote"
                        : "is it a directory written by deferlab run?");
  }
  const BenchResults bench = load_bench_file(dir / "bench.json");
  nlohmann::json manifest;
  const bool has_manifest = fs::exists(dir / "cases.json", ec);
  if (has_manifest) manifest = load_json_file(dir / "cases.json");
  RunReport report = build_run_report(bench, has_manifest ? &manifest : nullptr, baseline,
                                      (dir / "cases.json").string());
  // The profile first: it names the hot functions of rows the manifest does not.
  if (fs::exists(dir / "profile.json", ec)) {
    attach_profile(report, load_profile_file(dir / "profile.json"));
  } else {
    report.profile_absent = profile_absent_reason(report.context);
  }
  if (fs::exists(dir / "disasm.json", ec)) {
    const fs::path disasm = dir / "disasm.json";
    attach_disasm(report, load_json_file(disasm), disasm.string());
  }
  return report;
}

std::vector<std::pair<fs::path, std::string>> render_reports(const fs::path& dir,
                                                             const RunReport& report,
                                                             const RenderOptions& options) {
  std::vector<std::pair<fs::path, std::string>> files;
  for (const char* format : {"json", "html", "md"}) {
    const std::unique_ptr<Renderer> renderer = make_renderer(format, options);
    files.emplace_back(dir / renderer->file_name(), renderer->render(report));
  }
  return files;
}

std::vector<fs::path> write_reports(const fs::path& dir, const RunReport& report,
                                    const RenderOptions& options) {
  // Rendered and written in full before any is renamed: a full disk or a signal leaves
  // the old set, never a new report.json beside an old index.html.
  const auto files = render_reports(dir, report, options);
  write_files_atomically(files);
  std::vector<fs::path> written;
  for (const auto& file : files) written.push_back(file.first);
  return written;
}

}  // namespace deferlab::reports
